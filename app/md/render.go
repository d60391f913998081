package md

import (
	"fmt"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// Marker turns a text into nodes: plain text, or text with the find
// term's matches in <mark>. It must only make text nodes and <mark>.
type Marker func(text string) []app.UI

// Plain is the Marker that highlights nothing.
func Plain(text string) []app.UI { return []app.UI{app.Text(Clean(text))} }

// Render renders Markdown source as go-app elements. Every string goes
// through mark (and so through Clean) as text: no raw HTML, ever.
func Render(src string, mark Marker) []app.UI {
	return RenderBlocks(Parse(src), mark)
}

// RenderBlocks renders parsed blocks (a caller may keep Parse's result
// for text it renders again and again).
func RenderBlocks(blocks []Block, mark Marker) []app.UI {
	if mark == nil {
		mark = Plain
	}
	out := make([]app.UI, 0, len(blocks))
	for _, b := range blocks {
		out = append(out, block(b, mark))
	}
	return out
}

func block(b Block, mark Marker) app.UI {
	switch b.Kind {
	case Code:
		pre := app.Pre().Class("code")
		if b.Lang != "" {
			pre = pre.DataSet("lang", Clean(b.Lang))
		}
		return pre.Body(app.Code().Body(mark(b.Text)...))
	case Heading:
		return app.Div().Class("md-h", fmt.Sprintf("md-h%d", b.Level)).Aria("level", b.Level).Body(inlines(b.Inlines, mark)...)
	case Quote:
		return app.Blockquote().Body(inlines(b.Inlines, mark)...)
	case List:
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

func inlines(ins []Inline, mark Marker) []app.UI {
	out := make([]app.UI, 0, len(ins))
	for _, in := range ins {
		switch in.Kind {
		case CodeSpan:
			out = append(out, app.Code().Body(mark(in.Text)...))
		case Em:
			out = append(out, app.Em().Body(mark(in.Text)...))
		case Strong:
			out = append(out, app.Strong().Body(mark(in.Text)...))
		case Link:
			if in.Href == "" {
				out = append(out, app.Span().Class("link-text").Body(mark(in.Text)...))
				continue
			}
			out = append(out, app.A().Href("%s", in.Href).Rel("noopener noreferrer").Target("_blank").
				Title("%s", Clean(in.Href)).Body(mark(in.Text)...))
		default:
			out = append(out, mark(in.Text)...)
		}
	}
	return out
}

// Clean makes bidirectional controls visible: an override or isolate in
// a transcript could otherwise make text read differently from what it
// is (a file name or a command shown reversed). Each becomes "[U+202E]".
func Clean(s string) string {
	if !strings.ContainsFunc(s, isBidi) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if isBidi(r) {
			fmt.Fprintf(&b, "[U+%04X]", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isBidi(r rune) bool {
	return r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069 || r == 0x200E || r == 0x200F || r == 0x061C
}
