package claude

import (
	"strings"
	"unicode/utf8"
)

// idFromName turns a file or folder name into a session id. A name that
// is not UTF-8 would reach JSON with each bad byte replaced by U+FFFD, so
// two such files would share one id (and one row, and one key). Such
// bytes are written %XX instead, and '%' itself as %25 so the escaping
// can be undone, which makes the mapping one-to-one; '@' as %40 too, as
// it joins a remote session's id to its machine in the list's keys
// (claude:<id>@<host>), where a file named <id>@<host>.jsonl took that
// machine's session's place. Every real session name (a UUID) is left as
// it is.
func idFromName(name string) string {
	if utf8.ValidString(name) && !strings.ContainsAny(name, "%@") {
		return name
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(name) + 8)
	for i := 0; i < len(name); {
		r, size := utf8.DecodeRuneInString(name[i:])
		if (r == utf8.RuneError && size == 1) || r == '%' || r == '@' {
			c := name[i]
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&0xF])
		} else {
			b.WriteString(name[i : i+size])
		}
		i += size
	}
	return b.String()
}
