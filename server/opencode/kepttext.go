package opencode

import "encoding/json"

// keptText is a part's text as the first prompt and the question line
// read it: its start only, after the white space before it, at most
// keptChars characters (enough for either, promptChars and
// questionChars). The text is not copied out whole: a 15 MB answer
// became a 15 MB string for a line of 200 runes (nor is the file read
// whole: skimPart hands this only the text's start). A text that is no
// string (an object) is none, as SQLite's json_type makes it.
type keptText string

// keptChars is the most a keptText keeps.
const keptChars = max(promptChars, questionChars)

func (k *keptText) UnmarshalJSON(b []byte) error {
	*k = ""
	if len(b) < 2 || b[0] != '"' {
		return nil // null, a number, an object: no text
	}
	i := afterSpace(b)
	// Up to keptChars characters, each at most 6 bytes of the literal
	// (\uXXXX), cut between two of them, never inside an escape.
	end, n := i, 0
	for end < len(b)-1 && n < keptChars {
		step := 1
		switch c := b[end]; {
		case c == '\\' && end+1 < len(b)-1 && b[end+1] == 'u':
			step = 6
		case c == '\\':
			step = 2
		case c >= 0xC0: // the lead byte of a multi-byte character
			for step < 4 && end+step < len(b)-1 && b[end+step]&0xC0 == 0x80 {
				step++
			}
		}
		if end+step > len(b)-1 {
			break
		}
		end += step
		n++
	}
	lit := make([]byte, 0, end-i+2)
	lit = append(append(append(lit, '"'), b[i:end]...), '"')
	var s string
	if err := json.Unmarshal(lit, &s); err != nil {
		return nil // a literal json.Unmarshal would have failed on: no text
	}
	*k = keptText(s)
	return nil
}

// afterSpace is where the string literal b's text starts after its white
// space, raw or escaped (\n, \t, \r).
func afterSpace(b []byte) int {
	i := 1
	for i < len(b)-1 {
		switch {
		case b[i] == ' ':
			i++
		case b[i] == '\\' && i+1 < len(b)-1 && (b[i+1] == 'n' || b[i+1] == 't' || b[i+1] == 'r'):
			i += 2
		default:
			return i
		}
	}
	return i
}
