package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"vibecraft.sh/helm/server/claude"
	"vibecraft.sh/helm/server/live"
	"vibecraft.sh/helm/server/opencode"
	"vibecraft.sh/helm/server/stream"
	"vibecraft.sh/helm/server/watch"
	"vibecraft.sh/helm/shared"
)

// statusDoc is the part of GET /api/status this command reads.
type statusDoc struct {
	Version       string       `json:"version"`
	Commit        string       `json:"commit"`
	UptimeSeconds int64        `json:"uptimeSeconds"`
	Listen        string       `json:"listen"`
	Sessions      int          `json:"sessions"`
	Watcher       watch.Status `json:"watcher"`
	Stream        stream.Stats `json:"stream"`
	Scan          live.Stats   `json:"scan"`
	Claude        struct {
		Roots []string     `json:"roots"`
		Stats claude.Stats `json:"stats"`
	} `json:"claude"`
	OpenCode *opencode.Status `json:"opencode"`
	// Fleet is GET /api/fleet, nil when helmd neither publishes nor
	// shows a fleet (it answers 404).
	Fleet *fleetDoc `json:"-"`
	// FleetErr is why GET /api/fleet failed otherwise.
	FleetErr error `json:"-"`

	// Listed, RemoteSessions and Machines: the whole list, the fleet's
	// sessions among them (a helmd before them sends none: 0, nil).
	Listed         int              `json:"listed"`
	RemoteSessions int              `json:"remoteSessions"`
	Machines       []shared.Machine `json:"machines"`
}

// fleetDoc is the part of GET /api/fleet this command reads.
type fleetDoc struct {
	Host      string `json:"host"`
	Connected bool   `json:"connected"`
	Server    string `json:"server"`
	LastError string `json:"lastError"`
	Publish   *struct {
		Puts       int `json:"puts"`
		Deletes    int `json:"deletes"`
		Reconciles int `json:"reconciles"`
		// Refused: another helmd holds this host name; LastError says so.
		Refused   string `json:"refused"`
		LastError string `json:"lastError"`
	} `json:"publish"`
	View *fleetView `json:"view"`
	// Hosts: what a hub knows of each other machine.
	Hosts map[string]struct {
		// ClockAheadMs: how far its clock runs ahead of the hub's.
		ClockAheadMs int64 `json:"clockAheadMs"`
	} `json:"hosts"`
}

// fleetView is what a hub shows of other machines.
type fleetView struct {
	Hosts    int `json:"hosts"`
	Offline  int `json:"offline"`
	Sessions int `json:"sessions"`
	// Refused counts, per host name, the helmds refused it: it is taken.
	Refused map[string]int `json:"refused"`
}

// statusFlags is `helmd status`: the server's health in words.
func statusFlags(fs *flag.FlagSet, o IO) runFunc {
	asJSON := fs.Bool("json", false, "print GET /api/status as helmd sends it")
	return func(ctx context.Context, c *client) error {
		var st statusDoc
		raw, err := c.getJSON(ctx, "/api/status", &st)
		if err != nil {
			return err
		}
		if *asJSON {
			_, err := fmt.Fprintln(o.Stdout, strings.TrimSpace(string(raw)))
			return err
		}
		var fd fleetDoc
		if _, err := c.getJSON(ctx, "/api/fleet", &fd); err == nil {
			st.Fleet = &fd
		} else if !errors.Is(err, errNotFound) {
			st.FleetErr = err
		}
		return writeStatus(o.Stdout, st)
	}
}

func writeStatus(w io.Writer, st statusDoc) error {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	version := clean(st.Version)
	if st.Commit != "" && st.Commit != st.Version { // a build from a commit is named by it: once
		version += " (commit " + clean(st.Commit) + ")"
	}
	p("helmd %s is running on %s, up %s.", version, clean(st.Listen), shared.SpanText(time.Duration(st.UptimeSeconds)*time.Second))
	scans := "the first scan is still running"
	if st.Scan.Scans > 0 {
		scans = fmt.Sprintf("last full scan took %d ms", st.Scan.LastScanMs)
	}
	if st.RemoteSessions == 0 { // no fleet, or no other machine in it: as before
		p("Sessions: %d; %s.", st.Sessions, scans)
	} else {
		// On a hub: every session listed, and whose. It said "Sessions:
		// 3", this machine's, while the hub listed 9.
		others, offline := 0, 0
		var ms []string
		for _, m := range st.Machines {
			d := clean(m.Name) + " " + strconv.Itoa(m.Sessions)
			switch {
			case !m.Remote:
				d += " (this one)"
			case m.Offline:
				d += " (offline: its last known state)"
			}
			ms = append(ms, d)
			if m.Remote {
				others++
			}
			if m.Offline {
				offline++
			}
		}
		off := ""
		if offline > 0 {
			off = fmt.Sprintf(", %d of them offline", offline)
		}
		p("Sessions: %d listed: %d of this machine, %d of %s%s; %s.", st.Listed, st.Listed-st.RemoteSessions, st.RemoteSessions,
			plural(others, "other machine", "other machines"), off, scans)
		if len(ms) > 0 {
			p("Machines: %s.", strings.Join(ms, ", "))
		}
	}
	// Streams opened during the first scan are not clients until its
	// list goes out, but are connected and hold a slot of --max-clients
	// each: "0 clients connected" hid a page or a watch left waiting.
	waiting := ""
	if st.Stream.Waiting > 0 {
		waiting = fmt.Sprintf(", %d waiting for the first scan", st.Stream.Waiting)
	}
	p("Live updates: %s connected%s; %s published, %s cut.", plural(st.Stream.Clients, "client", "clients"), waiting,
		plural(st.Stream.Published, "event", "events"), plural(st.Stream.SlowDisconnects, "slow client", "slow clients"))

	p("Watching %s (%s in all):", plural(len(st.Watcher.Roots), "root", "roots"), plural(st.Watcher.WatchedDirs, "folder", "folders"))
	for _, r := range st.Watcher.Roots {
		how := "with file events (fsnotify)"
		if r.Mode == "polling" {
			how = "by polling"
			if r.Reason != "" {
				how += " (" + clean(r.Reason) + ")"
			}
		}
		if !r.Exists {
			how = "missing: nothing there yet; " + how
		}
		p("  %s: %s", clean(r.Path), how)
	}
	if len(st.Claude.Roots) > 0 {
		cs := st.Claude.Stats
		p("Claude Code: %s from %s in %s; %s and %s skipped%s.", plural(cs.Sessions, "session", "sessions"),
			plural(cs.Files, "file", "files"), cleanList(st.Claude.Roots), plural(cs.MalformedLines, "malformed line", "malformed lines"),
			plural(cs.UnknownRecords, "unknown record", "unknown records"), oddText(cs.OddCounts, "token count", "token counts"))
		if len(cs.UnpricedModels) > 0 {
			p("  models without a price (their tokens are in no cost shown, so those costs are too low): %s", cleanList(cs.UnpricedModels))
		}
	}
	if oc := st.OpenCode; oc != nil {
		state := oc.DBState
		if state == "" {
			state = "not read yet"
		}
		p("OpenCode: database %s is %s; %s from it, %d from the JSON files; %s skipped%s.",
			clean(oc.DBPath), clean(state), plural(oc.SessionsFromDB, "session", "sessions"), oc.SessionsFromJSON,
			plural(oc.Skipped, "item", "items"), oddText(oc.OddCounts, "token count or cost", "token counts and costs"))
	} else {
		p("OpenCode: not read.")
	}
	if fd := st.Fleet; fd != nil {
		// The Sessions and Machines lines say what a hub shows of the
		// others when it lists any: the Fleet line does not again.
		p("%s", fleetLine(fd, st.RemoteSessions > 0))
	} else if st.FleetErr != nil {
		p("Fleet: unknown: %s", clean(st.FleetErr.Error()))
	}
	var problems []string
	for _, e := range [][2]string{{"watcher", st.Watcher.LastError}, {"scan", st.Scan.LastError}, {"Claude Code", st.Claude.Stats.LastError}} {
		if e[1] != "" {
			problems = append(problems, e[0]+": "+clean(e[1]))
		}
	}
	if oc := st.OpenCode; oc != nil && oc.LastError != "" {
		problems = append(problems, "OpenCode: "+clean(oc.LastError))
	}
	if fd := st.Fleet; fd != nil && !fd.Connected && fd.LastError != "" {
		problems = append(problems, "fleet: "+clean(fd.LastError))
	}
	if fd := st.Fleet; fd != nil && fd.Publish != nil && fd.Publish.Refused != "" {
		problems = append(problems, clean(fd.Publish.LastError))
	}
	if fd := st.Fleet; fd != nil && fd.View != nil {
		for _, host := range slices.Sorted(maps.Keys(fd.View.Refused)) {
			problems = append(problems, fmt.Sprintf("fleet: %s refused the host name %q, which another holds: give each machine its own --host-name",
				plural(fd.View.Refused[host], "helmd", "helmds"), clean(host)))
		}
	}
	if fd := st.Fleet; fd != nil {
		for _, host := range slices.Sorted(maps.Keys(fd.Hosts)) {
			span, way := shared.ClockOff(fd.Hosts[host].ClockAheadMs) // from the minute the hub's log warns at too
			if span == "" {
				continue
			}
			problems = append(problems, fmt.Sprintf("fleet: the clock of machine %q is %s %s this one's, and the times of its sessions with it: set its clock (NTP)",
				clean(host), span, way))
		}
	}
	if len(problems) == 0 {
		p("Health: ok, no errors.")
	} else {
		p("Health: serving, with errors:")
		for _, e := range problems {
			p("  %s", e)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// oddText says, after a source's skipped lines, how many of its figures
// were read as none (a fraction, a negative, past any request's, no
// number): the tokens and costs shown are short of them, and nothing
// else tells. Nothing when there are none, as on most machines.
func oddText[N int | int64](n N, one, many string) string {
	if n <= 0 {
		return ""
	}
	verb := " were no believable numbers"
	if n == 1 {
		verb = " was no believable number"
	}
	return "; " + plural(n, one, many) + verb + ", read as none"
}

// plural is n with its noun: "1 root", "3 roots", "0 roots".
func plural[N int | int64 | uint64](n N, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func cleanList(ss []string) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = clean(s)
	}
	return strings.Join(out, ", ")
}

// fleetLine is the fleet's state in one line: the NATS connection (or why
// there is none), what this machine published, and, unless listed says
// it elsewhere, what it shows of others.
func fleetLine(fd *fleetDoc, listed bool) string {
	var b strings.Builder
	b.WriteString("Fleet: ")
	switch {
	case fd.Connected:
		fmt.Fprintf(&b, "%s, connected to NATS (%s)", clean(fd.Host), clean(fd.Server))
	case fd.LastError != "":
		fmt.Fprintf(&b, "%s, NOT connected to NATS (%s): %s", clean(fd.Host), clean(fd.Server), clean(fd.LastError))
	default:
		fmt.Fprintf(&b, "%s, not connected to NATS (%s) yet", clean(fd.Host), clean(fd.Server))
	}
	if pub := fd.Publish; pub != nil {
		fmt.Fprintf(&b, "; published %s, %s, %s", plural(pub.Puts, "write", "writes"), plural(pub.Deletes, "delete", "deletes"),
			plural(pub.Reconciles, "reconcile", "reconciles"))
	}
	if v := fd.View; v != nil && !listed {
		fmt.Fprintf(&b, "; showing %s (%d offline), %s", plural(v.Hosts, "other machine", "other machines"), v.Offline,
			plural(v.Sessions, "session", "sessions"))
	}
	b.WriteString(".")
	return b.String()
}
