package md

import (
	"fmt"
	"strings"
)

// Clean makes bidirectional controls visible: an override or isolate in
// a transcript could otherwise make text read differently from what it
// is (a file name or a command shown reversed). Each becomes "[U+202E]".
// The other control characters but tab and line breaks (a terminal's
// escape sequences in a title or an output) become their Control
// Pictures, "␛[31m", where the browser drew an empty box.
func Clean(s string) string {
	if !mayBeUnclean(s) || !strings.ContainsFunc(s, unclean) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case isBidi(r):
			fmt.Fprintf(&b, "[U+%04X]", r)
		case isControl(r):
			b.WriteRune(picture(r))
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func unclean(r rune) bool { return isBidi(r) || isControl(r) }

// mayBeUnclean is Clean's first look, a loop over bytes with no call in
// it: the client compiles this package without inlining (Makefile), and
// Clean runs on every field of every row, nearly always on clean text.
// It reports a control byte, or a lead byte of the bidirectional
// controls' UTF-8 (0xE2 for U+200E–U+2069, 0xD8 for U+061C).
func mayBeUnclean(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c == 0xE2 || c == 0xD8 {
			return true
		}
	}
	return false
}

// isControl is a C0 control but tab, line feed and carriage return, or DEL.
func isControl(r rune) bool { return r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0x7f }

// picture is a control's Control Picture: U+2400 + its code, ␡ for DEL.
func picture(r rune) rune {
	if r == 0x7f {
		return 0x2421
	}
	return 0x2400 + r
}

func isBidi(r rune) bool {
	return r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069 || r == 0x200E || r == 0x200F || r == 0x061C
}
