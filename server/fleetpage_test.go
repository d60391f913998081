package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"vibecraft.sh/helm/shared"
)

// A hub answers the header of another machine's session as that machine
// does, with the offset of its clock the hub measured and its name in
// the session: the page tells how long ago by them. Every other field
// the machine sent stays (a newer machine's too); an error, or a body
// that is not a header, goes as it came.
func TestRemoteHeaderCarriesTheHubsClock(t *testing.T) {
	late := shared.Session{ID: "a", Source: shared.SourceClaude, Host: `late"<b>`, Remote: true, HostClockAheadMs: -600_000}
	for _, tc := range []struct {
		name, body string
		status     int
		patched    bool
	}{
		{"a header", `{"id":"a","source":"claude","updatedAt":5,"question":"x","transcripts":["/t.jsonl"],"newer":{"n":1}}`, http.StatusOK, true},
		{"an error", `{"error":"no such session"}`, http.StatusNotFound, false},
		{"not JSON", `<html>`, http.StatusOK, false},
		{"no session", `{"transcripts":[]}`, http.StatusOK, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			machine := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Cache-Control", "no-store")
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, tc.body)
			})
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { withHubClock(w, r, late, machine) }))
			defer srv.Close()
			res, err := http.Get(srv.URL + "/api/sessions/claude/a?host=late")
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != tc.status || res.Header.Get("Content-Type") != "application/json" || res.Header.Get("Cache-Control") != "no-store" {
				t.Fatalf("status %d, headers %v; want %d and the machine's headers", res.StatusCode, res.Header, tc.status)
			}
			if !tc.patched {
				if string(body) != tc.body {
					t.Fatalf("answer %s, want the machine's %s", body, tc.body)
				}
				return
			}
			var d shared.SessionDetail
			var newer struct {
				Newer json.RawMessage `json:"newer"`
			}
			if err := json.Unmarshal(body, &d); err != nil || json.Unmarshal(body, &newer) != nil {
				t.Fatalf("%v: %s", err, body)
			}
			s := d.Session
			if s.HostClockAheadMs != -600_000 || s.Host != late.Host || s.UpdatedAt != 5 || d.Question != "x" ||
				len(d.Transcripts) != 1 || string(newer.Newer) != `{"n":1}` {
				t.Errorf("answer %s: want the machine's header with the hub's offset and host", body)
			}
		})
	}
}

// Only the header of a listed session of another machine is the hub's
// to amend: not its messages, nor a POST, nor this machine's own.
func TestRemoteHeaderIsOnlyTheHeader(t *testing.T) {
	listed := shared.Session{ID: "a", Source: shared.SourceClaude, Host: "late", Remote: true, HostClockAheadMs: 60_000}
	lookup := func(key string) (shared.Session, bool) {
		if key == listed.Key() {
			return listed, true
		}
		return shared.Session{}, false
	}
	for _, tc := range []struct {
		method, url string
		want        bool
	}{
		{http.MethodGet, "/api/sessions/claude/a?host=late", true},
		{http.MethodGet, "/api/sessions/claude/a/messages?host=late", false},
		{http.MethodGet, "/api/sessions/claude/a/find?q=x&host=late", false},
		{http.MethodPost, "/api/sessions/claude/a?host=late", false},
		{http.MethodGet, "/api/sessions/claude/a?host=hub", false},
		{http.MethodGet, "/api/sessions/claude/a", false},
		{http.MethodGet, "/api/sessions/claude/b?host=late", false},
		{http.MethodGet, "/api/sessions/claude/a?host=late&host=late", false},
	} {
		r := httptest.NewRequest(tc.method, tc.url, nil)
		if s, ok := remoteHeader(r, "hub", lookup); ok != tc.want || ok && s != listed {
			t.Errorf("%s %s: %v, want %v", tc.method, tc.url, ok, tc.want)
		}
	}
}
