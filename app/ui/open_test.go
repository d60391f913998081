package ui

import "testing"

// SessionOfPath reads back what SessionPath writes, whatever the ids
// hold, and names no session for a path the session route does not take.
func TestSessionOfPathInvertsSessionPath(t *testing.T) {
	for _, c := range [][2]string{
		{"claude", "0b9c6f0e-6d4e-4c1a-9a43-1f2e3d4c5b6a"},
		{"opencode", "ses_4a1b2c3d4e5fAbCdEf"},
		{"claude", `a/b "c" <d> %41 ?e#f`},
	} {
		source, id, ok := SessionOfPath(SessionPath(c[0], c[1]))
		if !ok || source != c[0] || id != c[1] {
			t.Errorf("SessionPath(%q, %q) reads back as %q, %q, %v", c[0], c[1], source, id, ok)
		}
	}
	for _, p := range []string{"/", "/usage", "/s/claude", "/s/claude/", "//s/claude/x", "/s/claude/x/y", "/s//x", "/s/claude/%zz"} {
		if source, id, ok := SessionOfPath(p); ok {
			t.Errorf("%q names session %q, %q", p, source, id)
		}
	}
}
