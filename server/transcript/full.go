package transcript

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Full writes the whole text of the string a ref (shared.Cut.Ref) names,
// decoded from its JSON form as it streams: memory stays a buffer however
// long it is. A ref to the text inside a tag (a command's stdout) writes
// that text alone, trimmed, as the page shows it (tagText). Nothing is
// written when the ref is bad or stale.
func (t *Files) Full(path, ref string, w io.Writer) error {
	pos, err := decodeCursor(ref)
	if err != nil || pos.kind != kindRef && pos.kind != kindTag {
		return ErrBadCursor
	}
	f, snap, err := t.open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := pos.check(f, &snap); err != nil {
		return err
	}
	if pos.off >= snap.end {
		return ErrBadCursor
	}
	br := bufio.NewReaderSize(io.NewSectionReader(f, pos.off, snap.end-pos.off), lineBufSize)
	if b, err := br.ReadByte(); err != nil || b != '"' {
		return ErrBadCursor // not at a string: not a ref helmd made
	}
	if pos.kind == kindTag {
		return unquoteTag(br, pos.tag, w)
	}
	bw := bufio.NewWriterSize(w, 32<<10)
	if err := unquote(br, bw); err != nil {
		return err
	}
	return bw.Flush()
}

// unquoteTag writes, of the JSON string body br holds (after its opening
// quote), the text inside its tag outputTags[tag-1], trimmed.
func unquoteTag(br *bufio.Reader, tag uint8, w io.Writer) error {
	out := bufio.NewWriterSize(w, 32<<10)
	tf := newTagFilter(outputTags[tag-1], out)
	bw := bufio.NewWriterSize(tf, 32<<10)
	if err := unquote(br, bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	tf.close()
	return out.Flush()
}

// tagHead is, of the string whose opening quote is at the file offset at,
// the text inside its tag outputTags[tag-1] as the page shows a long
// string: its first maxString bytes (cut at a rune's start), and the
// size of the whole text. It reads the string through, holding no more
// than that head and the buffers, and leaves f's offset as it was (a
// page's reader depends on it).
func tagHead(f io.ReaderAt, at, end int64, tag uint8) (head string, size int64, err error) {
	if at < 0 || at >= end || tag == 0 || int(tag) > len(outputTags) {
		return "", 0, ErrBadCursor
	}
	br := bufio.NewReaderSize(io.NewSectionReader(f, at, end-at), 32<<10)
	if b, err := br.ReadByte(); err != nil || b != '"' {
		return "", 0, ErrBadCursor
	}
	h := headWriter{max: maxString}
	if err := unquoteTag(br, tag, &h); err != nil {
		return "", 0, err
	}
	kept := h.buf
	if h.n > int64(len(kept)) {
		// A rune whose end was not kept goes: the rest loads whole.
		i := len(kept) - 1
		for i > 0 && len(kept)-i < utf8.UTFMax && !utf8.RuneStart(kept[i]) {
			i--
		}
		if i >= 0 && !utf8.FullRune(kept[i:]) {
			kept = kept[:i]
		}
	}
	return string(kept), h.n, nil
}

// headWriter keeps the first max bytes written to it and counts them all.
type headWriter struct {
	max int
	buf []byte
	n   int64
}

func (h *headWriter) Write(p []byte) (int, error) {
	h.n += int64(len(p))
	if room := h.max - len(h.buf); room > 0 {
		h.buf = append(h.buf, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

// tagFilter passes on, of the text written to it, what tagText would
// return: what is inside the first <tag>…</tag> (to the end without its
// closing tag), trimmed of white space. It holds at most a tag's length,
// a rune, and maxHeldSpace of white space whose trimming waits on what
// follows it: a run longer than that is written out, untrimmed.
type tagFilter struct {
	openTag, closeTag string
	out               *bufio.Writer
	state             uint8 // seeking the open tag, inside, or done
	match             int   // bytes of the tag being looked for matched so far
	lead              bool  // inside, and only white space so far
	space             []byte
	part              []byte // an incomplete UTF-8 sequence
	one               [1]byte
}

const (
	tagSeek = iota
	tagIn
	tagDone
	// maxHeldSpace bounds the white space held back at a time.
	maxHeldSpace = 4 << 10
)

func newTagFilter(tag string, out *bufio.Writer) *tagFilter {
	return &tagFilter{openTag: "<" + tag + ">", closeTag: "</" + tag + ">", out: out, lead: true}
}

// Write never fails: out's error shows at its Flush.
func (f *tagFilter) Write(p []byte) (int, error) {
	for i := 0; i < len(p); i++ {
		// Runs that cannot hold a tag's start go at once (see unquote).
		switch {
		case f.state == tagDone:
			return len(p), nil
		case f.state == tagSeek && f.match == 0:
			j := bytes.IndexByte(p[i:], '<')
			if j < 0 {
				return len(p), nil
			}
			i += j
		case f.state == tagIn && f.match == 0 && len(f.part) == 0:
			// ASCII text, no white space (unicode.IsSpace's ASCII
			// runes are all of its ASCII white space) and no '<'.
			j := i
			for j < len(p) && p[j] < utf8.RuneSelf && p[j] != '<' && !asciiSpace[p[j]] {
				j++
			}
			if j > i {
				f.lead = false
				f.out.Write(f.space)
				f.space = f.space[:0]
				f.out.Write(p[i:j])
				if i = j; i == len(p) {
					return len(p), nil
				}
			}
		}
		b := p[i]
		switch f.state {
		case tagSeek:
			// The tags hold one '<', at their start: on a mismatch the
			// match can only start again at this byte.
			switch {
			case b == f.openTag[f.match]:
				f.match++
			case b == '<':
				f.match = 1
			default:
				f.match = 0
			}
			if f.match == len(f.openTag) {
				f.state, f.match = tagIn, 0
			}
		case tagIn:
			if b != f.closeTag[f.match] && f.match > 0 {
				// Not the closing tag after all: what matched is text.
				f.texts(f.closeTag[:f.match])
				f.match = 0
			}
			switch {
			case b == f.closeTag[f.match]:
				if f.match++; f.match == len(f.closeTag) {
					f.state = tagDone
				}
			default:
				f.text(b)
			}
		}
	}
	return len(p), nil
}

// asciiSpace are the ASCII runes unicode.IsSpace reports.
var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// close ends the text: a closing tag begun but never finished is text,
// an incomplete rune too, and the white space held is trimmed.
func (f *tagFilter) close() {
	if f.state == tagIn && f.match > 0 {
		f.texts(f.closeTag[:f.match])
	}
	for len(f.part) > 0 {
		f.rune(f.part[:1])
		f.part = f.part[1:]
	}
}

func (f *tagFilter) texts(s string) {
	for i := range len(s) {
		f.text(s[i])
	}
}

// text takes a byte inside the tag, gathering each rune whole to tell
// white space (unicode.IsSpace, as strings.TrimSpace does) from text.
func (f *tagFilter) text(b byte) {
	if len(f.part) == 0 && b < utf8.RuneSelf {
		f.one[0] = b
		f.rune(f.one[:])
		return
	}
	f.part = append(f.part, b)
	for len(f.part) > 0 && utf8.FullRune(f.part) {
		_, n := utf8.DecodeRune(f.part)
		f.rune(f.part[:n])
		f.part = f.part[:copy(f.part, f.part[n:])]
	}
}

// rune writes one rune (or one byte of invalid UTF-8), holding white
// space back until text follows it.
func (f *tagFilter) rune(r []byte) {
	if c, _ := utf8.DecodeRune(r); unicode.IsSpace(c) {
		if f.lead {
			return
		}
		if len(f.space)+len(r) > maxHeldSpace {
			f.out.Write(f.space)
			f.space = f.space[:0]
		}
		f.space = append(f.space, r...)
		return
	}
	f.lead = false
	f.out.Write(f.space)
	f.space = f.space[:0]
	f.out.Write(r)
}

// errUnterminated is a string that ends before its closing quote.
var errUnterminated = errors.New("string not terminated")

// unquote copies a JSON string body from r (after its opening quote) to
// w, decoded, up to its closing quote. Invalid escapes come out as
// U+FFFD, as encoding/json decodes them.
func unquote(r *bufio.Reader, w *bufio.Writer) error {
	var pending rune = -1 // a high surrogate waiting for its pair
	flush := func() {
		if pending >= 0 {
			w.WriteRune(utf8.RuneError)
			pending = -1
		}
	}
	for {
		// A run of plain bytes, as most of a string is, goes at once: a
		// byte at a time, a page reading a 200 MB output for the stderr
		// after it took seconds.
		if buf, _ := r.Peek(r.Buffered()); len(buf) > 0 {
			n := 0
			for n < len(buf) && buf[n] != '"' && buf[n] != '\\' && buf[n] != '\n' {
				n++
			}
			if n > 0 {
				flush()
				if _, err := w.Write(buf[:n]); err != nil {
					return fmt.Errorf("write: %w", err)
				}
				r.Discard(n)
				continue
			}
		}
		b, err := r.ReadByte()
		if err != nil {
			return errUnterminated
		}
		switch {
		case b == '"':
			flush()
			return nil
		case b == '\n':
			return errUnterminated
		case b != '\\':
			flush()
			if err := w.WriteByte(b); err != nil {
				return fmt.Errorf("write: %w", err)
			}
			continue
		}
		e, err := r.ReadByte()
		if err != nil {
			return errUnterminated
		}
		if e != 'u' {
			flush()
			switch e {
			case 'n':
				w.WriteByte('\n')
			case 't':
				w.WriteByte('\t')
			case 'r':
				w.WriteByte('\r')
			case 'b':
				w.WriteByte('\b')
			case 'f':
				w.WriteByte('\f')
			case '"', '\\', '/':
				w.WriteByte(e)
			default:
				w.WriteRune(utf8.RuneError)
			}
			continue
		}
		var hex [4]byte
		if _, err := io.ReadFull(r, hex[:]); err != nil {
			return errUnterminated
		}
		v, err := strconv.ParseUint(string(hex[:]), 16, 16)
		if err != nil {
			flush()
			w.WriteRune(utf8.RuneError)
			continue
		}
		c := rune(v)
		switch {
		case utf16.IsSurrogate(c) && c < 0xDC00:
			flush()
			pending = c
		case utf16.IsSurrogate(c) && pending >= 0:
			w.WriteRune(utf16.DecodeRune(pending, c))
			pending = -1
		default:
			flush()
			w.WriteRune(c)
		}
	}
}
