package md

import (
	"fmt"
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
		{"rule", "- - -", []Kind{Rule}},
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

// dump writes the tree as a short string, what a reader would see of
// its structure: p(text), code:lang(text), h2(text), hr, q{…} (a quote),
// ul[li{…} …], ol3[…] (an ordered list and its start), li[x]{…} (a
// ticked task item).
func dump(blocks []Block) string {
	var s strings.Builder
	for i, b := range blocks {
		if i > 0 {
			s.WriteByte(' ')
		}
		switch b.Kind {
		case Para:
			fmt.Fprintf(&s, "p(%s)", flat(b.Inlines))
		case Code:
			fmt.Fprintf(&s, "code:%s(%s)", b.Lang, b.Text)
		case Heading:
			fmt.Fprintf(&s, "h%d(%s)", b.Level, flat(b.Inlines))
		case Rule:
			s.WriteString("hr")
		case Quote:
			fmt.Fprintf(&s, "q{%s}", dump(b.Blocks))
		case List:
			if b.Ordered {
				fmt.Fprintf(&s, "ol%d[", b.Start)
			} else {
				s.WriteString("ul[")
			}
			for j, it := range b.Items {
				if j > 0 {
					s.WriteByte(' ')
				}
				box := ""
				if it.Task {
					box = map[bool]string{false: "[ ]", true: "[x]"}[it.Checked]
				}
				fmt.Fprintf(&s, "li%s{%s}", box, dump(it.Blocks))
			}
			s.WriteByte(']')
		case Table:
			s.WriteByte('t')
			for _, a := range b.Align {
				s.WriteByte("-lcr"[a])
			}
			dumpRow(&s, b.Head)
			for _, r := range b.Rows {
				dumpRow(&s, r)
			}
		}
	}
	return s.String()
}

func TestLists(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"bullets under a number", "1. first\n2. second\n   - alpha\n   - beta\n3. third",
			"ol1[li{p(first)} li{p(second) ul[li{p(alpha)} li{p(beta)}]} li{p(third)}]"},
		{"bullets two in under a number", "1. first\n  - alpha\n  - beta\n2. second",
			"ol1[li{p(first) ul[li{p(alpha)} li{p(beta)}]} li{p(second)}]"},
		{"numbers under a bullet", "- a\n  1. one\n  2. two\n- b",
			"ul[li{p(a) ol1[li{p(one)} li{p(two)}]} li{p(b)}]"},
		{"three levels", "- a\n  - b\n    - c\n- d",
			"ul[li{p(a) ul[li{p(b) ul[li{p(c)}]}]} li{p(d)}]"},
		{"start kept", "3. x\n4. y", "ol3[li{p(x)} li{p(y)}]"},
		{"start kept in a sub-list", "- a\n  1. x\n\n  text\n\n  7. y",
			"ul[li{p(a) ol1[li{p(x)}] p(text) ol7[li{p(y)}]}]"},
		{"lazy and indented continuation", "3. x\n   continued\nlazy\n  1. y",
			"ol3[li{p(x\ncontinued\nlazy) ol1[li{p(y)}]}]"},
		{"paragraph under an item", "1. **Step**\n\n   Why it matters.\n\n2. Next",
			"ol1[li{p(Step) p(Why it matters.)} li{p(Next)}]"},
		{"fence under an item", "1. Run:\n   ```sh\n   go test\n     -v\n   ```\n2. Done",
			"ol1[li{p(Run:) code:sh(go test\n  -v)} li{p(Done)}]"},
		{"fence under an item after a blank", "- a\n\n  ```\n  x\n\n  y\n  ```\n- b",
			"ul[li{p(a) code:(x\n\ny)} li{p(b)}]"},
		{"fence lines less indented stay in it", "- a\n  ```\nx\n  ```\nafter",
			"ul[li{p(a) code:(x)}] p(after)"},
		{"unindented after a blank ends the list", "- a\n\nafter", "ul[li{p(a)}] p(after)"},
		{"loose list is one list", "- a\n\n- b\n\n\n- c", "ul[li{p(a)} li{p(b)} li{p(c)}]"},
		{"other kind is another list", "- a\n1. b", "ul[li{p(a)}] ol1[li{p(b)}]"},
		{"a list after a line of prose", "Steps:\n1. a\n2. b", "p(Steps:) ol1[li{p(a)} li{p(b)}]"},
		{"bullets after a line of prose", "Changes:\n- a", "p(Changes:) ul[li{p(a)}]"},
		{"a number in prose is not a list", "It took\n2. tries", "p(It took\n2. tries)"},
		{"heading ends a list", "- a\n# H", "ul[li{p(a)}] h1(H)"},
		{"bullet on the item's line", "- - a\n  - b", "ul[li{ul[li{p(a)} li{p(b)}]}]"},
		{"deeper than the limit is text", "- 1\n  - 2\n    - 3\n      - 4\n        - 5\n          - 6\n            - 7",
			"ul[li{p(1) ul[li{p(2) ul[li{p(3) ul[li{p(4) ul[li{p(5\n- 6\n  - 7)}]}]}]}]}]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := dump(Parse(tt.src)); got != tt.want {
				t.Fatalf("Parse(%q)\n got %s\nwant %s", tt.src, got, tt.want)
			}
		})
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
		{"javascript link has no href", "[x](javascript:alert(1))", []Inline{{Kind: Link, Text: "x"}}},
		{"JaVaScRiPt with spaces", "[x]( JaVaScRiPt:alert(1) )", []Inline{{Kind: Link, Text: "x"}}},
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
		{"many deep quote lines", strings.Repeat(strings.Repeat(">", 1000)+" x\n", 1000)},
		{"quotes in lists in quotes", strings.Repeat("> - > - > x\n", 20000)},
		{"many quotes", strings.Repeat("> a\n\n", 20000)},
		{"lazy quote lines", "> a\n" + strings.Repeat("b\n", 100000)},
		{"deep lists", strings.Repeat("  - x\n", 50000)},
		{"1000-deep bullets", deepList(1000, "-")},
		{"1000-deep numbers", deepList(1000, "1.")},
		{"1000-deep with fences", strings.Repeat(deepList(1000, "-")+"```\n", 3)},
		{"many nested items", strings.Repeat("- a\n  - b\n    - c\n", 20000)},
		{"many loose items", strings.Repeat("1. a\n\n   b\n\n", 20000)},
		{"10,000 columns", strings.Repeat("| a ", 10000) + "|\n" + strings.Repeat("|---", 10000) + "|\n" + strings.Repeat("| 1 ", 10000) + "|"},
		{"a row of 10,000 cells", "| a | b |\n|---|---|\n" + strings.Repeat("| 1 ", 10000)},
		{"100,000 rows", "| a | b |\n|---|---|\n" + strings.Repeat("| 1 | 2 |\n", 100000)},
		{"many tables", strings.Repeat("| a |\n|---|\n| 1 |\n\n", 20000)},
		{"tables in deep lists", strings.Repeat(deepList(10, "-")+"  | a |\n  |---|\n", 1000)},
		{"many stars", strings.Repeat("*", 100000)},
		{"nested emphasis", strings.Repeat("*_", 50000) + "x" + strings.Repeat("_*", 50000)},
		{"nested spans", strings.Repeat("**a *b ~~c [d **e** `f`](https://x.test)~~*", 20000)},
		{"spans in spans, closed", strings.Repeat("**[*~~`a`~~*](https://x.test)** ", 20000)},
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
			if err := checkTree(blocks); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// deepList nests n items, each indented under the one before.
func deepList(n int, marker string) string {
	var s strings.Builder
	for i := range n {
		s.WriteString(strings.Repeat(" ", i*(len(marker)+1)) + marker + " x\n")
	}
	return s.String()
}

// checkTree checks what keeps a tree cheap to render whatever the input:
// lists and quotes nest at most maxDepth deep, a list holds at most maxItems, the
// whole tree about maxBlocks blocks and their spans bounded; and no link
// leads anywhere but to an http(s) URL.
func checkTree(blocks []Block) error {
	n, spans := 0, 0
	var walk func(blocks []Block, depth int) error
	walk = func(blocks []Block, depth int) error {
		for _, b := range blocks {
			n++
			spans += len(b.Inlines)
			if err := checkSpans(b.Inlines); err != nil {
				return err
			}
			if b.Kind == Table {
				if err := checkTable(b); err != nil {
					return err
				}
				for _, r := range append([]Row{b.Head}, b.Rows...) {
					for _, c := range r {
						spans += len(c)
						if err := checkSpans(c); err != nil {
							return err
						}
					}
				}
			}
			if b.Kind == Quote {
				if depth >= maxDepth {
					return fmt.Errorf("a quote %d deep", depth+1)
				}
				if err := walk(b.Blocks, depth+1); err != nil {
					return err
				}
			}
			if b.Kind != List {
				continue
			}
			if depth >= maxDepth {
				return fmt.Errorf("a list %d deep", depth+1)
			}
			if len(b.Items) > maxItems {
				return fmt.Errorf("%d items", len(b.Items))
			}
			for _, it := range b.Items {
				if err := walk(it.Blocks, depth+1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := walk(blocks, 0); err != nil {
		return err
	}
	// Each level may end with one block past the limit, and the rest of
	// the text as one paragraph.
	if limit := maxBlocks + 2*(maxDepth+1); n > limit {
		return fmt.Errorf("%d blocks in the tree, want at most %d", n, limit)
	}
	if spans > maxBlocks*maxInlines {
		return fmt.Errorf("%d spans", spans)
	}
	return nil
}

// checkSpans checks that no link leads anywhere but to an http(s) URL.
func checkSpans(ins []Inline) error { return checkNested(ins, 0, false) }

// checkNested checks spans depth levels down in others, inLink when in a
// link's text: safe hrefs, no deeper than maxNest, no link in a link.
func checkNested(ins []Inline, depth int, inLink bool) error {
	for _, in := range ins {
		if in.Href != "" && !strings.HasPrefix(strings.ToLower(in.Href), "http") {
			return fmt.Errorf("unsafe href %q", in.Href)
		}
		if in.Kind == Link && inLink {
			return fmt.Errorf("a link %q in a link's text", in.Text)
		}
		if len(in.Kids) == 0 {
			continue
		}
		if depth >= maxNest || in.Kind == Text || in.Kind == CodeSpan {
			return fmt.Errorf("a %d span %d deep holds others", in.Kind, depth)
		}
		if err := checkNested(in.Kids, depth+1, inLink || in.Kind == Link); err != nil {
			return err
		}
	}
	return nil
}

func TestCleanShowsBidiControls(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"rm \u202Etxt.exe", "rm [U+202E]txt.exe"},
		{"a\u2066b\u2069c", "a[U+2066]b[U+2069]c"},
		{"\u200Eltr \u200Frtl \u061Calm", "[U+200E]ltr [U+200F]rtl [U+061C]alm"},
		{"– ‘quoted’ ≠ Ш", "– ‘quoted’ ≠ Ш"}, // lead bytes 0xE2 and 0xD0 alone: nothing to show
		{"עברית", "עברית"},                   // right-to-left text itself is fine
		// A terminal's escapes show as the controls they are, not as boxes;
		// tabs and line breaks stay.
		{"\x1b[31mRED\x1b[0m \x07 \x00 \x7f", "␛[31mRED␛[0m ␇ ␀ ␡"},
		{"a\tb\r\nc", "a\tb\r\nc"},
	}
	for _, tt := range tests {
		if got := Clean(tt.in); got != tt.want {
			t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"# h\n- a\n```x\ny", "[a](https://b) *c* `d`", "<script>", "> q\n1. x",
		"1. a\n2. b\n   - c\n     1. d\n\n     more\n   ```go\n   x\n   ```\n3. e", "- a\n  - b\n    - c\n      - d\n        - e\n          - f",
		"- x\nlazy\n\n  - [l](https://x.test) <script>", "10. a\n   - b\n  - c\n - d",
		"| a | b |\n|:--|--:|\n| `x\\|y` | *e* [l](https://x.test) |\n| 1 |\n| 1 | 2 | 3 |", "x\n| a |\n|---|\nrow\n\n- i\n  | b | c |\n  | - | :-: |",
		"> a\nlazy\n> - b\n>   > c\n>\n> ```\n> x\n", "- > - > - > x\n> > > > > > y", ">\ta\n>> | a |\n>> |---|\n> # h",
		"a\n---\n\n***\n- - -\nb\n===\n> c\n> ---\n- d\n  ___", "- [ ] a\n- [x] b\n  - [X] c\n1. [ ]\n2. [x]\td\n> * [ ] e",
		"    code\n\n\tx\na\n    b\n\n- c\n\n      d\n>     e\nf",
		"[Go](https://en.wikipedia.org/wiki/Go_(x)). [b](javascript:alert(1)). [a](http://x/(a(b)c)) [a](http://x/(a)\n" +
			"[t](<https://x.test/a b> \"t\") [u]( http://x/\\(a 'T' ) [v](\nhttp://x (t))",
		"~~a~~ ~b~ ~~~c~~~ ~~ d~~ `~~e~~` ~~f `g~~` h~~ \\~~i~~\n| ~~j~~ |\n|---|\n```\n~~k~~\n```",
		"see https://x.test/a_(b)). www.x.test, (http://localhost:3000/a?b=1&amp;) `https://c.test` https://evil\"on=1\n" +
			"xhttps://y.test www.a_b https://u:p@z.test/ http://x.test:p/ [https://a.test](https://b.test) ~~www.d.test~~"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if err := checkTree(Parse(s)); err != nil {
			t.Fatalf("%v, from %q", err, s)
		}
	})
}
