package md

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseBlocks(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []Kind
	}{
		{"empty", "", nil},
		{"paragraphs", "a\nb\n\nc", []Kind{Para, Para}},
		{"fence", "intro\n```go\nx := 1\n```\nafter", []Kind{Para, Code, Para}},
		{"unclosed fence runs to the end", "```\n<script>alert(1)</script>\n\n# not a heading", []Kind{Code}},
		{"heading", "# Title\ntext", []Kind{Heading, Para}},
		{"not a heading", "#hashtag", []Kind{Para}},
		{"list", "- a\n- b\n  - c\n\n1. one\n2. two", []Kind{List, List}},
		{"quote", "> said\n> more\n\nreply", []Kind{Quote, Para}},
		{"rule is text", "- - -", []Kind{Para}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []Kind
			for _, b := range Parse(tt.src) {
				got = append(got, b.Kind)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Parse(%q) kinds = %v, want %v", tt.src, got, tt.want)
			}
		})
	}
}

func TestFenceKeepsCodeVerbatim(t *testing.T) {
	b := Parse("```sh\n  echo '<img src=x onerror=alert(1)>'\n*not em*\n```")
	if len(b) != 1 || b[0].Kind != Code || b[0].Lang != "sh" {
		t.Fatalf("got %+v", b)
	}
	if want := "  echo '<img src=x onerror=alert(1)>'\n*not em*"; b[0].Text != want {
		t.Fatalf("code = %q, want %q", b[0].Text, want)
	}
}

func TestListDepthAndOrder(t *testing.T) {
	b := Parse("3. x\n   continued\n  1. y")
	if len(b) != 1 || !b[0].Ordered || len(b[0].Items) != 2 {
		t.Fatalf("got %+v", b)
	}
	if b[0].Items[1].Depth != 1 {
		t.Fatalf("nested item depth = %d, want 1", b[0].Items[1].Depth)
	}
	if got := flat(b[0].Items[0].Inlines); got != "x\ncontinued" {
		t.Fatalf("continuation = %q", got)
	}
}

func flat(ins []Inline) string {
	var s strings.Builder
	for _, in := range ins {
		s.WriteString(in.Text)
	}
	return s.String()
}

func TestParseInline(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []Inline
	}{
		{"text", "plain", []Inline{{Kind: Text, Text: "plain"}}},
		{"code", "run `go test` now", []Inline{{Text: "run "}, {Kind: CodeSpan, Text: "go test"}, {Text: " now"}}},
		{"code keeps markup", "`<b>*x*</b>`", []Inline{{Kind: CodeSpan, Text: "<b>*x*</b>"}}},
		{"unclosed code", "a `b", []Inline{{Text: "a `b"}}},
		{"em strong", "*a* and **b**", []Inline{{Kind: Em, Text: "a"}, {Text: " and "}, {Kind: Strong, Text: "b"}}},
		{"snake_case stays", "my_var_name", []Inline{{Text: "my_var_name"}}},
		{"lone star", "2 * 3 = 6", []Inline{{Text: "2 * 3 = 6"}}},
		{"escape", `\*not\*`, []Inline{{Text: "*not*"}}},
		{"http link", "[docs](https://example.com/a?b=1)", []Inline{{Kind: Link, Text: "docs", Href: "https://example.com/a?b=1"}}},
		{"autolink", "<http://x.test/>", []Inline{{Kind: Link, Text: "http://x.test/", Href: "http://x.test/"}}},
		{"javascript link has no href", "[x](javascript:alert(1))", []Inline{{Kind: Link, Text: "x"}, {Text: ")"}}},
		{"JaVaScRiPt with spaces", "[x]( JaVaScRiPt:alert(1) )", []Inline{{Kind: Link, Text: "x"}, {Text: " )"}}},
		{"data link has no href", "[x](data:text/html,<script>)", []Inline{{Kind: Link, Text: "x"}}},
		{"relative link has no href", "[x](/etc/passwd)", []Inline{{Kind: Link, Text: "x"}}},
		{"credentials in url refused", "[x](https://u:p@evil.test/)", []Inline{{Kind: Link, Text: "x"}}},
		{"html tag is text", "<script>alert(1)</script>", []Inline{{Text: "<script>alert(1)</script>"}}},
		{"img onerror is text", `<img src=x onerror="window.__pwned=1">`, []Inline{{Text: `<img src=x onerror="window.__pwned=1">`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ParseInline(tt.src)
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("ParseInline(%q)\n got %+v\nwant %+v", tt.src, got, tt.want)
			}
		})
	}
}

// Hostile input stays bounded: the tree never nests, and its size is
// capped whatever the text.
func TestHostileInputIsBounded(t *testing.T) {
	tests := []struct {
		name string
		src  string
	}{
		{"deep quotes", strings.Repeat(">", 100000) + " x"},
		{"deep lists", strings.Repeat("  - x\n", 50000)},
		{"many stars", strings.Repeat("*", 100000)},
		{"nested emphasis", strings.Repeat("*_", 50000) + "x" + strings.Repeat("_*", 50000)},
		{"many brackets", strings.Repeat("[", 100000) + "](http://x.test)"},
		{"many fences", strings.Repeat("```\n", 10001)},
		{"many paragraphs", strings.Repeat("a\n\n", 100000)},
		{"many code spans", strings.Repeat("`a` ", 100000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			blocks := Parse(tt.src)
			if len(blocks) > maxBlocks+1 {
				t.Fatalf("%d blocks, want at most %d", len(blocks), maxBlocks+1)
			}
			total := 0
			for _, b := range blocks {
				total += len(b.Inlines) + len(b.Items)
				if len(b.Items) > maxItems {
					t.Fatalf("%d items", len(b.Items))
				}
				for _, it := range b.Items {
					if it.Depth > maxDepth {
						t.Fatalf("depth %d", it.Depth)
					}
				}
			}
			if total > maxBlocks*maxInlines {
				t.Fatalf("%d spans", total)
			}
		})
	}
}

func TestCleanShowsBidiControls(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"rm \u202Etxt.exe", "rm [U+202E]txt.exe"},
		{"a\u2066b\u2069c", "a[U+2066]b[U+2069]c"},
		{"עברית", "עברית"}, // right-to-left text itself is fine
	}
	for _, tt := range tests {
		if got := Clean(tt.in); got != tt.want {
			t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"# h\n- a\n```x\ny", "[a](https://b) *c* `d`", "<script>", "> q\n1. x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, b := range Parse(s) {
			for _, in := range b.Inlines {
				if in.Href != "" && !strings.HasPrefix(strings.ToLower(in.Href), "http") {
					t.Fatalf("unsafe href %q from %q", in.Href, s)
				}
			}
			for _, it := range b.Items {
				for _, in := range it.Inlines {
					if in.Href != "" && !strings.HasPrefix(strings.ToLower(in.Href), "http") {
						t.Fatalf("unsafe href %q from %q", in.Href, s)
					}
				}
			}
		}
	})
}
