//go:build !nonats

package pages

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"vibecraft.sh/helm/server/fleet"
	"vibecraft.sh/helm/server/natsd"
)

// ownerAPI stands for the owning helmd's session-page API.
func ownerAPI() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/sessions/{source}/{id}/messages", func(w http.ResponseWriter, r *http.Request) {
		switch r.PathValue("id") {
		case "huge":
			w.Write([]byte(strings.Repeat("x", MaxReply+1)))
		case "long": // 100 KB a message: a page of 50 is over MaxReply
			limit, err := strconv.Atoi(r.URL.Query().Get("limit"))
			if err != nil {
				limit = 50 // the API's default
			}
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]string{"limit": strconv.Itoa(limit), "pad": strings.Repeat("x", limit*100<<10)})
		case "gone":
			http.Error(w, `{"error":"no such session"}`, http.StatusNotFound)
		default:
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]string{"id": r.PathValue("id"), "limit": r.URL.Query().Get("limit")})
		}
	})
	mux.HandleFunc("GET /api/sessions/{source}/{id}/find", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"found": r.URL.Query().Get("q")})
	})
	mux.HandleFunc("POST /api/sessions/{source}/{id}/clear", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
		w.Write([]byte(`{"cleared":"` + r.PathValue("source") + ":" + r.PathValue("id") + `"}`))
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("SECRET: not a page")) // what must never be reachable over NATS
	})
	return mux
}

// startBus starts a NATS server and connects to it, both closed when the
// test ends.
func startBus(t *testing.T) *fleet.Conn {
	t.Helper()
	s, err := natsd.Start(context.Background(), natsd.Options{Listen: "127.0.0.1:0", StoreDir: t.TempDir(), Token: "pages-test-token"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return busConn(t, s.URL())
}

// busConn connects to the bus at url, closed when the test ends.
func busConn(t *testing.T, url string) *fleet.Conn {
	t.Helper()
	c, err := fleet.Connect(fleet.ConnOptions{URLs: url, Token: "pages-test-token", Name: t.Name(), ReconnectWait: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func TestForwardOverNATS(t *testing.T) {
	conn := startBus(t)
	nc := conn.NC
	const owner = "laptop.local *"
	svc, err := Serve(nc, owner, "1.0.0", ownerAPI(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Stop()
	local := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("local")) })
	hub := httptest.NewServer(Forward(conn, "hub", local))
	defer hub.Close()

	q := "host=" + strings.ReplaceAll(owner, " ", "%20")
	// Pages travel (GET); a clear is the one change that does (POST, to
	// the clear path only).
	for _, tc := range []struct {
		name, method, path string
		want               int
		body               string
	}{
		{"a page of the owner's", "GET", "/api/sessions/claude/abc/messages?limit=5&" + q, 200, `"limit":"5"`},
		{"no host: this machine", "GET", "/api/sessions/claude/abc/messages", 200, "local"},
		{"this machine named", "GET", "/api/sessions/claude/abc/messages?host=hub", 200, "local"},
		{"the owner's 404 passes through", "GET", "/api/sessions/claude/gone/messages?" + q, 404, "no such session"},
		{"too large to forward", "GET", "/api/sessions/claude/huge/messages?" + q, 502, "too large"},
		// A page too large is asked again with half as many messages,
		// until it fits: 50, 25, 12, then 6 of 100 KB.
		{"a long page, made shorter", "GET", "/api/sessions/claude/long/messages?" + q, 200, `"limit":"6"`},
		{"a find", "GET", "/api/sessions/claude/abc/find?q=needle&" + q, 200, `"found":"needle"`},
		{"not a page path", "GET", "/api/sessions/claude/abc/clear?" + q, 400, "only a session"},
		{"other paths ignore host", "GET", "/api/status?" + q, 200, "local"},
		{"dot segments", "GET", "/api/sessions/claude/../../status/messages?" + q, 400, ""},
		{"a dot-dot id", "GET", "/api/sessions/claude/../messages?" + q, 400, "only a session"},
		{"a dot id", "GET", "/api/sessions/claude/./messages?" + q, 400, "only a session"},
		{"no stream", "GET", "/api/sessions/claude/abc/messages/stream?" + q, 400, "no live page stream"},
		{"empty host", "GET", "/api/sessions/claude/abc/messages?host=", 400, "host"},
		{"nobody answers", "GET", "/api/sessions/claude/abc/messages?host=nowhere", 502, "not answering"},
		{"the owner clears its session", "POST", "/api/sessions/claude/abc/clear?" + q, 202, `"cleared":"claude:abc"`},
		{"no host: this machine's clear", "POST", "/api/sessions/claude/abc/clear", 200, "local"},
		{"a POST to a page", "POST", "/api/sessions/claude/abc/messages?" + q, 400, "only a session"},
		{"a dot-dot clear", "POST", "/api/sessions/claude/../clear?" + q, 400, "only a session"},
		{"another method", "DELETE", "/api/sessions/claude/abc/clear?" + q, 400, "only a session"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, hub.URL+tc.path, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.want || !strings.Contains(string(b), tc.body) || strings.Contains(string(b), "SECRET") {
				t.Fatalf("%d %.200s, want %d containing %q", resp.StatusCode, b, tc.want, tc.body)
			}
		})
	}

	// A hostile caller on the bus, not the hub: raw requests are refused.
	for _, raw := range []string{`{"method":"POST","path":"/api/sessions/claude/a/messages"}`, `{"method":"DELETE","path":"/api/sessions/claude/a/clear"}`,
		`{"method":"POST","path":"/api/sessions/claude/../clear"}`, `{"method":"POST","path":"/api/status"}`, `{"path":"/api/sessions/claude/a/clear"}`, "", "{", `{"path":"/api/status"}`, `{"path":"/api/sessions/claude/a/messages/stream"}`, `{"path":"/api/sessions/claude/a/messages","query":"%zz"}`, `{"path":"/api/sessions/claude/../messages"}`, `{"path":"/api/sessions/claude/x/messages/../full"}`} {
		msg, err := nc.Request(Subject(owner), []byte(raw), Timeout)
		if err != nil {
			t.Fatalf("%q: %v", raw, err)
		}
		if msg.Header.Get("Helm-Status") != "400" || strings.Contains(string(msg.Data), "SECRET") {
			t.Errorf("%q answered %s %s", raw, msg.Header.Get("Helm-Status"), msg.Data)
		}
	}
}

// Anyone with the NATS token can answer on a machine's subject: whatever
// content type such an answer claims, the hub serves it as JSON or plain
// text, never as markup or script of its own origin.
func TestForwardServesNoMarkup(t *testing.T) {
	conn := startBus(t)
	nc := conn.NC
	claims := map[string]string{ // the answer's id → its claimed content type
		"html": "text/html", "script": "text/javascript", "svg": "image/svg+xml; charset=utf-8",
		"junk": "\x00;;", "plain": "text/plain", "json": "application/json",
	}
	sub, err := nc.Subscribe(Subject("mallory"), func(m *nats.Msg) {
		var req Request
		_ = json.Unmarshal(m.Data, &req)
		id := strings.Split(req.Path, "/")[4]
		reply := nats.NewMsg(m.Reply)
		reply.Header.Set("Helm-Status", "200")
		reply.Header.Set("Content-Type", claims[id])
		reply.Data = []byte(`<script>alert(1)</script>`)
		_ = m.RespondMsg(reply)
	})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	hub := httptest.NewServer(Forward(conn, "hub", http.NotFoundHandler()))
	defer hub.Close()
	for id, claimed := range claims {
		resp, err := http.Get(hub.URL + "/api/sessions/claude/" + id + "/messages?host=mallory")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		got := resp.Header.Get("Content-Type")
		want := "application/json; charset=utf-8"
		if id == "plain" {
			want = "text/plain; charset=utf-8"
		}
		if got != want || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("an answer claiming %q was served as %q (nosniff %q), want %q", claimed, got, resp.Header.Get("X-Content-Type-Options"), want)
		}
	}
}

// A page (or a clear) asked as NATS drops under the hub gets no answer:
// it waited out Timeout (10 s) and then read "did not answer in time".
// It ends with its connection, and says so.
func TestForwardEndsWithItsConnection(t *testing.T) {
	s, err := natsd.Start(context.Background(), natsd.Options{Listen: "127.0.0.1:0", StoreDir: t.TempDir(), Token: "pages-test-token"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	owner := busConn(t, s.URL())
	asked := make(chan struct{}, 1)
	sub, err := owner.NC.Subscribe(Subject("laptop"), func(*nats.Msg) { // hears, never answers: the answer is lost
		select {
		case asked <- struct{}{}:
		default:
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	if err := owner.NC.Flush(); err != nil {
		t.Fatal(err)
	}

	// The hub reaches NATS through a proxy whose connections the test cuts.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	var wg sync.WaitGroup
	cut := func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
		conns = nil
	}
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			u, err := net.Dial("tcp", s.Addr().String())
			if err != nil {
				c.Close()
				continue
			}
			mu.Lock()
			conns = append(conns, c, u)
			mu.Unlock()
			wg.Go(func() { _, _ = io.Copy(c, u); c.Close() })
			wg.Go(func() { _, _ = io.Copy(u, c); u.Close() })
		}
	})
	t.Cleanup(func() { ln.Close(); cut(); wg.Wait() })
	hub := httptest.NewServer(Forward(busConn(t, "nats://"+ln.Addr().String()), "hub", http.NotFoundHandler()))
	defer hub.Close()

	type answer struct {
		status int
		body   string
		err    error
	}
	got := make(chan answer, 1)
	go func() {
		resp, err := http.Get(hub.URL + "/api/sessions/claude/abc/messages?host=laptop")
		if err != nil {
			got <- answer{err: err}
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- answer{status: resp.StatusCode, body: string(b)}
	}()
	select {
	case <-asked:
	case <-time.After(10 * time.Second):
		t.Fatal("the owner never heard the hub's request")
	}
	cut() // NATS gone under the request, and back within 20 ms
	select {
	case a := <-got: // the bound is the point: well under Timeout
		if a.err != nil || a.status != http.StatusBadGateway || !strings.Contains(a.body, "dropped") {
			t.Fatalf("the page asked as NATS dropped: %d %q %v, want 502 saying the connection dropped", a.status, a.body, a.err)
		}
	case <-time.After(3 * time.Second):
		t.Error("the page asked as NATS dropped waited on after the drop")
		<-got // its Timeout ends it: nothing left running
	}
}
