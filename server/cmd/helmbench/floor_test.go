package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The floor reads every transcript, and finds every line and every '"',
// a line longer than the read buffer and a last line without its '\n'
// included; other files are not transcripts and are skipped.
func TestQuoteFloorCounts(t *testing.T) {
	dir := t.TempDir()
	long := `{"text":"` + strings.Repeat(`x"`, 300<<10) + `"}` + "\n" // 600 KiB: three buffers
	files := map[string]string{
		"p/a.jsonl":         `{"a":1}` + "\n" + `{"b":"c"}` + "\n",
		"p/b.jsonl":         long + `{"last":"no newline"}`,
		"p/s/c.jsonl":       "\n",
		"p/notes.txt":       `"ignored"` + "\n",
		"p/empty.jsonl":     "",
		"p/quoteless.jsonl": "{}\n{}\n{}\n",
	}
	var size int64
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(name, ".jsonl") {
			size += int64(len(body))
		}
	}
	got, err := quoteFloor(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	want := floorCounts{files: 5, lines: 2 + 2 + 1 + 3, bytes: size,
		quotes: (2 + 4) + (4 + 300<<10 + 4)}
	if got != want {
		t.Fatalf("counts %+v, want %+v", got, want)
	}
	// Lines only: the same files, lines and bytes, no quote looked for.
	got, err = quoteFloor(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	want.quotes = 0
	if got != want {
		t.Fatalf("lines only: counts %+v, want %+v", got, want)
	}
}
