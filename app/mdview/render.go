// Package mdview renders the tree of package md as go-app elements. Every
// string is set as text (and goes through md.Clean), never as markup:
// transcripts are untrusted, so nothing here can produce an element the
// subset does not name, an attribute other than a checked http(s) href,
// or raw HTML. It is apart from the parser so that the parser, and its
// fuzz target, build without go-app.
package mdview

import (
	"fmt"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
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
		pre := app.Pre().Class("code").TabIndex(0)
		if b.Lang != "" {
			pre = pre.DataSet("lang", md.Clean(b.Lang))
		}
		return pre.Body(app.Code().Body(mark(b.Text)...))
	case md.Heading:
		return app.Div().Class("md-h", fmt.Sprintf("md-h%d", b.Level)).Aria("level", b.Level).Body(inlines(b.Inlines, mark)...)
	case md.Quote:
		return app.Blockquote().Body(inlines(b.Inlines, mark)...)
	case md.List:
		items := make([]app.UI, len(b.Items))
		for i, it := range b.Items {
			li := app.Li().Body(inlines(it.Inlines, mark)...)
			if it.Depth > 0 {
				li = li.Class(fmt.Sprintf("depth%d", it.Depth))
			}
			items[i] = li
		}
		if b.Ordered {
			return app.Ol().Body(items...)
		}
		return app.Ul().Body(items...)
	default:
		return app.P().Body(inlines(b.Inlines, mark)...)
	}
}

func inlines(ins []md.Inline, mark Marker) []app.UI {
	out := make([]app.UI, 0, len(ins))
	for _, in := range ins {
		switch in.Kind {
		case md.CodeSpan:
			out = append(out, app.Code().Body(mark(in.Text)...))
		case md.Em:
			out = append(out, app.Em().Body(mark(in.Text)...))
		case md.Strong:
			out = append(out, app.Strong().Body(mark(in.Text)...))
		case md.Link:
			if in.Href == "" {
				out = append(out, app.Span().Class("link-text").Body(mark(in.Text)...))
				continue
			}
			out = append(out, app.A().Href("%s", in.Href).Rel("noopener noreferrer").Target("_blank").
				Title("%s", md.Clean(in.Href)).Body(mark(in.Text)...))
		default:
			out = append(out, mark(in.Text)...)
		}
	}
	return out
}
