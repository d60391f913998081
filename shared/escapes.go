package shared

import "strings"

// StripEscapes removes a terminal's escape sequences from a command's
// output (a tool's result, bash mode's output): the colours, cursor moves
// and window titles a terminal acts on and never prints. The page showed
// each as its control picture (app/md Clean), so a coloured test run read
// "␛[32mPASS␛[0m"; it reads "PASS", and find matches what the page shows
// (Shows). What is not a whole sequence (a lone ESC, one cut short)
// stays, for Clean to show. Nothing printable is removed but a
// sequence's own bytes, so no text can hide in one, and the bytes kept
// are the input's, in order.
//
// Recognised, as ECMA-48 defines them: CSI (ESC [, parameter bytes
// 0x30–0x3F, intermediate bytes 0x20–0x2F, a final byte 0x40–0x7E);
// the string sequences OSC, DCS, SOS, PM and APC (ESC ], P, X, ^ or _,
// ended by BEL or ST, ESC \); and the short ones (ESC, intermediate
// bytes, a final byte 0x30–0x7E). Each byte is looked at a bounded
// number of times: a megabyte of hostile output strips in linear time.
func StripEscapes(s string) string {
	i := strings.IndexByte(s, esc)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	unended := false // a string sequence found no end: none after it can
	for i >= 0 {
		b.WriteString(s[:i])
		n := nextSeq(s[i:], &unended)
		if n == 0 {
			b.WriteByte(esc) // not a whole sequence: kept
			n = 1
		}
		s = s[i+n:]
		i = strings.IndexByte(s, esc)
	}
	b.WriteString(s)
	return b.String()
}

const (
	esc = 0x1b
	bel = 0x07
)

// nextSeq is the length of the escape sequence s starts with (s[0] is
// ESC), 0 when it is none. Once a string sequence found no end
// (*unended), none after it is looked for: each would look to the end of
// s again, and a megabyte of them would take minutes.
func nextSeq(s string, unended *bool) int {
	if *unended && isStringSeq(s) {
		return 0
	}
	n := escapeLen(s)
	if n < 0 {
		*unended = true
		return 0
	}
	return n
}

// isStringSeq reports whether s (at an ESC) opens a string sequence.
func isStringSeq(s string) bool {
	if len(s) < 2 {
		return false
	}
	switch s[1] {
	case ']', 'P', 'X', '^', '_':
		return true
	}
	return false
}

// escapeLen is the length of the escape sequence s starts with (s[0] is
// ESC): 0 when it is none, -1 for a string sequence with no end in s.
func escapeLen(s string) int {
	if len(s) < 2 {
		return 0
	}
	if isStringSeq(s) {
		for j := 2; j < len(s); j++ {
			switch {
			case s[j] == bel:
				return j + 1
			case s[j] == esc && j+1 < len(s) && s[j+1] == '\\':
				return j + 2
			}
		}
		return -1
	}
	j := 1
	if s[1] == '[' { // CSI
		j = 2
		for j < len(s) && s[j] >= 0x30 && s[j] <= 0x3f {
			j++
		}
		for j < len(s) && s[j] >= 0x20 && s[j] <= 0x2f {
			j++
		}
		if j < len(s) && s[j] >= 0x40 && s[j] <= 0x7e {
			return j + 1
		}
		return 0
	}
	for j < len(s) && s[j] >= 0x20 && s[j] <= 0x2f { // ESC ( B, ESC # 8…
		j++
	}
	if j < len(s) && s[j] >= 0x30 && s[j] <= 0x7e {
		return j + 1
	}
	return 0
}
