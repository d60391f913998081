package claude

import (
	"bytes"
	"unicode/utf8"

	"vibecraft.sh/helm/server/internal/swar"
)

// needsUnescape reports whether raw differs from its decoded form: it has
// an escape or a byte that is not plain ASCII (which may be invalid UTF-8).
func needsUnescape(raw []byte) bool {
	if len(raw) <= 64 { // keys and ids: eight bytes at a time beat two calls
		for len(raw) >= 8 {
			w := swar.Load(raw)
			if w&swar.Highs != 0 || swar.Equal(w, '\\') != 0 {
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
