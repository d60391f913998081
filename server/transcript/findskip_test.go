package transcript

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"vibecraft.sh/helm/shared"
)

// findBoth runs a find for term with and without its prefilter, as the
// API makes it (a cut input read whole): the answers must be the same,
// and the same again once a find knows where the messages start
// (findmemo.go; learnt by a find for another term: TestFindKnowsWhereMessagesStart).
func findBoth(t *testing.T, path, term string) shared.FindResult {
	t.Helper()
	files := NewFiles(0)
	match := shared.ShowsWhole(term, func(ref string, w io.Writer) error { return files.Full(path, ref, w) })
	slow, err := files.Find(context.Background(), path, match, FindQuery{Max: 50})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		fast, err := files.Find(context.Background(), path, match, FindQuery{Max: 50, Term: term})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(slow, fast) {
			t.Fatalf("find %q (%d): with the prefilter %+v, without %+v", term, i, fast, slow)
		}
	}
	return slow
}

// rawJSONL encodes records as Claude Code writes them: "<" and ">"
// as they are, where json.Marshal writes \u003c (an escape the
// prefilter lets through).
func rawJSONL(t *testing.T, recs ...map[string]any) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	for _, r := range recs {
		if err := enc.Encode(r); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

// A find passes over the lines that cannot show its term without
// changing its answer: what the page shows, past a skeleton's head, of a line that the raw JSON
// writes otherwise (escapes, accents, a ligature, an invisible
// character, a command's parts joined, its stdout and stderr apart, a
// command after a long run of blanks or a system record's output, which
// place the output after them, a tool call's input as an opened call
// shows it, its nested values written again as indented JSON) is found
// as before, with the cursors of the same messages.
func TestFindPrefilterSameAnswer(t *testing.T) {
	var r rec
	long := strings.Repeat("filler ", 100)
	path := tempTranscript(t, append(rawJSONL(t,
		r.prompt("Le Café "+long+"ﬁle KELVIN \u212A"),
		r.assistant("msg_1", text(long+"zero\u200bwidth"), toolUse("t1", "Bash", map[string]any{"command": "go test ./...\nmore"})),
		r.results(nil, toolResult("t1", "ok \\ \"quoted\" a/b "+long, false)),
		r.assistant("msg_1", text("An \u00e9l\u00e8ve, escaped: \u2028 "+long)),
		r.results(nil, text("<command-name>"+long+"/review</command-name>\n<command-args>the PR</command-args>")),
		r.results(nil, text("<local-command-stdout>"+long+"abc</local-command-stdout><local-command-stderr>def</local-command-stderr>")),
		r.results(nil, text(strings.Repeat(" ", 400)+"<command-name>/late</command-name>")),
		r.results(nil, text("<local-command-stdout>after late</local-command-stdout>")),
		r.prompt(long+"ESC\x1b[1mbold"),
		r.assistant("msg_3", toolUse("t2", "Edit", map[string]any{"file_path": "/a.go", "old_string": long + "func parseConfig(", "new_string": long + "x < y && \"z\""}),
			toolUse("t3", "TodoWrite", map[string]any{"todos": []any{map[string]any{"content": long + "Port\nthe tests", "n": 7}}})),
		r.assistant("msg_2", text(long+"the end")),
	), []byte(`{"type":"user","uuid":"u-x","message":{"role":"user","content":"`+long+`Escaped letters: \u0041BC"}}`+"\n")...))
	for _, term := range []string{"cafe", "CAFÉ", "file", "k", "zerowidth", "go test", "./...", "a/b", `"quoted"`,
		"eleve", "review the", "/review the pr", "cde", "after late", "[1mbold", "the end", "filler", "nowhere", `\`, "/",
		"parseconfig(", `x < y && "z"`, `port\nthe`, `"n": 7`, "tests\",\n",
		" ", "  ", "    ", " \u200b ", "{", "},", "[]", ":"} {
		findBoth(t, path, term)
	}
	// An Edit's strings and a TodoWrite's items, past the head a
	// skeleton keeps, are what the opened calls show.
	for _, term := range []string{"parseconfig(", `x < y && "z"`, `port\nthe`, `"n": 7`} {
		if got := findBoth(t, path, term); got.Total != 1 {
			t.Fatalf("%s, in an opened call: %+v", term, got)
		}
	}
	// Spaces alone: the TodoWrite's items indented by four, which
	// no line holds, and a command's name and arguments joined by one.
	if got := findBoth(t, path, "    "); got.Total != 1 {
		t.Fatalf("four spaces, the indent of a call's input: %+v", got)
	}
	if got := findBoth(t, path, "/review the"); got.Total != 1 {
		t.Fatalf("/review the: %+v", got)
	}
	// A command's stdout and stderr are shown apart: "abc" then "def",
	// never "abcdef".
	if got := findBoth(t, path, "cde"); got.Total != 0 {
		t.Fatalf("cde, across stdout and stderr: %+v", got)
	}
	if got := findBoth(t, path, "def"); got.Total != 1 {
		t.Fatalf("def: %+v", got)
	}
	// An output and a result are shown without their terminal escapes
	// (shared.StripEscapes): find matches the text either side of one as
	// the page shows it, and never the escape itself. The prefilter let
	// neither line through: "pass ok" is no text of their JSON.
	col := tempTranscript(t, rawJSONL(t, r.prompt("run it"),
		r.assistant("msg_c", toolUse("tc", "Bash", map[string]any{"command": "go test"})),
		r.results(nil, toolResult("tc", long+"PASS\x1b[0m ok", false)),
		r.results(nil, text("<local-command-stdout>"+long+"\x1b[32mgreen\x1b[0m done</local-command-stdout>"))))
	for term, want := range map[string]int{"pass ok": 1, "green done": 1, "[0m": 0, "32m": 0} {
		if got := findBoth(t, col, term); got.Total != want {
			t.Errorf("%q in coloured outputs: %d matches, want %d", term, got.Total, want)
		}
	}
	sys := tempTranscript(t, rawJSONL(t, r.prompt("hi"),
		map[string]any{"type": "system", "subtype": "local_command", "uuid": "u-s", "content": long + "<local-command-stdout>sysout</local-command-stdout>"},
		r.results(nil, text("<local-command-stdout>joined</local-command-stdout>"))))
	for _, term := range []string{"sysout", "joined"} {
		findBoth(t, sys, term)
	}
	// A web search's result shows each title and URL joined by a
	// space, and an error after "Error: ": texts no line holds.
	web := tempTranscript(t, rawJSONL(t, r.prompt("search it"),
		r.assistant("msg_w",
			map[string]any{"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": map[string]any{"query": "helm"}},
			map[string]any{"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": []any{
				map[string]any{"type": "web_search_result", "title": long + "Helm docs", "url": "https://example.com/helm"}}},
			map[string]any{"type": "server_tool_use", "id": "srvtoolu_2", "name": "web_search", "input": map[string]any{"query": "more"}},
			map[string]any{"type": "web_search_tool_result", "tool_use_id": "srvtoolu_2", "content": map[string]any{
				"type": "web_search_tool_result_error", "error_code": long + "max_uses_exceeded"}})))
	for _, term := range []string{"docs https", "error: filler"} {
		if got := findBoth(t, web, term); got.Total != 1 {
			t.Fatalf("%s, in a web search's result: %+v", term, got)
		}
	}
	if got := findBoth(t, path, "abc"); got.Total != 2 {
		t.Fatalf("abc: %+v", got)
	}
	if got := findBoth(t, path, "after late"); got.Total != 1 {
		t.Fatalf("after late: %+v", got)
	}
}

// A find for a word no line holds decodes the transcript's lines only
// for their place: what it allocates is a small part of the transcript
// (a whole decode made a string of each text, then its folded copy).
func TestFindPassesOverLinesThatCannotMatch(t *testing.T) {
	var r rec
	var recs []map[string]any
	for i := range 100 {
		recs = append(recs, r.prompt(fmt.Sprintf("turn %d ", i)+strings.Repeat("x", 20<<10)),
			r.assistant(fmt.Sprintf("msg_%d", i), text("ok")))
	}
	data := rawJSONL(t, recs...)
	path := tempTranscript(t, data)
	files := NewFiles(0)
	if _, err := files.Page(path, Query{}); err != nil { // the index, built once
		t.Fatal(err)
	}
	// "xxx turn": each word is in every prompt, the phrase in none; nor
	// does any hold three spaces.
	for _, term := range []string{"zebra", "xxx turn", "   "} {
		q := FindQuery{Max: 50, Term: term}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		res, err := files.Find(context.Background(), path, shared.Shows(q.Term), q)
		runtime.ReadMemStats(&after)
		if err != nil || res.Total != 0 {
			t.Fatalf("find %q: %+v %v", term, res, err)
		}
		if got := after.TotalAlloc - before.TotalAlloc; got > uint64(len(data))/4 {
			t.Fatalf("a find for %q over %d bytes allocated %d", term, len(data), got)
		}
	}
}

// headOf keeps of a plain ASCII string what the walk by characters
// keeps: a string starting with up to 300 spaces, with a backslash or a
// character outside ASCII at places around the skeleton's length (where
// the walk goes on), of lengths around it.
func TestHeadOfPlainASCII(t *testing.T) {
	for _, n := range []int{skeletonString + 1, skeletonString + 7, 300, 1000} {
		for _, spaces := range []int{0, 1, 5, 64, skeletonHead - 1, skeletonHead, skeletonHead + 1, skeletonString - 1, skeletonString, 300} {
			if spaces > n {
				continue
			}
			s := []byte(strings.Repeat(" ", spaces) + strings.Repeat("x", n-spaces))
			for _, odd := range []string{"", `\n`, "é", "\t"} {
				for _, at := range []int{0, skeletonHead, skeletonString - 2, skeletonString - 1, skeletonString} {
					b := append([]byte(nil), s...)
					if odd != "" {
						copy(b[at:], odd)
					}
					if got, want := headOf(b), headByChars(b); got != want {
						t.Fatalf("headOf of %d bytes, %d spaces, %q at %d: %d, want %d", n, spaces, odd, at, got, want)
					}
				}
			}
		}
	}
}
