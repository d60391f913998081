package transcript

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"vibecraft.sh/helm/shared"
)

// refSpans is the strings of line at least long bytes long, by a
// byte-at-a-time reading.
func refSpans(line []byte, long int) []span {
	var out []span
	in, esc := false, false
	open := 0
	for i, b := range line {
		switch {
		case !in && b == '"':
			in, open = true, i
		case in && esc:
			esc = false
		case in && b == '\\':
			esc = true
		case in && b == '"':
			in = false
			if i-open-1 >= long {
				out = append(out, span{open: int64(open), close: int64(i)})
			}
		}
	}
	return out
}

func scanIn(line []byte, chunk int, long int64) []span {
	s := strScan{min: long}
	s.reset()
	for at := 0; at < len(line); at += chunk {
		s.feed(line[at:min(at+chunk, len(line))], int64(at))
	}
	return s.found
}

func TestStrScanFindsLongStrings(t *testing.T) {
	long := strings.Repeat("a", longString)
	// A backslash run that ends exactly at a chunk edge of 4096.
	edge := strings.Repeat("b", 4096-len(`{"x":"`)-3) + `\\\"` + long
	for _, tc := range []struct {
		name string
		line string
		want int
	}{
		{"plain", `{"a":"` + long + `","b":"short"}`, 1},
		{"one short of long", `{"a":"` + long[1:] + `"}`, 0},
		{"escaped quotes inside", `{"a":"` + long[:1000] + `\"` + long + `\\"}`, 1},
		{"backslash runs at an edge", `{"x":"` + edge + `","y":"` + long + `"}`, 2},
		{"two in one line", `{"a":["` + long + `","` + long + `"]}`, 2},
		{"a key that looks like a quote", `{"\\\"":"` + long + `"}`, 1},
		{"hostile: unterminated", `{"a":"` + long, 0},
		{"no strings", `[1,2,3]`, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			line := []byte(tc.line)
			want := refSpans(line, longString)
			if len(want) != tc.want {
				t.Fatalf("the reference finds %d long strings, the case says %d", len(want), tc.want)
			}
			for _, chunk := range []int{1, 3, 4096, len(line)} {
				if got := scanIn(line, chunk, longString); !reflect.DeepEqual(append([]span{}, got...), append([]span{}, want...)) {
					t.Errorf("in chunks of %d: %v, want %v", chunk, got, want)
				}
			}
		})
	}
}

// FuzzStrScan: whatever the bytes and however they are split, the scan
// finds the strings a byte-at-a-time reading finds (at least 4 bytes
// long here, so that short inputs have some).
func FuzzStrScan(f *testing.F) {
	f.Add([]byte(`{"a":"`+strings.Repeat(`x\"`, 20)+`","b":"\\\\"}`), 7)
	f.Add([]byte(`{"a":"\\\\\"c"}`), 1)
	f.Fuzz(func(t *testing.T, data []byte, chunk int) {
		if chunk <= 0 || chunk > len(data)+1 {
			chunk = len(data) + 1
		}
		got, want := scanIn(data, chunk, 4), refSpans(data, 4)
		if len(got) != len(want) || len(got) > 0 && !reflect.DeepEqual(got, want) {
			t.Fatalf("chunks of %d: %v, want %v", chunk, got, want)
		}
	})
}

// pageUnskipped is the last page of path read through, as before the
// index recorded long strings.
func pageUnskipped(t *testing.T, path string) shared.MessagePage {
	t.Helper()
	f, snap, err := NewFiles(0).open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	snap.long = nil
	p := newPager(f, snap)
	page, err := p.before(snap.end, DefaultLimit)
	if err != nil {
		t.Fatal(err)
	}
	return page
}

// A page over results of many MB seeks past what it cuts, and says the
// same as reading them through: texts, cut sizes, refs; the ref loads
// the whole result.
func TestPageSkipsLongStrings(t *testing.T) {
	var r rec
	// Escapes all along, so a skip that lands inside one would show.
	// Four times the size from which a string is long, not 3 MiB: making
	// and reading 18 MB of results under -race took most of 6 CPU-s.
	const size = 4 * longString
	out := strings.Repeat("line \"quoted\" \\ and\ttab\n", size/24)
	var data []byte
	for i := range 3 {
		id := "toolu_" + strconv.Itoa(i)
		data = append(data, jsonl(t,
			r.prompt("run it"),
			r.assistant("msg_"+strconv.Itoa(i), toolUse(id, "Bash", map[string]any{"command": strings.Repeat("echo big; ", 50000)})),
			r.results(map[string]any{"toolUseResult": map[string]any{"stdout": out, "stderr": ""}}, toolResult(id, out, false)),
			r.assistant("msg_e"+strconv.Itoa(i), text("done "+strconv.Itoa(i))),
		)...)
	}
	path := tempTranscript(t, data)
	files := NewFiles(0)
	f, snap, err := files.open(path)
	if err != nil {
		t.Fatal(err)
	}
	p := newPager(f, snap)
	got, err := p.before(snap.end, DefaultLimit)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.long) != 9 {
		t.Errorf("the index holds %d long strings, want 9 (a command, a result and its copy per turn)", len(snap.long))
	}
	if p.skipped < 3*2*size-3*2*maxString*2 {
		t.Errorf("the page passed over %d bytes unread, want nearly all of the results", p.skipped)
	}
	want := pageUnskipped(t, path)
	gj, _ := json.Marshal(got)
	wj, _ := json.Marshal(want)
	if string(gj) != string(wj) {
		t.Fatalf("the page differs from reading through:\n%.600s\n%.600s", gj, wj)
	}
	res := got.Messages[1].Blocks[0].Tool.Result
	if res == nil || res.Cut == nil || res.Cut.Bytes != int64(len(jsonString(t, out))-2) || len(res.Text) > blockString {
		t.Fatalf("result = %+v", res)
	}
	var whole strings.Builder
	if err := files.Full(path, res.Cut.Ref, &whole); err != nil {
		t.Fatal(err)
	}
	if whole.String() != out {
		t.Errorf("…/full gave %d bytes, want the %d of the result", whole.Len(), len(out))
	}
}

func jsonString(t *testing.T, s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// What the page shows at once (a prompt, an answer's text, its thinking)
// keeps 64 KiB; what it shows folded behind a tool's line keeps 8 KiB,
// with the whole size and a ref for the rest.
func TestFoldedBlocksCutShorter(t *testing.T) {
	var r rec
	long := strings.Repeat("0123456789abcdef", 20<<10/16) // 20 KiB
	path := tempTranscript(t, jsonl(t,
		r.prompt(long),
		r.assistant("msg_1", map[string]any{"type": "thinking", "thinking": long, "signature": "s"}, text(long),
			toolUse("t1", "Write", map[string]any{"file_path": "/a", "content": long})),
		r.results(nil, toolResult("t1", long, false)),
		r.results(nil, toolResult("t2", []any{text(long)}, false)),
	))
	page, err := NewFiles(0).Page(path, Query{})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Messages) != 2 {
		t.Fatalf("%d messages: %v", len(page.Messages), summaryOf(page.Messages))
	}
	bs := page.Messages[1].Blocks
	tool := bs[2].Tool
	for _, tc := range []struct {
		name string
		text string
		cut  *shared.Cut
		full bool
	}{
		{"prompt", page.Messages[0].Blocks[0].Text, page.Messages[0].Blocks[0].Cut, true},
		{"thinking", bs[0].Text, bs[0].Cut, true},
		{"answer", bs[1].Text, bs[1].Cut, true},
		{"tool result", tool.Result.Text, tool.Result.Cut, false},
	} {
		switch {
		case tc.full && (tc.text != long || tc.cut != nil):
			t.Errorf("%s: %d bytes, cut %+v; want all %d", tc.name, len(tc.text), tc.cut, len(long))
		case !tc.full && (len(tc.text) > blockString || tc.cut == nil || tc.cut.Bytes != int64(len(long)) || tc.cut.Ref == ""):
			t.Errorf("%s: %d bytes, cut %+v; want at most %d and the whole size", tc.name, len(tc.text), tc.cut, blockString)
		}
	}
	if tool.InputCut == nil || len(tool.Input) > blockString+1024 {
		t.Errorf("tool input: %d bytes, cut %v; want it cut to about %d", len(tool.Input), tool.InputCut, blockString)
	}
}
