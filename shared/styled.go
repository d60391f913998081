package shared

import "strings"

// Style is how a terminal draws a run of a command's output: one of six
// colours (StyleRed … StyleCyan; 0 is the text's own) and bold. Black and
// white, the 256 colours and the true colours draw as the text's own, as
// do backgrounds: the page's two themes have a palette whose contrast
// with their background is checked (WCAG AA), and a colour of the
// output's choosing would have none.
type Style uint8

// The colours of SGR 31–36 (and their bright forms, 91–96), and bold.
const (
	StyleRed Style = 1 + iota
	StyleGreen
	StyleYellow
	StyleBlue
	StyleMagenta
	StyleCyan
	StyleBold Style = 8
)

// Color is s's colour, 0 for the text's own.
func (s Style) Color() Style { return s & 7 }

// Bold reports whether s is bold.
func (s Style) Bold() bool { return s&StyleBold != 0 }

// Run is a piece of a command's output drawn in one style.
type Run struct {
	Text  string
	Style Style
}

// StyledRuns is s as a terminal shows it: the text StripEscapes keeps,
// in runs of one style, which its SGR sequences (ESC [ … m) set; every
// other sequence is dropped as StripEscapes drops it, and a run joins
// the text around one. The runs' texts joined are StripEscapes(s). nil
// when s holds no ESC, and only then: the caller shows s as it is.
//
// A run's text is a piece of s while nothing was dropped inside it, as
// most are: an output of a hundred thousand colour changes is not as
// many copies.
func StyledRuns(s string) []Run {
	seqs := strings.Count(s, "\x1b")
	if seqs == 0 {
		return nil
	}
	// Sized once: a run starts at a sequence at most, and one that
	// changes the style is 3 bytes at least ("\x1b[m") before a byte of
	// text. Not nil, even when nothing shows: s held escapes.
	r := runs{s: s, out: make([]Run, 0, min(seqs+1, 1+len(s)/4))}
	unended := false // a string sequence found no end: none after it can (as StripEscapes)
	for at := 0; ; {
		i := strings.IndexByte(s[at:], esc)
		if i < 0 {
			r.add(at, len(s))
			r.end()
			return r.out
		}
		r.add(at, at+i)
		at += i
		n := nextSeq(s[at:], &unended)
		if n == 0 {
			r.add(at, at+1) // not a whole sequence: kept, as StripEscapes keeps it
			n = 1
		} else if next, ok := r.cur.sgr(s[at : at+n]); ok {
			r.cur = next // the run under way ends with the next text, if that is of another style
		}
		at += n
	}
}

// runs builds StyledRuns' runs of s: the one under way, of style
// style, is s[from:to] while it is one piece of s, joined once it is
// more. cur is the style the sequences read so far set, which the next
// text is drawn in: a style set and unset with no text between
// ("a\x1b[1m\x1b[mb") makes no run.
type runs struct {
	s          string
	out        []Run
	cur, style Style
	from, to   int
	joined     []byte
	many       bool
}

// add adds s[a:b], of the style cur, to the run under way, or to a new
// one when that is of another style.
func (r *runs) add(a, b int) {
	if a == b {
		return
	}
	if r.cur != r.style {
		r.end()
		r.style = r.cur
	}
	switch {
	case !r.many && r.from == r.to:
		r.from, r.to = a, b
	case !r.many && r.to == a:
		r.to = b
	default:
		if !r.many {
			r.joined, r.many = append(r.joined[:0], r.s[r.from:r.to]...), true
		}
		r.joined = append(r.joined, r.s[a:b]...)
	}
}

// end ends the run under way, if it has any text.
func (r *runs) end() {
	switch {
	case r.many:
		r.out = append(r.out, Run{string(r.joined), r.style})
	case r.to > r.from:
		r.out = append(r.out, Run{r.s[r.from:r.to], r.style})
	}
	r.from, r.to, r.many = 0, 0, false
}

// sgr is st after seq, a whole escape sequence, when seq is an SGR one
// (ESC [ parameters m, the parameters digits, ';' and ':' only); ok is
// false for any other sequence, which sets no style. Each byte is looked
// at once: a sequence of a megabyte takes linear time.
func (st Style) sgr(seq string) (next Style, ok bool) {
	if len(seq) < 3 || seq[1] != '[' || seq[len(seq)-1] != 'm' {
		return st, false
	}
	params := seq[2 : len(seq)-1]
	for i := 0; i < len(params); i++ {
		if c := params[i]; (c < '0' || c > '9') && c != ';' && c != ':' {
			return st, false // a private or unknown form
		}
	}
	// skip: the arguments of a 38 or 48 (5;n, 2;r;g;b) still to pass;
	// -1 while the form's kind (5 or 2) is next.
	skip := 0
	for more := true; more; {
		p := params
		if i := strings.IndexByte(params, ';'); i >= 0 {
			p, params = params[:i], params[i+1:]
		} else {
			more = false // "31;" is 31, then an empty one: 0
		}
		n, colon := sgrCode(p)
		switch {
		case skip == -1:
			skip = 0
			if n == 5 {
				skip = 1
			} else if n == 2 {
				skip = 3
			}
		case skip > 0:
			skip--
		case colon:
			// A colon form (38:2::r:g:b, 4:3): its arguments are
			// within; a colour so set is none of the six.
			if n == 38 {
				st &^= 7
			}
		case n == 0:
			st = 0
		case n == 1:
			st |= StyleBold
		case n == 22:
			st &^= StyleBold
		case n >= 31 && n <= 36, n >= 91 && n <= 96:
			st = st&^7 | Style(n%10)
		case n == 30, n == 37, n == 39, n == 90, n == 97:
			st &^= 7
		case n == 38:
			st &^= 7
			skip = -1
		case n == 48:
			skip = -1
		}
	}
	return st, true
}

// sgrCode is the number an SGR parameter starts with ("" and "0" are 0,
// "01" is 1), -1 when it has more than three digits (no code Helm draws
// has, and a longer one cannot overflow); colon says a ':' follows it.
func sgrCode(p string) (n int, colon bool) {
	digits := 0
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == ':' {
			colon = true
			break
		}
		if n > 0 || c != '0' {
			digits++
		}
		if digits <= 3 {
			n = n*10 + int(c-'0')
		}
	}
	if digits > 3 {
		return -1, colon
	}
	return n, colon
}
