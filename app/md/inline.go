package md

import (
	"net/url"
	"strings"
)

// InlineKind is an inline span's kind.
type InlineKind uint8

// Inline kinds. Emphasis, strikethrough and a link's text may hold other
// spans (Kids) down to maxNest levels, deeper is text: no input can make
// the tree (or the renderer's recursion) deep.
const (
	Text InlineKind = iota
	CodeSpan
	Em
	Strong
	Link
	Del // GitHub's strikethrough, ~~text~~
)

// Inline is one span of text.
type Inline struct {
	Kind InlineKind
	Text string
	// Href is a Link's target, set only for an absolute http(s) URL; a
	// link to anything else shows its text and goes nowhere.
	Href string
	// Kids are the spans of Text, when it holds any but plain text
	// (**`file.go`**, [`README`](…), **[docs](…)**): shown instead of
	// Text. A link's kids hold no link.
	Kids []Inline
}

// maxNest bounds how deep spans nest. Assistants often write a code
// span in bold or in a link, or a link in bold; deeper is rare, and
// stays text.
const maxNest = 2

// maxInlines bounds the spans of one paragraph; the rest is one text.
const maxInlines = 4000

// ParseInline splits s into spans.
func ParseInline(s string) []Inline { return parseInline(s, 0, true) }

// parseInline splits s, read depth levels down in other spans, into
// spans; links says whether they may hold links (not in a link's text).
func parseInline(s string, depth int, links bool) []Inline {
	var out []Inline
	var text strings.Builder
	emit := func(in Inline) {
		if text.Len() > 0 {
			out = append(out, Inline{Kind: Text, Text: text.String()})
			text.Reset()
		}
		if in.Kind != CodeSpan && in.Kind != Text && depth < maxNest {
			in = nest(in, depth, links)
		}
		out = append(out, in)
	}
	// The next "](" and ">" are looked for once and shared by every "["
	// and "<" before them: looked for afresh from each, a line of a
	// million "[" or "<" took seconds, as each search ran to its end.
	closer, gt := ahead{sep: "](", at: -1}, ahead{sep: ">", at: -1}
	for i := 0; i < len(s); {
		if len(out) >= maxInlines {
			text.WriteString(s[i:])
			break
		}
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && strings.IndexByte(escapable, s[i+1]) >= 0:
			text.WriteByte(s[i+1])
			i += 2
			continue
		case c == '`':
			n := run(s[i:], '`')
			if end := strings.Index(s[i+n:], s[i:i+n]); end >= 0 {
				code := s[i+n : i+n+end]
				if len(code) >= 2 && code[0] == ' ' && code[len(code)-1] == ' ' && strings.TrimSpace(code) != "" {
					code = code[1 : len(code)-1]
				}
				emit(Inline{Kind: CodeSpan, Text: code})
				i += n + end + n
				continue
			}
			text.WriteString(s[i : i+n]) // an unclosed run is text
			i += n
			continue
		case c == '*' || c == '_':
			if in, n := emphasis(s, i); n > 0 {
				emit(in)
				i += n
				continue
			}
			n := run(s[i:], c)
			text.WriteString(s[i : i+n])
			i += n
			continue
		case c == '~':
			if in, n := strike(s, i); n > 0 {
				emit(in)
				i += n
				continue
			}
			n := run(s[i:], c) // a run that strikes nothing is text whole: "~~~" is not "~" then "~~"
			text.WriteString(s[i : i+n])
			i += n
			continue
		case !links && (c == 'h' || c == 'H' || c == 'w' || c == '[' || c == '<'):
			// In a link's text: no link, nor bare URL, in it.
		case c == 'h' || c == 'H' || c == 'w':
			in, n, plain := autolink(s, i)
			if n > 0 {
				emit(in)
				i += n
				continue
			}
			if plain > 0 {
				text.WriteString(s[i : i+plain])
				i += plain
				continue
			}
		case c == '[':
			if close := closer.from(s, i+1); close < len(s) {
				if in, n := link(s[i:], close-i); n > 0 {
					emit(in)
					i += n
					continue
				}
			}
		case c == '<':
			// safeURL stops at the first space or "<": its work on each
			// "<" ends where the next one starts.
			if end := gt.from(s, i+1); end < len(s) {
				if u := safeURL(s[i+1 : end]); u != "" {
					emit(Inline{Kind: Link, Text: s[i+1 : end], Href: u})
					i = end + 1
					continue
				}
			}
		}
		text.WriteByte(c)
		i++
	}
	if text.Len() > 0 {
		out = append(out, Inline{Kind: Text, Text: text.String()})
	}
	return out
}

// nest gives in, a span read depth levels down, the spans its text
// holds, unless that is plain text.
func nest(in Inline, depth int, links bool) Inline {
	kids := parseInline(in.Text, depth+1, links && in.Kind != Link)
	if len(kids) == 1 && kids[0].Kind == Text && kids[0].Text == in.Text {
		return in
	}
	in.Kids = kids
	return in
}

const escapable = "\\`*_{}[]()#+-.!<>|~"

// run counts the bytes equal to c at the start of s.
func run(s string, c byte) int {
	n := 0
	for n < len(s) && s[n] == c {
		n++
	}
	return n
}

// emphasis reads *em*, **strong**, _em_ or __strong__ at s[i:], returning
// the span and its length, or 0. Underscores inside a word stay text
// (snake_case), and the text may not start or end with a space.
func emphasis(s string, i int) (Inline, int) {
	c := s[i]
	n := run(s[i:], c)
	if n > 3 {
		return Inline{}, 0
	}
	if c == '_' && i > 0 && isWord(s[i-1]) {
		return Inline{}, 0
	}
	delim := s[i : i+n]
	body := s[i+n:]
	if body == "" || body[0] == ' ' || body[0] == '\n' {
		return Inline{}, 0
	}
	end := strings.Index(body, delim)
	for end >= 0 && n == 1 && end+1 < len(body) && body[end+1] == c {
		// "*a **b**": skip a doubled delimiter when looking for a single one.
		next := strings.Index(body[end+2:], delim)
		if next < 0 {
			end = -1
			break
		}
		end += 2 + next
	}
	if end <= 0 || body[end-1] == ' ' || strings.Contains(body[:end], "\n\n") {
		return Inline{}, 0
	}
	if c == '_' && i+n+end+n < len(s) && isWord(s[i+n+end+n]) {
		return Inline{}, 0
	}
	switch n {
	case 1:
		return Inline{Kind: Em, Text: body[:end]}, n + end + n
	case 2:
		return Inline{Kind: Strong, Text: body[:end]}, n + end + n
	}
	// ***both***: strong, holding the emphasis (nest reads it).
	return Inline{Kind: Strong, Text: delim[:1] + body[:end] + delim[:1]}, n + end + n
}

// strike reads ~~text~~ at s[i:], GitHub's strikethrough, returning the
// span and its length, or 0. As emphasis, it holds plain text and its text
// may not start or end with a space. A single tilde is text, as it most
// often means "about" (~5 min) or a home directory; so is a run of three
// or more, on either side. A code span binds tighter, as in GitHub: a
// "~~" after a backtick does not close, so `~~` in code stays code. The
// search for the closing "~~" ends at the next "~~", where the next try
// starts, so the tries read each byte once.
func strike(s string, i int) (Inline, int) {
	if run(s[i:], '~') != 2 {
		return Inline{}, 0
	}
	body := s[i+2:]
	if body == "" || body[0] == ' ' || body[0] == '\n' {
		return Inline{}, 0
	}
	end := strings.Index(body, "~~")
	if end <= 0 || body[end-1] == ' ' || body[end-1] == '\n' || run(body[end:], '~') != 2 ||
		strings.IndexByte(body[:end], '`') >= 0 {
		return Inline{}, 0
	}
	return Inline{Kind: Del, Text: body[:end]}, 2 + end + 2
}

func isWord(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= 0x80
}

// ahead finds the next sep in a text read from left to right, searching
// each byte once however often it is asked: a search is made again only
// when the reader has passed the last one found.
type ahead struct {
	sep string
	at  int // the last sep found, len(s) when there is none; -1 before the first search
}

// from returns the index of the first sep at or after i, or len(s).
func (a *ahead) from(s string, i int) int {
	if a.at < i {
		a.at = len(s)
		if j := strings.Index(s[i:], a.sep); j >= 0 {
			a.at = i + j
		}
	}
	return a.at
}

// link reads [text](destination "title") at the start of s, whose first
// "](" is at close, and returns the span and its length, or 0 (then "["
// is text). The text stops at the first "[": a "[" whose text holds
// another is left to that one, so the checks of all the "["s before one
// "](" read each byte once. A destination that is not a safe URL still
// makes a link, with no Href, which shows its text alone: the whole
// construct is the link's, so none of it (a closing parenthesis of
// "javascript:alert(1)") is left behind as stray text. The title is
// dropped.
func link(s string, close int) (Inline, int) {
	if strings.IndexByte(s[1:close], '[') >= 0 || strings.Contains(s[:close], "\n") {
		return Inline{}, 0
	}
	target, n := destination(s[close+2:])
	if n == 0 {
		return Inline{}, 0
	}
	return Inline{Kind: Link, Text: s[1:close], Href: safeURL(target)}, close + 2 + n
}

// maxParens bounds how deep parentheses nest in a link's destination, as
// cmark does. Besides keeping the scan short on "((((…", it makes it
// linear: a scan reading past another link's "](" goes a level deeper, so
// at most maxParens+1 scans, one from each "](", read any one byte.
const maxParens = 32

// destination reads what follows a link's "(", as CommonMark has it:
// spaces, the destination (<…>, or text without spaces whose unescaped
// parentheses balance: .../Go_(programming_language)), an optional title
// after a space ("…", '…' or (…)), spaces, and the ")" that closes the
// link. It returns the destination, its escapes resolved, and the length
// read with the ")", or 0 when there is no such link.
func destination(s string) (string, int) {
	i := spaces(s, 0)
	start := i
	var dest string
	if i < len(s) && s[i] == '<' {
		for i++; i < len(s) && s[i] != '>'; i++ {
			switch {
			case s[i] == '\\' && i+1 < len(s) && isPunct(s[i+1]):
				i++
			case s[i] == '\n' || s[i] == '<':
				return "", 0
			}
		}
		if i == len(s) {
			return "", 0
		}
		dest = s[start+1 : i]
		i++
	} else {
		depth := 0
	scan:
		for ; i < len(s); i++ {
			switch c := s[i]; {
			case c == '\\' && i+1 < len(s) && isPunct(s[i+1]):
				i++
			case c == '(':
				if depth++; depth > maxParens {
					return "", 0
				}
			case c == ')':
				if depth == 0 {
					break scan
				}
				depth--
			case c <= ' ' || c == 0x7f: // a space or a control
				break scan
			}
		}
		if depth > 0 {
			return "", 0
		}
		dest = s[start:i]
	}
	j := spaces(s, i)
	if j > i && j < len(s) && strings.IndexByte(`"'(`, s[j]) >= 0 {
		n := title(s[j:])
		if n == 0 {
			return "", 0
		}
		j = spaces(s, j+n)
	}
	if j == len(s) || s[j] != ')' {
		return "", 0
	}
	return unescape(dest), j + 1
}

// title returns the length of the link title at the start of s, up to
// the unescaped quote or ")" that closes it, or 0 if none does. A search
// for a quote ends at the next title's opening one, so title searches
// read each byte at most once for each kind of title.
func title(s string) int {
	end := s[0]
	if end == '(' {
		end = ')'
	}
	for i := 1; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s) && isPunct(s[i+1]):
			i++
		case s[i] == end:
			return i + 1
		case s[0] == '(' && s[i] == '(':
			return 0
		}
	}
	return 0
}

// spaces returns the index after the spaces and tabs at s[i:], with at
// most one line break among them.
func spaces(s string, i int) int {
	nl := false
	for ; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t':
		case '\n':
			if nl {
				return i
			}
			nl = true
		default:
			return i
		}
	}
	return i
}

// unescape resolves a destination's backslash escapes: a backslash
// before ASCII punctuation stands for that character alone.
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && isPunct(s[i+1]) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// isPunct reports whether c is ASCII punctuation, which a backslash may
// escape in CommonMark.
func isPunct(c byte) bool {
	return c >= '!' && c <= '/' || c >= ':' && c <= '@' || c >= '[' && c <= '`' || c >= '{' && c <= '~'
}

// safeURL returns target as a link target if it is an absolute http or
// https URL with a host, or "" (javascript:, data:, relative paths…).
func safeURL(target string) string {
	if strings.ContainsAny(target, " \t\n\r\"'<>\\`") {
		return ""
	}
	u, err := url.Parse(target)
	if err != nil || u.Host == "" || u.User != nil {
		return ""
	}
	if s := strings.ToLower(u.Scheme); s != "http" && s != "https" {
		return ""
	}
	return u.String()
}
