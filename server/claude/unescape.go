package claude

import (
	"bytes"
	"encoding/binary"
	"unicode/utf16"
	"unicode/utf8"
)

// unescape decodes the raw bytes of a JSON string (without its quotes)
// into dst, as encoding/json does: invalid UTF-8 and lone surrogates
// become U+FFFD. A raw capture cut in the middle of an escape loses that
// escape only.
func unescape(dst, raw []byte) []byte {
	for i := 0; i < len(raw); {
		c := raw[i]
		switch {
		case c == '\\':
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
					r = utf8.RuneError
				}
				dst = utf8.AppendRune(dst, r)
				continue
			default:
				dst = append(dst, e) // invalid JSON; keep the byte
			}
			i += 2
		case c < utf8.RuneSelf:
			dst = append(dst, c)
			i++
		default:
			r, size := utf8.DecodeRune(raw[i:])
			if r == utf8.RuneError && size == 1 {
				dst = utf8.AppendRune(dst, utf8.RuneError)
			} else {
				dst = append(dst, raw[i:i+size]...)
			}
			i += size
		}
	}
	return dst
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

// needsUnescape reports whether raw differs from its decoded form: it has
// an escape or a byte that is not plain ASCII (which may be invalid UTF-8).
func needsUnescape(raw []byte) bool {
	if len(raw) <= 64 { // keys and ids: eight bytes at a time beat two calls
		const highs = 0x8080808080808080
		for len(raw) >= 8 {
			w := binary.LittleEndian.Uint64(raw)
			if w&highs != 0 || bytesEqual(w, '\\') != 0 {
				return true
			}
			raw = raw[8:]
		}
		for _, c := range raw {
			if c == '\\' || c >= utf8.RuneSelf {
				return true // a non-ASCII byte may start invalid UTF-8
			}
		}
		return false
	}
	return bytes.IndexByte(raw, '\\') >= 0 || !utf8.Valid(raw)
}
