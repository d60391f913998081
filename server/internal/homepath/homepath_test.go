package homepath

import (
	"path/filepath"
	"testing"
)

func TestExpand(t *testing.T) {
	home := filepath.FromSlash("/home/ann")
	for _, tc := range []struct{ in, want string }{
		{"~", home},
		{"~/", home},
		{"~/x", filepath.Join(home, "x")},
		{"~/a/../b", filepath.Join(home, "b")},
		{"/abs/~/x", "/abs/~/x"},
		{"~bob/x", "~bob/x"}, // another user's home: not guessed
		{"rel/x", "rel/x"},
		{"", ""},
	} {
		if got := Expand(tc.in, home); got != tc.want {
			t.Errorf("Expand(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := Expand("~/x", ""); got != "~/x" {
		t.Errorf("with no home: %q, want it unchanged", got)
	}
}
