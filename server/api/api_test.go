package api

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/ssetest"
	"vibecraft.sh/helm/server/stream"
	"vibecraft.sh/helm/shared"
)

// fakeRefresher counts refresh requests.
type fakeRefresher struct{ calls atomic.Int32 }

func (f *fakeRefresher) RequestRefresh() { f.calls.Add(1) }

// newTestServer serves the API over a real hub that has published three
// sessions, then one more change that the lists must include.
func newTestServer(t *testing.T) (*httptest.Server, *fakeRefresher, *stream.Hub) {
	t.Helper()
	hub := stream.NewHub(stream.Options{})
	hub.Publish(shared.EventRefresh, []shared.Session{
		{ID: "c1", Source: shared.SourceClaude, Title: "Fix login", ProjectPath: "/w/app", UpdatedAt: 10, Status: shared.StatusWaiting},
		{ID: "c2", Source: shared.SourceClaude, Title: "Docs", ProjectPath: "/w/site", UpdatedAt: 5, Status: shared.StatusIdle},
	})
	hub.Publish(shared.EventSessionCreated, []shared.Session{
		{ID: "ses_1", Source: shared.SourceOpenCode, Title: "Refactor login", ProjectPath: "/w/app", UpdatedAt: 20, Status: shared.StatusWorking},
	})
	hub.Publish(shared.EventSessionUpdated, []shared.Session{
		{ID: "c2", Source: shared.SourceClaude, Title: "Docs", ProjectPath: "/w/site", UpdatedAt: 30, Status: shared.StatusIdle},
	})
	ref := &fakeRefresher{}
	mux := http.NewServeMux()
	New(Deps{Refresh: ref, Stream: hub, Status: func() any { return map[string]int{"sessions": len(hub.Snapshot())} }}).Install(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	t.Cleanup(hub.Close) // first: streams end, so srv.Close does not wait on them
	return srv, ref, hub
}

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func ids(t *testing.T, body string) string {
	t.Helper()
	var ss []shared.Session
	if err := json.Unmarshal([]byte(body), &ss); err != nil {
		t.Fatalf("not a JSON array of sessions: %v\n%s", err, body)
	}
	var out []string
	for _, s := range ss {
		out = append(out, s.ID)
	}
	return strings.Join(out, ",")
}

func TestEndpoints(t *testing.T) {
	srv, _, _ := newTestServer(t)
	tests := []struct {
		path       string
		wantStatus int
		wantType   string
		check      func(t *testing.T, body string)
	}{
		{"/api/sessions", 200, "application/json", func(t *testing.T, b string) {
			if got := ids(t, b); got != "c2,ses_1,c1" {
				t.Fatalf("newest first across sources: %s", got)
			}
		}},
		{"/api/claude-sessions/all", 200, "application/json", func(t *testing.T, b string) {
			if got := ids(t, b); got != "c2,c1" {
				t.Fatalf("claude only: %s", got)
			}
			// The original client searches directory and reads sessionId.
			for _, field := range []string{`"sessionId":"c2"`, `"directory":"/w/site"`, `"isSidechain":false`, `"modified":"1970-01-01T00:00:00.030Z"`} {
				if !strings.Contains(b, field) {
					t.Fatalf("the original's field %s missing: %s", field, b)
				}
			}
		}},
		{"/api/sessions?source=opencode", 200, "application/json", func(t *testing.T, b string) {
			if got := ids(t, b); got != "ses_1" {
				t.Fatalf("source filter: %s", got)
			}
		}},
		{"/api/sessions?project=/w/app&q=LOGIN&status=waiting", 200, "application/json", func(t *testing.T, b string) {
			if got := ids(t, b); got != "c1" {
				t.Fatalf("combined filters: %s", got)
			}
		}},
		{"/api/sessions?status=bogus", 400, "application/json", func(t *testing.T, b string) {
			if !strings.Contains(b, `status \"bogus\"`) {
				t.Fatalf("error should name the bad value: %s", b)
			}
		}},
		{"/api/status", 200, "application/json", func(t *testing.T, b string) {
			if !strings.Contains(b, `"sessions":3`) {
				t.Fatalf("status: %s", b)
			}
		}},
		{"/healthz", 200, "text/plain", func(t *testing.T, b string) {
			if b != "ok\n" {
				t.Fatalf("healthz: %q", b)
			}
		}},
		{"/api/nope", 404, "application/json", func(t *testing.T, b string) {
			if !strings.Contains(b, "no such endpoint") {
				t.Fatalf("404 body: %s", b)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			resp, body := get(t, srv.URL+tc.path)
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.wantStatus, body)
			}
			if ct := resp.Header.Get("Content-Type"); tc.wantType != "" && !strings.HasPrefix(ct, tc.wantType) {
				t.Fatalf("Content-Type %q, want %q", ct, tc.wantType)
			}
			tc.check(t, body)
		})
	}
}

func TestRefreshAnswers202AndRescans(t *testing.T) {
	srv, ref, _ := newTestServer(t)
	for _, path := range []string{"/api/sessions/refresh", "/api/claude-sessions/refresh"} {
		resp, err := http.Post(srv.URL+path, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("%s: status %d, want 202", path, resp.StatusCode)
		}
	}
	if n := ref.calls.Load(); n != 2 {
		t.Fatalf("%d refresh requests reached live, want 2", n)
	}
	resp, _ := get(t, srv.URL+"/api/sessions/refresh")
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("GET refresh: status %d, want 405", resp.StatusCode)
	}
}

// Each list names the event its state includes, in the id space of its own
// path's stream: resumed from it, that stream carries what came after; the
// other path's stream answers it with an init.
func TestListsNameTheirStreamPosition(t *testing.T) {
	srv, _, hub := newTestServer(t)
	tests := []struct {
		list, stream, other string
		ids                 string
	}{
		{"/api/sessions", "/api/sessions/stream", "/api/claude-sessions/stream", "c2,ses_1,c1"},
		{"/api/claude-sessions/all", "/api/claude-sessions/stream", "/api/sessions/stream", "c2,c1"},
	}
	for _, tc := range tests {
		t.Run(tc.list, func(t *testing.T) {
			resp, body := get(t, srv.URL+tc.list)
			id := resp.Header.Get(EventIDHeader)
			last := hub.Stats().Published
			if _, seq, ok := stream.ParseEventID(id); !ok || seq != last || ids(t, body) != tc.ids {
				t.Fatalf("%s: %s = %q, sessions %s; want the id of event %d and %s", tc.list, EventIDHeader, id, ids(t, body), last, tc.ids)
			}
			init := ssetest.Connect(t, srv.URL+tc.stream, "").Next(t, 5*time.Second)
			if init.Type != "init" || init.ID != id {
				t.Fatalf("%s: a fresh stream opens with %s %s, want init %s", tc.stream, init.Type, init.ID, id)
			}
			resumed := ssetest.Connect(t, srv.URL+tc.stream, id)
			foreign := ssetest.Connect(t, srv.URL+tc.other, id)
			if ev := foreign.Next(t, 5*time.Second); ev.Type != "init" {
				t.Fatalf("%s with an id of %s: got %s, want a fresh init", tc.other, tc.list, ev.Type)
			}
			hub.Publish(shared.EventSessionDeleted, []shared.Session{{ID: "c1", Source: shared.SourceClaude}})
			if ev := resumed.Next(t, 5*time.Second); ev.Type != "session-deleted" {
				t.Fatalf("%s resumed from the list's id: got %s %s, want the deletion that followed", tc.stream, ev.Type, ev.ID)
			}
			hub.Publish(shared.EventSessionCreated, []shared.Session{{ID: "c1", Source: shared.SourceClaude, UpdatedAt: 10}})
		})
	}
}
