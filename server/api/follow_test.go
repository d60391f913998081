package api

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"vibecraft.sh/helm/server/claude"
	"vibecraft.sh/helm/server/index"
	"vibecraft.sh/helm/server/tail"
	"vibecraft.sh/helm/server/transcript"
	"vibecraft.sh/helm/shared"
)

type followEvent struct {
	typ, id string
	data    []byte
}

// followerFixture scans one session's transcript (main, one prompt) into
// an index, with a page hub for its follows.
func followerFixture(t *testing.T) (main string, src *claude.Source, sessions []shared.Session, ix *index.Index, pages *tail.Hub) {
	t.Helper()
	root := t.TempDir()
	dir := filepath.Join(root, "projects", "-home-dev-app")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	main = filepath.Join(dir, testSID+".jsonl")
	if err := os.WriteFile(main, []byte(claudeLine("user", "u1", map[string]any{"role": "user", "content": "hello"}, "")), 0o600); err != nil {
		t.Fatal(err)
	}
	src = claude.New(claude.Options{Roots: []string{root}})
	sessions, err := src.Scan(context.Background())
	if err != nil || len(sessions) != 1 {
		t.Fatalf("scan: %d sessions, %v", len(sessions), err)
	}
	ix = index.New()
	ix.Replace(shared.SourceClaude, sessions)
	pages = tail.New(2)
	t.Cleanup(pages.Close)
	return main, src, sessions, ix, pages
}

// TestFollower: what the socket's subscribe gets for a session is the
// page stream's: the last page with its cursor, then what an append adds
// after it, until ctx ends, when the page hub is let go. Bad keys,
// unknown sessions and a full hub are refused in words.
func TestFollower(t *testing.T) {
	main, src, _, ix, pages := followerFixture(t)
	files := transcript.NewFiles(0)
	f := NewFollower(TranscriptDeps{Sessions: ix, Claude: src, Live: pages, Files: files})

	for key, want := range map[string]string{
		"claude:../../etc/passwd":                     "malformed session id",
		"claude:3f2c1a9e-7b4d-4c1e-9a55-000000000000": "no such session",
	} {
		if _, err := f.Follow(context.Background(), key); err == nil || err.Error() != want {
			t.Errorf("Follow(%q): %v, want %q", key, err, want)
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	run, err := f.Follow(ctx, "claude:"+testSID)
	if err != nil {
		t.Fatal(err)
	}
	events := make(chan followEvent)
	done := make(chan error, 1)
	go func() {
		done <- run(func(typ, id string, data []byte) error {
			select {
			case events <- followEvent{typ, id, append([]byte(nil), data...)}:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()
	next := func() (followEvent, shared.MessagePage) {
		t.Helper()
		select {
		case ev := <-events:
			var p shared.MessagePage
			if ev.typ != "messages" || json.Unmarshal(ev.data, &p) != nil || ev.id != p.After {
				t.Fatalf("event %s %s %s: want messages with its page's cursor", ev.typ, ev.id, ev.data)
			}
			return ev, p
		case <-time.After(5 * time.Second):
			t.Fatal("no event within 5 s")
		}
		panic("unreachable")
	}
	_, first := next()
	if want, err := files.Page(main, transcript.Query{}); err != nil || first.After != want.After || len(first.Messages) != 1 {
		t.Fatalf("first page %+v, want GET …/messages' %+v (%v)", first, want, err)
	}
	fh, err := os.OpenFile(main, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fh.WriteString(claudeLine("user", "u2", map[string]any{"role": "user", "content": "again"}, ""))
	fh.Close()
	pages.Changed([]string{main}) // what the watcher does
	_, second := next()
	last := second.Messages[len(second.Messages)-1]
	if want, err := files.Page(main, transcript.Query{After: first.After}); err != nil || !reflect.DeepEqual(second, want) ||
		last.Blocks[0].Text != "again" {
		t.Fatalf("after the append %+v, want %+v (%v)", second, want, err)
	}

	// The hub holds two: this follow and one more; a third is refused.
	otherCtx, stopOther := context.WithCancel(context.Background())
	other, err := f.Follow(otherCtx, "claude:"+testSID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Follow(context.Background(), "claude:"+testSID); err == nil {
		t.Error("a follow past the page hub's limit was taken")
	}
	stopOther()
	// run is called once even when its ctx is over: it lets the hub go.
	if err := other(func(string, string, []byte) error { return otherCtx.Err() }); err == nil {
		t.Error("a run whose ctx is over sent its page")
	}

	cancel()
	if err := <-done; err != nil && ctx.Err() == nil {
		t.Errorf("run: %v", err)
	}
	if n := pages.Len(); n != 0 {
		t.Errorf("%d page subscriptions after both follows ended, want 0", n)
	}
}

// fakePublished is the published list of one session, which the test
// takes away.
type fakePublished struct {
	s       shared.Session
	gone    atomic.Bool
	changed chan struct{}
}

func (p *fakePublished) Watch(string) (<-chan struct{}, func()) { return p.changed, func() {} }
func (p *fakePublished) Lookup(string) (shared.Session, bool) {
	return p.s, !p.gone.Load()
}

// TestFollowerSaysGone: a session followed over the socket whose
// transcript is deleted, and which so leaves the list, ends its follow with words saying so (the socket then sends
// unsubscribed and frees the slot), rather than falling silent while the
// client keeps it as live.
func TestFollowerSaysGone(t *testing.T) {
	main, src, sessions, ix, pages := followerFixture(t)
	pub := &fakePublished{s: sessions[0], changed: make(chan struct{}, 1)}
	f := NewFollower(TranscriptDeps{Sessions: ix, Claude: src, Live: pages, Published: pub})

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	run, err := f.Follow(ctx, "claude:"+testSID)
	if err != nil {
		t.Fatal(err)
	}
	events := make(chan string, 8)
	done := make(chan error, 1)
	go func() {
		done <- run(func(typ, _ string, _ []byte) error {
			events <- typ
			return nil
		})
	}()
	next := func(want string) {
		t.Helper()
		select {
		case got := <-events:
			if got != want {
				t.Fatalf("event %q, want %q", got, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no %s event within 5 s", want)
		}
	}
	next("messages")
	// Its transcript deleted, and read so: out of the list while helmd
	// still has the file is not gone (TestPageStreamNotGoneWhileRewritten).
	if err := os.Remove(main); err != nil {
		t.Fatal(err)
	}
	if _, _, err := src.Update(context.Background(), []string{main}); err != nil {
		t.Fatal(err)
	}
	pub.gone.Store(true)
	pub.changed <- struct{}{} // the hub's signal that the session's summary changed
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "no longer has this session") {
			t.Fatalf("run ended with %v, want that the session is gone", err)
		}
	case typ := <-events:
		t.Fatalf("event %q after the session went, want the follow to end", typ)
	case <-time.After(5 * time.Second):
		t.Fatal("the follow of a session that went did not end within 5 s")
	}
}
