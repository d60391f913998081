package transcript

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestLastPageAtEachMomentOfARewrite: a transcript rewritten in place
// (truncated, then written again from its first line, the same inode)
// passes through moments when it holds nothing, part of its first line,
// its first line alone. Whichever of them a page was read at (each read
// builds or reuses the file's index), the last page after the rewrite
// and an append is the one a fresh helmd reads: never empty, never with
// a record of the old content. The rewrites keep what the index checks
// where they can: the first line, the lines' offsets, the size.
func TestLastPageAtEachMomentOfARewrite(t *testing.T) {
	var r rec
	first := jsonl(t, r.prompt("the first prompt"))
	old := jsonl(t, r.assistant("msg_w1", text("ok")), r.prompt("a second prompt"))
	rewrites := map[string][]byte{
		// The e2e test's: the second line as long as before, the third longer.
		"longer":                  jsonl(t, r.assistant("msg_w2", text("ok")), r.prompt("another second prompt, written by the rewrite")),
		"shorter":                 jsonl(t, r.assistant("msg_w3", text("ok")), r.prompt("2nd")),
		"longer, its lines moved": jsonl(t, r.assistant("msg_w4", text("a longer answer")), r.prompt("a third prompt")),
	}
	// One of the same size, each line as long as the one it replaces.
	same := bytes.ReplaceAll(bytes.ReplaceAll(old, []byte("msg_w1"), []byte("msg_s1")), []byte("a second"), []byte("a SECOND"))
	if len(same) != len(old) {
		t.Fatal("the same-size rewrite changed the size")
	}
	rewrites["same size"] = same
	appended := jsonl(t, r.assistant("msg_after", text("appended after the rewrite")))

	// The moments a page may be read at, in the order the rewrite passes them.
	type moment struct {
		name string
		data func(body []byte) []byte
	}
	moments := []moment{
		{"cut to nothing", func([]byte) []byte { return nil }},
		{"half its first line", func([]byte) []byte { return first[:len(first)/2] }},
		{"its first line alone", func([]byte) []byte { return first }},
		{"its first line and half the rest", func(body []byte) []byte {
			return append(append([]byte{}, first...), body[:len(body)/2]...)
		}},
		{"rewritten whole", func(body []byte) []byte { return append(append([]byte{}, first...), body...) }},
	}
	// Read at none of them, at each alone, at all: a read at one moment
	// leaves the index as the next read finds it, whatever came before.
	masks := []int{0, 1<<len(moments) - 1}
	for i := range moments {
		masks = append(masks, 1<<i)
	}
	for name, body := range rewrites {
		for _, mask := range masks {
			var at []string
			for i, m := range moments {
				if mask&(1<<i) != 0 {
					at = append(at, m.name)
				}
			}
			t.Run(fmt.Sprintf("%s, read at: %s", name, strings.Join(at, "; ")), func(t *testing.T) {
				path := tempTranscript(t, append(append([]byte{}, first...), old...))
				files := NewFiles(0)
				if got := lastPage(t, files, path); len(got.Messages) != 3 {
					t.Fatalf("before the rewrite: %q", summaryOf(got.Messages))
				}
				f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0) // in place: the same inode
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				written := 0
				for i, m := range moments {
					data := m.data(body)
					if _, err := f.WriteAt(data[written:], int64(written)); err != nil {
						t.Fatal(err)
					}
					written = len(data)
					if mask&(1<<i) == 0 {
						continue
					}
					if got, want := pageJSON(t, files, path), pageJSON(t, NewFiles(0), path); got != want {
						t.Fatalf("read at %s: %s\nwant (a fresh index): %s", m.name, got, want)
					}
				}
				if _, err := f.WriteAt(appended, int64(written)); err != nil {
					t.Fatal(err)
				}
				got, want := pageJSON(t, files, path), pageJSON(t, NewFiles(0), path)
				if got != want {
					t.Fatalf("the last page after the rewrite and an append: %s\nwant (a fresh index): %s", got, want)
				}
				if !strings.Contains(got, "appended after the rewrite") || strings.Contains(got, "msg_w1") {
					t.Fatalf("the last page after the rewrite and an append: %s", got)
				}
			})
		}
	}
}

// pageJSON is the last page of path as files reads it, encoded.
func pageJSON(t *testing.T, files *Files, path string) string {
	t.Helper()
	b, err := json.Marshal(lastPage(t, files, path))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
