package logbuf

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

func TestBuffer(t *testing.T) {
	tests := []struct {
		name   string
		max    int
		writes []string
		want   string
	}{
		{"zero value keeps all", 0, []string{"a\n", "b\n"}, "a\nb\n"},
		{"under the bound", 10, []string{"abc", "def"}, "abcdef"},
		{"over the bound", 4, []string{"abc", "def", "gh"}, "abcd\n[4 more bytes of log not kept]\n"},
		{"markup is kept as text", 0, []string{"<script>x</script>"}, "<script>x</script>"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var tee strings.Builder
			l := &Buffer{Max: tc.max, Tee: &tee}
			for _, w := range tc.writes {
				if n, err := l.Write([]byte(w)); n != len(w) || err != nil {
					t.Fatalf("write %q: %d, %v", w, n, err)
				}
			}
			if got := l.String(); got != tc.want {
				t.Errorf("kept %q, want %q", got, tc.want)
			}
			if tee.String() != strings.Join(tc.writes, "") {
				t.Errorf("the tee got %q", tee.String())
			}
		})
	}
}

// TestBufferConcurrent: writers on many goroutines lose nothing (run with
// -race).
func TestBufferConcurrent(t *testing.T) {
	var l Buffer
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 100 {
				fmt.Fprintf(&l, "%d.%d\n", i, j)
				_ = l.String()
			}
		}()
	}
	wg.Wait()
	if n := strings.Count(l.String(), "\n"); n != 800 {
		t.Fatalf("%d lines, want 800", n)
	}
}
