package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vibecraft.sh/helm/server/internal/corpus"
)

func TestCorpusIsSeededRealisticAndSized(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	for _, dir := range []string{a, b} {
		// A fixed -end: counted from now, the two runs differed whenever
		// a minute turned between them.
		if err := run([]string{"-out", dir, "-size", "3MB", "-sessions", "40", "-seed", "7", "-end", "2026-11-30T09:15:00Z"}); err != nil {
			t.Fatal(err)
		}
	}
	var total int64
	types := map[string]int{}
	files := 0
	err := filepath.WalkDir(a, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		other, err := os.ReadFile(filepath.Join(b, strings.TrimPrefix(path, a)))
		if err != nil || !bytes.Equal(data, other) {
			t.Fatalf("%s differs between two runs with the same seed", path)
		}
		total += int64(len(data))
		for _, line := range bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n")) {
			var rec struct{ Type string }
			if err := json.Unmarshal(line, &rec); err != nil {
				t.Fatalf("%s: invalid line: %v", path, err)
			}
			types[rec.Type]++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 40 {
		t.Fatalf("%d files for 40 sessions", files)
	}
	if total < 2<<20 || total > 5<<20 {
		t.Fatalf("wrote %d bytes for a 3 MB corpus", total)
	}
	for _, typ := range []string{"user", "assistant", "system", "ai-title", "file-history-snapshot"} {
		if types[typ] == 0 {
			t.Errorf("no %s records: %v", typ, types)
		}
	}
	subs, _ := filepath.Glob(filepath.Join(a, "projects", "*", "*", "subagents", "*.jsonl"))
	legacy, _ := filepath.Glob(filepath.Join(a, "projects", "*", "agent-*.jsonl"))
	if len(subs) == 0 || len(legacy) == 0 {
		t.Errorf("want both subagent layouts: %d nested, %d legacy", len(subs), len(legacy))
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"2GB": 2 << 30, "500mb": 500 << 20, "10KB": 10 << 10, "123": 123, "1.5MB": 3 << 19} {
		if got, err := corpus.ParseSize(in); err != nil || got != want {
			t.Errorf("corpus.ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "-1GB", "lots"} {
		if _, err := corpus.ParseSize(bad); err == nil {
			t.Errorf("corpus.ParseSize(%q) should fail", bad)
		}
	}
}

// TestEndDatesTheTree: the dates count back from -end, so a tree made a
// minute later differs, and an -end that is not RFC 3339 is refused.
func TestEndDatesTheTree(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	for dir, end := range map[string]string{a: "2026-11-30T09:15:00Z", b: "2026-11-30T09:16:00Z"} {
		if err := run([]string{"-out", dir, "-size", "64KB", "-sessions", "2", "-seed", "7", "-end", end}); err != nil {
			t.Fatal(err)
		}
	}
	pa, _ := filepath.Glob(filepath.Join(a, "projects", "*", "*.jsonl"))
	if len(pa) == 0 {
		t.Fatal("no transcript written")
	}
	da, errA := os.ReadFile(pa[0])
	db, errB := os.ReadFile(filepath.Join(b, strings.TrimPrefix(pa[0], a)))
	if errA != nil || errB != nil || bytes.Equal(da, db) {
		t.Fatalf("a tree ending a minute later is the same (%v, %v)", errA, errB)
	}
	if err := run([]string{"-out", t.TempDir(), "-end", "yesterday"}); err == nil || !strings.Contains(err.Error(), "-end") {
		t.Fatalf("-end yesterday: %v", err)
	}
}
