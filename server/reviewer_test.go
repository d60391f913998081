package main

import (
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/fixture"
	"vibecraft.sh/helm/shared"
)

// TestRESTThenResumeKeepsNoStaleField is the reviewer's sequence: a model
// goes sonnet → opus (held in the debounce window) → a REST fetch → back to
// sonnet. The flushed change has no model field, as the stream published
// sonnet all along; a client that took the REST reply and resumed from its
// id must hold sonnet, not opus.
func TestRESTThenResumeKeepsNoStaleField(t *testing.T) {
	t.Parallel() // it mostly waits (debounces, quiet periods): beside the others that do
	root := t.TempDir()
	const sid = "7e57a11e-0000-4000-8000-00000000c0de"
	const cwd = "/w/reviewer"
	path := fixture.Path(root, cwd, sid)
	now := time.Now()
	fixture.Append(t, path, record(sid, cwd, "main", "", 1, now)+record(sid, cwd, "main", sonnet, 2, now))
	// A window long enough for the steps below to fall inside it.
	srv := startHelmd(t, root, "--debounce", "5s")
	w := &world{t: t, srv: srv}
	c := w.connect("", nil)
	model := func(l map[string]shared.Session) string {
		return l[shared.Session{Source: shared.SourceClaude, ID: sid}.Key()].Model
	}
	waitFor(t, "the client's init", func() bool { l, _, _ := c.State(); return model(l) == sonnet })

	lines := claudeStats(t, srv.URL).Lines
	readLine := func() { // the server has read the line just written
		t.Helper()
		lines++
		waitFor(t, "the line read", func() bool { return claudeStats(t, srv.URL).Lines >= lines })
	}
	// The first change after quiet goes out at once and opens the window.
	fixture.Append(t, path, record(sid, cwd, "main", "", 3, now))
	readLine()
	waitFor(t, "the first change", func() bool {
		l, _, _ := c.State()
		return len(l) == 1 && l[shared.Session{Source: shared.SourceClaude, ID: sid}.Key()].MessageCount == 3
	})
	fixture.Append(t, path, record(sid, cwd, "main", opus, 4, now)) // held: inside the window
	readLine()

	base, _, id := w.rest()
	if got := model(base); got != sonnet {
		t.Fatalf("GET /api/sessions reports %q while the stream has published %q: REST must serve the published state", got, sonnet)
	}
	fixture.Append(t, path, record(sid, cwd, "main", sonnet, 5, now)) // back, still inside the window
	readLine()
	c.Close()
	c = w.connect(id, base) // the client took the REST reply: it resumes from the reply's id

	waitFor(t, "the window's flush", func() bool {
		l, _, _ := c.State()
		return l[shared.Session{Source: shared.SourceClaude, ID: sid}.Key()].MessageCount == 5
	})
	got, cursor, bad := c.State()
	want, _, wantID := w.rest()
	if bad != 0 || !equalLists(got, want) || model(got) != sonnet {
		t.Fatalf("client at %s (%d bad events) holds %s; server at %s: %s",
			cursor, bad, describe(values(got)), wantID, describe(values(want)))
	}
}
