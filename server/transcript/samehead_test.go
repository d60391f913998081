package transcript

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
)

// rewriteKeepingHead rewrites path in place (same inode) with its first
// line and then body: what a tool that rewrites a transcript from its
// start leaves, which neither the inode nor the head hash tells from
// the file the cursors were made for.
func rewriteKeepingHead(t *testing.T, path string, body []byte) {
	t.Helper()
	old, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data := append(old[:bytes.IndexByte(old, '\n')+1:bytes.IndexByte(old, '\n')+1], body...)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestCursorAfterRewriteKeepingHead: cursors made before an in-place
// rewrite that keeps the first line are stale (409: the page reloads),
// whether the rewrite put their offset mid-line (they were refused as
// malformed, 400, which a page cannot recover from: its live stream
// ended, and each reconnect with its cursor was refused again) or at the
// start of another message (they were taken, and the page silently got
// the new file's messages as if they followed or preceded its own).
func TestCursorAfterRewriteKeepingHead(t *testing.T) {
	var r rec
	head := jsonl(t, map[string]any{"type": "file-history-snapshot", "messageId": "x", "snapshot": map[string]any{}})
	var body []byte
	for i := range 10 {
		body = append(body, jsonl(t, r.prompt("question "+strings.Repeat("q", i)), r.assistant("msg_"+strings.Repeat("a", i+1), text("answer")))...)
	}
	for _, tt := range []struct {
		name    string
		rewrite func(t *testing.T) []byte
	}{
		{"longer", func(t *testing.T) []byte {
			return bytes.ReplaceAll(body, []byte(`"answer"`), []byte(`"a longer answer"`))
		}},
		{"shorter", func(t *testing.T) []byte {
			return bytes.ReplaceAll(body, []byte(`"answer"`), []byte(`"ans"`))
		}},
		{"other records, a line starting at every old one's offset", func(t *testing.T) []byte {
			// Each line as long as the one it replaces, its uuid and
			// timestamp those of another story.
			var o rec
			o.n = 500
			var out []byte
			for i := range 10 {
				out = append(out, jsonl(t, o.prompt("question "+strings.Repeat("q", i)), o.assistant("msg_"+strings.Repeat("a", i+1), text("answer")))...)
			}
			if len(out) != len(body) || bytes.Equal(out, body) {
				t.Fatal("the rewrite must keep every line's length and change its bytes")
			}
			return out
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := tempTranscript(t, append(append([]byte{}, head...), body...))
			files := NewFiles(0)
			page, err := files.Page(path, Query{Limit: 3})
			if err != nil {
				t.Fatal(err)
			}
			var refs []string // every message's cursor, each a place to start a page or a find
			for _, m := range page.Messages {
				refs = append(refs, m.Cursor)
			}
			rewriteKeepingHead(t, path, tt.rewrite(t))
			for _, c := range append(refs, page.Before, page.After) {
				for _, q := range []Query{{Before: c}, {After: c}} {
					if got, err := files.Page(path, q); !errors.Is(err, ErrStale) {
						t.Errorf("%+v: %v, %d messages; want ErrStale", q, err, len(got.Messages))
					}
				}
			}
			if _, err := files.Page(path, Query{}); err != nil {
				t.Errorf("a fresh last page fails: %v", err)
			}
		})
	}
}

// TestUnsealedCursors: a line cursor of a helmd before the seal is stale
// (the page reloads its last page once, rather than getting its
// messages again under cursors it does not know), while such a ref still
// opens its text.
func TestUnsealedCursors(t *testing.T) {
	var r rec
	long := strings.Repeat("z", 100<<10)
	path := tempTranscript(t, jsonl(t, r.prompt("first"), r.prompt(long), r.prompt("last")))
	files := NewFiles(0)
	page, err := files.Page(path, Query{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	unseal := func(c string) string {
		t.Helper()
		pos, err := decodeCursor(c)
		if err != nil || !pos.sealed {
			t.Fatalf("%q: %+v, %v; want a sealed cursor", c, pos, err)
		}
		pos.sealed, pos.after, pos.sum = false, 0, 0
		return encodeCursor(pos)
	}
	for _, q := range []Query{{After: unseal(page.After)}, {Before: unseal(page.Before)}} {
		if _, err := files.Page(path, q); !errors.Is(err, ErrStale) {
			t.Errorf("%+v: %v, want ErrStale", q, err)
		}
	}
	cut := page.Messages[0].Blocks[0].Cut
	if cut == nil {
		t.Fatalf("the long prompt is not cut: %+v", page.Messages[0])
	}
	var b strings.Builder
	if err := files.Full(path, unseal(cut.Ref), &b); err != nil || b.String() != long {
		t.Errorf("an unsealed ref: %v, %d bytes; want the text's %d", err, b.Len(), len(long))
	}
}

// TestCursorOfAShortLastLine: a message's cursor is the same string
// whenever a page names it, however the file grew since: the page
// replaces a message by its cursor, and would show a message it got
// under two cursors twice. A record shorter than a seal's reach (a
// hand-written one) is its file's last line at first, with more lines
// after it later.
func TestCursorOfAShortLastLine(t *testing.T) {
	path := tempTranscript(t, []byte(`{"type":"user","message":{"content":"hi"}}`+"\n"))
	files := NewFiles(0)
	first, err := files.Page(path, Query{})
	if err != nil || len(first.Messages) != 1 {
		t.Fatalf("%+v, %v", first, err)
	}
	var r rec
	appendFile(t, path, jsonl(t, r.prompt("a longer prompt after it, well past a seal's reach")))
	later, err := files.Page(path, Query{After: first.After})
	if err != nil || len(later.Messages) != 2 {
		t.Fatalf("%+v, %v", later, err)
	}
	if later.Messages[0].Cursor != first.Messages[0].Cursor {
		t.Errorf("the short prompt's cursor was %q, is %q once a line follows it", first.Messages[0].Cursor, later.Messages[0].Cursor)
	}
}
