// Package jsonstr decodes the body of a JSON string (the bytes between
// its quotes) as encoding/json does, without the validation pass
// json.Unmarshal makes over its input first. The session list
// (server/claude) decodes the strings its scanner captured, and the
// session page (server/transcript) a prompt's text out of a line
// json.Unmarshal already checked: for a prompt of tens of KB, checking it
// again cost as much as decoding it.
package jsonstr

import (
	"unicode/utf16"
	"unicode/utf8"

	"vibecraft.sh/helm/server/internal/swar"
)

// Unescape appends the decoded form of raw, the body of a JSON string,
// to dst, as encoding/json decodes it: invalid UTF-8 and lone surrogates
// become U+FFFD. A body cut in the middle of an escape (a capture that
// stopped at its limit) loses that escape; a \u without its four hex
// digits ends the decoding there, and another escape JSON does not have
// keeps its byte. Runs without a backslash or a byte outside ASCII, most
// of a text, are copied eight bytes at a time.
func Unescape(dst, raw []byte) []byte {
	for i := 0; i < len(raw); {
		if n := PlainRun(raw[i:]); n > 0 {
			dst = append(dst, raw[i:i+n]...)
			i += n
			continue
		}
		c := raw[i]
		if c != '\\' {
			r, size := utf8.DecodeRune(raw[i:])
			if r == utf8.RuneError && size == 1 {
				dst = utf8.AppendRune(dst, utf8.RuneError)
			} else {
				dst = append(dst, raw[i:i+size]...)
			}
			i += size
			continue
		}
		if i+1 >= len(raw) {
			return dst
		}
		switch e := raw[i+1]; e {
		case '"', '\\', '/':
			dst = append(dst, e)
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r, ok := hex4(raw[i+2:])
			if !ok {
				return dst
			}
			i += 6
			if utf16.IsSurrogate(r) {
				if len(raw) >= i+6 && raw[i] == '\\' && raw[i+1] == 'u' {
					if r2, ok := hex4(raw[i+2:]); ok {
						if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
							dst = utf8.AppendRune(dst, d)
							i += 6
							continue
						}
					}
				}
				r = utf8.RuneError // the second escape, not a pair's, is read on its own
			}
			dst = utf8.AppendRune(dst, r)
			continue
		default:
			dst = append(dst, e) // not JSON; keep the byte
		}
		i += 2
	}
	return dst
}

// PlainRun is how many bytes at the start of b are plain ASCII other
// than a backslash: bytes that decode to themselves. It looks no further
// than the first other byte, so a text of many non-ASCII runes costs a
// look at each byte once.
func PlainRun(b []byte) int {
	i := 0
	for ; i+8 <= len(b); i += 8 { // eight bytes at a time, as most are plain
		w := swar.Load(b[i:])
		if w&swar.Highs != 0 || swar.Equal(w, '\\') != 0 {
			break
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; c == '\\' || c >= utf8.RuneSelf {
			return i
		}
	}
	return i
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
