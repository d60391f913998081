package md

import (
	"strings"
	"testing"
)

func TestQuotes(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"one paragraph", "> said\n> more\n\nreply", "q{p(said\nmore)} p(reply)"},
		{"no space after the marker", ">a\n>b", "q{p(a\nb)}"},
		{"several paragraphs", "> a\n>\n> b", "q{p(a) p(b)}"},
		{"a list", "> Steps:\n> 1. one\n> 2. two\n>    - sub", "q{p(Steps:) ol1[li{p(one)} li{p(two) ul[li{p(sub)}]}]}"},
		{"a fence keeps its text", "> ```go\n> x := `*a*`\n>\n> ```\nafter", "q{code:go(x := `*a*`\n)} p(after)"},
		{"a heading", "> # Title\n> text", "q{h1(Title) p(text)}"},
		{"a table", "> | a | b |\n> |---|--:|\n> | 1 | 2 |", "q{t-r[a¦b][1¦2]}"},
		{"nested", "> a\n> > b\n> > > c\n> d", "q{p(a) q{p(b) q{p(c\nd)}}}"},
		{"nested, back out after a blank", "> > b\n>\n> c", "q{q{p(b)} p(c)}"},
		{"interrupts a paragraph", "text\n> q", "p(text) q{p(q)}"},
		{"a blank line ends it", "> a\n\n> b", "q{p(a)} q{p(b)}"},
		{"indented three is a quote", "   > a", "q{p(a)}"},
		{"indented four is not", "a\n    > b", "p(a\n    > b)"},
		{"in a list item", "- a\n  > q\n  > - x\n- b", "ul[li{p(a) q{p(q) ul[li{p(x)}]}} li{p(b)}]"},
		{"an item's lazy line does not take a quote", "- a\n> q", "ul[li{p(a)}] q{p(q)}"},
		// Lazy lines, as in CommonMark: a paragraph goes on unmarked.
		{"lazy line", "> a\nb\n\nc", "q{p(a\nb)} p(c)"},
		{"lazy line in a nested quote", "> > a\nb", "q{q{p(a\nb)}}"},
		{"lazy line in a list item", "> - a\nb", "q{ul[li{p(a\nb)}]}"},
		{"no lazy line after a fence", "> ```\n> x\ny", "q{code:(x)} p(y)"},
		{"no lazy line after a heading", "> # h\ny", "q{h1(h)} p(y)"},
		{"no lazy line after a blank", "> a\n>\ny", "q{p(a)} p(y)"},
		{"a block ends the lazy run", "> a\n- b", "q{p(a)} ul[li{p(b)}]"},
		{"a heading ends the lazy run", "> a\n# h", "q{p(a)} h1(h)"},
		{"html is text", "> <script>alert(1)</script>", "q{p(<script>alert(1)</script>)}"},
		{"deeper than the limit is text", "> > > > > > > x",
			"q{q{q{q{q{p(> > x)}}}}}"},
		{"quotes and lists share the limit", "- > - > - > x",
			"ul[li{q{ul[li{q{ul[li{p(> x)}]}}]}}]"},
		{"an indented lazy line is text", "> a\n    > b", "q{p(a\n    > b)}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := dump(Parse(tt.src)); got != tt.want {
				t.Fatalf("Parse(%q)\n got %s\nwant %s", tt.src, got, tt.want)
			}
		})
	}
}

// Hostile quotes stay cheap and shallow, and keep their text.
func TestHostileQuotes(t *testing.T) {
	deep := strings.Repeat(">", 10000) + " x"
	b := Parse(deep)
	if err := checkTree(b); err != nil {
		t.Fatal(err)
	}
	inner := b
	for range maxDepth {
		if len(inner) != 1 || inner[0].Kind != Quote {
			t.Fatalf("10,000 nested: got %s", dump(inner)[:min(80, len(dump(inner)))])
		}
		inner = inner[0].Blocks
	}
	if want := strings.Repeat(">", 10000-maxDepth) + " x"; len(inner) != 1 || flat(inner[0].Inlines) != want {
		t.Fatalf("10,000 nested: the innermost quote's text is not kept")
	}

	var stairs strings.Builder // "> a", "> > a", "> > > a"… one more each line
	for i := range 2000 {
		stairs.WriteString(strings.Repeat("> ", i+1) + "a\n")
	}
	if err := checkTree(Parse(stairs.String())); err != nil {
		t.Fatal(err)
	}

	long := strings.Repeat("> line\n", 5000)
	if got := dump(Parse(long)); got != "q{p("+strings.TrimSuffix(strings.Repeat("line\n", 5000), "\n")+")}" {
		t.Fatalf("5,000 lines: got %.80s…", got)
	}
	paras := strings.Repeat("> a\n>\n", 5000)
	b = Parse(paras)
	if err := checkTree(b); err != nil {
		t.Fatal(err)
	}
	// The quote holds paragraphs up to the limit, then the rest as one.
	if len(b) != 1 || len(b[0].Blocks) != maxBlocks+1 {
		t.Fatalf("5,000 paragraphs: got %d blocks, the quote %d, want the quote of %d", len(b), len(b[0].Blocks), maxBlocks+1)
	}
	if rest := flat(b[0].Blocks[maxBlocks].Inlines); rest != strings.TrimSuffix(strings.Repeat("a\n\n", 5000-maxBlocks), "\n") {
		t.Fatalf("5,000 paragraphs: the rest is %.40q…", rest)
	}
}
