package api

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"vibecraft.sh/helm/server/index"
	"vibecraft.sh/helm/shared"
)

type fakeStream struct{}

func (fakeStream) Handler(keep func(*shared.Session) bool) http.Handler {
	return fakeStream{}.named(keep, "changes")
}

// FullListHandler names itself and what shape makes of a session, so the
// test sees that the original's fields are wired in.
func (fakeStream) FullListHandler(keep func(*shared.Session) bool, shape func([]shared.Session) any) http.Handler {
	b, _ := json.Marshal(shape([]shared.Session{{ID: "x", ProjectPath: "/w/x", UpdatedAt: 1}}))
	return fakeStream{}.named(keep, "full list "+string(b))
}

func (fakeStream) named(keep func(*shared.Session) bool, updates string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if keep == nil {
			io.WriteString(w, "all, "+updates)
			return
		}
		io.WriteString(w, "claude-only, "+updates)
	})
}

type fakeRefresher struct {
	mu    sync.Mutex
	calls int
	done  chan struct{}
}

func (f *fakeRefresher) Refresh(context.Context) {
	f.mu.Lock()
	f.calls++
	f.mu.Unlock()
	f.done <- struct{}{}
}

func newTestServer(t *testing.T) (*httptest.Server, *fakeRefresher) {
	t.Helper()
	ix := index.New()
	ix.Apply(shared.SourceClaude, []shared.Session{
		{ID: "c1", Source: shared.SourceClaude, Title: "Fix login", ProjectPath: "/w/app", UpdatedAt: 10, Status: shared.StatusWaiting},
		{ID: "c2", Source: shared.SourceClaude, Title: "Docs", ProjectPath: "/w/site", UpdatedAt: 30, Status: shared.StatusIdle},
	}, nil)
	ix.Apply(shared.SourceOpenCode, []shared.Session{
		{ID: "ses_1", Source: shared.SourceOpenCode, Title: "Refactor login", ProjectPath: "/w/app", UpdatedAt: 20, Status: shared.StatusWorking},
	}, nil)
	ref := &fakeRefresher{done: make(chan struct{}, 4)}
	mux := http.NewServeMux()
	New(Deps{Sessions: ix, Refresh: ref, Stream: fakeStream{}, Status: func() any { return map[string]int{"sessions": ix.Len()} }}).Install(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, ref
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
	srv, _ := newTestServer(t)
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
		{"/api/sessions/stream", 200, "", func(t *testing.T, b string) {
			if b != "all, changes" {
				t.Fatalf("stream handler: %s", b)
			}
		}},
		{"/api/claude-sessions/stream", 200, "", func(t *testing.T, b string) {
			want := `claude-only, full list [{"id":"x","source":"","projectPath":"/w/x","projectName":"","title":"","firstPrompt":"","gitBranch":"","model":"","messageCount":0,"tokens":{"input":0,"output":0,"cacheRead":0,"cacheWrite":0},"costUsd":0,"status":"","active":false,"createdAt":0,"updatedAt":1,"version":"","sessionId":"x","directory":"/w/x","created":"1970-01-01T00:00:00.000Z","modified":"1970-01-01T00:00:00.001Z","isSidechain":false}]`
			if b != want {
				t.Fatalf("claude stream handler: %s", b)
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
	srv, ref := newTestServer(t)
	for _, path := range []string{"/api/sessions/refresh", "/api/claude-sessions/refresh"} {
		resp, err := http.Post(srv.URL+path, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("%s: status %d, want 202", path, resp.StatusCode)
		}
		select {
		case <-ref.done:
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: no rescan started", path)
		}
	}
	resp, _ := get(t, srv.URL+"/api/sessions/refresh")
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("GET refresh: status %d, want 405", resp.StatusCode)
	}
}
