package jsonread

import (
	"encoding/json"
	"strings"
	"testing"
)

var seeds = []string{
	`{"a":1,"b":[true,false,null,-0.5e+3,"x\u00e9\"\\\/\b\f\n\r\t"],"c":{}}`, `[]`, `"plain"`, `0`, `-`, `01`, `1.`,
	`1e`, `tru`, `nul`, `{"a" 1}`, `{"a":1,}`, `[1,]`, "\"a\x01\"", `"\x"`, `"\u12"`, `"\ud800"`, "\"\xff\"", ` [ 1 , 2 ] `,
	`{"é":1}`, `{"a\u0062":1}`, strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1),
}

// What the reader takes as one value, encoding/json takes too: it never
// lets through a text encoding/json would refuse.
func FuzzValue(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		d := New(b)
		if d.Value(0) && d.End() && !json.Valid(b) {
			t.Fatalf("took %q, which encoding/json refuses", b)
		}
	})
}

// A string read into a Go string is the one encoding/json decodes.
func FuzzStringInto(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var got string
		d := New(b)
		if !d.StringInto(&got) || !d.End() {
			return
		}
		var want string
		if err := json.Unmarshal(b, &want); err != nil || got != want {
			t.Fatalf("%q: read %q; encoding/json %q, %v", b, got, want, err)
		}
	})
}

// The reader takes the values it is for: without this, the fuzz tests
// above would pass a reader that refused everything.
func TestReaderTakesPlainJSON(t *testing.T) {
	for _, s := range []string{seeds[0], `[]`, `"plain"`, `0`, ` [ 1 , 2 ] `, `{"a":{"b":[{"c":"d"}]}}`,
		strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth)} {
		if d := New([]byte(s)); !d.Value(0) || !d.End() {
			t.Errorf("refused %s", s)
		}
	}
	for _, s := range []string{`{"é":1}`, `{"a\u0062":1}`, strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1)} {
		if d := New([]byte(s)); d.Value(0) && d.End() {
			t.Errorf("took %s, which its decoders leave to encoding/json", s)
		}
	}
}

// Str finds each byte it must look at wherever it falls in the eight it
// reads at once, after any byte whose borrow could mark another: every
// byte value, at every place of a 24-byte body, after each such byte.
func TestStrStopsAtEverySpecialByte(t *testing.T) {
	for _, before := range []byte{'a', 0x00, 0x1f, '"' - 1, '\\' + 1, 0x7f, 0x80} {
		for c := range 256 {
			for at := range 24 {
				body := []byte(strings.Repeat("a", 24))
				if at > 0 {
					body[at-1] = before
				}
				body[at] = byte(c)
				text := append(append([]byte{'"'}, body...), "\" a"...)
				d := New(text)
				got, plain, ok := d.Str()
				want, wantOK := firstString(text)
				if ok != wantOK || ok && (string(got) != string(want) || plain != isPlain(got)) {
					t.Fatalf("%q: read %q (plain %v, ok %v), want %q (ok %v)", text, got, plain, ok, want, wantOK)
				}
			}
		}
	}
}

// firstString is the body of the string text starts with, found a byte
// at a time; false when encoding/json would refuse that string.
func firstString(text []byte) ([]byte, bool) {
	for j := 1; j < len(text); j++ {
		switch text[j] {
		case '"':
			return text[1:j], json.Valid(text[:j+1])
		case '\\':
			j++
		}
	}
	return nil, false
}

func isPlain(b []byte) bool {
	for _, c := range b {
		if c == '\\' || c >= 0x80 {
			return false
		}
	}
	return true
}
