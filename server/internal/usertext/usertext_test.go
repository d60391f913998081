package usertext

import (
	"bytes"
	"strings"
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

// The lines that mark pasted text go; the text, a mark inside a line,
// and anything like a mark but not one stay.
func TestStripPastes(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"<pasted_content id=\"d65e\">\nTask: extend the tool\nwith filters\n</pasted_content id=\"d65e\">", "Task: extend the tool\nwith filters\n"},
		{"look at this:\n\n  <pasted_content id=\"1\">  \nlog line\n</pasted_content>\nthanks", "look at this:\n\nlog line\nthanks"},
		{"the <pasted_content id=\"1\"> tag", "the <pasted_content id=\"1\"> tag"},
		{"<pasted_content id=\"a\"b\">\nx", "<pasted_content id=\"a\"b\">\nx"},
		{"<pasted_contents>\nx", "<pasted_contents>\nx"},
		{"<pasted_content id=\"\">\nx", "x"},
		{"plain prompt", "plain prompt"},
	} {
		if got := string(StripPastes([]byte(c.in))); got != c.want {
			t.Errorf("StripPastes(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// StripPastes only ever drops whole lines that are marks: what it keeps
// is the input's other lines in order, and a second pass changes nothing.
func FuzzStripPastes(f *testing.F) {
	f.Add("<pasted_content id=\"d65e\">\nTask\n</pasted_content id=\"d65e\">")
	f.Add("a\n</pasted_content>\r\n\n<pasted_content id=\"x\"y\">")
	f.Fuzz(func(t *testing.T, in string) {
		out := string(StripPastes([]byte(in)))
		var kept []string
		for _, l := range strings.SplitAfter(in, "\n") {
			if !isPasteMark(bytes.TrimSpace([]byte(l))) {
				kept = append(kept, l)
			}
		}
		if want := strings.Join(kept, ""); out != want {
			t.Fatalf("StripPastes(%q) = %q, want %q", in, out, want)
		}
		if again := string(StripPastes([]byte(out))); again != out {
			t.Fatalf("a second pass over %q gave %q", out, again)
		}
	})
}
