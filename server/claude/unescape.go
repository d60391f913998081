package claude

import (
	"bytes"
	"unicode/utf8"

	"vibecraft.sh/helm/server/internal/jsonstr"
)

// needsUnescape reports whether raw differs from its decoded form: it has
// an escape or a byte that is not plain ASCII (which may be invalid UTF-8).
func needsUnescape(raw []byte) bool {
	if len(raw) <= 64 { // keys and ids: eight bytes at a time beat two calls
		// A byte outside ASCII may start invalid UTF-8: decoded, it is
		// replaced.
		return jsonstr.PlainRun(raw) < len(raw)
	}
	return bytes.IndexByte(raw, '\\') >= 0 || !utf8.Valid(raw)
}
