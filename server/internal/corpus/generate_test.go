package corpus

import (
	"bufio"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A generated workspace looks like one used every day: nothing is dated
// in the future, a file's mtime is its last write (never before its
// last record), most sessions are old and only a handful recent.
func TestGeneratedDatesArePastAndSpread(t *testing.T) {
	out := t.TempDir()
	before := time.Now()
	const n = 400
	st, err := GenerateSmallRecords(out, 4<<20, n, 0, 3)
	if err != nil {
		t.Fatal(err)
	}
	after := time.Now()
	if st.Sessions != n {
		t.Fatalf("%d sessions, want %d", st.Sessions, n)
	}
	var lastHour, olderThanDay, mains int
	err = filepath.WalkDir(out, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".jsonl") {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		mtime := info.ModTime()
		if mtime.After(after) {
			t.Errorf("%s: mtime %v is in the future", filepath.Base(path), mtime)
		}
		if last := lastRecord(t, path); last.After(mtime) {
			t.Errorf("%s: last record at %v, after its mtime %v", filepath.Base(path), last, mtime)
		}
		if strings.HasPrefix(d.Name(), "agent-") || strings.Contains(path, string(filepath.Separator)+"subagents"+string(filepath.Separator)) {
			return nil
		}
		mains++
		switch age := before.Sub(mtime); {
		case age < time.Hour:
			lastHour++
		case age > 24*time.Hour:
			olderThanDay++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if mains != n {
		t.Fatalf("walked %d sessions, want %d", mains, n)
	}
	if lastHour < 1 || lastHour > 5 {
		t.Errorf("%d sessions written in the last hour, want a handful (1–5)", lastHour)
	}
	if olderThanDay < n*9/10 {
		t.Errorf("%d of %d sessions older than a day, want most", olderThanDay, n)
	}
}

// lastRecord is the latest timestamp among path's records.
func lastRecord(t *testing.T, path string) time.Time {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var last time.Time
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		var r struct{ Timestamp time.Time }
		if json.Unmarshal(sc.Bytes(), &r) == nil && r.Timestamp.After(last) {
			last = r.Timestamp
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return last
}
