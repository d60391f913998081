package md

import (
	"strings"
	"testing"
)

// testDump checks each case's tree, written by dump.
func testDump(t *testing.T, tests []struct{ name, src, want string }) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := dump(Parse(tt.src)); got != tt.want {
				t.Fatalf("Parse(%q)\n got %s\nwant %s", tt.src, got, tt.want)
			}
		})
	}
}

func TestRulesAndSetextHeadings(t *testing.T) {
	testDump(t, []struct{ name, src, want string }{
		{"dashes", "a\n\n---\n\nb", "p(a) hr p(b)"},
		{"stars and underscores", "***\n___\n* * *\n_ _ _", "hr hr hr hr"},
		{"spaced and long", " - - - - \n   *  *  *", "hr hr"},
		{"tabs between", "-\t-\t-", "hr"},
		{"two are text", "--\n\n**", "p(--) p(**)"},
		{"mixed are text", "-*-", "p(-*-)"},
		{"text after is not a rule", "--- a", "p(--- a)"},
		{"indented four is not a rule", "    ---", "code:(---)"},
		{"ends a paragraph", "a\n***\nb", "p(a) hr p(b)"},
		{"spaced dashes under a paragraph are a rule", "a\n- - -", "p(a) hr"},
		{"ends a list", "- a\n- b\n---\nc", "ul[li{p(a)} li{p(b)}] hr p(c)"},
		{"ends a list, stars", "- a\n* * *", "ul[li{p(a)}] hr"},
		{"in a list item", "- a\n\n  ---\n\n  b", "ul[li{p(a) hr p(b)}]"},
		{"in a quote", "> a\n>\n> ***\n> b", "q{p(a) hr p(b)}"},
		{"ends a quote's lazy run", "> a\n---", "q{p(a)} hr"},
		{"ends a table", "| a |\n|---|\n| 1 |\n---", "t-[a][1] hr"},
		{"setext 1", "Title\n=====\ntext", "h1(Title) p(text)"},
		{"setext 2", "Title\n---", "h2(Title)"},
		{"setext of two lines", "a *b*\nc\n---", "h2(a b\nc)"},
		{"setext, short underline", "Title\n=", "h1(Title)"},
		{"setext, trailing spaces", "Title\n---   ", "h2(Title)"},
		{"setext in a list item", "- a\n  ---", "ul[li{h2(a)}]"},
		{"setext in a quote", "> a\n> ===", "q{h1(a)}"},
		{"no paragraph: === is text", "===", "p(===)"},
		{"after a blank: --- is a rule", "a\n\n---", "p(a) hr"},
		{"spaced = is text", "a\n= =", "p(a\n= =)"},
		{"heading then dashes", "# h\n---", "h1(h) hr"},
		{"alternating", "---\n===\n---\n===", "hr h2(===) p(===)"},
	})
}

// However many rules and underlines, the tree stays within the limits.
func TestHostileRules(t *testing.T) {
	for name, src := range map[string]string{
		"alternating --- lines": strings.Repeat("---\na\n", 50000),
		"--- and === lines":     strings.Repeat("---\n===\n", 50000),
		"setext headings":       strings.Repeat("a\n---\n", 50000),
		"a long rule":           strings.Repeat("- ", 100000),
		"a long almost-rule":    strings.Repeat("- ", 100000) + "x",
		"rules in a list":       strings.Repeat("- ***\n", 50000),
	} {
		t.Run(name, func(t *testing.T) {
			if err := checkTree(Parse(src)); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestTaskItems(t *testing.T) {
	testDump(t, []struct{ name, src, want string }{
		{"open and done", "- [ ] todo\n- [x] done", "ul[li[ ]{p(todo)} li[x]{p(done)}]"},
		{"upper-case X", "- [X] done", "ul[li[x]{p(done)}]"},
		{"star, plus and numbers", "* [ ] a\n\n+ [x] b\n\n1. [x] c\n2) [ ] d", "ul[li[ ]{p(a)} li[x]{p(b)}] ol1[li[x]{p(c)} li[ ]{p(d)}]"},
		{"mixed with plain items", "- [ ] a\n- b", "ul[li[ ]{p(a)} li{p(b)}]"},
		{"a tab after the box", "- [x]\tdone", "ul[li[x]{p(done)}]"},
		{"spaces after the box", "- [ ]    a", "ul[li[ ]{p(a)}]"},
		{"no text is text", "- [ ]\n- [x]\n- [ ]   ", "ul[li{p([ ])} li{p([x])} li{p([ ]   )}]"},
		{"no space after the box is text", "- [x]done", "ul[li{p([x]done)}]"},
		{"other letters are text", "- [y] a\n- [] b\n- [  ] c", "ul[li{p([y] a)} li{p([] b)} li{p([  ] c)}]"},
		{"a link is not a box", "- [x](https://x.test) a", "ul[li{p(x a)}]"},
		{"the rest is the item's", "- [x] **done**\n  more\n  - [ ] sub", "ul[li[x]{p(done\nmore) ul[li[ ]{p(sub)}]}]"},
		{"not outside a list", "[ ] a", "p([ ] a)"},
		{"in a quote", "> - [x] a", "q{ul[li[x]{p(a)}]}"},
	})
}

func TestIndentedCode(t *testing.T) {
	testDump(t, []struct{ name, src, want string }{
		{"four spaces", "    x := 1\n    *not em*", "code:(x := 1\n*not em*)"},
		{"a tab", "\tx\n\t\ty", "code:(x\n\ty)"},
		{"spaces then a tab", "  \tx", "code:(x)"},
		{"deeper lines keep the rest", "    a\n      b", "code:(a\n  b)"},
		{"blank lines between, not after", "    a\n\n    b\n\n\nc", "code:(a\n\nb) p(c)"},
		{"between paragraphs", "a\n\n    code\n\nb", "p(a) code:(code) p(b)"},
		{"does not interrupt a paragraph", "a\n    b", "p(a\n    b)"},
		{"ends at a line indented less", "    a\nb", "code:(a) p(b)"},
		{"html is kept verbatim", "    <script>alert(1)</script>", "code:(<script>alert(1)</script>)"},
		{"three spaces is text", "   a", "p(   a)"},
		{"in a list item", "- a\n\n      code\n- b", "ul[li{p(a) code:(code)} li{p(b)}]"},
		{"in an ordered item", "1. a\n\n       code", "ol1[li{p(a) code:(code)}]"},
		{"an item's continuation is not code", "- a\n      b", "ul[li{p(a\n    b)}]"},
		{"in a quote", ">     code\n> text", "q{code:(code) p(text)}"},
		{"no lazy line after code in a quote", ">     code\ny", "q{code:(code)} p(y)"},
		{"an indented quote line is code", "    > a", "code:(> a)"},
	})
}

// Many indented lines are one block, read once.
func TestHostileIndentedCode(t *testing.T) {
	for name, src := range map[string]string{
		"100,000 lines":          strings.Repeat("    x\n", 100000),
		"100,000 blocks":         strings.Repeat("    x\n\na\n\n", 100000),
		"blank lines after code": "    x" + strings.Repeat("\n    ", 100000),
		"tabs":                   strings.Repeat("\t", 100000) + "x",
	} {
		t.Run(name, func(t *testing.T) {
			if err := checkTree(Parse(src)); err != nil {
				t.Fatal(err)
			}
		})
	}
}
