// Package md is a small, strict Markdown subset for transcript text:
// paragraphs, fenced code, inline code, emphasis, lists, headings, quotes
// and links. It parses to a tree of plain strings (no DOM), which package
// mdview turns into go-app elements whose every text is set as text,
// never as markup: transcripts are untrusted, so the tree holds no raw
// HTML and no link other than a checked http(s) href. Clean, which shows
// bidirectional controls, is here too: every text on screen goes through
// it. Nothing here imports go-app, so the parser's fuzz target builds
// without it.
package md

import "strings"

// Kind is a block's kind.
type Kind uint8

// Block kinds.
const (
	Para Kind = iota
	Code
	Heading
	List
	Quote
)

// Limits that keep hostile input cheap: the tree is at most this big,
// whatever the text; the rest of a longer text becomes one paragraph.
const (
	maxBlocks = 2000
	maxItems  = 1000
	maxDepth  = 4 // list indentation levels kept; deeper items show at the last
)

// Block is one block of a document.
type Block struct {
	Kind    Kind
	Level   int      // Heading: 1–6
	Lang    string   // Code: the fence's info word, shown as a label only
	Text    string   // Code: the code, verbatim
	Inlines []Inline // Para, Heading, Quote
	Ordered bool     // List
	Items   []Item   // List
}

// Item is one list item.
type Item struct {
	Depth   int // 0 = top level
	Inlines []Inline
}

// Parse parses src. It never fails: what is not Markdown is text.
func Parse(src string) []Block {
	p := parser{lines: strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n")}
	p.run()
	return p.out
}

type parser struct {
	lines []string
	i     int
	out   []Block
	para  []string // lines of the open paragraph
	quote []string // lines of the open quote
}

func (p *parser) run() {
	for p.i < len(p.lines) {
		if len(p.out) >= maxBlocks {
			p.flush()
			p.out = append(p.out, Block{Kind: Para, Inlines: []Inline{{Kind: Text, Text: strings.Join(p.lines[p.i:], "\n")}}})
			return
		}
		line := p.lines[p.i]
		trim := strings.TrimLeft(line, " ")
		indent := len(line) - len(trim)
		switch {
		case strings.TrimSpace(line) == "":
			p.flush()
			p.i++
		case indent < 4 && fence(trim) != "":
			p.flush()
			p.code(indent, trim)
		case indent < 4 && heading(trim) > 0:
			p.flush()
			n := heading(trim)
			p.out = append(p.out, Block{Kind: Heading, Level: n, Inlines: ParseInline(strings.TrimSpace(strings.TrimRight(strings.TrimSpace(trim[n:]), "#")))})
			p.i++
		case indent < 4 && strings.HasPrefix(trim, ">"):
			if len(p.para) > 0 {
				p.flush()
			}
			q := strings.TrimPrefix(trim, ">")
			p.quote = append(p.quote, strings.TrimPrefix(q, " "))
			p.i++
		case listMarker(trim) > 0 && len(p.para) == 0:
			p.flush()
			p.list()
		default:
			if len(p.quote) > 0 {
				p.flush()
			}
			p.para = append(p.para, line)
			p.i++
		}
	}
	p.flush()
}

// flush closes the open paragraph or quote.
func (p *parser) flush() {
	if len(p.para) > 0 {
		p.out = append(p.out, Block{Kind: Para, Inlines: ParseInline(strings.Join(p.para, "\n"))})
		p.para = nil
	}
	if len(p.quote) > 0 {
		p.out = append(p.out, Block{Kind: Quote, Inlines: ParseInline(strings.Join(p.quote, "\n"))})
		p.quote = nil
	}
}

// code reads a fenced block; an unclosed fence runs to the end.
func (p *parser) code(indent int, trim string) {
	f := fence(trim)
	lang, _, _ := strings.Cut(strings.TrimSpace(trim[len(f):]), " ")
	var body []string
	p.i++
	for ; p.i < len(p.lines); p.i++ {
		l := p.lines[p.i]
		t := strings.TrimLeft(l, " ")
		if len(l)-len(t) < 4 && strings.HasPrefix(t, f) && strings.TrimSpace(strings.TrimLeft(t, f[:1])) == "" {
			p.i++
			break
		}
		// Lines keep their text, less the fence's own indentation.
		for n := 0; n < indent && strings.HasPrefix(l, " "); n++ {
			l = l[1:]
		}
		body = append(body, l)
	}
	p.out = append(p.out, Block{Kind: Code, Lang: lang, Text: strings.Join(body, "\n")})
}

// list reads consecutive items (and their continuation lines).
func (p *parser) list() {
	first := strings.TrimLeft(p.lines[p.i], " ")
	b := Block{Kind: List, Ordered: first[0] >= '0' && first[0] <= '9'}
	base := len(p.lines[p.i]) - len(first)
	for p.i < len(p.lines) {
		line := p.lines[p.i]
		trim := strings.TrimLeft(line, " ")
		indent := len(line) - len(trim)
		if strings.TrimSpace(line) == "" {
			break
		}
		if n := listMarker(trim); n > 0 && len(b.Items) < maxItems {
			depth := min(max(indent-base, 0)/2, maxDepth)
			b.Items = append(b.Items, Item{Depth: depth, Inlines: ParseInline(trim[n:])})
			p.i++
			continue
		}
		if indent == 0 && (fence(trim) != "" || heading(trim) > 0 || strings.HasPrefix(trim, ">")) {
			break
		}
		// A continuation of the last item.
		last := &b.Items[len(b.Items)-1]
		last.Inlines = append(last.Inlines, Inline{Kind: Text, Text: "\n"})
		last.Inlines = append(last.Inlines, ParseInline(trim)...)
		p.i++
	}
	p.out = append(p.out, b)
}

// fence returns the fence that opens trim ("```", "~~~~"…), or "".
func fence(trim string) string {
	if len(trim) < 3 || (trim[0] != '`' && trim[0] != '~') {
		return ""
	}
	n := 0
	for n < len(trim) && trim[n] == trim[0] {
		n++
	}
	if n < 3 || (trim[0] == '`' && strings.Contains(trim[n:], "`")) {
		return ""
	}
	return trim[:n]
}

// heading returns the level of an ATX heading line, or 0.
func heading(trim string) int {
	n := 0
	for n < len(trim) && n < 7 && trim[n] == '#' {
		n++
	}
	if n == 0 || n > 6 || (n < len(trim) && trim[n] != ' ' && trim[n] != '\t') {
		return 0
	}
	return n
}

// listMarker returns the length of a list item's marker and the space
// after it ("- ", "12. "), or 0.
func listMarker(trim string) int {
	if len(trim) >= 2 && strings.ContainsRune("-*+", rune(trim[0])) && trim[1] == ' ' {
		if trim[0] != '-' || strings.Trim(trim, "- ") != "" { // "- - -" is a rule, shown as text
			return 2
		}
		return 0
	}
	n := 0
	for n < len(trim) && n < 9 && trim[n] >= '0' && trim[n] <= '9' {
		n++
	}
	if n > 0 && n+1 < len(trim) && (trim[n] == '.' || trim[n] == ')') && trim[n+1] == ' ' {
		return n + 2
	}
	return 0
}
