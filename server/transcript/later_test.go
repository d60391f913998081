package transcript

import (
	"bytes"
	"fmt"
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
	lines := farResult(t) // toolu_far's result is three messages below its call
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
	up, err := files.Page(path, Query{Before: resultAt, Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if c := callsOf(up.Messages)["toolu_far"]; c != nil {
		t.Fatalf("a page of 2 above the result holds the call: %q", summaryOf(up.Messages))
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
// buffer of size bytes, and the offsets of their keys.
func resultIDs(data []byte, size int) ([]string, []int64) {
	var out []string
	var at []int64
	scanResults(bytes.NewReader(data), 0, int64(len(data)), make([]byte, size), func(id []byte, off int64) bool {
		out = append(out, string(id))
		at = append(at, off)
		return false
	})
	return out, at
}

// keyTail is what follows a key: its id, as a reader of data whole finds it.
var keyTail = regexp.MustCompile(`^[ \t\r\n]{0,16}:[ \t\r\n]{0,16}"([^"\\\x00-\x1f]{1,256})"`)

func wholeIDs(data []byte) ([]string, []int64) {
	var out []string
	var at []int64
	for i := 0; ; i++ {
		j := bytes.Index(data[i:], resultKey)
		if j < 0 {
			return out, at
		}
		i += j
		if m := keyTail.FindSubmatch(data[i+len(resultKey):]); m != nil {
			out = append(out, string(m[1]))
			at = append(at, int64(i))
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
		key := int64(shift + strings.Index(result, `"tool_use_id"`))
		if got, at := resultIDs(data, size); !slices.Equal(got, []string{"toolu_x"}) || !slices.Equal(at, []int64{key}) {
			t.Fatalf("key at %d, reads of %d: found %q at %d", key, size, got, at)
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
		{`"tool_use_id"tool_use_id":"a1"`, []string{"a1"}},
	} {
		if got, _ := resultIDs([]byte(tc.data), size); !slices.Equal(got, tc.want) {
			t.Errorf("%q: found %q, want %q", tc.data, got, tc.want)
		}
	}
}

// Read in pieces, the results are those read whole, at the same offsets.
func FuzzScanResults(f *testing.F) {
	f.Add([]byte(`{"tool_use_id":"a1"}`+strings.Repeat(" ", 300)+`{"tool_use_id" : "a2"}`), uint16(3))
	f.Add([]byte(`"tool_use_id":"a1"tool_use_id":"a2"`), uint16(0))
	f.Add([]byte(strings.Repeat(`{"tool_use_id":"toolu_01"}  `, 40)), uint16(7))
	f.Fuzz(func(t *testing.T, data []byte, extra uint16) {
		got, gotAt := resultIDs(data, laterCarry+1+int(extra%400))
		want, wantAt := wholeIDs(data)
		if !slices.Equal(got, want) || !slices.Equal(gotAt, wantAt) {
			t.Fatalf("in pieces of %d: %q at %d, whole: %q at %d", laterCarry+1+int(extra%400), got, gotAt, want, wantAt)
		}
	})
}

// killedCall is a transcript whose call toolu_killed never got a result
// (its process was killed), with n prompts below it.
func killedCall(t *testing.T, n int) (head, call, below []byte) {
	var r rec
	head = jsonl(t, r.prompt("run the tests"))
	call = jsonl(t, r.assistant("msg_K", toolUse("toolu_killed", "Bash", map[string]any{"command": "make"})))
	for i := range n {
		below = append(below, jsonl(t, r.prompt(strings.Repeat("still there? ", 10)+itoa(i%10)))...)
	}
	return head, call, below
}

// killedPage is the first page, which holds the call, and the call.
func killedPage(t *testing.T, files *Files, path string) *shared.Tool {
	t.Helper()
	page, err := files.Page(path, Query{Start: true, Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	c := callsOf(page.Messages)["toolu_killed"]
	if c == nil {
		t.Fatalf("the first page %q does not hold the call", summaryOf(page.Messages))
	}
	return c
}

// laterRead is the bytes pages of path read below themselves so far.
func laterRead(files *Files, path string) int64 {
	m := &files.index(path).later
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.read
}

// A page above a call that will never have a result, asked again (a
// client polling, a user scrolling back), read the whole rest of the
// transcript again each time: 160 ms a request on a 500 MB one. Asked
// again, it reads nothing below itself, neither for the result nor for
// the prompt that says the call is over (over.go); once the file grew,
// only what was appended.
func TestPageAboveKilledCallIsNotSearchedAgain(t *testing.T) {
	head, call, below := killedCall(t, 200)
	path := tempTranscript(t, slices.Concat(head, call, below))
	files := NewFiles(0)
	if c := killedPage(t, files, path); !stoppedCall(c) {
		t.Fatalf("the killed call = %+v, want it ended without a result", c)
	}
	first := laterRead(files, path)
	if first < int64(len(below)) {
		t.Fatalf("the first page read %d bytes below itself, want the %d there", first, len(below))
	}
	if c := killedPage(t, files, path); !stoppedCall(c) {
		t.Fatalf("asked again, the killed call = %+v, want it ended without a result", c)
	}
	if again := laterRead(files, path) - first; again != 0 {
		t.Errorf("asked again, the page read %d bytes below itself again, want 0", again)
	}
	var r rec
	more := jsonl(t, r.prompt("hello?"))
	appendFile(t, path, more)
	killedPage(t, files, path)
	if grown := laterRead(files, path) - first; grown > int64(len(more)+laterCarry) {
		t.Errorf("after %d bytes were appended, the page read %d bytes below itself, want at most those and %d", len(more), grown, laterCarry)
	}
}

// A result written below after the page was asked for is found when it
// is asked again: the call shows done.
func TestResultAppendedAfterAPageIsFound(t *testing.T) {
	head, call, below := killedCall(t, 50)
	path := tempTranscript(t, slices.Concat(head, call, below))
	files := NewFiles(0)
	if c := killedPage(t, files, path); c.Later {
		t.Fatalf("the call = %+v before its result was written, want it without one", c)
	}
	var r rec
	appendFile(t, path, jsonl(t, r.results(nil, toolResult("toolu_killed", "done at last", false))))
	if c := killedPage(t, files, path); !c.Later {
		t.Errorf("the call = %+v, its result appended below the page since, want it marked", c)
	}
}

// A transcript rewritten from its start (its first line kept) is
// searched afresh: what was learned of the old file says nothing of it.
func TestRewrittenTranscriptIsSearchedAfresh(t *testing.T) {
	head, call, below := killedCall(t, 50)
	path := tempTranscript(t, slices.Concat(head, call, below))
	files := NewFiles(0)
	if c := killedPage(t, files, path); c.Later {
		t.Fatalf("the call = %+v, want it without a result", c)
	}
	// The result, after a prompt (so it stands on its own), well above
	// where the old file ended.
	var r rec
	r.n = 1000
	rewriteKeepingHead(t, path, slices.Concat(call, jsonl(t, r.prompt("go on"), r.results(nil, toolResult("toolu_killed", "ok", false))), below))
	if c := killedPage(t, files, path); !c.Later {
		t.Errorf("the call = %+v in the rewritten file, whose result is below the page, want it marked", c)
	}
}

// A page of more calls without a result than the memo holds (a hostile
// transcript) is still right, and what helmd keeps of it stays bounded.
func TestLaterMemoIsBounded(t *testing.T) {
	var r rec
	calls := make([]map[string]any, 2000)
	for i := range calls {
		calls[i] = toolUse(fmt.Sprintf("toolu_%030d", i), "Bash", map[string]any{"command": "make"})
	}
	_, _, below := killedCall(t, 20)
	data := slices.Concat(jsonl(t, r.prompt("go"), r.assistant("msg_M", calls...)), below,
		jsonl(t, r.results(nil, toolResult(fmt.Sprintf("toolu_%030d", 1999), "ok", false))))
	path := tempTranscript(t, data)
	files := NewFiles(0)
	for range 2 {
		page, err := files.Page(path, Query{Start: true, Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		got := callsOf(page.Messages)
		if len(got) != len(calls) {
			t.Fatalf("the page holds %d calls, want %d", len(got), len(calls))
		}
		marked := 0
		for _, c := range got {
			if c.Later {
				marked++
			}
		}
		if last := got[fmt.Sprintf("toolu_%030d", 1999)]; marked != 1 || !last.Later {
			t.Errorf("%d calls marked, want the one with a result below: %+v", marked, last)
		}
	}
	m := &files.index(path).later
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.size > maxMemo || len(m.ids) > maxMemo/memoEntry {
		t.Errorf("the memo holds %d ids, charged %d bytes: over its bound of %d", len(m.ids), m.size, maxMemo)
	}
}
