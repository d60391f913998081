package transcript

import (
	"bytes"
	"regexp"
	"slices"
	"strings"
	"testing"

	"vibecraft.sh/helm/shared"
)

// callsOf is every call (a tool block with a name) of msgs, by id.
func callsOf(msgs []shared.Message) map[string]*shared.Tool {
	out := map[string]*shared.Tool{}
	for _, m := range msgs {
		for _, b := range m.Blocks {
			if b.Tool != nil && b.Tool.Name != "" {
				out[b.Tool.ID] = b.Tool
			}
		}
	}
	return out
}

// A page that holds a call but ends before its result, written further
// down after other messages, says the call has one: it showed running,
// hours after it finished, when the transcript was read from its start
// or scrolled up to. A call with no result anywhere below, the one the
// session runs now, still has none.
func TestCallWithResultBelowThePageIsDone(t *testing.T) {
	lines := farResult(t) // toolu_far's result is six messages below its call
	var r rec
	var data []byte
	for _, l := range lines {
		data = append(data, l...)
	}
	data = append(data, jsonl(t, r.assistant("msg_C", toolUse("toolu_now", "Bash", map[string]any{"command": "make"})))...)
	path := tempTranscript(t, data)
	files := NewFiles(0)

	start, err := files.Page(path, Query{Start: true, Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	far := callsOf(start.Messages)["toolu_far"]
	if far == nil || far.Result != nil {
		t.Fatalf("the first page's call = %+v, want toolu_far without its result", far)
	}
	if !far.Later {
		t.Error("from the start: the call whose result is six messages below is not marked as having one")
	}

	// Scrolled up from a page that ends just above the result.
	all := walkBack(t, files, path, MaxLimit)
	var resultAt string
	for _, m := range all {
		for _, b := range m.Blocks {
			if b.Tool != nil && b.Tool.Name == "" && b.Tool.ID == "toolu_far" {
				resultAt = m.Cursor
			}
		}
	}
	up, err := files.Page(path, Query{Before: resultAt, Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	if c := callsOf(up.Messages)["toolu_far"]; c != nil {
		t.Fatalf("a page of 3 above the result holds the call: %q", summaryOf(up.Messages))
	}
	above, err := files.Page(path, Query{Before: up.Before, Limit: MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	if c := callsOf(above.Messages)["toolu_far"]; c == nil || c.Result != nil || !c.Later {
		t.Errorf("scrolled up to the call: %+v, want it marked as having a result below", c)
	}

	// The last call has no result yet: it runs.
	last, err := files.Page(path, Query{})
	if err != nil {
		t.Fatal(err)
	}
	now := callsOf(last.Messages)["toolu_now"]
	if now == nil || now.Result != nil || now.Later {
		t.Errorf("the running call = %+v, want it without a result and not marked", now)
	}
	// On a page that holds both, the call is marked too: the result
	// stands on its own further down (group.go).
	if c := callsOf(last.Messages)["toolu_far"]; c == nil || !c.Later {
		t.Errorf("on a page with its result: %+v, want it marked", c)
	}
}

// resultIDs is every id scanResults finds in data, read through a
// buffer of size bytes.
func resultIDs(data []byte, size int) []string {
	var out []string
	scanResults(bytes.NewReader(data), 0, int64(len(data)), make([]byte, size), func(id []byte) bool {
		out = append(out, string(id))
		return false
	})
	return out
}

// keyTail is what follows a key: its id, as a reader of data whole finds it.
var keyTail = regexp.MustCompile(`^[ \t\r\n]{0,16}:[ \t\r\n]{0,16}"([^"\\\x00-\x1f]{1,256})"`)

func wholeIDs(data []byte) []string {
	var out []string
	for i := 0; ; i += len(resultKey) {
		j := bytes.Index(data[i:], resultKey)
		if j < 0 {
			return out
		}
		i += j
		if m := keyTail.FindSubmatch(data[i+len(resultKey):]); m != nil {
			out = append(out, string(m[1]))
		}
	}
}

// The results below a page are found wherever the reads cut them, and
// only where a transcript has them: a key quoted in a text, an id that
// is escaped, too long or never closed, finds nothing.
func TestScanResults(t *testing.T) {
	const size = laterCarry + 40
	result := `{"type":"tool_result","tool_use_id":"toolu_x","content":"ok"}`
	for shift := range 2 * size { // across the first two reads' ends
		data := []byte(strings.Repeat("x", shift) + result + "\n")
		if got := resultIDs(data, size); !slices.Equal(got, []string{"toolu_x"}) {
			t.Fatalf("key at %d, reads of %d: found %q", shift, size, got)
		}
	}
	for _, tc := range []struct {
		data string
		want []string
	}{
		{`{"tool_use_id" :  "a1"}{"tool_use_id":"a2"}`, []string{"a1", "a2"}},
		{`{"text":"see \"tool_use_id\":\"a1\""}`, nil},
		{`{"tool_use_id":"a\"1"}`, nil},
		{`{"tool_use_id":"` + strings.Repeat("a", maxToolID+1) + `"}`, nil},
		{`{"tool_use_id":"a1`, nil},
		{`{"tool_use_id":` + strings.Repeat(" ", maxSpace+1) + `"a1"}`, nil},
		{`{"tool_use_id":""}`, nil},
		{`"tool_use_id":"a1"tool_use_id":"a2"`, []string{"a1", "a2"}},
	} {
		if got := resultIDs([]byte(tc.data), size); !slices.Equal(got, tc.want) {
			t.Errorf("%q: found %q, want %q", tc.data, got, tc.want)
		}
	}
}

// Read in pieces, the results are those read whole.
func FuzzScanResults(f *testing.F) {
	f.Add([]byte(`{"tool_use_id":"a1"}`+strings.Repeat(" ", 300)+`{"tool_use_id" : "a2"}`), uint16(3))
	f.Add([]byte(`"tool_use_id":"a1"tool_use_id":"a2"`), uint16(0))
	f.Add([]byte(strings.Repeat(`{"tool_use_id":"toolu_01"}  `, 40)), uint16(7))
	f.Fuzz(func(t *testing.T, data []byte, extra uint16) {
		if got, want := resultIDs(data, laterCarry+1+int(extra%400)), wholeIDs(data); !slices.Equal(got, want) {
			t.Fatalf("in pieces of %d: %q, whole: %q", laterCarry+1+int(extra%400), got, want)
		}
	})
}
