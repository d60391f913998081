package jsonstr

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestUnescape(t *testing.T) {
	for _, tt := range []struct{ raw, want string }{
		{``, ``},
		{`plain text`, `plain text`},
		{`a\nb\tc\r\"d\\e\/f\bg\fh`, "a\nb\tc\r\"d\\e/f\bg\fh"},
		{`\u00e9t\u00C9`, "étÉ"},
		{`\ud83d\ude00!`, "😀!"},                       // a surrogate pair
		{`\ud83d!`, "\uFFFD!"},                        // a lone high surrogate
		{`\ude00`, "\uFFFD"},                          // a lone low surrogate
		{`\ud83d\u0041`, "\uFFFDA"},                   // a high surrogate before another escape: that one read on its own
		{"caf\xc3\xa9 \xff\xfe", "café \uFFFD\uFFFD"}, // invalid UTF-8, byte by byte
		{"日本語の\\n文章", "日本語の\n文章"},                     // non-ASCII runs
		{`cut at \`, `cut at `},                       // a capture cut mid-escape
		{`cut at \u00`, `cut at `},
		{`\q`, `q`}, // not JSON: its byte kept
	} {
		if got := string(Unescape(nil, []byte(tt.raw))); got != tt.want {
			t.Errorf("Unescape(%q) = %q, want %q", tt.raw, got, tt.want)
		}
	}
	if got := string(Unescape([]byte("kept:"), []byte(`\n`))); got != "kept:\n" {
		t.Errorf("appends to dst: %q", got)
	}
}

// A long text of runes outside ASCII and no escape decodes to itself,
// into a buffer large enough without allocating. (A search for the next
// backslash from each rune, looking at the rest of the text each time,
// would take this test minutes: PlainRun looks at each byte once.)
func TestUnescapeLongNonASCII(t *testing.T) {
	raw := []byte(strings.Repeat("日本語", 200_000)) // 1.8 MB
	dst := make([]byte, 0, len(raw))
	allocs := testing.AllocsPerRun(1, func() {
		if got := Unescape(dst[:0], raw); string(got) != string(raw) {
			t.Fatalf("%d bytes out of %d, or others", len(got), len(raw))
		}
	})
	if allocs > 0 {
		t.Errorf("%v allocations into a buffer large enough", allocs)
	}
}

// FuzzUnescape: the body of every valid JSON string decodes as
// encoding/json decodes it.
func FuzzUnescape(f *testing.F) {
	for _, s := range []string{"plain", `a\nb`, `\u00e9`, `\ud83d\ude00`, `\ud83d`, `\ude00\ud83d`, `\ud83d\u0041`,
		"\xff", "日本", `\/\b\f\r\t\"\\`, `\u0000`, `\uDBFF\uDFFF`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		quoted := []byte(`"` + body + `"`)
		if !json.Valid(quoted) {
			return
		}
		var want string
		if err := json.Unmarshal(quoted, &want); err != nil {
			t.Fatal(err)
		}
		got := Unescape(nil, []byte(body))
		if string(got) != want {
			t.Fatalf("Unescape(%q) = %q; encoding/json: %q", body, got, want)
		}
		if !utf8.Valid(got) {
			t.Fatalf("Unescape(%q) is not UTF-8: %q", body, got)
		}
	})
}
