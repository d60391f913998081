package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	neturl "net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"vibecraft.sh/helm/server/internal/fixture"
	"vibecraft.sh/helm/server/internal/ssetest"
	"vibecraft.sh/helm/server/natsd"
	"vibecraft.sh/helm/shared"
)

const natsTestToken = "fleet-test-token-0123456789"

// testNATS is a NATS server with JetStream that a test can stop and start
// again on the same port and store, as an outage would.
type testNATS struct {
	t     *testing.T
	addr  string
	store string
	s     *natsd.Server
}

func startTestNATS(t *testing.T) *testNATS {
	n := &testNATS{t: t, addr: "127.0.0.1:0", store: t.TempDir()}
	n.start()
	n.addr = n.s.Addr().String()
	t.Cleanup(func() { n.stop() })
	return n
}

func (n *testNATS) start() {
	n.t.Helper()
	s, err := natsd.Start(context.Background(), natsd.Options{Listen: n.addr, StoreDir: n.store, Token: natsTestToken})
	if err != nil {
		n.t.Fatal(err)
	}
	n.s = s
}

func (n *testNATS) stop() {
	if n.s != nil {
		n.s.Close()
		n.s = nil
	}
}

func (n *testNATS) url() string { return "nats://" + n.addr }

// machine is one helmd of a fleet with its own corpus.
type machine struct {
	host string
	dir  string
	args []string
	srv  *testServer
}

// start runs the machine's helmd until the end of t (the whole test,
// not a subtest: machines outlive the step that restarts them).
func (m *machine) start(t *testing.T) {
	t.Helper()
	m.srv = startHelmd(t, m.dir, append([]string{"--host-name", m.host}, m.args...)...)
}

// session writes a one-prompt, one-answer Claude session into dir.
func writeSession(t *testing.T, dir, sid, prompt string) string {
	t.Helper()
	cwd := "/work/" + sid
	p := fixture.Path(dir, cwd, sid)
	at := time.Now().Add(-time.Hour)
	fixture.Append(t, p, fixture.User(sid, cwd, prompt, at))
	fixture.Append(t, p, fixture.Assistant(sid, cwd, "msg_"+sid, "end_turn", at.Add(time.Second)))
	return p
}

// byHost lists the session ids of each host in srv's list, failing on a
// key listed twice.
func byHost(t *testing.T, srv *testServer) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	seen := map[string]bool{}
	for _, s := range srv.sessions(t) {
		if seen[s.Key()] {
			t.Fatalf("session %s listed twice", s.Key())
		}
		seen[s.Key()] = true
		out[s.Host] = append(out[s.Host], s.ID)
	}
	return out
}

func hostOffline(t *testing.T, srv *testServer, host string) (offline, found bool) {
	for _, s := range srv.sessions(t) {
		if s.Host == host {
			return s.HostOffline, true
		}
	}
	return false, false
}

func sameIDs(got []string, want ...string) bool {
	if len(got) != len(want) {
		return false
	}
	set := map[string]bool{}
	for _, id := range got {
		set[id] = true
	}
	for _, id := range want {
		if !set[id] {
			return false
		}
	}
	return true
}

// Two publishing machines and a hub, each with its own corpus, one NATS
// between them: everything the issue asks of a fleet, in the order a
// fleet lives it.
func TestFleet(t *testing.T) {
	top := t
	n := startTestNATS(t)
	natsArgs := []string{"--nats", n.url(), "--nats-token", natsTestToken}
	// A hostile host name: dots, wildcards, spaces and a slash must not
	// split or widen its keys.
	alpha := &machine{host: "alpha", dir: t.TempDir(), args: append([]string{"--publish", "--fleet-ttl", "600ms"}, natsArgs...)}
	beta := &machine{host: "beta.example *>/ü", dir: t.TempDir(), args: append([]string{"--publish", "--fleet-ttl", "600ms"}, natsArgs...)}
	hub := &machine{host: "hub", dir: t.TempDir(), args: append([]string{"--fleet"}, natsArgs...)}
	// The same id on two machines (a session resumed on both) is two sessions.
	const shared1 = "5c1f0b2e-8a4d-4c1e-9f3a-000000000001"
	pathA := writeSession(t, alpha.dir, shared1, "alpha's prompt")
	writeSession(t, alpha.dir, "5c1f0b2e-8a4d-4c1e-9f3a-00000000000a", "alpha two")
	writeSession(t, beta.dir, shared1, "beta's prompt")
	writeSession(t, hub.dir, "5c1f0b2e-8a4d-4c1e-9f3a-0000000000ff", "the hub's own")

	hub.start(t)
	alpha.start(t)
	beta.start(t)

	t.Run("hub lists every machine's sessions with their host", func(t *testing.T) {
		// The suite's wait: three helmds just started, each connecting to
		// NATS and reconciling, which a loaded -race machine may take
		// longer than 2 s to do.
		waitFor(t, "alpha's and beta's sessions on the hub", func() bool {
			h := byHost(t, hub.srv)
			return sameIDs(h["alpha"], shared1, "5c1f0b2e-8a4d-4c1e-9f3a-00000000000a") &&
				sameIDs(h[beta.host], shared1) && sameIDs(h["hub"], "5c1f0b2e-8a4d-4c1e-9f3a-0000000000ff")
		})
		// Publishers do not show other machines: they did not ask (--fleet).
		if h := byHost(t, alpha.srv); len(h) != 1 || len(h["alpha"]) != 2 {
			t.Fatalf("alpha lists %v, want only its own two sessions", h)
		}
	})

	// A second machine started under alpha's name: its reconcile deleted
	// alpha's sessions from the bucket and the hub listed the twin's in
	// their place, under one machine, until alpha reconnected; stopped,
	// it deleted alpha's heartbeat and the hub showed alpha offline.
	t.Run("a second machine under a taken name is refused, and says so", func(t *testing.T) {
		dir := t.TempDir()
		writeSession(t, dir, "5c1f0b2e-8a4d-4c1e-9f3a-0000000000c1", "the twin's own")
		twin := startHelmd(t, dir, append([]string{"--host-name", "alpha"}, alpha.args...)...)
		var tw, hs fleetStatus
		waitWithin(t, 5*time.Second, "the twin refused, and the hub told", func() bool {
			getJSON(t, twin.URL+"/api/fleet", &tw)
			getJSON(t, hub.srv.URL+"/api/fleet", &hs)
			return tw.Publish != nil && tw.Publish.Refused != "" && hs.View != nil && hs.View.Refused["alpha"] == 1
		})
		if !strings.Contains(tw.Publish.LastError, "--host-name") {
			t.Errorf("the twin's lastError %q does not say what to do", tw.Publish.LastError)
		}
		// Several of the twin's looks at the name later (every 200 ms at
		// this TTL), alpha's list is whole and the twin wrote nothing.
		waitWithin(t, 5*time.Second, "the twin's further looks", func() bool {
			var st fleetStatus
			getJSON(t, twin.URL+"/api/fleet", &st)
			return st.Publish.Twins >= 3
		})
		if h := byHost(t, hub.srv); !sameIDs(h["alpha"], shared1, "5c1f0b2e-8a4d-4c1e-9f3a-00000000000a") {
			t.Fatalf("with a twin the hub lists alpha's %v, want alpha's own two", h["alpha"])
		}
		if st := tw.Publish; st.Puts != 0 || st.Deletes != 0 || st.Reconciles != 0 {
			t.Fatalf("the refused twin wrote: %+v", st)
		}
		// Pages of alpha's sessions come from alpha: the twin, answering
		// on alpha's subject too, took its share of them and said 404.
		for i := range 10 {
			status, body := fleetGet(t, hub.srv.URL+"/api/sessions/claude/"+shared1+"/messages?host=alpha")
			if status != http.StatusOK || !strings.Contains(string(body), "alpha's prompt") {
				t.Fatalf("page %d of alpha's session with a twin: %d %.200s", i, status, body)
			}
		}
		twin.stop(t)
		waitWithin(t, 5*time.Second, "the hub to drop the twin", func() bool {
			var st fleetStatus // fresh: a map left out of the JSON is not emptied
			getJSON(t, hub.srv.URL+"/api/fleet", &st)
			return st.View != nil && st.View.Refused["alpha"] == 0
		})
		if off, _ := hostOffline(t, hub.srv, "alpha"); off {
			t.Fatal("the twin's stop took alpha offline")
		}
	})

	t.Run("the original Helm's paths and the metrics count the hub's own sessions", func(t *testing.T) {
		// The original client has no notion of machines: a remote
		// session there would pass as local, and shared1 would be listed
		// twice under one id.
		const own = "5c1f0b2e-8a4d-4c1e-9f3a-0000000000ff"
		var list []map[string]any
		getJSON(t, hub.srv.URL+"/api/claude-sessions/all", &list)
		if len(list) != 1 || list[0]["sessionId"] != own {
			t.Errorf("/api/claude-sessions/all lists %d sessions (%v), want the hub's own %s", len(list), list, own)
		}
		c := ssetest.Connect(t, hub.srv.URL+"/api/claude-sessions/stream", "")
		init := c.Wait(t, 5*time.Second, "init", func(e ssetest.Event) bool { return e.Type == string(shared.EventInit) })
		if len(init.Data.Sessions) != 1 || init.Data.Sessions[0].ID != own {
			t.Errorf("/api/claude-sessions/stream's init carries %d sessions, want the hub's own", len(init.Data.Sessions))
		}
		c.Close()

		// A hub scraped beside its publishers must not count their
		// sessions twice: its own in helm_sessions, theirs by host.
		status, body := fleetGet(t, hub.srv.URL+"/metrics")
		if status != http.StatusOK {
			t.Fatalf("/metrics: %d %s", status, body)
		}
		parser := expfmt.NewTextParser(model.UTF8Validation)
		fams, err := parser.TextToMetricFamilies(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("/metrics is not the text format: %v", err)
		}
		// sum adds the samples of family name whose host label is host
		// ("" for a family without one).
		sum := func(name, host string) (n float64) {
			for _, m := range fams[name].GetMetric() {
				h := ""
				for _, l := range m.GetLabel() {
					if l.GetName() == "host" {
						h = l.GetValue()
					}
				}
				if h == host {
					n += m.GetGauge().GetValue()
				}
			}
			return n
		}
		if n := sum("helm_sessions", ""); n != 1 {
			t.Errorf("helm_sessions sums to %v on the hub, want its own 1", n)
		}
		for host, want := range map[string]float64{"alpha": 2, beta.host: 1} {
			if n := sum("helm_fleet_sessions", host); n != want {
				t.Errorf("helm_fleet_sessions{host=%q} sums to %v, want %v", host, n, want)
			}
		}
	})

	t.Run("an append on one machine reaches the hub's stream", func(t *testing.T) {
		c := ssetest.Connect(t, hub.srv.URL+"/api/sessions/stream", "")
		c.Wait(t, 5*time.Second, "init", func(e ssetest.Event) bool { return e.Type == string(shared.EventInit) })
		cwd := "/work/" + shared1
		at := time.Now()
		fixture.Append(t, pathA, fixture.User(shared1, cwd, "one more thing", at))
		ev := c.Wait(t, 10*time.Second, "alpha's update", func(e ssetest.Event) bool {
			for _, s := range e.Data.Sessions {
				if s.ID == shared1 && s.Host == "alpha" && s.MessageCount == 3 {
					return true
				}
			}
			return false
		})
		// A figure for the note (issue 20's 500 ms), never an assertion:
		// file append on one machine → the hub's SSE event.
		t.Logf("FIGURE append on alpha → hub stream: %v", time.Since(at).Round(time.Millisecond))
		for _, s := range ev.Data.Sessions {
			if s.ID == shared1 && s.Host == beta.host {
				t.Fatalf("beta's session of the same id changed with alpha's: %+v", s)
			}
		}
	})

	t.Run("a remote transcript page through request-reply", func(t *testing.T) {
		base := hub.srv.URL + "/api/sessions/claude/" + shared1
		var page shared.MessagePage
		status, body := fleetGet(t, base+"/messages?host=alpha")
		if status != http.StatusOK {
			t.Fatalf("status %d: %s", status, body)
		}
		if err := json.Unmarshal(body, &page); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(body), "alpha's prompt") || strings.Contains(string(body), "beta's prompt") {
			t.Fatalf("alpha's page is not alpha's transcript: %s", body)
		}
		if status, body = fleetGet(t, base+"/messages?host="+urlQuery(beta.host)); status != http.StatusOK || !strings.Contains(string(body), "beta's prompt") {
			t.Fatalf("beta's page: %d %s", status, body)
		}
		// A machine the hub has never seen, or a session it does not
		// list there, is a 404 saying so, as a clear of it is: nothing
		// answered on that machine's subject, and a 502 "not answering"
		// sent the asker looking for a machine that broke.
		const none = "5c1f0b2e-8a4d-4c1e-9f3a-0000000000ee"
		for _, tc := range []struct {
			name, path string
			want       int
			says       string
		}{
			{"unknown machine", base + "/messages?host=nowhere", http.StatusNotFound, `no machine "nowhere"`},
			{"unknown machine's header", base + "?host=nowhere", http.StatusNotFound, `no machine "nowhere"`},
			{"unknown machine's find", base + "/find?q=x&host=nowhere", http.StatusNotFound, `no machine "nowhere"`},
			{"unknown session", hub.srv.URL + "/api/sessions/claude/" + none + "/messages?host=alpha", http.StatusNotFound, "no claude session"},
			// Beta has none of alpha's two: the hub knows it, not beta's "no session".
			{"another machine's session", hub.srv.URL + "/api/sessions/claude/5c1f0b2e-8a4d-4c1e-9f3a-00000000000a?host=" + urlQuery(beta.host),
				http.StatusNotFound, `on machine "beta.example *>/ü"`},
			{"no live stream over NATS", base + "/messages/stream?host=alpha", http.StatusBadRequest, "no live page stream"},
			{"two hosts", base + "/messages?host=alpha&host=beta", http.StatusBadRequest, "one machine"},
		} {
			status, body := fleetGet(t, tc.path)
			var e struct{ Error string }
			if status != tc.want || json.Unmarshal(body, &e) != nil || !strings.Contains(e.Error, tc.says) {
				t.Errorf("%s: %d %s, want %d with a JSON error saying %s", tc.name, status, body, tc.want, tc.says)
			}
		}
	})

	t.Run("a stopped machine goes offline; restarted, it is back once", func(t *testing.T) {
		beta.srv.stop(t)
		waitWithin(t, 5*time.Second, "beta offline on the hub", func() bool {
			off, found := hostOffline(t, hub.srv, beta.host)
			return found && off
		})
		// A listed session of a machine that does not answer is a 502,
		// on which the page says "Machine offline" (README).
		if status, body := fleetGet(t, hub.srv.URL+"/api/sessions/claude/"+shared1+"/messages?host="+urlQuery(beta.host)); status != http.StatusBadGateway {
			t.Errorf("a page of stopped beta's session: %d %s, want 502", status, body)
		}
		beta.start(top)
		waitWithin(t, 5*time.Second, "beta back online", func() bool {
			off, found := hostOffline(t, hub.srv, beta.host)
			return found && !off
		})
		if h := byHost(t, hub.srv); !sameIDs(h[beta.host], shared1) {
			t.Fatalf("beta's sessions after its restart: %v", h[beta.host])
		}
		// Back once in the bucket too: its sessions did not change while
		// it was away, so its reconcile wrote nothing again.
		var st fleetStatus
		waitWithin(t, 5*time.Second, "beta's reconcile", func() bool {
			getJSON(t, beta.srv.URL+"/api/fleet", &st)
			return st.Publish != nil && st.Publish.Reconciles >= 1
		})
		if st.Publish.Puts != 0 || st.Publish.Deletes != 0 {
			t.Fatalf("beta restarted with the same sessions wrote %d puts and %d deletes, want none", st.Publish.Puts, st.Publish.Deletes)
		}
	})

	t.Run("a restarted hub lists the fleet from the bucket", func(t *testing.T) {
		hub.srv.stop(t)
		hub.start(top)
		waitWithin(t, 5*time.Second, "the fleet on the restarted hub", func() bool {
			h := byHost(t, hub.srv)
			return len(h["alpha"]) == 2 && len(h[beta.host]) == 1
		})
		if off, _ := hostOffline(t, hub.srv, "alpha"); off {
			t.Fatal("alpha shown offline after the hub restarted")
		}
	})

	t.Run("NATS stopped and started: publishers reconcile, the hub converges", func(t *testing.T) {
		n.stop()
		// While NATS is down alpha loses one session and gains another.
		if err := os.Remove(fixture.Path(alpha.dir, "/work/5c1f0b2e-8a4d-4c1e-9f3a-00000000000a", "5c1f0b2e-8a4d-4c1e-9f3a-00000000000a")); err != nil {
			t.Fatal(err)
		}
		const fresh = "5c1f0b2e-8a4d-4c1e-9f3a-00000000000b"
		writeSession(t, alpha.dir, fresh, "written during the outage")
		waitWithin(t, 5*time.Second, "alpha to see its own change", func() bool {
			return sameIDs(byHost(t, alpha.srv)["alpha"], shared1, fresh)
		})
		n.start()
		waitWithin(t, 15*time.Second, "the hub to converge", func() bool {
			return sameIDs(byHost(t, hub.srv)["alpha"], shared1, fresh)
		})
		// Its writes queued during the outage may reach the hub before
		// its reconcile: wait for that too. One reconcile at start, one
		// after the outage, none for a signal of the same connection.
		var st fleetStatus
		waitWithin(t, 10*time.Second, "alpha's reconcile after the outage", func() bool {
			getJSON(t, alpha.srv.URL+"/api/fleet", &st)
			return st.Publish != nil && st.Publish.Reconciles >= 2
		})
		if h := byHost(t, hub.srv); !sameIDs(h["alpha"], shared1, fresh) {
			t.Fatalf("after alpha's reconcile the hub lists %v", h["alpha"])
		}
	})
}

// The hub runs NATS itself (--nats-listen): a publisher started with the
// hub's Helm token joins (with the key derived from it); a client without
// it is refused.
func TestFleetEmbeddedNATS(t *testing.T) {
	hubDir, pubDir := t.TempDir(), t.TempDir()
	writeSession(t, hubDir, "5c1f0b2e-8a4d-4c1e-9f3a-0000000000a1", "on the hub")
	writeSession(t, pubDir, "5c1f0b2e-8a4d-4c1e-9f3a-0000000000b1", "on the laptop")
	hub := launchAuth(t, hubDir, testHelmToken, "--no-opencode", "--cache-dir", t.TempDir(),
		"--nats-listen", "127.0.0.1:0", "--fleet", "--host-name", "hub")
	var st fleetStatus
	getJSONAuth(t, hub.URL+"/api/fleet", testHelmToken, &st)
	if st.Listen == "" || !st.Connected {
		t.Fatalf("hub fleet status %+v: want an embedded server and a connection", st)
	}
	// In process: no URL at all (it said nats://127.0.0.1:4222, the
	// client's default, where nothing listens).
	if st.Server != "the embedded server, in process" {
		t.Errorf("hub fleet status names the server %q, want the embedded server, in process", st.Server)
	}
	natsURL := "nats://" + st.Listen
	// The fleet's HTTP paths sit behind the same guard as the rest: the
	// token, then (with it) the Host and the requesting site, checked
	// before anything is asked of NATS.
	for _, path := range []string{"/api/fleet", "/api/sessions/claude/x/messages?host=laptop"} {
		if status, _ := fleetGet(t, hub.URL+path); status != http.StatusUnauthorized {
			t.Errorf("GET %s without the token: %d, want 401", path, status)
		}
		for _, tc := range []struct {
			name   string
			header map[string]string
			want   int
		}{
			{"a foreign Host (DNS rebinding)", map[string]string{"Host": "evil.example"}, http.StatusMisdirectedRequest},
			{"another site's fetch", map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "cors"}, http.StatusForbidden},
		} {
			req, _ := http.NewRequest(http.MethodGet, hub.URL+path, nil)
			req.Header.Set("Authorization", "Bearer "+testHelmToken)
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			req.Host = req.Header.Get("Host")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("GET %s with the token from %s: %d, want %d", path, tc.name, resp.StatusCode, tc.want)
			}
		}
	}

	for _, tc := range []struct {
		name string
		opt  []nats.Option
	}{{"no token", nil}, {"another token", []nats.Option{nats.Token("not-the-helm-token-at-all")}}} {
		nc, err := nats.Connect(natsURL, append(tc.opt, nats.NoReconnect())...)
		if err == nil {
			nc.Close()
			t.Fatalf("%s: the embedded NATS let a client in", tc.name)
		}
	}
	launchAuth(t, pubDir, testHelmToken, "--no-opencode", "--nats", natsURL, "--publish", "--host-name", "laptop")
	waitWithin(t, 5*time.Second, "the laptop's session on the hub", func() bool {
		var list []shared.Session
		getJSONAuth(t, hub.URL+"/api/sessions", testHelmToken, &list)
		for _, s := range list {
			if s.Host == "laptop" && s.ID == "5c1f0b2e-8a4d-4c1e-9f3a-0000000000b1" {
				return true
			}
		}
		return false
	})
}

// A machine that cannot reach NATS says why in /api/fleet and in helmd
// status. It said {"connected":false} and nothing more.
func TestFleetSaysWhyNotConnected(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	srv := launch(t, "", "--no-opencode", "--publish", "--nats", "nats://"+addr, "--nats-token", "not-shown-anywhere", "--host-name", "beta")
	var st fleetStatus
	waitWithin(t, 10*time.Second, "the refused connection in /api/fleet", func() bool {
		getJSONAuth(t, srv.URL+"/api/fleet", "", &st)
		return strings.Contains(st.LastError, "connection refused")
	})
	if st.Connected || st.Server != "nats://"+addr {
		t.Errorf("fleet status %+v, want not connected, server nats://%s", st, addr)
	}
	out, stderr, code := helmdCmd(t, context.Background(), portOf(t, srv.URL), "status")
	if code != 0 {
		t.Fatalf("helmd status: exit %d: %s", code, stderr)
	}
	for _, want := range []string{"Fleet: beta, NOT connected to NATS (nats://" + addr + "): dial tcp " + addr, "connection refused; published 0 writes",
		"Health: serving, with errors:\n  fleet: dial tcp " + addr} {
		if !strings.Contains(out, want) {
			t.Errorf("helmd status lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "not-shown-anywhere") {
		t.Errorf("helmd status shows the NATS token:\n%s", out)
	}
}

const testHelmToken = "helm-fleet-token-abcdefghijkl"

func fleetGet(t *testing.T, url string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

func getJSONAuth(t *testing.T, url, token string, v any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if code, body := decodeJSON(t, url, resp, v); code/100 != 2 {
		t.Fatalf("GET %s: %d %.300s", url, code, body) // as getJSON
	}
}

func urlQuery(s string) string { return neturl.QueryEscape(s) }

// --nats-token overrides the Helm token on both sides: the hub's
// embedded NATS admits that token and no longer the hub's Helm token,
// and a machine with another Helm token joins with it. The embedded
// store lives under the hub's --cache-dir: a hub restarted over it lists
// the machines seen before, a machine stopped on purpose as offline.
func TestFleetNATSTokenOverridesAndStore(t *testing.T) {
	const natsToken = "nats-only-token-0123456789abc"
	hubDir, pubDir, cache := t.TempDir(), t.TempDir(), t.TempDir()
	const pubID = "5c1f0b2e-8a4d-4c1e-9f3a-0000000000c1"
	writeSession(t, pubDir, pubID, "on the laptop")
	hubArgs := []string{"--no-opencode", "--cache-dir", cache, "--nats-listen", "127.0.0.1:0", "--nats-token", natsToken, "--fleet", "--host-name", "hub"}
	hub := launchAuth(t, hubDir, testHelmToken, hubArgs...)
	var st fleetStatus
	getJSONAuth(t, hub.URL+"/api/fleet", testHelmToken, &st)
	natsURL := "nats://" + st.Listen
	if nc, err := nats.Connect(natsURL, nats.Token(testHelmToken), nats.NoReconnect()); err == nil {
		nc.Close()
		t.Fatal("the embedded NATS admitted the hub's Helm token, not --nats-token")
	}
	nc, err := nats.Connect(natsURL, nats.Token(natsToken), nats.NoReconnect())
	if err != nil {
		t.Fatalf("the embedded NATS refused --nats-token: %v", err)
	}
	nc.Close()

	const otherHelmToken = "laptop-own-helm-token-abcdefgh"
	laptop := launchAuth(t, pubDir, otherHelmToken, "--no-opencode", "--nats", natsURL, "--nats-token", natsToken, "--publish", "--host-name", "laptop")
	listed := func(offline bool) func() bool {
		return func() bool {
			var list []shared.Session
			getJSONAuth(t, hub.URL+"/api/sessions", testHelmToken, &list)
			for _, s := range list {
				if s.Host == "laptop" && s.ID == pubID && s.HostOffline == offline {
					return true
				}
			}
			return false
		}
	}
	waitWithin(t, 5*time.Second, "the laptop's session on the hub", listed(false))

	laptop.stop(t)
	hub.stop(t)
	if _, err := os.Stat(filepath.Join(cache, "nats", "jetstream")); err != nil {
		t.Fatalf("the embedded store is not under --cache-dir: %v", err)
	}
	hub = launchAuth(t, hubDir, testHelmToken, hubArgs...)
	waitWithin(t, 5*time.Second, "the laptop's session from the stored bucket, offline", listed(true))
}
