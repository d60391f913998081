package guard

import (
	"net/url"
	"path"
	"strings"
)

// localTarget is where a page request carrying ?token= is sent once the
// token is in a cookie: the same path and query without the token, as a
// path on this origin. The path is attacker-chosen (a link can point at
// "//evil.example/?token=…"), and browsers read "//host", "/\host" and
// their encodings as another site: path.Clean folds repeated slashes,
// escaping turns a backslash into %5C, and anything still odd becomes "/".
func localTarget(u *url.URL) string {
	p := path.Clean("/" + u.Path)
	if strings.HasSuffix(u.Path, "/") && p != "/" {
		p += "/"
	}
	target := (&url.URL{Path: p}).EscapedPath()
	if !sameOriginPath(target) {
		target = "/"
	}
	q := u.Query()
	q.Del("token")
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	return target
}

// sameOriginPath reports a path-absolute reference that no browser
// resolves to another host.
func sameOriginPath(p string) bool {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.ContainsAny(p, "\\?#") {
		return false
	}
	for i := 0; i < len(p); i++ {
		if p[i] < 0x21 || p[i] >= 0x7f {
			return false
		}
	}
	r, err := url.Parse(p)
	return err == nil && r.Scheme == "" && r.Host == "" && r.User == nil
}
