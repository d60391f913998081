// Package md is a small, strict Markdown subset for transcript text:
// paragraphs, fenced and indented code, inline code, emphasis, nested
// lists and task items, headings (ATX and setext), rules, block quotes
// (which hold blocks of their own), GitHub's pipe tables and
// strikethrough, and links, bare URLs too. It parses to a tree of plain
// strings (no DOM), which package mdview turns
// into go-app elements whose every text is set as text, never as markup:
// transcripts are untrusted, so the tree holds no raw HTML and no link
// other than a checked http(s) href. Clean, which shows bidirectional
// and other control characters, is here too: every text on screen goes
// through it. Nothing
// here imports go-app, so the parser's fuzz target builds without it.
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
	Table
	Rule // a thematic break: ---, ***, ___
)

// Limits that keep hostile input cheap: the tree is at most this big,
// whatever the text; the rest of a longer text becomes one paragraph.
const (
	maxBlocks = 2000 // in the whole tree, nested ones too
	maxItems  = 1000 // per list
	// Containers (lists and quotes) nest at most this deep, counted
	// together so that the tree, and the renderer's recursion, stay
	// shallow however they alternate; a list or quote deeper still is its
	// container's text.
	maxDepth = 5
)

// Block is one block of a document.
type Block struct {
	Kind    Kind
	Level   int      // Heading: 1–6
	Lang    string   // Code: the fence's info word, shown as a label only; "" when indented
	Text    string   // Code: the code, verbatim
	Inlines []Inline // Para, Heading
	Blocks  []Block  // Quote: the blocks quoted, their markers stripped
	Ordered bool     // List
	Start   int      // List, when Ordered: the first item's number
	Items   []Item   // List
	Align   []Align  // Table: one per column
	Head    Row      // Table: the header's cells, one per column
	Rows    []Row    // Table: the body's rows, each one cell per column
}

// Item is one list item: the blocks indented under its marker, its own
// text first (a paragraph), then any more paragraphs, code or sub-lists.
// A task item ("- [ ] text", "- [x] text") has Task set, and Checked
// when its box is ticked; its box is not in its text.
type Item struct {
	Blocks  []Block
	Task    bool
	Checked bool
}

// Parse parses src. It never fails: what is not Markdown is text.
func Parse(src string) []Block {
	n := 0
	return parse(strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n"), 0, &n)
}

// parse parses lines as blocks inside depth containers; n counts the
// blocks of the whole tree, so that nesting cannot multiply the limit.
func parse(lines []string, depth int, n *int) []Block {
	p := parser{lines: lines, depth: depth, blocks: n}
	p.run()
	return p.out
}

type parser struct {
	lines  []string
	i      int
	out    []Block
	para   []string // lines of the open paragraph
	depth  int      // containers (lists, quotes) these lines are in
	blocks *int     // blocks made so far, in the whole tree
}

func (p *parser) run() {
	for p.i < len(p.lines) {
		if *p.blocks >= maxBlocks {
			p.flush()
			if rest := strings.Join(p.lines[p.i:], "\n"); strings.TrimSpace(rest) != "" {
				p.out = append(p.out, Block{Kind: Para, Inlines: []Inline{{Kind: Text, Text: rest}}})
			}
			return
		}
		line := p.lines[p.i]
		trim := strings.TrimLeft(line, " ")
		indent := len(line) - len(trim)
		switch {
		case strings.TrimSpace(line) == "":
			p.flush()
			p.i++
		case len(p.para) == 0 && codeIndent(line) > 0:
			p.indented()
		case indent < 4 && fence(trim) != "":
			p.flush()
			p.code(indent, trim)
		case indent < 4 && heading(trim) > 0:
			p.flush()
			n := heading(trim)
			p.emit(Block{Kind: Heading, Level: n, Inlines: ParseInline(strings.TrimSpace(strings.TrimRight(strings.TrimSpace(trim[n:]), "#")))})
			p.i++
		case indent < 4 && len(p.para) > 0 && setext(trim) > 0:
			p.setext(setext(trim))
		case indent < 4 && rule(trim):
			p.flush()
			p.emit(Block{Kind: Rule})
			p.i++
		case p.quoteStarts(indent, trim):
			p.flush()
			p.quote()
		case p.listStarts(indent, trim):
			p.flush()
			p.list()
		case p.tableAt(p.i) != nil:
			p.flush()
			p.table()
		default:
			p.para = append(p.para, line)
			p.i++
		}
	}
	p.flush()
}

// emit adds a block, counting it against the whole tree's limit.
func (p *parser) emit(b Block) {
	*p.blocks++
	p.out = append(p.out, b)
}

// flush closes the open paragraph.
func (p *parser) flush() {
	if len(p.para) > 0 {
		p.emit(Block{Kind: Para, Inlines: ParseInline(strings.Join(p.para, "\n"))})
		p.para = nil
	}
}

// setext makes the open paragraph a heading of the level its underline
// (the line at p.i) gives.
func (p *parser) setext(level int) {
	p.emit(Block{Kind: Heading, Level: level, Inlines: ParseInline(strings.TrimSpace(strings.Join(p.para, "\n")))})
	p.para = nil
	p.i++
}

// setext returns the level of a setext heading's underline, 1 for "==="
// and 2 for "---" (of any length, trailing spaces allowed), or 0.
func setext(trim string) int {
	t := strings.TrimRight(trim, " \t")
	if t == "" || (t[0] != '=' && t[0] != '-') || run(t, t[0]) != len(t) {
		return 0
	}
	if t[0] == '=' {
		return 1
	}
	return 2
}

// rule reports whether trim is a thematic break: three or more of one
// of "-", "*" and "_", spaces or tabs between them, and nothing else.
func rule(trim string) bool {
	if trim == "" || strings.IndexByte("-*_", trim[0]) < 0 {
		return false
	}
	n := 0
	for i := range len(trim) {
		switch trim[i] {
		case trim[0]:
			n++
		case ' ', '\t':
		default:
			return false
		}
	}
	return n >= 3
}

// code reads a fenced block; an unclosed fence runs to the end.
func (p *parser) code(indent int, trim string) {
	f := fence(trim)
	lang, _, _ := strings.Cut(strings.TrimSpace(trim[len(f):]), " ")
	var body []string
	p.i++
	for ; p.i < len(p.lines); p.i++ {
		l := p.lines[p.i]
		if closes(l, f) {
			p.i++
			break
		}
		// Lines keep their text, less the fence's own indentation.
		body = append(body, dedent(l, indent))
	}
	p.emit(Block{Kind: Code, Lang: lang, Text: strings.Join(body, "\n")})
}

// indented reads an indented code block at p.i: its lines, each less
// four columns of indentation, and the blank lines between them, but not
// those after it. It cannot interrupt a paragraph (an indented line goes
// on with the paragraph's text), so run calls it only with none open.
func (p *parser) indented() {
	var body []string
	for j := p.i; j < len(p.lines); j++ {
		l := p.lines[j]
		if n := codeIndent(l); n > 0 {
			body = append(body, l[n:])
		} else if strings.TrimSpace(l) == "" {
			body = append(body, "")
		} else {
			break
		}
	}
	for strings.TrimSpace(body[len(body)-1]) == "" {
		body = body[:len(body)-1]
	}
	p.i += len(body)
	p.emit(Block{Kind: Code, Text: strings.Join(body, "\n")})
}

// codeIndent returns the length of line's first four columns when they
// are all indentation (spaces, or a tab, which reaches the fourth), the
// start of an indented code block's line, or 0.
func codeIndent(line string) int {
	col := 0
	for i := 0; i < len(line) && i < 4; i++ {
		switch line[i] {
		case ' ':
			col++
		case '\t':
			col = 4
		default:
			return 0
		}
		if col == 4 {
			return i + 1
		}
	}
	return 0
}

// closes reports whether line closes the fence f: as long a run of its
// character, alone on a line indented less than four.
func closes(line, f string) bool {
	t := strings.TrimLeft(line, " ")
	return len(line)-len(t) < 4 && strings.HasPrefix(t, f) && strings.TrimSpace(strings.TrimLeft(t, f[:1])) == ""
}

// dedent removes up to n leading spaces from line.
func dedent(line string, n int) string {
	for ; n > 0 && strings.HasPrefix(line, " "); n-- {
		line = line[1:]
	}
	return line
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
