package claude

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/shared"
)

// fresh reads root from scratch with a new Source.
func fresh(t *testing.T, root, now string) shared.Session {
	t.Helper()
	_, out := scan(t, root, now)
	return one(t, out)
}

// TestIncremental appends to a transcript in steps, one of them cutting
// a line in two, and checks that each step reads only the new bytes and
// ends where a fresh read of the final file does.
func TestIncremental(t *testing.T) {
	const now = "2026-03-02T12:20:00Z"
	data, err := os.ReadFile(filepath.Join("testdata", "split.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	lines = lines[:len(lines)-1] // the empty string after the last '\n'
	root := t.TempDir()
	path := write(t, root, projectRel("/home/dev/webapp", sidSplit+".jsonl"), lines[0])
	src, out := scan(t, root, now)
	one(t, out)
	readSoFar := src.Stats().BytesRead
	if readSoFar != int64(len(lines[0])) {
		t.Fatalf("first read %d bytes, want %d", readSoFar, len(lines[0]))
	}

	half := len(lines[4]) / 2
	steps := []struct {
		name     string
		add      string
		wantRead int64 // bytes this step must read
	}{
		{"two whole lines", lines[1] + lines[2], int64(len(lines[1] + lines[2]))},
		{"a line and half of the next", lines[3] + lines[4][:half], int64(len(lines[3]) + half)},
		// The unfinished half is read again, once it is finished.
		{"the rest of the cut line", lines[4][half:], int64(len(lines[4]))},
		{"the remaining lines", strings.Join(lines[5:], ""), int64(len(strings.Join(lines[5:], "")))},
		{"nothing new", "", 0},
	}
	for _, st := range steps {
		if st.add != "" {
			appendTo(t, path, st.add)
		}
		if _, _, err := src.Update(t.Context(), []string{path}); err != nil {
			t.Fatal(err)
		}
		read := src.Stats().BytesRead - readSoFar
		readSoFar += read
		if read != st.wantRead {
			t.Errorf("%s: read %d bytes, want %d", st.name, read, st.wantRead)
		}
	}
	got := one(t, src.Sessions())
	sameSession(t, got, fresh(t, root, now))
	if got.MessageCount != 6 || got.Tokens.Output != 422 {
		t.Errorf("incremental result %+v is not the whole file's", got)
	}
	if st := src.Stats(); st.Resets != 0 || st.LinesSkipped != 0 {
		t.Errorf("stats %+v: no reset or skipped line expected", st)
	}
}

// TestRereadWhole checks that a truncated or replaced transcript is read
// again from its start.
func TestRereadWhole(t *testing.T) {
	const now = "2026-03-02T12:20:00Z"
	data, err := os.ReadFile(filepath.Join("testdata", "split.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	rel := projectRel("/home/dev/webapp", sidSplit+".jsonl")

	t.Run("truncated", func(t *testing.T) {
		root := t.TempDir()
		path := install(t, root, rel, "split.jsonl")
		src, _ := scan(t, root, now)
		short := strings.Join(lines[:2], "")
		if err := os.WriteFile(path, []byte(short), 0o644); err != nil { // truncates in place
			t.Fatal(err)
		}
		setOld(t, path)
		changed, _, err := src.Update(t.Context(), []string{path})
		if err != nil {
			t.Fatal(err)
		}
		want := fresh(t, root, now)
		sameSession(t, one(t, changed), want)
		if want.MessageCount != 2 || src.Stats().Resets != 1 {
			t.Errorf("count %d, resets %d; want 2, 1", want.MessageCount, src.Stats().Resets)
		}
	})
	t.Run("rewritten in place, longer", func(t *testing.T) {
		root := t.TempDir()
		path := write(t, root, rel, strings.Join(lines[:2], ""))
		src, _ := scan(t, root, now)
		other := strings.Replace(string(data), "Refactor the parser", "Rewrite the lexer!", 1)
		if err := os.WriteFile(path, []byte(other), 0o644); err != nil { // same inode
			t.Fatal(err)
		}
		setOld(t, path)
		changed, _, err := src.Update(t.Context(), []string{path})
		if err != nil {
			t.Fatal(err)
		}
		got := one(t, changed)
		sameSession(t, got, fresh(t, root, now))
		if got.FirstPrompt != "Rewrite the lexer!" || src.Stats().Resets != 1 {
			t.Errorf("first prompt %q, resets %d; want the new content read whole", got.FirstPrompt, src.Stats().Resets)
		}
	})
	t.Run("rewritten in place, same size", func(t *testing.T) {
		// A secret redacted by an editor that writes in place: the same
		// inode, the same size, only the mtime says it changed.
		root := t.TempDir()
		path := install(t, root, rel, "split.jsonl")
		src, _ := scan(t, root, now)
		other := strings.Replace(string(data), "Refactor the parser", "Rewrite the lexer!!", 1)
		if len(other) != len(data) || other == string(data) {
			t.Fatal("the fixture does not hold the prompt to rewrite")
		}
		fh, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fh.WriteAt([]byte(other), 0); err != nil {
			t.Fatal(err)
		}
		fh.Close()
		if err := os.Chtimes(path, old.Add(time.Minute), old.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		changed, _, err := src.Update(t.Context(), []string{path})
		if err != nil {
			t.Fatal(err)
		}
		if len(changed) != 1 {
			t.Fatalf("the rewritten session was not updated: %d changed", len(changed))
		}
		got := one(t, changed)
		sameSession(t, got, fresh(t, root, now))
		if got.FirstPrompt != "Rewrite the lexer!!" || src.Stats().Resets != 1 {
			t.Errorf("first prompt %q, resets %d; want the new content read whole", got.FirstPrompt, src.Stats().Resets)
		}
	})
	t.Run("replaced by a longer file", func(t *testing.T) {
		root := t.TempDir()
		path := write(t, root, rel, strings.Join(lines[:2], ""))
		src, _ := scan(t, root, now)
		// Another file renamed over it: a new inode, a larger size, and
		// different first lines (the prompt changed).
		other := strings.Replace(string(data), "Refactor the parser", "Rewrite the lexer", 1)
		tmp := write(t, root, "tmp.jsonl", other)
		if err := os.Rename(tmp, path); err != nil {
			t.Fatal(err)
		}
		changed, _, err := src.Update(t.Context(), []string{path})
		if err != nil {
			t.Fatal(err)
		}
		got := one(t, changed)
		sameSession(t, got, fresh(t, root, now))
		if got.FirstPrompt != "Rewrite the lexer" || src.Stats().Resets != 1 {
			t.Errorf("first prompt %q, resets %d; want the new file read whole", got.FirstPrompt, src.Stats().Resets)
		}
	})
}
