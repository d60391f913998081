package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"vibecraft.sh/helm/shared"
)

// A hub's "Needs you" clear of another machine's session: the hub asks
// that machine, which clears its own session and publishes it; the hub's
// own session of the same id and a third machine's stay as they were.
// What the hub knows to refuse it refuses with a message, behind the
// same guard as every other POST.
func TestFleetClearRemoteSession(t *testing.T) {
	n := startTestNATS(t)
	natsArgs := []string{"--nats", n.url(), "--nats-token", natsTestToken}
	hub := &machine{host: "hub", dir: t.TempDir(), args: append([]string{"--fleet"}, natsArgs...)}
	beta := &machine{host: "beta", dir: t.TempDir(), args: append([]string{"--publish"}, natsArgs...)}
	gamma := &machine{host: "gamma", dir: t.TempDir(), args: append([]string{"--publish"}, natsArgs...)}
	// The same id on all three (a session resumed on each), and one only
	// beta has.
	const same, only = "c1ea0000-0000-4000-8000-0000000000aa", "c1ea0000-0000-4000-8000-0000000000b2"
	for _, m := range []*machine{hub, beta, gamma} {
		writeSession(t, m.dir, same, m.host+"'s prompt")
	}
	writeSession(t, beta.dir, only, "beta working task")
	hub.start(t)
	beta.start(t)
	gamma.start(t)

	// listed finds key in srv's list.
	listed := func(srv *testServer, key string) (shared.Session, bool) {
		for _, s := range srv.sessions(t) {
			if s.Key() == key {
				return s, true
			}
		}
		return shared.Session{}, false
	}
	key := func(id, host string) string {
		return shared.Session{Source: shared.SourceClaude, ID: id, Host: host, Remote: host != ""}.Key()
	}
	waiting := []string{key(same, ""), key(same, "beta"), key(same, "gamma"), key(only, "beta")}
	waitWithin(t, 5*time.Second, "every machine's waiting sessions on the hub", func() bool {
		for _, k := range waiting {
			if s, ok := listed(hub.srv, k); !ok || s.Status != shared.StatusWaiting || s.ClearedAt != 0 {
				return false
			}
		}
		return true
	})

	clear := func(path string, header map[string]string) (int, string) {
		t.Helper()
		resp := request(t, http.MethodPost, hub.srv.URL+path, header)
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := clear("/api/sessions/claude/"+same+"/clear?host=beta", nil); code != http.StatusAccepted {
		t.Fatalf("clear of beta's session on the hub: %d %s, want 202", code, body)
	}
	waitWithin(t, 5*time.Second, "beta's clear on the hub and on beta", func() bool {
		onHub, _ := listed(hub.srv, key(same, "beta"))
		onBeta, _ := listed(beta.srv, key(same, ""))
		return onHub.ClearedAt > 0 && onBeta.ClearedAt > 0
	})
	for _, k := range []string{key(same, ""), key(same, "gamma")} {
		if s, _ := listed(hub.srv, k); s.ClearedAt != 0 || s.Status != shared.StatusWaiting {
			t.Errorf("clearing beta's session cleared %s too (clearedAt %d)", k, s.ClearedAt)
		}
	}
	if s, _ := listed(gamma.srv, key(same, "")); s.ClearedAt != 0 {
		t.Errorf("clearing beta's session cleared gamma's own (clearedAt %d)", s.ClearedAt)
	}

	// An id the hub has no session of: beta's, not a 404 of the hub's.
	if code, body := clear("/api/sessions/claude/"+only+"/clear?host=beta", nil); code != http.StatusAccepted {
		t.Fatalf("clear of beta's only session on the hub: %d %s, want 202", code, body)
	}
	waitWithin(t, 5*time.Second, "the clear of beta's only session on the hub", func() bool {
		s, _ := listed(hub.srv, key(only, "beta"))
		return s.ClearedAt > 0
	})

	for _, tc := range []struct {
		name, path string
		header     map[string]string
		want       int
		says       string
	}{
		{"a machine the hub does not know", "/api/sessions/claude/" + same + "/clear?host=nowhere", nil, http.StatusNotFound, `on machine \"nowhere\"`},
		{"a session the machine does not have", "/api/sessions/claude/" + only + "/clear?host=gamma", nil, http.StatusNotFound, "no claude session"},
		{"an empty host", "/api/sessions/claude/" + same + "/clear?host=", nil, http.StatusBadRequest, "host"},
		{"a malformed id", "/api/sessions/claude/-x/clear?host=beta", nil, http.StatusBadRequest, "malformed session id"},
		{"an unknown source", "/api/sessions/codex/" + same + "/clear?host=beta", nil, http.StatusBadRequest, "want claude or opencode"},
		{"a wait the page did not show", "/api/sessions/claude/" + same + "/clear?host=gamma&waitingSince=1", nil, http.StatusConflict, "waits again"},
		{"a wait named in words", "/api/sessions/claude/" + same + "/clear?host=gamma&waitingSince=soon", nil, http.StatusBadRequest, "waitingSince"},
		{"another site's request", "/api/sessions/claude/" + same + "/clear?host=gamma",
			map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}, http.StatusForbidden, ""},
	} {
		if code, body := clear(tc.path, tc.header); code != tc.want || !strings.Contains(body, tc.says) {
			t.Errorf("%s: %d %s, want %d saying %q", tc.name, code, body, tc.want, tc.says)
		}
	}
	// A machine that shows no other machine is not asked for another's
	// session by clearing its own of the same id.
	resp := request(t, http.MethodPost, gamma.srv.URL+"/api/sessions/claude/"+same+"/clear?host=beta", nil)
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("clear of beta's session asked of gamma: %d, want 404", resp.StatusCode)
	}
	if s, _ := listed(gamma.srv, key(same, "")); s.ClearedAt != 0 {
		t.Errorf("a refused clear cleared gamma's session (clearedAt %d)", s.ClearedAt)
	}

	// Over the hub's WebSocket (the original client's clear), as over
	// HTTP: gamma clears its own session; the hub's own of that id stays.
	sock := dialSocket(t, hub.srv.URL)
	if ok, msg := socketClear(t, sock, key(same, "gamma")); !ok {
		t.Fatalf("the socket's clear of gamma's session: %q", msg)
	}
	waitWithin(t, 5*time.Second, "gamma's clear, asked over the socket, on gamma", func() bool {
		s, _ := listed(gamma.srv, key(same, ""))
		return s.ClearedAt > 0
	})
	if s, _ := listed(hub.srv, key(same, "")); s.ClearedAt != 0 {
		t.Errorf("the socket's clear of gamma's session cleared the hub's own (clearedAt %d)", s.ClearedAt)
	}

	// A machine that stopped has nothing to ask: the hub says so at once.
	gamma.srv.stop(t)
	waitWithin(t, 5*time.Second, "gamma offline on the hub", func() bool {
		off, found := hostOffline(t, hub.srv, "gamma")
		return off && found
	})
	if code, body := clear("/api/sessions/claude/"+same+"/clear?host=gamma", nil); code != http.StatusConflict || !strings.Contains(body, "offline") {
		t.Errorf("clear of an offline machine's session: %d %s, want 409 saying it is offline", code, body)
	}
	if ok, msg := socketClear(t, sock, key(same, "gamma")); ok || !strings.Contains(msg, "offline") {
		t.Errorf("the socket's clear of an offline machine's session: %q, want a refusal saying it is offline", msg)
	}
	if s, _ := listed(hub.srv, key(same, "")); s.ClearedAt != 0 {
		t.Errorf("the hub's own session was cleared (clearedAt %d)", s.ClearedAt)
	}
}

// dialSocket opens a WebSocket on a helmd's /api/sessions/ws.
func dialSocket(t *testing.T, base string) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/api/sessions/ws",
		&websocket.DialOptions{HTTPHeader: http.Header{"Origin": {base}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.CloseNow() })
	return conn
}
