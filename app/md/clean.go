package md

import (
	"fmt"
	"strings"
)

// Clean makes bidirectional controls visible: an override or isolate in
// a transcript could otherwise make text read differently from what it
// is (a file name or a command shown reversed). Each becomes "[U+202E]".
func Clean(s string) string {
	if !strings.ContainsFunc(s, isBidi) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if isBidi(r) {
			fmt.Fprintf(&b, "[U+%04X]", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isBidi(r rune) bool {
	return r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069 || r == 0x200E || r == 0x200F || r == 0x061C
}
