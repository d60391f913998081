package ui

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// attrEscaper makes a value safe for go-app's server-side HTML encoder.
var attrEscaper = strings.NewReplacer(
	`&`, "&amp;", `"`, "&quot;", `'`, "&#39;", `<`, "&lt;", `>`, "&gt;", `\`, "&#92;",
)

// attr prepares data for an HTML attribute.
//
// go-app v10.1.11 writes attribute values on the server with
// strconv.Quote (node.go encodeHTMLAttribute), which is Go quoting, not
// HTML escaping: a `"` in a session title would become `\"` and end the
// attribute, letting the rest of the title add attributes (event
// handlers) to the pre-rendered page. So on the server every character
// that matters is turned into an HTML entity first — none is left for
// strconv.Quote to touch — and control characters become spaces. In the
// browser go-app sets attributes through the DOM, where the raw value is
// right. Runes strconv.Quote would write as \u escapes (a line or
// paragraph separator, a zero-width space: printable by no font) become
// numeric entities, which the browser decodes to the rune itself.
func attr(s string) string {
	if !app.IsServer {
		return s
	}
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	s = attrEscaper.Replace(s)
	if strings.IndexFunc(s, notQuotable) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if notQuotable(r) {
			fmt.Fprintf(&b, "&#x%X;", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// notQuotable is a rune strconv.Quote escapes (controls are gone by then).
func notQuotable(r rune) bool { return !strconv.IsPrint(r) }
