package main

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"vibecraft.sh/helm/shared"
)

// TestWSClearOfAnotherMachinesSession: the socket's clear of a remote
// session goes to the hub's route for it with the session's host and id
// as they are, however hostile (a host name is what a machine on the
// NATS server chose), and what the machine answers comes back as a
// line: a huge or garbled answer never rides whole in a reply.
func TestWSClearOfAnotherMachinesSession(t *testing.T) {
	const host = `be/ta?host=gamma&x=1#"<b>é`
	const id = "c1ea0000-0000-4000-8000-0000000000aa"
	remote := shared.Session{Source: shared.SourceClaude, ID: id, Host: host, Remote: true}
	lookup := func(key string) (shared.Session, bool) {
		if key == remote.Key() {
			return remote, true
		}
		return shared.Session{}, false
	}
	var asked []*http.Request
	answer := func(w http.ResponseWriter) {}
	route := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked = append(asked, r)
		answer(w)
	})
	c := wsClearer{lookup: lookup, remote: route}

	answer = func(w http.ResponseWriter) { w.WriteHeader(http.StatusAccepted) }
	if err := c.Clear(context.Background(), remote.Key(), 0); err != nil {
		t.Fatalf("a clear the machine accepted: %v", err)
	}
	if len(asked) != 1 {
		t.Fatalf("the route was asked %d times, want 1", len(asked))
	}
	r := asked[0]
	if r.Method != http.MethodPost || r.URL.Path != "/api/sessions/claude/"+id+"/clear" {
		t.Errorf("asked %s %s, want POST /api/sessions/claude/%s/clear", r.Method, r.URL.Path, id)
	}
	if got := r.URL.Query()["host"]; len(got) != 1 || got[0] != host {
		t.Errorf("asked for host %q, want exactly %q", got, host)
	}
	if r.URL.Query().Has("x") || r.URL.Fragment != "" {
		t.Errorf("the host name's characters made a query of their own: %q", r.URL.String())
	}

	for _, tc := range []struct {
		name   string
		answer func(http.ResponseWriter)
		says   string
	}{
		{"a refusal in JSON", func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusConflict)
			w.Write([]byte(`{"error":"machine \"beta\" is offline"}`))
		}, `machine "beta" is offline`},
		{"a page of HTML", func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusBadGateway)
			w.Write([]byte("<html>" + strings.Repeat("<b>bad</b>", 200<<10)))
		}, "answered HTTP 502"},
		{"a refusal as long as a reply may be", func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusConflict)
			w.Write([]byte(`{"error":"` + strings.Repeat("é", 400<<10) + `"}`))
		}, "éé"},
	} {
		answer = tc.answer
		err := c.Clear(context.Background(), remote.Key(), 0)
		if err == nil || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: %v, want an error saying %q", tc.name, err, tc.says)
			continue
		}
		// A line: the refusal's words, or the host's name and the status.
		if n := utf8.RuneCountInString(err.Error()); n > 2*maxRemoteError {
			t.Errorf("%s: the error is %d runes long", tc.name, n)
		}
		if !utf8.ValidString(err.Error()) {
			t.Errorf("%s: the error is not UTF-8 (cut inside a letter)", tc.name)
		}
	}

	// Not the hub's to ask: no such session, no key, no route for remotes.
	asked = nil
	for _, key := range []string{"claude:" + id + "@nowhere", "claude:", "nonsense", ""} {
		if err := c.Clear(context.Background(), key, 0); !errors.Is(err, errNoSuchSession) {
			t.Errorf("clear of %q: %v, want %v", key, err, errNoSuchSession)
		}
	}
	// With no way to its machine, the hub keeps no clear for a key it
	// does not own.
	if err := (wsClearer{lookup: lookup}).Clear(context.Background(), remote.Key(), 0); !errors.Is(err, errRemoteSession) {
		t.Errorf("a helmd with no fleet route: %v, want %v", err, errRemoteSession)
	}
	if len(asked) != 0 {
		t.Errorf("the route was asked for %d clears not its to pass on", len(asked))
	}
}

// TestWSClearNamesTheWait: a socket's clear that names the wait its
// client saw is refused for a session that waits anew, and a remote
// session's machine is told which wait, to check against its own list.
func TestWSClearNamesTheWait(t *testing.T) {
	const id = "c1ea0000-0000-4000-8000-0000000000ab"
	remote := shared.Session{Source: shared.SourceClaude, ID: id, Host: "beta", Remote: true, Status: shared.StatusWaiting, WaitingSince: 2000}
	lookup := func(key string) (shared.Session, bool) { return remote, key == remote.Key() }
	var asked []string
	route := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked = append(asked, r.URL.RawQuery)
		w.WriteHeader(http.StatusAccepted)
	})
	c := wsClearer{lookup: lookup, remote: route}
	if err := c.Clear(context.Background(), remote.Key(), 1000); err == nil || !strings.Contains(err.Error(), "waits again") {
		t.Errorf("a clear of the wait before: %v, want refused as waiting again", err)
	}
	if len(asked) != 0 {
		t.Fatalf("the refused clear was passed on: %q", asked)
	}
	if err := c.Clear(context.Background(), remote.Key(), 2000); err != nil {
		t.Fatalf("a clear of the wait shown: %v", err)
	}
	if len(asked) != 1 || asked[0] != "host=beta&waitingSince=2000" {
		t.Errorf("the machine was asked %q, want host=beta&waitingSince=2000", asked)
	}
}
