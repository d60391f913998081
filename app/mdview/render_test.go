package mdview

import (
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

func html(src string) string {
	var b strings.Builder
	for _, n := range Render(src, nil) {
		b.WriteString(app.HTMLString(n))
	}
	return b.String()
}

// flat is src rendered as one line of HTML, as a reader's browser would
// build it: no whitespace between elements, each tag's attributes sorted
// (their order follows map iteration).
func flat(src string) string {
	out := regexp.MustCompile(`\n\s*`).ReplaceAllString(html(src), "")
	return tagRe.ReplaceAllStringFunc(out, func(tag string) string {
		m := tagRe.FindStringSubmatch(tag)
		attrs := attrsRe.FindAllString(tag[len(m[1])+1:len(tag)-1], -1)
		sort.Strings(attrs)
		return "<" + m[1] + strings.Join(attrs, "") + ">"
	})
}

var (
	attrsRe = regexp.MustCompile(`\s[a-zA-Z-]+(="[^"]*")?`)
	tagRe   = regexp.MustCompile(`<([a-zA-Z0-9]+)[^>]*>`)
	attrRe  = regexp.MustCompile(`\s([a-zA-Z-]+)=`)
)

// allowedTags are the only elements Render may produce.
var allowedTags = map[string]bool{"p": true, "pre": true, "code": true, "div": true, "blockquote": true,
	"ul": true, "ol": true, "li": true, "em": true, "strong": true, "del": true, "a": true, "span": true,
	"hr": true, "table": true, "thead": true, "tbody": true, "tr": true, "th": true, "td": true}

func TestRenderHostileIsText(t *testing.T) {
	tests := []struct {
		name, src string
		want      string // a substring the output must hold (escaped text)
	}{
		{"script", "<script>window.__pwned=1</script>", "&lt;script&gt;"},
		{"img onerror", `<img src=x onerror="window.__pwned=1">`, "&lt;img"},
		{"javascript link", "[click](javascript:window.__pwned=1)", `<span class="link-text">click</span>`},
		// Attribute order follows map iteration: one attribute per case.
		{"link href", "[ok](https://example.com/)", `href="https://example.com/"`},
		{"link rel", "[ok](https://example.com/)", `rel="noopener noreferrer"`},
		{"attribute breakout", `[x](https://a.test/"onmouseover="alert(1))`, `<span class="link-text">x</span>`},
		{"fake event line", "event: messages\ndata: {}", "event: messages"},
		{"rtl override", "file\u202Egnp.exe", "[U+202E]"},
		{"fence with html", "```html\n<iframe src=//evil></iframe>\n```", "&lt;iframe"},
		// No image or resource is fetched from a transcript's URL: image
		// syntax is at most a link, which loads nothing until followed.
		{"markdown image", "![pixel](https://evil.example/p.png)", `href="https://evil.example/p.png"`},
		{"data image", "![x](data:image/svg+xml;base64,PHN2Zz4=)", `<span class="link-text">x</span>`},
		{"script in a list item", "1. a\n   - <script>window.__pwned=1</script>", "&lt;script&gt;"},
		{"script in a table cell", "| <script>window.__pwned=1</script> |\n|---|", "&lt;script&gt;"},
		{"img onerror in a table cell", "| a |\n|---|\n| <img src=x onerror=\"window.__pwned=1\"> |", "&lt;img"},
		{"javascript link in a table cell", "| [x](javascript:window.__pwned=1) |\n|---|", `<span class="link-text">x</span>`},
		{"script in a quote's list", "> - <script>window.__pwned=1</script>", "&lt;script&gt;"},
		{"script in a task item", "- [x] <script>window.__pwned=1</script>", "&lt;script&gt;"},
		{"html as a task's box", "- [<input type=checkbox>] a", "[&lt;input"},
		{"javascript link in a nested quote", "> > [x](javascript:window.__pwned=1)", `<span class="link-text">x</span>`},
		{"html struck through", "~~<script>window.__pwned=1</script>~~", "<del>&lt;script&gt;"},
		{"bare URL breaking out", `https://evil.test"onmouseover="alert(1)`, `>https://evil.test</a>`},
		{"bare URL with a tag", "https://x.test/<img src=x onerror=alert(1)>", "&lt;img"},
		{"javascript link with parentheses", "[x](javascript:alert(1))", `<span class="link-text">x</span>`},
		{"javascript link in pointy brackets", "[x](<javascript:alert(1)>)", `<span class="link-text">x</span>`},
		{"escaped javascript link", `[x](java\script:alert(1))`, `<span class="link-text">x</span>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := html(tt.src)
			if !strings.Contains(out, tt.want) {
				t.Fatalf("output lacks %q:\n%s", tt.want, out)
			}
			for _, m := range tagRe.FindAllStringSubmatch(out, -1) {
				if !allowedTags[strings.ToLower(m[1])] {
					t.Fatalf("element <%s> in output:\n%s", m[1], out)
				}
			}
			for _, tag := range tagRe.FindAllString(out, -1) {
				for _, m := range attrRe.FindAllStringSubmatch(tag, -1) {
					if strings.HasPrefix(strings.ToLower(m[1]), "on") {
						t.Fatalf("attribute %s in output:\n%s", m[1], out)
					}
				}
			}
			if strings.Contains(strings.ToLower(out), "javascript:") && !strings.Contains(out, "link-text") {
				t.Fatalf("javascript: outside text:\n%s", out)
			}
		})
	}
}

// A link's destination may hold parentheses, and a refused one shows the
// link's text alone, nothing of its destination after it.
func TestRenderLinks(t *testing.T) {
	const a = `<a href="https://en.wikipedia.org/wiki/Go_(programming_language)" rel="noopener noreferrer" target="_blank" title="https://en.wikipedia.org/wiki/Go_(programming_language)">Go</a>`
	tests := []renderCase{
		{"parentheses", "[Go](https://en.wikipedia.org/wiki/Go_(programming_language))", "<p dir=\"auto\">" + a + "</p>"},
		{"then a period", "See [Go](https://en.wikipedia.org/wiki/Go_(programming_language)).", "<p dir=\"auto\">See " + a + ".</p>"},
		{"refused, then a period", "[bad](javascript:alert(1)).", `<p dir="auto"><span class="link-text">bad</span>.</p>`},
		{"refused, nothing after", "[x](javascript:alert(1))", `<p dir="auto"><span class="link-text">x</span></p>`},
		{"nested", "[a](http://x/(a(b)c))", `<p dir="auto"><a href="http://x/(a(b)c)" rel="noopener noreferrer" target="_blank" title="http://x/(a(b)c)">a</a></p>`},
	}
	checkRenders(t, tests)
}

// A bare URL is a link with every attribute a written link has.
func TestRenderAutolinks(t *testing.T) {
	tests := []renderCase{
		{"https", "see https://x.test/a.", `<p dir="auto">see <a href="https://x.test/a" rel="noopener noreferrer" target="_blank" title="https://x.test/a">https://x.test/a</a>.</p>`},
		{"www", "www.x.test", `<p dir="auto"><a href="http://www.x.test" rel="noopener noreferrer" target="_blank" title="http://www.x.test">www.x.test</a></p>`},
		{"a quote ends it", `https://evil.test"onmouseover="alert(1)`,
			`<p dir="auto"><a href="https://evil.test" rel="noopener noreferrer" target="_blank" title="https://evil.test">https://evil.test</a>&#34;onmouseover=&#34;alert(1)</p>`},
		{"credentials refused", "https://u:p@x.test/", "<p dir=\"auto\">https://u:p@x.test/</p>"},
		{"not http", "javascript:alert(1)", "<p dir=\"auto\">javascript:alert(1)</p>"},
		{"in code", "`https://x.test/`", "<p dir=\"auto\"><code>https://x.test/</code></p>"},
	}
	checkRenders(t, tests)
}

// ~~text~~ is a <del> element holding the text as text; in code it is
// code.
func TestRenderStrikethrough(t *testing.T) {
	tests := []renderCase{
		{"struck", "new ~~old~~.", "<p dir=\"auto\">new <del>old</del>.</p>"},
		{"html inside", "~~<img src=x onerror=alert(1)>~~", "<p dir=\"auto\"><del>&lt;img src=x onerror=alert(1)&gt;</del></p>"},
		{"in a code span", "`~~a~~`", "<p dir=\"auto\"><code>~~a~~</code></p>"},
		{"in a fence", "```\n~~a~~\n```", `<pre class="code" tabindex="0"><code>~~a~~</code></pre>`},
	}
	checkRenders(t, tests)
}

// Spans in spans render inside each other, their text as text.
func TestRenderNestedSpans(t *testing.T) {
	tests := []renderCase{
		{"code in bold", "See **`run.go`**.", "<p dir=\"auto\">See <strong><code>run.go</code></strong>.</p>"},
		{"code in a link", "[`README`](https://x.test/r)",
			`<p dir="auto"><a href="https://x.test/r" rel="noopener noreferrer" target="_blank" title="https://x.test/r"><code>README</code></a></p>`},
		{"a link in bold", "**[docs](https://x.test/d)**",
			`<p dir="auto"><strong><a href="https://x.test/d" rel="noopener noreferrer" target="_blank" title="https://x.test/d">docs</a></strong></p>`},
		{"bold and emphasis", "***<b>both</b>***", "<p dir=\"auto\"><strong><em>&lt;b&gt;both&lt;/b&gt;</em></strong></p>"},
	}
	checkRenders(t, tests)
}

// Lists render as a reader of GitHub would see them: a list under an item
// is a sub-list in that item, of its own kind.
func TestRenderNestedLists(t *testing.T) {
	tests := []renderCase{
		{"bullets under a number", "1. first\n2. second\n   - alpha\n   - beta\n3. third",
			"<ol><li dir=\"auto\">first</li><li dir=\"auto\">second<ul><li dir=\"auto\">alpha</li><li dir=\"auto\">beta</li></ul></li><li dir=\"auto\">third</li></ol>"},
		{"numbers under a bullet, two levels", "- a\n  1. one\n     - deep\n- b",
			"<ul><li dir=\"auto\">a<ol><li dir=\"auto\">one<ul><li dir=\"auto\">deep</li></ul></li></ol></li><li dir=\"auto\">b</li></ul>"},
		{"start kept", "3. x\n4. y", `<ol start="3"><li dir="auto">x</li><li dir="auto">y</li></ol>`},
		{"paragraph and code under an item", "1. Run:\n\n   ```sh\n   go test\n   ```\n\n   Then look.\n2. Done",
			`<ol><li dir="auto">Run:<pre class="code" data-lang="sh" tabindex="0"><code>go test</code></pre><p dir="auto">Then look.</p></li><li dir="auto">Done</li></ol>`},
		{"html in an item is text", "- <script>window.__pwned=1</script>\n  - <img src=x onerror=alert(1)>",
			"<ul><li dir=\"auto\">&lt;script&gt;window.__pwned=1&lt;/script&gt;<ul><li dir=\"auto\">&lt;img src=x onerror=alert(1)&gt;</li></ul></li></ul>"},
	}
	checkRenders(t, tests)
}

// However deep the input nests, the output nests a few lists deep: the
// rest is text, and rendering it is quick.
func TestRenderDeepNestingIsBounded(t *testing.T) {
	var src strings.Builder
	for i := range 1000 {
		src.WriteString(strings.Repeat("  ", i) + "- x\n")
	}
	out := flat(src.String())
	if n := strings.Count(out, "<ul>"); n > 5 {
		t.Fatalf("%d nested lists, want at most 5", n)
	}
	if !strings.Contains(out, "- x") {
		t.Fatalf("the deeper items are not kept as text:\n%.300s", out)
	}
}

// A quote holds blocks: paragraphs, lists, code and quotes of its own,
// each rendered as it is outside one.
func TestRenderQuotes(t *testing.T) {
	tests := []renderCase{
		{"paragraphs", "> a\n>\n> c", "<blockquote><p dir=\"auto\">a</p><p dir=\"auto\">c</p></blockquote>"},
		{"a list", "> Steps:\n> 1. one\n> 2. two", "<blockquote><p dir=\"auto\">Steps:</p><ol><li dir=\"auto\">one</li><li dir=\"auto\">two</li></ol></blockquote>"},
		{"code", "> ```sh\n> ls <dir>\n> ```", `<blockquote><pre class="code" data-lang="sh" tabindex="0"><code>ls &lt;dir&gt;</code></pre></blockquote>`},
		{"nested", "> a\n> > b", "<blockquote><p dir=\"auto\">a</p><blockquote><p dir=\"auto\">b</p></blockquote></blockquote>"},
		{"html is text", "> <script>window.__pwned=1</script>", "<blockquote><p dir=\"auto\">&lt;script&gt;window.__pwned=1&lt;/script&gt;</p></blockquote>"},
	}
	checkRenders(t, tests)
}

// Rules, setext headings, indented code and task items render as the
// elements they name, and nothing else.
func TestRenderBlocks(t *testing.T) {
	tests := []renderCase{
		{"rule", "a\n\n---\n\nb", "<p dir=\"auto\">a</p><hr><p dir=\"auto\">b</p>"},
		{"setext headings", "Title\n===\nSub\n---", `<div aria-level="2" class="md-h md-h1" dir="auto" role="heading">Title</div><div aria-level="3" class="md-h md-h2" dir="auto" role="heading">Sub</div>`},
		// A task's box is a named glyph, never an <input>.
		{"task items", "- [ ] todo\n- [X] **done**\n- plain",
			`<ul><li class="task" dir="auto"><span aria-label="not done" class="task-box" role="img">☐</span>todo</li>` +
				`<li class="task" dir="auto"><span aria-label="done" class="task-box done" role="img">☑</span><strong>done</strong></li><li dir="auto">plain</li></ul>`},
		{"indented code", "a\n\n    <b>x</b>", `<p dir="auto">a</p><pre class="code" tabindex="0"><code>&lt;b&gt;x&lt;/b&gt;</code></pre>`},
		{"task item with blocks", "1. [x] a\n\n   b",
			`<ol><li class="task" dir="auto"><span aria-label="done" class="task-box done" role="img">☑</span>a<p dir="auto">b</p></li></ol>`},
	}
	checkRenders(t, tests)
}

// A pipe table renders as a table, not as lines of pipes: header cells
// and body cells, their alignment a class of a fixed set, Markdown inside
// cells rendered, in a box that scrolls a wide table sideways.
func TestRenderTables(t *testing.T) {
	tests := []renderCase{
		{"table", "| Name | Size |\n|:--|--:|\n| `a.go` | **12** |\n| b \\| c |",
			`<div class="md-table" tabindex="0"><table><thead><tr><th class="align-left" dir="auto">Name</th><th class="align-right" dir="auto">Size</th></tr></thead>` +
				`<tbody><tr><td class="align-left" dir="auto"><code>a.go</code></td><td class="align-right" dir="auto"><strong>12</strong></td></tr>` +
				`<tr><td class="align-left" dir="auto">b | c</td><td class="align-right" dir="auto"></td></tr></tbody></table></div>`},
		{"centred, no body", "| a |\n|:-:|", `<div class="md-table" tabindex="0"><table><thead><tr><th class="align-center" dir="auto">a</th></tr></thead></table></div>`},
		{"no alignment", "a | b\n-|-\n1 | 2", `<div class="md-table" tabindex="0"><table><thead><tr><th dir="auto">a</th><th dir="auto">b</th></tr></thead><tbody><tr><td dir="auto">1</td><td dir="auto">2</td></tr></tbody></table></div>`},
		{"a lone pipe is a paragraph", "|", "<p dir=\"auto\">|</p>"},
		{"html in cells is text", "| <script>x</script> | <img src=x onerror=alert(1)> |\n|---|---|",
			`<div class="md-table" tabindex="0"><table><thead><tr><th dir="auto">&lt;script&gt;x&lt;/script&gt;</th><th dir="auto">&lt;img src=x onerror=alert(1)&gt;</th></tr></thead></table></div>`},
	}
	checkRenders(t, tests)
}

// A table of 10,000 columns or 100,000 rows renders a bounded number of
// cells: the rest shows as text.
func TestRenderHugeTablesAreBounded(t *testing.T) {
	tests := []struct{ name, src string }{
		{"10,000 columns", strings.Repeat("| a ", 10000) + "|\n" + strings.Repeat("|---", 10000) + "|\n" + strings.Repeat("| 1 ", 10000) + "|"},
		{"100,000 rows", "| a | b |\n|---|---|\n" + strings.Repeat("| 1 | 2 |\n", 100000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := html(tt.src)
			if n := strings.Count(out, "<td dir=\"auto\">") + strings.Count(out, "<th dir=\"auto\">"); n > 2*1001 {
				t.Fatalf("%d cells rendered", n)
			}
			if !strings.Contains(out, "| 1 ") {
				t.Fatal("the rest of the table is not kept as text")
			}
		})
	}
}

// renderCase is a Markdown source and the HTML it must render as.
type renderCase struct{ name, src, want string }

// checkRenders renders each case's source and compares it with its HTML.
func checkRenders(t *testing.T, tests []renderCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := flat(tt.src); got != tt.want {
				t.Fatalf("Render(%q)\n got %s\nwant %s", tt.src, got, tt.want)
			}
		})
	}
}
