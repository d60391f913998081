package list

import "slices"

// Host is one entry of the host filter, in a fleet.
type Host struct {
	Name    string // shared.Session.Host
	Count   int    // its sessions
	Offline bool   // its helmd stopped sending heartbeats
}

// Hosts lists the machines the sessions come from, by name. Sessions
// without a host (no fleet configured) are not counted: with none, or
// one, there is nothing to filter by. The answer is cached until the list
// changes (the page asks on every row it draws); callers must not modify
// it.
func (l *List) Hosts() []Host {
	if c := &l.hosts; c.valid && c.version == l.version {
		return c.out
	}
	index := map[string]int{}
	var out []Host
	for i := range l.sorted {
		s := &l.sorted[i]
		if s.Host == "" {
			continue
		}
		i, ok := index[s.Host]
		if !ok {
			i = len(out)
			index[s.Host] = i
			out = append(out, Host{Name: s.Host})
		}
		out[i].Count++
		out[i].Offline = out[i].Offline || s.HostOffline
	}
	slices.SortFunc(out, func(a, b Host) int {
		switch {
		case a.Name < b.Name:
			return -1
		case a.Name > b.Name:
			return 1
		}
		return 0
	})
	l.hosts = hostsCache{version: l.version, valid: true, out: out}
	return out
}

// hostsCache caches the last Hosts answer.
type hostsCache struct {
	version uint64
	valid   bool
	out     []Host
}
