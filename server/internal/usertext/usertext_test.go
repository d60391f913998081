package usertext

import (
	"bytes"
	"testing"
)

func TestStripIDE(t *testing.T) {
	tests := []struct{ in, want string }{
		{"fix it", "fix it"},
		{"<ide_opened_file>The user opened a.go</ide_opened_file>\nfix it", "\nfix it"},
		{"  <ide_selection>x</ide_selection><ide_opened_file attr=\"1\">y</ide_opened_file> do", " do"},
		{"<ide_opened_file>only context</ide_opened_file>", ""},
		{"<ide_selection>cut at the capture limit", ""},
		{"<ide_selection", ""},
		{"<ide_a>x</ide_b>", ""},
		{"text <ide_selection>x</ide_selection>", "text <ide_selection>x</ide_selection>"},
		{"<idea>not a block</idea>", "<idea>not a block</idea>"},
	}
	for _, tc := range tests {
		if got := string(StripIDE([]byte(tc.in))); got != tc.want {
			t.Errorf("StripIDE(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzStripIDE also classifies what it strips: hostile text must
// never crash Of.
func FuzzStripIDE(f *testing.F) {
	f.Add([]byte("<ide_opened_file>a</ide_opened_file> b"))
	f.Add([]byte("<ide_<ide_x>></ide_<ide_x>>"))
	f.Add([]byte("<ide_selection>x</ide_selection> <bash-input>ls</bash-input>"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if got := StripIDE(b); !bytes.HasSuffix(b, got) {
			t.Fatalf("StripIDE(%q) = %q, not a suffix", b, got)
		}
		if k := Of(b); k > Hidden {
			t.Fatalf("Of(%q) = %d, not a kind", b, k)
		}
	})
}

// A queued_command attachment is the user's prompt only when a person
// typed it: a human origin, or no origin and the prompt mode; never a
// task notification's, a bash-mode input's, an unknown origin's, or one
// that says nothing of either.
func TestQueuedByUser(t *testing.T) {
	b := func(s string) []byte {
		if s == "-" {
			return nil
		}
		return []byte(s)
	}
	for _, c := range []struct {
		mode, origin string
		want         bool
	}{
		{"prompt", "human", true},
		{"-", "human", true},
		{"prompt", "-", true},
		{"task-notification", "task-notification", false},
		{"prompt", "task-notification", false},
		{"bash", "human", false},
		{"prompt", "hook", false},
		{"prompt", "", false},
		{"-", "-", false},
	} {
		if got := QueuedByUser(b(c.mode), b(c.origin)); got != c.want {
			t.Errorf("mode %q origin %q: %v, want %v", c.mode, c.origin, got, c.want)
		}
	}
}
