package transcript

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"vibecraft.sh/helm/server/internal/fixture"
	"vibecraft.sh/helm/shared"
)

// onSecondRead makes fn run between two reads of the next scan of a file
// that takes more than one read (the buffer is 256 KiB), and returns
// whether it ran.
func onSecondRead(t *testing.T, fn func()) func() bool {
	t.Helper()
	wrap, ran := fixture.BetweenReads(fn)
	testWrapRead = wrap
	t.Cleanup(func() { testWrapRead = nil })
	return ran
}

// TestLastPageRewrittenWhileIndexed: a transcript truncated and rewritten
// in place (longer, its first line kept, the same inode) while its index
// is between two reads of one scan is indexed as the new file: the last
// page is the one a fresh index shows, then and after the next refresh,
// never the old file's line offsets up to that point followed by the
// new file's (which the next refreshes would keep, as the bytes before
// the index's end are the new file's).
func TestLastPageRewrittenWhileIndexed(t *testing.T) {
	var r rec
	first := jsonl(t, r.prompt("the first prompt"))
	// The old content: many short answers; the new one: fewer, long ones,
	// so that the last page reaches back before where the rewrite came.
	var oldBody, newBody []byte
	for i := range 900 {
		oldBody = append(oldBody, jsonl(t, r.assistant(fmt.Sprintf("msg_old_%04d", i), text(fmt.Sprintf("old answer %d", i))))...)
	}
	for i := range 24 {
		long := fmt.Sprintf("new answer %d: %s", i, strings.Repeat("x", 16<<10))
		newBody = append(newBody, jsonl(t, r.assistant(fmt.Sprintf("msg_new_%04d", i), text(long)))...)
	}
	if len(oldBody) < indexBufSize+indexBufSize/4 || len(newBody) < len(oldBody) {
		t.Fatalf("old %d, new %d bytes: the old must take several reads, the new be longer", len(oldBody), len(newBody))
	}
	rewritten := append(append([]byte{}, first...), newBody...)
	check := func(t *testing.T, files *Files, path string) {
		t.Helper()
		got, want := pageJSON(t, files, path), pageJSON(t, NewFiles(0), path)
		if got != want || strings.Contains(got, "old answer") {
			t.Fatalf("the last page: %v\nwant (a fresh index): %v",
				idsOf(lastPage(t, files, path)), idsOf(lastPage(t, NewFiles(0), path)))
		}
	}

	t.Run("its first scan", func(t *testing.T) {
		path := tempTranscript(t, append(append([]byte{}, first...), oldBody...))
		files := NewFiles(0)
		ran := onSecondRead(t, func() { rewriteFile(t, path, rewritten) })
		lastPage(t, files, path)
		if !ran() {
			t.Fatal("the file was read in one read: nothing tested")
		}
		check(t, files, path)
	})
	t.Run("an append", func(t *testing.T) {
		path := tempTranscript(t, first)
		files := NewFiles(0)
		lastPage(t, files, path)
		appendFile(t, path, oldBody)
		ran := onSecondRead(t, func() { rewriteFile(t, path, rewritten) })
		lastPage(t, files, path)
		if !ran() {
			t.Fatal("the append was read in one read: nothing tested")
		}
		check(t, files, path)
	})
}

// idsOf is the page's message ids, and the first bytes of messages
// without one.
func idsOf(p shared.MessagePage) []string {
	var out []string
	for _, m := range p.Messages {
		id := m.ID
		if id == "" {
			id = fmt.Sprintf("%.40q", summaryOf([]shared.Message{m}))
		}
		out = append(out, id)
	}
	return out
}

// rewriteFile truncates path and writes data in its place (the same inode).
func rewriteFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Error(err)
	}
}
