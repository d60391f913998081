package ui

import (
	"regexp"
	"strings"
	"testing"

	"vibecraft.sh/helm/shared"
)

// SessionOfPath reads back what SessionPath writes, whatever the ids
// hold, and names no session for a path the session route does not take.
func TestSessionOfPathInvertsSessionPath(t *testing.T) {
	for _, c := range [][2]string{
		{"claude", "0b9c6f0e-6d4e-4c1a-9a43-1f2e3d4c5b6a"},
		{"opencode", "ses_4a1b2c3d4e5fAbCdEf"},
		{"claude", `a/b "c" <d> %41 ?e#f`},
	} {
		source, id, ok := SessionOfPath(shared.SessionPath(c[0], c[1]))
		if !ok || source != c[0] || id != c[1] {
			t.Errorf("shared.SessionPath(%q, %q) reads back as %q, %q, %v", c[0], c[1], source, id, ok)
		}
	}
	for _, p := range []string{"/", "/usage", "/s/claude", "/s/claude/", "//s/claude/x", "/s/claude/x/y", "/s//x", "/s/claude/%zz"} {
		if source, id, ok := SessionOfPath(p); ok {
			t.Errorf("%q names session %q, %q", p, source, id)
		}
	}
}

// SessionOfPath takes exactly the paths the router sends to the session
// page (SessionRoute), and names a session for each.
func TestSessionOfPathIsTheRoute(t *testing.T) {
	route := regexp.MustCompile(SessionRoute)
	paths := []string{
		"", "/", "/s", "/s/", "/s//", "/s///", "/s/a", "/s/a/", "/s/a//", "/s//b", "/s//b/",
		"/s/a/b", "/s/a/b/", "/s/a/b//", "/s/a/b/c", "/s/a/b/c/", "//s/a/b", "/s/a/b?x", "/S/a/b",
		"s/a/b", "/s/a/b\n", "/s/a\n/b", "/s/\u00e9/\u4e16", "/s/a/b/\n", "/x/s/a/b", "/s/a%2Fb/c",
		"/s/a/%zz", "/s/%zz/b", "/s/a/b%", " /s/a/b",
	}
	for _, p := range paths {
		_, _, ok := SessionOfPath(p)
		escapes := strings.Contains(p, "%zz") || strings.HasSuffix(p, "%")
		if want := route.MatchString(p) && !escapes; ok != want {
			t.Errorf("%q: SessionOfPath says %v, the route %v", p, ok, route.MatchString(p))
		}
	}
}
