package md

import (
	"strings"
	"testing"
	"time"
)

// A hostile line of a megabyte parses in time linear in its length:
// messages of megabytes are rendered in the browser, on every update.
func TestHostileLinesAreLinear(t *testing.T) {
	const mb = 1 << 20
	tests := []struct{ name, src string }{
		{"<", strings.Repeat("<", mb)},
		{"[", strings.Repeat("[", mb)},
		{"[a", strings.Repeat("[a", mb/2)},
		{"(", strings.Repeat("(", mb)},
		{"<a", strings.Repeat("<a", mb/2) + ">"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			within(t, 2*time.Second, func() { Parse(tt.src) })
		})
	}
}

// within fails the test when f takes longer than d. Linear work on these
// inputs takes milliseconds, quadratic work many seconds, so the bound
// leaves room for a slow machine and -race. It does not wait for a slow
// f to end, so that the failure shows at once.
func within(t *testing.T, d time.Duration, f func()) {
	t.Helper()
	done := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("not done after %v", d)
	}
	t.Logf("took %v", time.Since(start))
}
