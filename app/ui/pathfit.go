package ui

import (
	"unicode/utf8"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/el"
)

// A project's path is told apart from its neighbours by its end: the
// project's own folder, and the folders just above it. Where a path is
// too long for its box, pathFit shows that end whole, folder by folder,
// after a "…": "…acme/platform/billing-api", never
// "/home/alice/src/github.com/…" (text-overflow keeps the start), nor
// "…b.com/acme/…" cut inside a folder's name.
//
// It is done by layout alone (web/helm.css, .fit-end), at any width and
// with no script measuring text, and without the right-to-left trick
// (direction: rtl with text-overflow), which depends on how a browser
// places an ellipsis in mixed directions: the folders are flex items
// laid from the right, the last folder first, that wrap onto lines the
// box hides, so the line shown holds the last folders that fit; a "…"
// shows only when some folder was wrapped away. A last folder wider than
// the box alone shows its end. The path stays in the document whole and
// in order, as text (a transcript's cwd is untrusted), for screen
// readers, find in page and copying.

// fitPartsMax is how many parts pathFit lays out (web/helm.css orders
// that many): the parts of a deeper path before them are one part.
const fitPartsMax = 16

// fitParts is path in parts for pathFit: the root's slash, then each
// folder's name with the slash after it ("/", "home/", "alice/",
// "notes"); a name with no slash gives its first character a part of
// its own, so that the rest of it can still show after a "…".
func fitParts(path string) []string {
	parts := folderParts(path)
	if len(parts) == 1 {
		if _, n := utf8.DecodeRuneInString(path); n < len(path) {
			parts = []string{path[:n], path[n:]}
		}
	}
	if n := len(parts) - fitPartsMax; n > 0 {
		head := ""
		for _, p := range parts[:n+1] {
			head += p
		}
		parts = append([]string{head}, parts[n+1:]...)
	}
	return parts
}

// folderParts is path cut after each slash or backslash (a Windows
// path's): "/", "home/", "alice/", "notes".
func folderParts(path string) []string {
	var parts []string
	start := 0
	for i := 0; i < len(path); i++ {
		if path[i] == '/' || path[i] == '\\' {
			parts = append(parts, path[start:i+1])
			start = i + 1
		}
	}
	if start < len(path) {
		parts = append(parts, path[start:])
	}
	return parts
}

// pathFit is path laid out to keep its end (above) in a box of one line
// that hides what overflows it (web/helm.css: .bar-name.path, a
// session's project).
func pathFit(path string) app.HTMLElem {
	parts := fitParts(path)
	kids := make([]app.UI, len(parts))
	for i, p := range parts {
		kids[i] = el.Span().Text(p)
	}
	return el.Span().Class("fit-end").Body(kids...)
}
