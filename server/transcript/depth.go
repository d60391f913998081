package transcript

import "encoding/json"

// maxInputDepth bounds the nesting of a tool call's input sent as JSON.
// A page wraps the input in six more levels (page, messages, message,
// blocks, block, tool) than its own, and a reader such as the page's own
// client (encoding/json) refuses a document nested past 10,000: an input
// nested near that, which a line within the bound can hold, made the
// whole page unreadable, every message of it lost with the one call. No
// tool's input comes near this bound; one past it is sent as text.
const maxInputDepth = 200

// deeperThan reports whether the JSON value raw nests objects and arrays
// more than n deep. It reads brackets outside strings only: raw is valid
// JSON, checked by its caller or its decoder.
func deeperThan(raw []byte, n int) bool {
	depth, inString, escaped := 0, false, false
	for _, c := range raw {
		switch {
		case escaped:
			escaped = false
		case inString:
			switch c {
			case '\\':
				escaped = true
			case '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			if depth++; depth > n {
				return true
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return false
}

// inputAsText is raw, an input too deep to send as JSON, as a JSON
// string: the page shows it as text, as it shows an input cut mid-value.
func inputAsText(raw []byte) json.RawMessage {
	b, _ := json.Marshal(string(raw)) // a string always encodes
	return b
}
