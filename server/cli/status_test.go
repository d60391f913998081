package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"vibecraft.sh/helm/server/claude"
	"vibecraft.sh/helm/server/opencode"
	"vibecraft.sh/helm/server/stream"
	"vibecraft.sh/helm/server/watch"
	"vibecraft.sh/helm/shared"
)

// helmd status names its build once, says how long it has run in words,
// and counts the roots it lists apart from the folders it watches under
// them (it said "Watching 8 folder(s):" above three roots).
func TestStatusWords(t *testing.T) {
	st := statusDoc{Version: "94cf729", Commit: "94cf729", UptimeSeconds: 8*60 + 15, Listen: "127.0.0.1:5003"}
	st.Watcher = watch.Status{WatchedDirs: 8, Roots: []watch.RootStatus{
		{Path: "/home/u/.claude/projects", Exists: true, Mode: "fsnotify"},
		{Path: "/home/u/.local/share/opencode/storage", Exists: true, Mode: "fsnotify"},
		{Path: "/home/u/.claude/sessions", Mode: "fsnotify"},
	}}
	out := statusText(t, st)
	hasAll(t, out,
		"helmd 94cf729 is running on 127.0.0.1:5003, up 8 min.\n",
		"Watching 3 roots (8 folders in all):\n",
		"  /home/u/.claude/sessions: missing: nothing there yet; with file events (fsnotify)\n",
	)
	st.Version, st.Commit = "v1.2.0", "94cf729"
	if out := statusText(t, st); !strings.Contains(out, "helmd v1.2.0 (commit 94cf729) is running") {
		t.Errorf("a release names its commit too:\n%s", out)
	}
}

// Counts take their noun in the singular or the plural, as a sentence
// does: it said "1 client(s) connected".
func TestStatusCountsInWords(t *testing.T) {
	st := statusDoc{Version: "v1.2.0", Listen: "127.0.0.1:5003"}
	st.Stream = stream.Stats{Clients: 1, Published: 1, SlowDisconnects: 0}
	st.Claude.Roots = []string{"/home/u/.claude"}
	st.Claude.Stats = claude.Stats{Sessions: 1, Files: 3, LinesSkipped: 4, UnknownTypes: 5, MalformedLines: 1, UnknownRecords: 2}
	st.OpenCode = &opencode.Status{DBPath: "/home/u/opencode.db", DBState: "ok", SessionsFromDB: 1, SessionsFromJSON: 2, Skipped: 1}
	out := statusText(t, st)
	hasAll(t, out,
		"Live updates: 1 client connected; 1 event published, 0 slow clients cut.\n",
		"Claude Code: 1 session from 3 files in /home/u/.claude; 1 malformed line and 2 unknown records skipped.\n",
		"OpenCode: database /home/u/opencode.db is ok; 1 session from it, 2 from the JSON files; 1 item skipped.\n",
	)
	if strings.Contains(out, "(s)") {
		t.Errorf("a count says (s):\n%s", out)
	}
	if strings.Contains(out, "believable") {
		t.Errorf("no figure was odd, yet the status speaks of them:\n%s", out)
	}

	// Figures read as none (a fraction, a negative, 1e30, "7") make the
	// tokens and costs shown too low: the status says how many, where
	// it counts the lines skipped. It said nothing of them.
	st.Claude.Stats.OddCounts, st.OpenCode.OddCounts = 3, 1
	out = statusText(t, st)
	hasAll(t, out,
		"Claude Code: 1 session from 3 files in /home/u/.claude; 1 malformed line and 2 unknown records skipped; 3 token counts were no believable numbers, read as none.\n",
		"OpenCode: database /home/u/opencode.db is ok; 1 session from it, 2 from the JSON files; 1 item skipped; 1 token count or cost was no believable number, read as none.\n",
	)
}

// Streams opened during the first scan wait for its list: they are not
// clients yet (GET /api/status counts them apart, stream.waiting) but
// each is a page or a watch connected. helmd status said "0 clients
// connected" while three waited.
func TestStatusCountsStreamsWaitingForTheFirstScan(t *testing.T) {
	st := statusDoc{Version: "v1.2.0", Listen: "127.0.0.1:5003"}
	for _, tc := range []struct {
		stats stream.Stats
		want  string
	}{
		{stream.Stats{Clients: 0, Waiting: 3}, "Live updates: 0 clients connected, 3 waiting for the first scan; 0 events published, 0 slow clients cut.\n"},
		{stream.Stats{Clients: 2, Waiting: 1}, "Live updates: 2 clients connected, 1 waiting for the first scan; "},
		{stream.Stats{Clients: 2}, "Live updates: 2 clients connected; "},
	} {
		st.Stream = tc.stats
		var b strings.Builder
		if err := writeStatus(&b, st); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), tc.want) {
			t.Errorf("%+v: lacks %q:\n%s", tc.stats, tc.want, b.String())
		}
	}
}

// With a fleet, helmd status says in a line whether NATS is reached, and
// why not: it said nothing of the fleet.
func TestStatusFleetLine(t *testing.T) {
	st := statusDoc{Version: "v1.2.0", Listen: "127.0.0.1:5003"}
	st.Fleet = &fleetDoc{Host: "beta", Server: "nats://127.0.0.1:14222", LastError: "nats: Authorization Violation"}
	var b strings.Builder
	if err := writeStatus(&b, st); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Fleet: beta, NOT connected to NATS (nats://127.0.0.1:14222): nats: Authorization Violation.\n",
		"Health: serving, with errors:\n  fleet: nats: Authorization Violation\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("lacks %q:\n%s", want, b.String())
		}
	}
	st.Fleet = &fleetDoc{Host: "alpha", Connected: true, Server: "the embedded server, in process"}
	st.Fleet.View = &fleetView{Hosts: 2, Offline: 1, Sessions: 7}
	b.Reset()
	if err := writeStatus(&b, st); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Fleet: alpha, connected to NATS (the embedded server, in process); showing 2 other machines (1 offline), 7 sessions.\n",
		"Health: ok, no errors.",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("lacks %q:\n%s", want, b.String())
		}
	}
	// Listing the others' sessions, the Sessions and Machines lines say
	// what the Fleet line said: once is enough.
	st.Listed, st.RemoteSessions, st.Sessions = 10, 7, 3
	st.Machines = []shared.Machine{{Name: "alpha", Sessions: 3}, {Name: "beta", Sessions: 4, Remote: true}, {Name: "gamma", Sessions: 3, Remote: true, Offline: true}}
	b.Reset()
	if err := writeStatus(&b, st); err != nil {
		t.Fatal(err)
	}
	if want := "Fleet: alpha, connected to NATS (the embedded server, in process).\n"; !strings.Contains(b.String(), want) {
		t.Errorf("lacks %q:\n%s", want, b.String())
	}
	if want := "Sessions: 10 listed: 3 of this machine, 7 of 2 other machines, 1 of them offline"; !strings.Contains(b.String(), want) {
		t.Errorf("lacks %q:\n%s", want, b.String())
	}
}

// On a hub helmd status counts every session listed and says whose, the
// machines offline among them, names cleaned (they come from other
// machines); a helmd without a fleet, or one from before these fields,
// reads as it did.
func TestStatusOnAHub(t *testing.T) {
	st := statusDoc{Version: "v1.2.0", Listen: "127.0.0.1:5003", Sessions: 3, Listed: 9, RemoteSessions: 6, Machines: []shared.Machine{
		{Name: "alpha", Sessions: 3, Remote: true},
		{Name: "beta\x1b]0;pwned\x07", Sessions: 3, Remote: true, Offline: true},
		{Name: "hub", Sessions: 3},
	}}
	out := statusText(t, st)
	for _, want := range []string{
		"Sessions: 9 listed: 3 of this machine, 6 of 2 other machines, 1 of them offline; the first scan is still running.\n",
		"Machines: alpha 3, beta 3 (offline: its last known state), hub 3 (this one).\n",
	} {
		if !strings.Contains(out, want) || strings.Contains(out, "\x1b") {
			t.Errorf("lacks %q, or prints an escape:\n%s", want, out)
		}
	}
	if out := statusText(t, statusDoc{Version: "v1.2.0", Listen: "127.0.0.1:5003", Sessions: 3}); !strings.Contains(out, "Sessions: 3; the first scan is still running.\n") || strings.Contains(out, "Machines") {
		t.Errorf("no fleet: want the sessions as before:\n%s", out)
	}
}

// A helmd refused its host name (another running helmd holds it) says so,
// and a hub names the name others were refused: both said "ok".
func TestStatusSaysHostNameRefused(t *testing.T) {
	var fd fleetDoc
	if err := json.Unmarshal([]byte(`{"host":"alpha","connected":true,"server":"nats://n:4222",
		"publish":{"refused":"0123abcd","lastError":"fleet: host name \"alpha\" is taken by another running helmd"},
		"view":{"hosts":1,"refused":{"alpha":1}}}`), &fd); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := writeStatus(&b, statusDoc{Version: "v1.2.0", Fleet: &fd}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Health: serving, with errors:\n",
		"  fleet: host name \"alpha\" is taken by another running helmd\n",
		"  fleet: 1 helmd refused the host name \"alpha\", which another holds: give each machine its own --host-name\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("lacks %q:\n%s", want, b.String())
		}
	}
}

// A hub names a machine whose clock is a minute or more off its own, and
// which way: that machine's sessions show at the wrong times on the page.
// Seconds off are a heartbeat's delay, not worth a word.
func TestStatusSaysAMachinesClockIsOff(t *testing.T) {
	var fd fleetDoc
	if err := json.Unmarshal([]byte(`{"host":"hub","connected":true,"server":"nats://n:4222",
		"view":{"hosts":3},"hosts":{"late":{"offline":false,"sessions":2,"clockAheadMs":-600000},
		"early\u001b]0;x\u0007":{"sessions":1,"clockAheadMs":5400000},"fine":{"sessions":1,"clockAheadMs":30000}}}`), &fd); err != nil {
		t.Fatal(err)
	}
	out := statusText(t, statusDoc{Version: "v1.2.0", Fleet: &fd})
	hasAll(t, out,
		"Health: serving, with errors:\n",
		"  fleet: the clock of machine \"early\" is 1 h 30 min ahead of this one's, and the times of its sessions with it: set its clock (NTP)\n",
		"  fleet: the clock of machine \"late\" is 10 min behind this one's, and the times of its sessions with it: set its clock (NTP)\n",
	)
	if strings.Contains(out, "fine") || strings.Contains(out, "\x1b") {
		t.Errorf("names a machine 30 s off, or prints an escape:\n%s", out)
	}
}

// statusText is what helmd status writes of st.
func statusText(t *testing.T, st statusDoc) string {
	t.Helper()
	var b strings.Builder
	if err := writeStatus(&b, st); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// hasAll fails t for each of want that out lacks.
func hasAll(t *testing.T, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("lacks %q:\n%s", w, out)
		}
	}
}
