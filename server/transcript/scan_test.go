package transcript

import (
	"strings"
	"testing"
)

// TestTopScanFindsTypeAnywhere: the index decides which lines a page
// shows by their top-level type (and a system record's subtype), read
// by topScan in whatever chunks the reader hands it. A value after long
// strings full of escapes, a "type" key inside a nested object or a
// string, and a value cut at any byte must all come out as in one piece.
func TestTopScanFindsTypeAnywhere(t *testing.T) {
	long := strings.Repeat(`a \"type\":\"user\" \\`, 500)
	for _, c := range []struct {
		name, line, typ, sub, att string
	}{
		{"first", `{"type":"assistant","message":{"content":"x"}}`, "assistant", "", ""},
		{"after long strings", `{"a":"` + long + `","message":{"type":"message","content":[{"type":"text"}]},"type":"user"}`, "user", "", ""},
		{"a system record's subtype", `{"subtype":"compact_boundary","content":"` + long + `","type":"system"}`, "system", "compact_boundary", ""},
		{"escaped quote ends no string", `{"k":"\"type\":\"user\"","type":"summary"}`, "summary", "", ""},
		{"backslash before the closing quote", `{"k":"x\\","type":"user"}`, "user", "", ""},
		{"a value too long to be a type", `{"type":"` + strings.Repeat("u", 25) + `"}`, "", "", ""},
		{"a key too long to be one", `{"` + strings.Repeat("t", 30) + `":"user","type":"assistant"}`, "assistant", "", ""},
		{"a type that is not a string", `{"type":7,"x":"user"}`, "", "", ""},
		// An attachment's own type, in its "attachment" object alone.
		{"an attachment, its type first", `{"type":"attachment","uuid":"u","attachment":{"type":"queued_command","prompt":"` + long + `"}}`, "attachment", "", "queued_command"},
		{"an attachment, its type after", `{"attachment":{"prompt":"` + long + `","origin":{"kind":"human","type":"x"},"type":"queued_command"},"type":"attachment"}`, "attachment", "", "queued_command"},
		{"an attachment's type in a nested object only", `{"attachment":{"origin":{"type":"queued_command"},"list":[{"type":"queued_command"}]},"type":"attachment"}`, "attachment", "", ""},
		{"an attachment key below the top", `{"message":{"attachment":{"type":"queued_command"}},"type":"attachment"}`, "attachment", "", ""},
		{"an attachment that is not an object", `{"attachment":"queued_command","x":{"type":"queued_command"},"type":"attachment"}`, "attachment", "", ""},
		{"a user record is read no further than its type", `{"type":"user","attachment":{"type":"queued_command"}}`, "user", "", ""},
	} {
		for _, size := range []int{1, 2, 3, 7, 64, 1 << 20} {
			var s topScan
			for i := 0; i < len(c.line); i += size {
				s.feed([]byte(c.line[i:min(i+size, len(c.line))]))
			}
			if s.typ != c.typ || s.sub != c.sub || s.att != c.att {
				t.Errorf("%s, chunks of %d: type %q subtype %q attachment %q, want %q %q %q", c.name, size, s.typ, s.sub, s.att, c.typ, c.sub, c.att)
			}
		}
	}
}
