package shared

import (
	"bytes"
	"strings"
	"testing"
)

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
