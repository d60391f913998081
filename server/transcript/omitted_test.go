package transcript

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"vibecraft.sh/helm/shared"
)

// A record too large to read is placed by its type
// (TestOmittedRecordKeepsItsRole; TestMalformedAndTooLargeLines reads
// one from a file), found wherever the record has it: its "type" may
// come after megabytes of content, here a string longer than the
// scan's reads.
func TestRecordTypeOfAnOmittedRecord(t *testing.T) {
	long := strings.Repeat("x", 100<<10)
	for _, tc := range []struct{ line, want string }{
		{`{"type":"assistant","message":{"content":"` + long + `"}}`, "assistant"},
		{`{"message":{"content":[{"type":"text","text":"` + long + `"}]},"type":"user"}`, "user"},
		{`{"subtype":"api_error","content":"` + long + `","type":"system"}`, "system"},
		{`{"message":{"content":"` + long + `"}}`, ""},
	} {
		path := tempTranscript(t, []byte(tc.line+"\n"))
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		got := recordType(f, 0, int64(len(tc.line)+1))
		f.Close()
		if got != tc.want {
			t.Errorf("%.60q…: type %q, want %q", tc.line, got, tc.want)
		}
	}
}

// A record too large to read is shown by its role: a prompt after an
// answer was shown as part of that answer (it joined the message before
// it, whatever its role), an answer after a prompt as part of the
// prompt. An omitted assistant record joins the response it continues,
// starts one after anything else, and is placed the same from whatever
// line a page reads. The grouper is fed what a page reads: real files of
// such records are 4 MB each, and slow under the race detector.
func TestOmittedRecordKeepsItsRole(t *testing.T) {
	var r rec
	omitted := func(typ string) *parsed { return &parsed{tooBig: true, typ: typ, size: 5 << 20} }
	read := func(m map[string]any) *parsed {
		var l line
		if err := decodeLine(jsonl(t, m), &l); err != nil {
			t.Fatal(err)
		}
		return &parsed{l: &l, cs: blocks(l.Message.Content)}
	}
	lines := []*parsed{
		read(r.prompt("go")),
		read(r.assistant("msg_A", toolUse("toolu_1", "Bash", map[string]any{"command": "ls"}))),
		read(r.results(nil, toolResult("toolu_1", "a b", false))),
		omitted("assistant"),
		omitted("user"),
		omitted("assistant"),
		read(r.assistant("msg_B", text("B"))),
		omitted("system"),
		omitted("assistant"),
		read(r.prompt("end")),
	}
	for i, l := range lines {
		l.off = int64(i)
	}
	groupFrom := func(from int) []string {
		g := newGrouper(from == 0, func(int64, uint8) string { return "" })
		for _, l := range lines[from:] {
			g.add(l)
		}
		var out []string
		for _, gr := range g.groups[g.unsure:] {
			out = append(out, fmt.Sprint(gr.off, summaryOf([]shared.Message{gr.msg})))
		}
		return out
	}
	all := groupFrom(0)
	want := []string{
		"0 [user[text:go]]", "1 [assistant[tool:Bash=a b omitted:]]", "4 [user[omitted:]]",
		"5 [assistant[omitted:]]", "6 [assistant[text:B]]", "7 [system[omitted:]]", "8 [assistant[omitted:]]",
		"9 [user[text:end]]",
	}
	if !slices.Equal(all, want) {
		t.Fatalf("from the start:\n got %q\nwant %q", all, want)
	}
	for from := 1; from < len(lines); from++ {
		got := groupFrom(from)
		if len(got) == 0 {
			continue
		}
		if i := slices.Index(all, got[0]); i < 0 || !slices.Equal(got, all[i:]) {
			t.Fatalf("from line %d:\n got %q\nwant a tail of %q", from, got, all)
		}
	}
}
