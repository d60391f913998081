package md

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// testInline checks each case's spans.
func testInline(t *testing.T, tests []struct {
	name, src string
	want      []Inline
}) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ParseInline(tt.src); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("ParseInline(%q)\n got %+v\nwant %+v", tt.src, got, tt.want)
			}
		})
	}
}

// A link's destination is read as CommonMark reads it: parentheses that
// balance are part of it, and the whole construct is the link's, even
// when its destination is refused.
func TestLinkDestinations(t *testing.T) {
	const wiki = "https://en.wikipedia.org/wiki/Go_(programming_language)"
	testInline(t, []struct {
		name, src string
		want      []Inline
	}{
		{"parentheses in the destination", "[Go](" + wiki + ")", []Inline{{Kind: Link, Text: "Go", Href: wiki}}},
		{"then a period", "See [Go](" + wiki + ").", []Inline{{Text: "See "}, {Kind: Link, Text: "Go", Href: wiki}, {Text: "."}}},
		{"refused, then a period", "[bad](javascript:alert(1)).", []Inline{{Kind: Link, Text: "bad"}, {Text: "."}}},
		{"nested parentheses", "[a](http://x/(a(b)c))", []Inline{{Kind: Link, Text: "a", Href: "http://x/(a(b)c)"}}},
		// Not a link, the URL in it is a bare one, its parentheses balanced.
		{"unbalanced is not a link", "[a](http://x/(a)", []Inline{{Text: "[a]("}, {Kind: Link, Text: "http://x/(a)", Href: "http://x/(a)"}}},
		{"an escaped parenthesis", `[a](http://x/\(a)`, []Inline{{Kind: Link, Text: "a", Href: "http://x/(a"}}},
		{"a space ends it: not a link", "[a](https://x.test/a b)", []Inline{{Text: "[a]("}, {Kind: Link, Text: "https://x.test/a", Href: "https://x.test/a"}, {Text: " b)"}}},
		{"pointy brackets", "[a](<https://x.test/a(b>)", []Inline{{Kind: Link, Text: "a", Href: "https://x.test/a(b"}}},
		{"pointy brackets with a space", "[a](<https://x.test/a b>)", []Inline{{Kind: Link, Text: "a"}}},
		{"a title is dropped", `[a](https://x.test/ "T (1)") b`, []Inline{{Kind: Link, Text: "a", Href: "https://x.test/"}, {Text: " b"}}},
		{"a title in parentheses", "[a](https://x.test/ (T))", []Inline{{Kind: Link, Text: "a", Href: "https://x.test/"}}},
		{"an unclosed title", `[a](x "T)`, []Inline{{Text: `[a](x "T)`}}},
		{"an empty destination", "[a]()", []Inline{{Kind: Link, Text: "a"}}},
		{"32 deep", "[a](http://x/" + strings.Repeat("(", 32) + strings.Repeat(")", 32) + ")",
			[]Inline{{Kind: Link, Text: "a", Href: "http://x/" + strings.Repeat("(", 32) + strings.Repeat(")", 32)}}},
		{"33 deep is not a link", "[a](" + strings.Repeat("(", 33) + strings.Repeat(")", 33) + ")",
			[]Inline{{Text: "[a](" + strings.Repeat("(", 33) + strings.Repeat(")", 34)}}},
	})
}

// Bare URLs are links, as GitHub makes them: trailing punctuation and
// unbalanced closing brackets left out, under the same safe-URL rule as
// other links, never in code.
func TestAutolinks(t *testing.T) {
	link := func(u string) Inline { return Inline{Kind: Link, Text: u, Href: u} }
	testInline(t, []struct {
		name, src string
		want      []Inline
	}{
		{"https", "see https://x.test/a?b=1#c.", []Inline{{Text: "see "}, link("https://x.test/a?b=1#c"), {Text: "."}}},
		{"localhost", "http://localhost:3000/api, then", []Inline{link("http://localhost:3000/api"), {Text: ", then"}}},
		{"www", "at www.example.com/a: done", []Inline{{Text: "at "}, {Kind: Link, Text: "www.example.com/a", Href: "http://www.example.com/a"}, {Text: ": done"}}},
		{"trailing punctuation", "https://x.test/a?!.,:*_~;", []Inline{link("https://x.test/a"), {Text: "?!.,:*_~;"}}},
		{"an entity at the end", "https://x.test/?a=1&amp;", []Inline{link("https://x.test/?a=1"), {Text: "&amp;"}}},
		{"balanced parentheses", "https://en.wikipedia.org/wiki/Go_(programming_language)", []Inline{link("https://en.wikipedia.org/wiki/Go_(programming_language)")}},
		{"in parentheses", "(https://x.test/a_(b))", []Inline{{Text: "("}, link("https://x.test/a_(b)"), {Text: ")"}}},
		{"unbalanced parentheses", "https://x.test/a)).", []Inline{link("https://x.test/a"), {Text: "))."}}},
		{"in brackets", "[see https://x.test/a[1]]", []Inline{{Text: "[see "}, link("https://x.test/a[1]"), {Text: "]"}}},
		{"in quotes", `"https://x.test/a", 'https://y.test/b'`, []Inline{{Text: `"`}, link("https://x.test/a"), {Text: `", '`}, link("https://y.test/b"), {Text: "'"}}},
		{"in JSON", `{"url":"https://x.test/a","n":1}`, []Inline{{Text: `{"url":"`}, link("https://x.test/a"), {Text: `","n":1}`}}},
		{"a quote ends it", `https://evil.test"onmouseover=alert(1)`, []Inline{link("https://evil.test"), {Text: `"onmouseover=alert(1)`}}},
		{"a tag ends it", "https://x.test/<script>", []Inline{link("https://x.test/"), {Text: "<script>"}}},
		{"after a letter", "xhttps://x.test awww.x.test", []Inline{{Text: "xhttps://x.test awww.x.test"}}},
		{"www after a parenthesis", "(www.x.test)", []Inline{{Text: "("}, {Kind: Link, Text: "www.x.test", Href: "http://www.x.test"}, {Text: ")"}}},
		{"www needs a name", "www. and www", []Inline{{Text: "www. and www"}}},
		{"underscores in the host", "www.a_b.x.test http://x.t_est", []Inline{{Kind: Link, Text: "www.a_b.x.test", Href: "http://www.a_b.x.test"}, {Text: " http://x.t_est"}}},
		{"no host", "http:// https://.x", []Inline{{Text: "http:// https://.x"}}},
		{"credentials refused", "https://u:p@x.test/ after", []Inline{{Text: "https://u:p@x.test/ after"}}},
		{"bad port refused", "http://x.test:port/*a*", []Inline{{Text: "http://x.test:port/*a*"}}},
		{"not http", "javascript:alert(1) ftp://x.test", []Inline{{Text: "javascript:alert(1) ftp://x.test"}}},
		{"in code", "`https://x.test/`", []Inline{{Kind: CodeSpan, Text: "https://x.test/"}}},
		{"code after", "https://x.test/`a`", []Inline{link("https://x.test/"), {Kind: CodeSpan, Text: "a"}}},
		{"in a link's text", "[https://x.test](https://y.test)", []Inline{{Kind: Link, Text: "https://x.test", Href: "https://y.test"}}},
		{"angle brackets", "<https://x.test/>", []Inline{link("https://x.test/")}},
	})
	if got := dump(Parse("```\nhttps://x.test\n```\n\n    https://y.test")); got != "code:(https://x.test) code:(https://y.test)" {
		t.Fatalf("code holding URLs parsed as %s", got)
	}
}

// ~~text~~ strikes its text through, as on GitHub; tildes that are not
// a pair around text, or that are in code, stay as written.
func TestStrikethrough(t *testing.T) {
	testInline(t, []struct {
		name, src string
		want      []Inline
	}{
		{"struck", "~~old~~ new", []Inline{{Kind: Del, Text: "old"}, {Text: " new"}}},
		{"inside a word", "a~~b~~c", []Inline{{Text: "a"}, {Kind: Del, Text: "b"}, {Text: "c"}}},
		{"markup inside is text", "~~<img src=x onerror=alert(1)>~~", []Inline{{Kind: Del, Text: "<img src=x onerror=alert(1)>"}}},
		{"one tilde means about", "~5 min, ~/src, ~a~", []Inline{{Text: "~5 min, ~/src, ~a~"}}},
		{"three are text", "~~~a~~~", []Inline{{Text: "~~~a~~~"}}},
		{"closed by three is text", "~~a~~~", []Inline{{Text: "~~a~~~"}}},
		{"space after the opening", "~~ a~~", []Inline{{Text: "~~ a~~"}}},
		{"space before the closing", "~~a ~~", []Inline{{Text: "~~a ~~"}}},
		{"unclosed", "~~a", []Inline{{Text: "~~a"}}},
		{"escaped", `\~~a~~`, []Inline{{Text: "~~a~~"}}},
		{"in code", "`~~a~~`", []Inline{{Kind: CodeSpan, Text: "~~a~~"}}},
		{"code binds tighter", "~~a `b~~` c~~", []Inline{{Text: "~~a "}, {Kind: CodeSpan, Text: "b~~"}, {Text: " c~~"}}},
	})
	if got := dump(Parse("```\n~~a~~\n```")); got != "code:(~~a~~)" {
		t.Fatalf("a fence holding ~~a~~ parsed as %s", got)
	}
}

// A hostile line of a megabyte parses in time linear in its length:
// messages of megabytes are rendered in the browser, on every update.
func TestHostileLinesAreLinear(t *testing.T) {
	const mb = 1 << 20
	tests := []struct{ name, src string }{
		{"<", strings.Repeat("<", mb)},
		{"[", strings.Repeat("[", mb)},
		{"[a", strings.Repeat("[a", mb/2)},
		{"(", strings.Repeat("(", mb)},
		{"<a", strings.Repeat("<a", mb/2) + ">"},
		{"[a](b", strings.Repeat("[a](b", mb/5)},
		{"[a]( then (", "[a](" + strings.Repeat("(", mb)},
		{`[a](b "`, strings.Repeat(`[a](b "`, mb/7)},
		{"~~a ", strings.Repeat("~~a ", mb/4)},
		{"~~a~", strings.Repeat("~~a~", mb/4)},
		{"refused URLs", strings.Repeat("(http://x.test/%zz", mb/17)},
		{"bad hosts", strings.Repeat("www.a_", mb/6)},
		{"a URL, then )", "(http://x.test/" + strings.Repeat(")", mb)},
		{"a URL, then ;", "http://x.test/" + strings.Repeat(";", mb)},
		{"a URL, then &a;", "http://x.test/" + strings.Repeat("&a;", mb/3)},
		{"http://", strings.Repeat("http://", mb/7)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			within(t, 2*time.Second, func() { Parse(tt.src) })
		})
	}
}

// within fails the test when f takes longer than d. Linear work on these
// inputs takes milliseconds, quadratic work many seconds, so the bound
// leaves room for a slow machine and -race. It does not wait for a slow
// f to end, so that the failure shows at once.
func within(t *testing.T, d time.Duration, f func()) {
	t.Helper()
	done := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("not done after %v", d)
	}
	t.Logf("took %v", time.Since(start))
}

// Spans hold others as assistants write them: a code span in bold, in
// emphasis or in a link's text, a link in bold, bold and emphasis at
// once. A link's text holds no link, and nesting stops at maxNest.
func TestNestedSpans(t *testing.T) {
	code := func(s string) Inline { return Inline{Kind: CodeSpan, Text: s} }
	text := func(s string) Inline { return Inline{Kind: Text, Text: s} }
	testInline(t, []struct {
		name, src string
		want      []Inline
	}{
		{"code in bold", "**`file.go`**", []Inline{{Kind: Strong, Text: "`file.go`", Kids: []Inline{code("file.go")}}}},
		{"code in emphasis", "*the `cfg` struct*", []Inline{{Kind: Em, Text: "the `cfg` struct", Kids: []Inline{text("the "), code("cfg"), text(" struct")}}}},
		{"code in a link", "[`README.md`](https://x.test/r)", []Inline{{Kind: Link, Text: "`README.md`", Href: "https://x.test/r", Kids: []Inline{code("README.md")}}}},
		{"a link in bold", "**[docs](https://x.test/d)**", []Inline{{Kind: Strong, Text: "[docs](https://x.test/d)", Kids: []Inline{{Kind: Link, Text: "docs", Href: "https://x.test/d"}}}}},
		{"bold and emphasis", "***both***", []Inline{{Kind: Strong, Text: "*both*", Kids: []Inline{{Kind: Em, Text: "both"}}}}},
		{"struck bold", "~~**old**~~", []Inline{{Kind: Del, Text: "**old**", Kids: []Inline{{Kind: Strong, Text: "old"}}}}},
		{"plain text holds nothing", "**plain**", []Inline{{Kind: Strong, Text: "plain"}}},
		{"no link in a link's text", "[see https://y.test](https://x.test)", []Inline{{Kind: Link, Text: "see https://y.test", Href: "https://x.test"}}},
		{"three deep, then text", "**a *b ~~c~~ d* e**", []Inline{{Kind: Strong, Text: "a *b ~~c~~ d* e", Kids: []Inline{
			text("a "), {Kind: Em, Text: "b ~~c~~ d", Kids: []Inline{text("b "), {Kind: Del, Text: "c"}, text(" d")}}, text(" e")}}}},
		{"deeper stays text", "**a *b ~~c [d](https://x.test) e~~ f* g**", []Inline{{Kind: Strong, Text: "a *b ~~c [d](https://x.test) e~~ f* g", Kids: []Inline{
			text("a "), {Kind: Em, Text: "b ~~c [d](https://x.test) e~~ f", Kids: []Inline{text("b "), {Kind: Del, Text: "c [d](https://x.test) e"}, text(" f")}}, text(" g")}}}},
	})
}
