package transcript

import (
	"fmt"
	"strings"
	"testing"
)

// A find finds what the page shows of a tool call once it is opened,
// not only its one line: the fields of its input (an Edit's old and new
// strings, a Write's content, a MultiEdit's edits and a TodoWrite's
// items as the page writes them, a Bash call's description, an MCP
// tool's arguments) and its result, each in the message that holds the
// call, the same with the prefilter as without, however long the text.
func TestFindSearchesWhatAnOpenedCallShows(t *testing.T) {
	long := strings.Repeat("filler ", 60) // past a skeleton's head
	calls := []struct {
		name  string
		input map[string]any
		terms []string
	}{
		{"Edit", map[string]any{"file_path": "/src/config.go", "old_string": long + "func parseConfig(", "new_string": long + "func loadSettings("},
			[]string{"parseConfig", "LOADSETTINGS"}},
		{"Write", map[string]any{"file_path": "/src/zoo.go", "content": long + "package zanzibar\n\nfunc main() {}"}, []string{"package zanzibar"}},
		{"MultiEdit", map[string]any{"file_path": "/src/b.go", "edits": []any{
			map[string]any{"old_string": "alpha", "new_string": long + "quokkaEdit"}}},
			[]string{"quokkaedit", `"old_string": "alpha"`}},
		{"TodoWrite", map[string]any{"todos": []any{
			map[string]any{"content": "Port the walrus tests", "status": "in_progress", "activeForm": "Porting"}}},
			[]string{"walrus tests", `"status": "in_progress"`}},
		{"Bash", map[string]any{"command": "make", "description": "Rebuild the narwhal index", "timeout": 120000},
			[]string{"narwhal index"}},
		{"mcp__github__create_issue", map[string]any{"owner": "vibecraft", "title": "Ocelot crash on start", "draft": true},
			[]string{"ocelot crash"}},
		{"Read", map[string]any{"file_path": "/src/tapir.go"}, []string{"tapir"}}, // its one line, as before
	}
	var r rec
	recs := []map[string]any{r.prompt("begin")}
	for i, c := range calls {
		id := fmt.Sprintf("toolu_%d", i)
		recs = append(recs, r.assistant(fmt.Sprintf("msg_%d", i), toolUse(id, c.name, c.input)),
			r.results(nil, toolResult(id, "done", false)))
	}
	recs = append(recs, r.assistant("msg_r", toolUse("toolu_r", "Grep", map[string]any{"pattern": "x"})),
		r.results(nil, toolResult("toolu_r", long+"a result's yak line", false)))
	path := tempTranscript(t, rawJSONL(t, recs...))
	files := NewFiles(0)
	check := func(name, term string) {
		t.Helper()
		got := findBoth(t, path, term)
		if got.Total != 1 {
			t.Errorf("%s: find %q counts %d matches, want the one message of the call", name, term, got.Total)
			return
		}
		page, err := files.Page(path, Query{After: got.Matches[0], Limit: 1})
		if err != nil || len(page.Messages) == 0 {
			t.Fatalf("%s: cursor %q: %v", name, got.Matches[0], err)
		}
		if b := page.Messages[0].Blocks; len(b) == 0 || b[0].Tool == nil || b[0].Tool.Name != name {
			t.Errorf("%s: find %q gives the message %q", name, term, summaryOf(page.Messages))
		}
	}
	for _, c := range calls {
		for _, term := range c.terms {
			check(c.name, term)
		}
	}
	check("Grep", "yak line")
	// A field's name is the page's label, not what it marks: it is not
	// found (every Edit would match "old_string").
	if got := findBoth(t, path, "file_path"); got.Total != 0 {
		t.Errorf(`find "file_path" counts %d matches, want none`, got.Total)
	}
}

// What the page shows of an input written again as JSON (a TodoWrite's
// items) differs from the line's own JSON in its spaces, its indents and
// its escapes: the prefilter must not pass over a line that shows the
// term only so.
func TestFindPrefilterWrittenAgain(t *testing.T) {
	long := strings.Repeat("filler ", 60)
	todo := func(id, uuid, items string) string {
		return `{"type":"assistant","uuid":"` + uuid + `","message":{"id":"` + id + `","role":"assistant","content":[` +
			`{"type":"tool_use","id":"t` + uuid + `","name":"TodoWrite","input":{"todos":` + items + `}}]}}` + "\n"
	}
	data := `{"type":"user","uuid":"u0","message":{"role":"user","content":"start"}}` + "\n" +
		todo("m1", "u1", `[{"content":"`+long+`one\u000Anewt"}]`) +
		todo("m2", "u2", `[{"content":"`+long+"two\u2028lemur"+`"}]`) +
		todo("m3", "u3", `[{"done":true,"n":1e2,"s":"`+long+`"}]`) +
		todo("m4", "u4", `[{"content":"`+long+`\b\f\t\r"}]`)
	path := tempTranscript(t, []byte(data))
	for term, want := range map[string]int{
		`one\nnewt`: 1, "nnewt": 1, // the line break, written \n as the page shows it
		`two\u2028lemur`: 1, "u2028lemur": 1,
		`"done": true`: 1, "[\n  {": 4, `"n": 1e2`: 1, // as written, not 100
		`\b\f\t\r`: 1,
		"walrus":   0,
	} {
		if got := findBoth(t, path, term); got.Total != want {
			t.Errorf("find %q: %d matches, want %d", term, got.Total, want)
		}
	}
}

// A tool input past the page's cut is shown cut, and whole once "load
// all" is pressed: a find searches that whole text as it reads, decoded
// (a quote, a line break, an accent or "&&" as the JSON escapes them
// reads as itself), past the cut, and not the names of the JSON's keys,
// which the whole text does not show. A hostile input (1 MB of escapes,
// nested deep) is read through in the same way.
func TestFindSearchesACutInputWhole(t *testing.T) {
	pad := strings.Repeat("padding line of a big file\\n", 400) // past blockString
	call := func(uuid, input string) string {
		return `{"type":"assistant","uuid":"` + uuid + `","message":{"id":"m` + uuid + `","role":"assistant","content":[` +
			`{"type":"tool_use","id":"t` + uuid + `","name":"Write","input":` + input + `}]}}` + "\n"
	}
	deep := strings.Repeat(`{"k":[`, 200) + `"` + strings.Repeat(`\u00e9\n\"`, 1<<20/10) + `the deep end"` + strings.Repeat(`]}`, 200)
	data := `{"type":"user","uuid":"u0","message":{"role":"user","content":"start"}}` + "\n" +
		call("u1", `{"file_path":"/src/zoo.go","content":"`+pad+`say \"hi\" to the caf\u00e9 once\nagain: a \u003c b \u0026\u0026 c"}`) +
		call("u2", `{"file_path":"/src/yak.go","content":"say \"yo\" `+pad+`"}`) +
		call("u3", deep)
	path := tempTranscript(t, []byte(data))
	for _, c := range []struct {
		term string
		want int
	}{
		{`say "hi"`, 1},          // past the cut, a quote as itself
		{"café once\nagain", 1},  // an accent and a line break
		{"a < b && c", 1},        // written \u003c and \u0026\u0026
		{`say "yo"`, 1},          // in the cut's head, as itself
		{`say \"yo\"`, 0},        // the JSON's escapes are not shown
		{`"content"`, 0},         // nor its keys
		{"/src/zoo.go", 1},       // the call's one line
		{"é\n\"the deep end", 1}, // 1 MB of escapes, nested
		{"walrus", 0},
	} {
		if got := findBoth(t, path, c.term); got.Total != c.want {
			t.Errorf("find %q: %d matches, want %d", c.term, got.Total, c.want)
		}
	}
}
