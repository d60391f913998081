package claude

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/fixture"
)

// onSecondRead makes fn run between two reads of the next pass over a
// file that takes more than one read (the reader's buffer is 256 KiB),
// and returns whether it ran.
func onSecondRead(t *testing.T, fn func()) func() bool {
	t.Helper()
	wrap, ran := fixture.BetweenReads(fn)
	testWrapRead = wrap
	t.Cleanup(func() { testWrapRead = nil })
	return ran
}

// TestRewrittenWhileRead: a transcript truncated and rewritten in place
// (longer, its first line kept, the same inode) while helmd is between
// two reads of one pass over it is read as the new file, as a fresh
// helmd reads it: never the old file's lines up to that point followed
// by the new file's from there, which the next refreshes would keep
// (the bytes before the offset are the new file's, so they match).
func TestRewrittenWhileRead(t *testing.T) {
	const now = "2026-03-02T12:20:00Z"
	const sid = "9b9b9b9b-5555-4555-8555-00000000aaaa"
	const cwd = "/home/dev/webapp"
	base := at("2026-03-02T10:00:00Z")
	first := fixture.User(sid, cwd, "the first prompt", base)
	// The old content: answers only; the new one: a prompt before each
	// answer, so that as many bytes hold other counts and another cost.
	var oldBody, newBody strings.Builder
	for i := range 1000 {
		at := base.Add(time.Duration(i+1) * time.Second)
		oldBody.WriteString(fixture.Assistant(sid, cwd, fmt.Sprintf("msg_old_%04d", i), "end_turn", at))
		newBody.WriteString(fixture.User(sid, cwd, fmt.Sprintf("new prompt %d", i), at))
		newBody.WriteString(fixture.Assistant(sid, cwd, fmt.Sprintf("msg_new_%04d", i), "end_turn", at))
	}
	if oldBody.Len() < 2*readBufSize {
		t.Fatalf("the old content is %d bytes: not read in several reads", oldBody.Len())
	}
	rewritten := first + newBody.String()
	rel := projectRel(cwd, sid+".jsonl")

	t.Run("its first read", func(t *testing.T) {
		root := t.TempDir()
		path := write(t, root, rel, first+oldBody.String())
		ran := onSecondRead(t, func() { rewrite(t, path, rewritten) })
		src, out := scan(t, root, now)
		if !ran() {
			t.Fatal("the file was read in one read: nothing tested")
		}
		want := fresh(t, root, now)
		sameSession(t, one(t, out), want)
		if _, _, err := src.Update(t.Context(), []string{path}); err != nil {
			t.Fatal(err)
		}
		sameSession(t, one(t, src.Sessions()), want) // and the next refresh keeps it
	})
	t.Run("an append", func(t *testing.T) {
		root := t.TempDir()
		path := write(t, root, rel, first)
		src, _ := scan(t, root, now)
		appendTo(t, path, oldBody.String())
		ran := onSecondRead(t, func() { rewrite(t, path, rewritten) })
		if _, _, err := src.Update(t.Context(), []string{path}); err != nil {
			t.Fatal(err)
		}
		if !ran() {
			t.Fatal("the append was read in one read: nothing tested")
		}
		testWrapRead = nil
		want := fresh(t, root, now)
		sameSession(t, one(t, src.Sessions()), want)
		if _, _, err := src.Update(t.Context(), []string{path}); err != nil {
			t.Fatal(err)
		}
		sameSession(t, one(t, src.Sessions()), want)
	})
}

// rewrite truncates path and writes content in its place (the same
// inode), with the mtime write gives.
func rewrite(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Error(err) // from a reader's goroutine: no Fatal
		return
	}
	if err := os.Chtimes(path, old, old); err != nil {
		t.Error(err)
	}
}
