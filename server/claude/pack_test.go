package claude

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/corpus"
	"vibecraft.sh/helm/shared"
)

// What a pack returns is what it was given, and stays so while the pack
// goes on filling its chunk: no value overlaps another, and an append to
// one copies rather than writing over the next.
func TestPackKeepsEachValue(t *testing.T) {
	var p pack
	var got []string
	var blobs [][]byte
	var want []string
	for i := range 2000 { // several chunks
		v := strings.Repeat(string(rune('a'+i%26)), i%300)
		want = append(want, v)
		got = append(got, p.string([]byte(v)))
		blobs = append(blobs, p.bytes([]byte(v)))
	}
	big := bytes.Repeat([]byte("z"), packAlone+1)
	bigCopy := p.bytes(big)
	big[0] = 'y'
	for i, b := range blobs {
		if cap(b) != len(b) {
			t.Fatalf("value %d: capacity %d beyond its length %d: an append would write over the next", i, cap(b), len(b))
		}
		_ = append(b, '!') // must copy
	}
	for i := range want {
		if got[i] != want[i] || string(blobs[i]) != want[i] {
			t.Fatalf("value %d: %q and %q, want %q", i, got[i], blobs[i], want[i])
		}
	}
	if bigCopy[0] != 'z' || len(bigCopy) != packAlone+1 {
		t.Fatal("a large value was not copied")
	}
	var none *pack
	if s := none.string([]byte("x")); s != "x" {
		t.Fatalf("nil pack: %q", s)
	}
	if b := none.bytes([]byte("x")); string(b) != "x" {
		t.Fatalf("nil pack: %q", b)
	}
}

// A cold scan of many files packs the prompts and id sets it keeps: what
// it finds must be exactly what a scan that packs nothing finds, at first
// and after the transcripts grow (a packed id set is read back then).
func TestPackedScanMatchesUnpacked(t *testing.T) {
	root := t.TempDir()
	st, err := corpus.GenerateSmallRecords(root, 4<<20, 300, 3, 11)
	if err != nil {
		t.Fatal(err)
	}
	if st.Sessions < packMinFiles {
		t.Fatalf("%d sessions: too few for a scan to pack", st.Sessions)
	}
	// One clock for both: the newest sessions end about now, and a scan
	// that came seconds later could rightly age one's status (20 s later
	// fails this test).
	now := time.Now()
	clock := func() time.Time { return now }
	packed := New(Options{Roots: []string{root}, Now: clock})
	got, err := packed.Scan(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	old := packMinFiles
	packMinFiles = math.MaxInt
	plain := New(Options{Roots: []string{root}, Now: clock})
	want, err := plain.Scan(t.Context())
	packMinFiles = old
	if err != nil {
		t.Fatal(err)
	}
	same := func(when string, got, want []shared.Session) {
		t.Helper()
		byKey := func(a, b shared.Session) int { return strings.Compare(a.ID, b.ID) }
		slices.SortFunc(got, byKey)
		slices.SortFunc(want, byKey)
		if len(got) != st.Sessions || !slices.Equal(got, want) {
			t.Fatalf("%s: packed scan found %d sessions, unpacked %d, or they differ", when, len(got), len(want))
		}
	}
	same("scan", got, want)
	compacted := 0
	for _, f := range packed.reg.files {
		if f.agg.lazy != nil {
			compacted++
		}
	}
	if compacted == 0 {
		t.Fatal("no file compacted: no packed id set to read back")
	}

	var dirs []string
	grown := 0
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".jsonl" || grown == 40 {
			return err
		}
		sid := strings.TrimSuffix(filepath.Base(path), ".jsonl")
		appendTo(t, path, assistantLine(sid, "2026-03-02T11:00:00Z", "grown"+sid, sonnet45, `{"input_tokens":7,"output_tokens":3}`))
		dirs = append(dirs, filepath.Dir(path))
		grown++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, src := range []*Source{packed, plain} {
		if _, _, err := src.Update(t.Context(), dirs); err != nil {
			t.Fatal(err)
		}
	}
	same("after growing", packed.Sessions(), plain.Sessions())
}
