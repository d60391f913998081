package claude

import (
	"bytes"
	"strings"
	"testing"
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
