// Package mdview renders the tree of package md as go-app elements. Every
// string is set as text (and goes through md.Clean), never as markup:
// transcripts are untrusted, so nothing here can produce an element the
// subset does not name, an attribute other than a checked http(s) href,
// or raw HTML. Every element holding a run of the transcript's text (a
// paragraph, a heading, a list item, a table cell) has dir="auto": it
// takes its direction from its own first strong character, so a
// paragraph in Hebrew or Arabic reads right to left, and the next in
// English left to right, in a page whose own words stay left to right.
// A code block keeps the page's direction: code reads left to right.
// It is apart from the parser so that the parser, and its
// fuzz target, build without go-app.
package mdview

import (
	"fmt"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"vibecraft.sh/helm/app/el"
	"vibecraft.sh/helm/app/md"
)

// Marker turns a text into nodes: plain text, or text with the find
// term's matches in <mark>. It must only make text nodes and <mark>.
type Marker func(text string) []app.UI

// Plain is the Marker that highlights nothing.
func Plain(text string) []app.UI { return []app.UI{app.Text(md.Clean(text))} }

// Render renders Markdown source as go-app elements. Every string goes
// through mark (and so through md.Clean) as text: no raw HTML, ever.
func Render(src string, mark Marker) []app.UI {
	return RenderBlocks(md.Parse(src), mark)
}

// RenderBlocks renders parsed blocks (a caller may keep md.Parse's result
// for text it renders again and again).
func RenderBlocks(blocks []md.Block, mark Marker) []app.UI {
	if mark == nil {
		mark = Plain
	}
	out := make([]app.UI, 0, len(blocks))
	for _, b := range blocks {
		out = append(out, block(b, mark))
	}
	return out
}

func block(b md.Block, mark Marker) app.UI {
	switch b.Kind {
	case md.Code:
		// A long line scrolls inside the block: a tab stop lets a
		// keyboard scroll it too.
		pre := el.Pre().Class("code").TabIndex(0)
		if b.Lang != "" {
			pre = pre.DataSet("lang", md.Clean(b.Lang))
		}
		return pre.Body(el.Code().Body(mark(b.Text)...))
	case md.Heading:
		// A heading to assistive technology (aria-level alone, without
		// the role, is not allowed and was ignored), one level below the
		// page's own h1: an answer's "# Plan" is a section of the page,
		// not its title.
		return el.Div().Class("md-h", fmt.Sprintf("md-h%d", b.Level)).Role("heading").Aria("level", min(b.Level+1, 6)).
			Dir("auto").Body(inlines(b.Inlines, mark)...)
	case md.Quote:
		// The parser bounds how deep quotes and lists nest, and so this
		// recursion.
		return el.Blockquote().Body(RenderBlocks(b.Blocks, mark)...)
	case md.List:
		return list(b, mark)
	case md.Table:
		return table(b, mark)
	case md.Rule:
		return el.Hr()
	default:
		return el.P().Dir("auto").Body(inlines(b.Inlines, mark)...)
	}
}

// list renders a list. An item's own text (its first paragraph) is inline
// in the <li>, as in a tight list, so that an item reads as one line
// and not as a spaced paragraph; what is indented under it (more
// paragraphs, code, a sub-list) follows as blocks. The parser bounds the
// nesting, and so this recursion.
func list(b md.Block, mark Marker) app.UI {
	items := make([]app.UI, len(b.Items))
	for i, it := range b.Items {
		blocks := it.Blocks
		var body []app.UI
		if len(blocks) > 0 && blocks[0].Kind == md.Para {
			body = inlines(blocks[0].Inlines, mark)
			blocks = blocks[1:]
		}
		li := el.Li().Dir("auto")
		if it.Task {
			li = li.Class("task")
			body = append([]app.UI{taskBox(it.Checked)}, body...)
		}
		items[i] = li.Body(append(body, RenderBlocks(blocks, mark)...)...)
	}
	if !b.Ordered {
		return el.Ul().Body(items...)
	}
	ol := el.Ol()
	if b.Start != 1 {
		ol = ol.Attr("start", b.Start) // "3." starts at 3, as it was written
	}
	return ol.Body(items...)
}

// taskBox is a task item's box: a glyph that looks like a checkbox but
// is not one (a transcript's list cannot be ticked), named for a screen
// reader by what it says, done or not done.
func taskBox(checked bool) app.UI {
	if checked {
		return el.Span().Class("task-box", "done").Role("img").Aria("label", "done").Text("☑")
	}
	return el.Span().Class("task-box").Role("img").Aria("label", "not done").Text("☐")
}

// table renders a table in a box that scrolls sideways, so that a wide
// one never widens the page; the box takes a tab stop, as a code block
// does, to be scrolled from the keyboard. The parser gives every row one
// cell per column.
func table(b md.Block, mark Marker) app.UI {
	head := make([]app.UI, len(b.Head))
	for i, c := range b.Head {
		head[i] = el.Th().Class(alignClass(b.Align, i)).Dir("auto").Body(inlines(c, mark)...)
	}
	parts := []app.UI{el.THead().Body(el.Tr().Body(head...))}
	if len(b.Rows) > 0 {
		rows := make([]app.UI, len(b.Rows))
		for r, row := range b.Rows {
			cells := make([]app.UI, len(row))
			for i, c := range row {
				cells[i] = el.Td().Class(alignClass(b.Align, i)).Dir("auto").Body(inlines(c, mark)...)
			}
			rows[r] = el.Tr().Body(cells...)
		}
		parts = append(parts, el.TBody().Body(rows...))
	}
	return el.Div().Class("md-table").TabIndex(0).Body(el.Table().Body(parts...))
}

// alignClass is the class that aligns column i: a name from this fixed
// set, never text from the transcript, and a class rather than a style
// attribute, which the Content-Security-Policy (style-src 'self') refuses.
func alignClass(align []md.Align, i int) string {
	if i >= len(align) {
		return ""
	}
	switch align[i] {
	case md.AlignLeft:
		return "align-left"
	case md.AlignCenter:
		return "align-center"
	case md.AlignRight:
		return "align-right"
	}
	return ""
}

// inlines renders spans; those that hold others (md.Inline.Kids, at most
// md's nesting bound deep) render them inside.
func inlines(ins []md.Inline, mark Marker) []app.UI {
	out := make([]app.UI, 0, len(ins))
	for _, in := range ins {
		body := func() []app.UI {
			if len(in.Kids) > 0 {
				return inlines(in.Kids, mark)
			}
			return mark(in.Text)
		}
		switch in.Kind {
		case md.CodeSpan:
			out = append(out, el.Code().Body(mark(in.Text)...))
		case md.Em:
			out = append(out, el.Em().Body(body()...))
		case md.Strong:
			out = append(out, el.Strong().Body(body()...))
		case md.Del:
			out = append(out, el.Del().Body(body()...))
		case md.Link:
			if in.Href == "" {
				out = append(out, el.Span().Class("link-text").Body(body()...))
				continue
			}
			out = append(out, el.A().Attr("href", in.Href).Attr("rel", "noopener noreferrer").Attr("target", "_blank").
				Title("%s", md.Clean(in.Href)).Body(body()...))
		default:
			out = append(out, mark(in.Text)...)
		}
	}
	return out
}
