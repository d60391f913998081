package claude

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/fixture"
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
	if got.MessageCount != 5 || got.Tokens.Output != 422 {
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
	t.Run("rewritten in place, longer, same byte at the old end", func(t *testing.T) {
		// Another conversation (another prompt, other record uuids)
		// whose lines have the old lines' lengths, so the old end is
		// still just after a '\n': only the bytes the read stopped
		// after tell this rewrite from an append.
		root := t.TempDir()
		path := write(t, root, rel, strings.Join(lines[:3], ""))
		src, _ := scan(t, root, now)
		if got := one(t, src.Sessions()); got.FirstPrompt != "Refactor the parser" {
			t.Fatalf("first prompt %q before the rewrite", got.FirstPrompt)
		}
		end := len(strings.Join(lines[:3], ""))
		other := strings.Replace(string(data), "Refactor the parser", "Rewrite the lexer!!", 1)
		other = strings.NewReplacer(`"uuid":"a`, `"uuid":"b`, `"uuid":"u`, `"uuid":"v`).Replace(other)
		if len(other) != len(data) || other[end-1] != '\n' || other[end-64:end] == string(data[end-64:end]) {
			t.Fatal("the rewrite must change the lines read and keep their lengths")
		}
		fh, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fh.WriteAt([]byte(other), 0); err != nil { // same inode, over the old bytes
			t.Fatal(err)
		}
		if err := fh.Close(); err != nil {
			t.Fatal(err)
		}
		setOld(t, path)
		changed, _, err := src.Update(t.Context(), []string{path})
		if err != nil {
			t.Fatal(err)
		}
		got := one(t, changed)
		sameSession(t, got, fresh(t, root, now))
		// The old first prompt gone, the new lines there.
		if got.FirstPrompt != "Rewrite the lexer!!" || got.MessageCount != 5 || src.Stats().Resets != 1 {
			t.Errorf("first prompt %q, %d messages, resets %d; want the new content read whole (5 messages)", got.FirstPrompt, got.MessageCount, src.Stats().Resets)
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

// TestAppendAfterLongLine checks that what a read stopped after is
// remembered right when its last line came in more than one buffer (its
// last piece shorter than the bytes compared) or was blank: the append
// that follows is read alone, not taken for a rewrite.
func TestAppendAfterLongLine(t *testing.T) {
	const now = "2026-03-02T12:20:00Z"
	const cwd = "/home/dev/long"
	t0 := at("2026-03-02T09:00:00Z")
	root := t.TempDir()
	path := fixture.Path(root, cwd, sidStatus)
	// A prompt line whose last buffer holds 20 bytes of it.
	base := len(fixture.User(sidStatus, cwd, "", t0))
	long := fixture.User(sidStatus, cwd, strings.Repeat("x", 2*readBufSize+20-base), t0)
	if len(long) != 2*readBufSize+20 {
		t.Fatalf("the long line is %d bytes", len(long))
	}
	fixture.Append(t, path, long)
	setOld(t, path)
	src, out := scan(t, root, now)
	if got := one(t, out); got.MessageCount != 1 {
		t.Fatalf("%d messages before the appends, want 1", got.MessageCount)
	}
	for i, add := range []string{
		fixture.Assistant(sidStatus, cwd, "msg_1", "end_turn", t0.Add(time.Second)),
		"\n",
		fixture.User(sidStatus, cwd, "go on", t0.Add(2*time.Second)),
	} {
		before := src.Stats().BytesRead
		appendTo(t, path, add)
		if _, _, err := src.Update(t.Context(), []string{path}); err != nil {
			t.Fatal(err)
		}
		if read := src.Stats().BytesRead - before; read != int64(len(add)) {
			t.Errorf("append %d: read %d bytes, want %d", i, read, len(add))
		}
	}
	got := one(t, src.Sessions())
	sameSession(t, got, fresh(t, root, now))
	if st := src.Stats(); st.Resets != 0 || got.MessageCount != 3 {
		t.Errorf("resets %d, %d messages; want 0, 3", st.Resets, got.MessageCount)
	}
}
