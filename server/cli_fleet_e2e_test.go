package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// On a hub (helmd --fleet) the commands know machines: helmd ls names
// each row's machine (two sessions of one title on two machines printed
// identical rows), takes --machine as the page's filter does, and says
// "offline" for a machine that stopped, where it said "idle" as if its
// wait had been answered; helmd watch says the same as it happens, and
// helmd status counts every session listed and says whose, where it said
// "Sessions: 1" of a hub listing 3.
func TestCLIOnAHub(t *testing.T) {
	t.Setenv("COLUMNS", "120") // the width is the test's, not the caller's shell's
	n := startTestNATS(t)
	natsArgs := []string{"--nats", n.url(), "--nats-token", natsTestToken}
	alpha := &machine{host: "alpha", dir: t.TempDir(), args: append([]string{"--publish", "--fleet-ttl", "600ms"}, natsArgs...)}
	beta := &machine{host: "beta", dir: t.TempDir(), args: append([]string{"--publish", "--fleet-ttl", "600ms"}, natsArgs...)}
	hub := &machine{host: "hub", dir: t.TempDir(), args: append([]string{"--fleet"}, natsArgs...)}
	const title = "notify me when the deploy is done"
	writeSession(t, alpha.dir, "5c1f0b2e-8a4d-4c1e-9f3a-0000000000a1", title)
	writeSession(t, beta.dir, "5c1f0b2e-8a4d-4c1e-9f3a-0000000000b1", title)
	writeSession(t, hub.dir, "5c1f0b2e-8a4d-4c1e-9f3a-0000000000f1", "the hub's own")
	hub.start(t)
	alpha.start(t)
	beta.start(t)
	waitWithin(t, 5*time.Second, "every machine's session on the hub", func() bool {
		h := byHost(t, hub.srv)
		return len(h["alpha"]) == 1 && len(h["beta"]) == 1 && len(h["hub"]) == 1
	})
	port := portOf(t, hub.srv.URL)
	ctx := context.Background()
	lines := func(out string) []string { return strings.Split(strings.TrimSuffix(out, "\n"), "\n") }
	// row is the line of ls whose MACHINE is m.
	row := func(ls []string, m string) string {
		at := strings.Index(ls[0], "MACHINE")
		for _, l := range ls[1:] {
			if at >= 0 && len(l) > at && strings.HasPrefix(l[at:], m+" ") {
				return l
			}
		}
		return ""
	}

	out, errOut, code := helmdCmd(t, ctx, port, "ls")
	ls := lines(out)
	if code != 0 || !strings.HasPrefix(ls[0], "STATUS   MACHINE  TITLE") || len(ls) != 4 ||
		!strings.Contains(row(ls, "alpha"), title) || !strings.Contains(row(ls, "beta"), title) || !strings.Contains(row(ls, "hub"), "the hub's own") {
		t.Errorf("ls: exit %d, want a MACHINE column telling alpha's row from beta's:\n%s%s", code, out, errOut)
	}
	out, _, code = helmdCmd(t, ctx, port, "ls", "--machine", "beta")
	if ls := lines(out); code != 0 || len(ls) != 2 || !strings.Contains(row(ls, "beta"), title) {
		t.Errorf("ls --machine beta: exit %d, want beta's session alone:\n%s", code, out)
	}
	out, errOut, code = helmdCmd(t, ctx, port, "ls", "--machine", "gamma")
	if code != 1 || out != "" || !strings.Contains(errOut, `--machine "gamma": no session of that machine; machines listed: alpha, beta, hub`) {
		t.Errorf("ls --machine gamma: exit %d, want 1 naming the machines listed:\n%s%s", code, out, errOut)
	}
	out, _, code = helmdCmd(t, ctx, port, "status")
	if code != 0 || !strings.Contains(out, "Sessions: 3 listed: 1 of this machine, 2 of 2 other machines; ") ||
		!strings.Contains(out, "Machines: alpha 1, beta 1, hub 1 (this one).\n") {
		t.Errorf("status: exit %d, want every session counted, and whose:\n%s", code, out)
	}
	out, _, _ = helmdCmd(t, ctx, port, "status", "--json")
	var st struct {
		Sessions, Listed, RemoteSessions int
		Machines                         []struct {
			Name            string
			Sessions        int
			Remote, Offline bool
		}
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil || st.Sessions != 1 || st.Listed != 3 || st.RemoteSessions != 2 || len(st.Machines) != 3 {
		t.Errorf("status --json: %+v (%v), want sessions 1 (this machine's, as before), listed 3, remoteSessions 2, 3 machines:\n%s", st, err, out)
	}

	watch, stop := startWatch(t, port, "watch")
	defer stop()
	// Once watch is one of the hub's stream clients, beta's going
	// (at least --fleet-ttl after it stops) reaches it as a change.
	waitFor(t, "watch connected", func() bool {
		var doc statusDoc
		getJSON(t, hub.srv.URL+"/api/status", &doc)
		return doc.Stream.Clients == 1
	})
	beta.srv.stop(t)
	waitShowing(t, 10*time.Second, "watch to say beta went offline", func() bool {
		return strings.Contains(watch.String(), "  updated  offline  "+title+"  (on beta, ")
	}, watch.String)
	if strings.Contains(watch.String(), "idle") {
		t.Errorf("watch says idle for a machine that stopped:\n%s", watch.String())
	}
	out, _, _ = helmdCmd(t, ctx, port, "ls")
	if ls := lines(out); !strings.HasPrefix(row(ls, "beta"), "offline  beta     "+title) || !strings.HasPrefix(row(ls, "alpha"), "waiting  alpha    "+title) {
		t.Errorf("ls: want beta's session offline, alpha's still waiting:\n%s", out)
	}
	out, _, _ = helmdCmd(t, ctx, port, "status")
	if !strings.Contains(out, "Sessions: 3 listed: 1 of this machine, 2 of 2 other machines, 1 of them offline; ") ||
		!strings.Contains(out, "beta 1 (offline: its last known state)") {
		t.Errorf("status: want beta counted offline:\n%s", out)
	}
}
