package ui

import (
	"slices"
	"strings"
	"testing"

	"vibecraft.sh/helm/app/el"
)

// A path is laid out in parts, each folder with its slash after it, the
// root's slash a part of its own; a name with no slash keeps its first
// character apart (so its end can show after a "…"); a path deeper than
// the stylesheet orders folds its first parts into one; the parts are
// the path whole, in order.
func TestFitParts(t *testing.T) {
	deep := strings.Repeat("d/", 20) + "end"
	for _, tc := range []struct {
		path string
		want []string
	}{
		{"/home/alice/notes", []string{"/", "home/", "alice/", "notes"}},
		{"/home/alice/blog posts/", []string{"/", "home/", "alice/", "blog posts/"}},
		{"relative/dir", []string{"relative/", "dir"}},
		{`C:\Users\alice\app`, []string{`C:\`, `Users\`, `alice\`, "app"}},
		{"global", []string{"g", "lobal"}},
		{"éclair", []string{"é", "clair"}},
		{"x", []string{"x"}},
		{"/", []string{"/"}},
		{deep, append([]string{strings.Repeat("d/", 6)}, append(slices.Repeat([]string{"d/"}, 14), "end")...)},
	} {
		got := fitParts(tc.path)
		if !slices.Equal(got, tc.want) {
			t.Errorf("fitParts(%q) = %q, want %q", tc.path, got, tc.want)
		}
		if len(got) > fitPartsMax || strings.Join(got, "") != tc.path {
			t.Errorf("fitParts(%q) = %d parts, %q joined", tc.path, len(got), strings.Join(got, ""))
		}
	}
}

// A path that is markup stays text, each part a span in order.
func TestPathFitIsText(t *testing.T) {
	const path = `/home/<img src=x onerror="alert(1)">/app`
	page := renderUI(t, pathFit(path))
	if page.hasTag("img") {
		t.Fatal("a path became markup")
	}
	fit := page.all("fit-end")
	if len(fit) != 1 || fit[0].content() != path || len(fit[0].tags("span")) != 4 {
		t.Errorf("pathFit(%q) renders %d lists reading %q", path, len(fit), contents(fit))
	}
}

// The usage table's paths wrap only after a folder's slash, a Windows
// path's backslash too, the root's slash kept with the first folder.
func TestPathPartsWrapAfterFolders(t *testing.T) {
	for _, tc := range []struct {
		path string
		want []string
	}{
		{"/home/alice/notes", []string{"/home/", "alice/", "notes"}},
		{`C:\Users\alice\app`, []string{`C:\`, `Users\`, `alice\`, "app"}},
		{`\\server\share\app`, []string{`\\`, `server\`, `share\`, "app"}},
		{"global", []string{"global"}},
	} {
		page := renderUI(t, el.Span().Body(pathParts(tc.path)...))
		if got := contents(page.all("part")); !slices.Equal(got, tc.want) {
			t.Errorf("pathParts(%q) reads %q, want %q", tc.path, got, tc.want)
		}
	}
}
