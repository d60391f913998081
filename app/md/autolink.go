package md

import "strings"

// Bare URLs in text are links, as GitHub makes them (GFM's extended
// autolinks): "http://" or "https://" not after a letter or digit, and
// "www." at the start or after a space, "*", "_", "~" or "(", each
// followed by a domain, then anything up to a space, less the trailing
// punctuation GitHub leaves out (see trailing). Such a link is a Link
// span like any other, under the same rule for its href (safeURL); a
// URL that rule refuses stays text. What code holds is never linked: a
// code span before a URL is read whole, a URL ends at a backtick, and
// code blocks are not inline text.
//
// Two choices GitHub does not make, for safety and for text around URLs:
// a URL ends at any character safeURL refuses (a quote, a backtick, "\",
// "<" or ">"), so that `"url":"https://x.test/a"` links just the URL and
// https://x.test"onmouseover=… links https://x.test; and an unbalanced
// "]" at its end is left out as an unbalanced ")" is: "[see
// https://x.test]".

// maxDomain bounds the domain read before a URL is known to be one: a
// host name is at most 253 bytes. Tries that fail cost at most this.
const maxDomain = 255

// autolink reads a bare URL at s[i:]. It returns the link and its length,
// or, for a URL that safeURL refuses (a bad port or escape, a user and
// password), no link and the length of the URL, which the caller keeps
// as text whole: tries that start inside it would read to its end again
// and again, quadratic on a line of such URLs. Both are 0 when no URL
// starts here.
func autolink(s string, i int) (in Inline, n, plain int) {
	rest := s[i:]
	www := strings.HasPrefix(rest, "www.")
	host := 0
	switch {
	case www:
	case len(rest) >= 8 && strings.EqualFold(rest[:8], "https://"):
		host = 8
	case len(rest) >= 7 && strings.EqualFold(rest[:7], "http://"):
		host = 7
	default:
		return Inline{}, 0, 0
	}
	if i > 0 {
		p := s[i-1]
		if www && !isSpace(p) && strings.IndexByte("*_~(", p) < 0 || !www && isAlnum(p) {
			return Inline{}, 0, 0
		}
	}
	d := domain(rest[host:], www)
	if d == 0 {
		return Inline{}, 0, 0
	}
	end := host + d
	for end < len(rest) && urlByte(rest[end]) {
		end++
	}
	end = trailing(rest[:end], host)
	href := rest[:end]
	if www {
		href = "http://" + href
	}
	if u := safeURL(href); u != "" {
		return Inline{Kind: Link, Text: rest[:end], Href: u}, end, 0
	}
	return Inline{}, 0, end
}

// domain returns the length of the domain at the start of s, or 0 if it
// is not one. As on GitHub: letters, digits, "-", "_" and ".", starting
// with a letter or digit, no "_" in its last two labels (a host name has
// none); after "www." at least one more label, while http:// takes a name
// without a dot (localhost).
func domain(s string, www bool) int {
	n := 0
	for n < len(s) && n <= maxDomain && isHostByte(s[n]) {
		n++
	}
	if n == 0 || n > maxDomain || !isAlnum(s[0]) && s[0] < 0x80 {
		return 0
	}
	name := strings.TrimRight(s[:n], ".")
	if www && len(name) <= len("www.") {
		return 0
	}
	last := strings.LastIndexByte(name, '.')
	if strings.IndexByte(name[last+1:], '_') >= 0 {
		return 0
	}
	if last > 0 {
		if prev := strings.LastIndexByte(name[:last], '.'); strings.IndexByte(name[prev+1:last], '_') >= 0 {
			return 0
		}
	}
	return n
}

// trailing returns the length of the URL u less what GitHub leaves out of
// it at its end: the punctuation ? ! . , : * _ ~ ; an entity-like &name;
// a ")" (or "]") with more of them in the URL than "(" (or "["), so that
// "(see https://x.test/a_(b))" links https://x.test/a_(b). It never cuts
// into the first keep bytes. The brackets are counted once, not once for
// each one left out, so that a URL ending in a million ")" costs no more
// than its length.
func trailing(u string, keep int) int {
	open, closed := strings.Count(u, "("), strings.Count(u, ")")
	sqOpen, sqClosed := strings.Count(u, "["), strings.Count(u, "]")
	n := len(u)
	for n > keep {
		switch c := u[n-1]; {
		case strings.IndexByte("?!.,:*_~", c) >= 0:
			n--
		case c == ';':
			j := n - 1
			for j > keep && isAlnum(u[j-1]) {
				j--
			}
			if j < n-1 && j > keep && u[j-1] == '&' {
				n = j - 1
			} else {
				n--
			}
		case c == ')' && closed > open:
			closed--
			n--
		case c == ']' && sqClosed > sqOpen:
			sqClosed--
			n--
		default:
			return n
		}
	}
	return n
}

// urlByte reports whether a bare URL goes on over c: anything but a
// space, a control, or a character safeURL refuses.
func urlByte(c byte) bool {
	return c > ' ' && c != 0x7f && strings.IndexByte("\"'<>\\`", c) < 0
}

func isHostByte(c byte) bool {
	return isAlnum(c) || c == '-' || c == '_' || c == '.' || c >= 0x80
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}
