package shared

import (
	"strings"
)

// Machine is one machine that sessions of a list come from, in a fleet:
// the page's machine filter and helmd status count them alike.
type Machine struct {
	Name     string `json:"name"`     // Session.Host
	Sessions int    `json:"sessions"` // its sessions in the list
	Remote   bool   `json:"remote,omitempty"`
	// Offline: its helmd stopped sending heartbeats; its sessions are
	// its last known state.
	Offline bool `json:"offline,omitempty"`
	// ClockAheadMs is how far its clock runs ahead of the hub's, as its
	// sessions carry it (Session.HostClockAheadMs; behind: negative).
	ClockAheadMs int64 `json:"clockAheadMs,omitempty"`
}

// Machines lists the machines ss come from, by name, with their
// sessions. Sessions naming no machine (no fleet configured) are not
// counted.
func Machines(ss []Session) []Machine {
	at := map[string]int{}
	var out []Machine
	for i := range ss {
		s := &ss[i]
		if s.Host == "" {
			continue
		}
		j, ok := at[s.Host]
		if !ok {
			j = len(out)
			at[s.Host] = j
			out = append(out, Machine{Name: s.Host, Remote: s.Remote})
		}
		out[j].Sessions++
		out[j].Offline = out[j].Offline || s.HostOffline
		if s.HostClockAheadMs != 0 {
			out[j].ClockAheadMs = int64(s.HostClockAheadMs)
		}
	}
	SortFunc(out, func(a, b *Machine) int { return strings.Compare(a.Name, b.Name) })
	return out
}
