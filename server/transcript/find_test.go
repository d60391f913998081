package transcript

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"vibecraft.sh/helm/server/opencode"
	"vibecraft.sh/helm/shared"
)

// manyMessages is a transcript of n turns: a prompt, then a response
// with a tool call whose result comes on the next line; turn 7's
// result holds "needle", turn 11's prompt "Needle" and every tenth
// call is a Grep.
func manyMessages(t testing.TB, n int) []byte {
	var r rec
	var recs []map[string]any
	for i := range n {
		prompt, result, tool := fmt.Sprintf("prompt %d", i), fmt.Sprintf("output %d", i), "Bash"
		if i == 7 {
			result += " needle"
		}
		if i == 11 {
			prompt = "find the Needle"
		}
		if i%10 == 0 {
			tool = "Grep"
		}
		id, call := fmt.Sprintf("msg_%04d", i), fmt.Sprintf("toolu_%04d", i)
		recs = append(recs, r.prompt(prompt),
			r.assistant(id, toolUse(call, tool, map[string]any{"command": "ls"})),
			r.results(nil, toolResult(call, result, false)),
			r.assistant(id, text(fmt.Sprintf("answer %d", i))))
	}
	return jsonl(t, recs...)
}

// allMessages walks a transcript's pages from its end, as the page's
// "older" does.
func allMessages(t *testing.T, files *Files, path string) []shared.Message {
	t.Helper()
	var all []shared.Message
	cursor := ""
	for {
		page, err := files.Page(path, Query{Before: cursor, Limit: MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		all = append(page.Messages, all...)
		if cursor = page.Before; cursor == "" {
			return all
		}
	}
}

// Find finds exactly the messages the page's find marks once every page
// is loaded, in order.
func TestFindMatchesWhatPagesShow(t *testing.T) {
	const turns = 300 // 1,200 lines: past findAheadMin, so the second reader takes part
	path := tempTranscript(t, manyMessages(t, turns))
	files := NewFiles(0)
	all := allMessages(t, files, path)
	for _, term := range []string{"needle", "NEEDLE", "grep", "answer 1", "output 11", "nowhere", "é"} {
		var want []string
		for i := range all {
			if shared.MessageShows(&all[i], term) {
				want = append(want, all[i].Cursor)
			}
		}
		got, err := files.Find(context.Background(), path, func(m *shared.Message) bool { return shared.MessageShows(m, term) }, FindQuery{Max: shared.MaxFound})
		if err != nil {
			t.Fatal(err)
		}
		if got.More || !slices.Equal(got.Matches, want) && len(want)+len(got.Matches) > 0 {
			t.Errorf("%q: got %d %v more %v, want %d", term, len(got.Matches), got.Matches, got.More, len(want))
		}
		// The page's matcher is not its own proof: what the transcript
		// holds, counted by hand (turn 7's result and turn 11's prompt;
		// a Grep every tenth turn).
		if n, ok := map[string]int{"needle": 2, "NEEDLE": 2, "grep": turns / 10, "nowhere": 0}[term]; ok && len(got.Matches) != n {
			t.Errorf("%q: %d matches, want %d", term, len(got.Matches), n)
		}
	}
}

// Find stops at max, says there is more, and each cursor opens its
// message with ?after=.
func TestFindCapsAndCursorsOpen(t *testing.T) {
	path := tempTranscript(t, manyMessages(t, 60))
	files := NewFiles(0)
	match := func(m *shared.Message) bool { return shared.MessageShows(m, "answer") }
	got, err := files.Find(context.Background(), path, match, FindQuery{Max: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Matches) != 5 || !got.More {
		t.Fatalf("got %d matches, more %v; want 5 and more", len(got.Matches), got.More)
	}
	for i, c := range got.Matches {
		page, err := files.Page(path, Query{After: c, Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Messages) == 0 || page.Messages[0].Cursor != c || !match(&page.Messages[0]) {
			t.Fatalf("match %d: ?after= does not open it: %q", i, summaryOf(page.Messages))
		}
	}
}

func TestFindStopsWithContext(t *testing.T) {
	path := tempTranscript(t, manyMessages(t, 300))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := NewFiles(0).Find(ctx, path, func(*shared.Message) bool { return true }, FindQuery{Max: 10})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	// Ended midway, its second reader blocked on lines not taken: it
	// ends too (TestMain checks that no goroutine is left).
	ctx, cancel = context.WithCancel(context.Background())
	_, err = NewFiles(0).Find(ctx, path, func(*shared.Message) bool { cancel(); return true }, FindQuery{Max: 10})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("ended midway: err = %v, want context.Canceled", err)
	}
}

// openPager opens path as a find does, for the tests of its second
// reader; the file is closed when the test ends.
func openPager(t *testing.T, files *Files, path string) *pager {
	t.Helper()
	f, snap, err := files.open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return newPager(f, snap)
}

// A find of a long transcript, whose lines a second reader decodes in
// part, answers as a find on one reader does, whatever its query.
func TestFindAheadAnswersAsOneReader(t *testing.T) {
	path := tempTranscript(t, manyMessages(t, 300)) // 1,200 lines
	files := NewFiles(0)
	p := openPager(t, files, path)
	ah := startAhead(context.Background(), path, p, "output", 0)
	if ah == nil {
		t.Fatalf("no second reader for %d lines", len(p.snap.offs))
	}
	ah.stop()

	all := allMessages(t, files, path)
	queries := []FindQuery{{Max: shared.MaxFound}, {Max: 7}, {Max: 7, End: true},
		{Max: 7, After: all[len(all)/2].Cursor}, {Max: 7, Before: all[len(all)/3].Cursor}}
	find := func(term string, q FindQuery) shared.FindResult {
		q.Term = term
		// Files of its own: a find with another's messages known reads
		// only the lines after them (findmemo.go).
		got, err := NewFiles(0).Find(context.Background(), path, shared.Shows(term), q)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	for _, term := range []string{"output 1", "nowhere"} { // many matches (some: TestFindMatchesWhatPagesShow), none
		for _, q := range queries {
			two := find(term, q)
			was := runtime.GOMAXPROCS(1) // one core: no second reader
			one := find(term, q)
			runtime.GOMAXPROCS(was)
			if !reflect.DeepEqual(one, two) {
				t.Errorf("%q %+v: one reader %+v, two %+v", term, q, one, two)
			}
		}
	}
}

// A find that ends before its second reader has given every line (a
// cap, an error, a request gone) stops it: the reader, blocked on lines
// nobody takes, ends and closes its file (TestMain checks that no
// goroutine is left).
func TestFindAheadStops(t *testing.T) {
	path := tempTranscript(t, manyMessages(t, 300))
	p := openPager(t, NewFiles(0), path)
	ah := startAhead(context.Background(), path, p, "", 0)
	if ah == nil {
		t.Fatalf("no second reader for %d lines", len(p.snap.offs))
	}
	for _, k := range []int{1, 2, 4} { // its first three lines, of many
		if pr, err := ah.next(k); err != nil || pr == nil || pr.off != p.snap.offs[k] {
			t.Fatalf("line %d: %v, %v", k, pr, err)
		}
	}
	ah.stop()
}

// A line whose reading panics on the second reader fails its find, as
// it failed its request on the find's own goroutine, rather than end the
// server.
func TestFindAheadPanicFailsTheFind(t *testing.T) {
	path := tempTranscript(t, manyMessages(t, 300))
	testAheadRead = func(k int) {
		if k == 500 {
			panic("a line no reader expected")
		}
	}
	t.Cleanup(func() { testAheadRead = nil })
	_, err := NewFiles(0).Find(context.Background(), path, shared.Shows("output"), FindQuery{Max: shared.MaxFound})
	if !errors.Is(err, errAheadPanicked) || !strings.Contains(err.Error(), "a line no reader expected") {
		t.Fatalf("err = %v, want the panic's", err)
	}
}

// A path that names another file than the one a find opened (replaced
// since) gets no second reader: it would read another file's lines.
func TestFindAheadOnlyOverTheSameFile(t *testing.T) {
	path := tempTranscript(t, manyMessages(t, 300))
	p := openPager(t, NewFiles(0), path)
	other := tempTranscript(t, manyMessages(t, 300))
	if err := os.Rename(other, path); err != nil {
		t.Fatal(err)
	}
	if ah := startAhead(context.Background(), path, p, "output", 0); ah != nil {
		ah.stop()
		t.Fatal("a second reader over the file that replaced the one found")
	}
}

// Start is the first page: its first messages, more, and no page above.
func TestStartPage(t *testing.T) {
	path := tempTranscript(t, manyMessages(t, 30))
	files := NewFiles(0)
	for _, limit := range []int{1, 3, 50} {
		page, err := files.Page(path, Query{Start: true, Limit: limit})
		if err != nil {
			t.Fatal(err)
		}
		want := min(limit, 60)
		if len(page.Messages) != want || page.Before != "" || page.More != (want < 60) {
			t.Fatalf("limit %d: %d messages, before %q, more %v", limit, len(page.Messages), page.Before, page.More)
		}
		if page.Messages[0].Blocks[0].Text != "prompt 0" {
			t.Fatalf("limit %d: first message %q", limit, summaryOf(page.Messages[:1]))
		}
		next, err := files.Page(path, Query{After: page.After, Limit: 1})
		if err != nil || next.Messages[0].Cursor != page.After {
			t.Fatalf("limit %d: ?after= the start page's after: %v %q", limit, err, summaryOf(next.Messages))
		}
	}
	empty := tempTranscript(t, nil)
	if page, err := files.Page(empty, Query{Start: true}); err != nil || len(page.Messages) != 0 || page.More {
		t.Fatalf("empty transcript: %v %+v", err, page)
	}
}

// FuzzFind runs find over hostile transcripts and terms: nothing
// panics, every cursor it returns opens a message that matches, and the
// lines passed over as unable to show the term change no answer.
func FuzzFind(f *testing.F) {
	f.Add(conversation(f), "fail")
	f.Add(manyMessages(f, 3), "needle")
	f.Add([]byte("{\"type\":\"user\",\"message\":{\"content\":\"\\u0000x\"}}\n{\"type\":\"assistant\""), "x")
	f.Add([]byte(strings.Repeat("{}\n", 50)), "\xff")
	long := strings.Repeat("filler ", 50)
	f.Add([]byte(`{"type":"user","uuid":"a","message":{"content":"`+strings.Repeat(" ", 300)+`<command-name>/x</command-name>"}}
{"type":"user","uuid":"b","message":{"content":"<local-command-stdout>`+long+`abc</local-command-stdout><local-command-stderr>def</local-command-stderr>"}}
{"type":"system","subtype":"local_command","uuid":"c","content":"`+long+`<local-command-stdout>out</local-command-stdout>"}
{"type":"user","uuid":"d","message":{"content":"`+long+`caf\u00e9 \u0041BC"}}
`), "cde")
	// A tool call's input, its nested values as the page writes them.
	f.Add([]byte(`{"type":"assistant","uuid":"e","message":{"id":"m","role":"assistant","content":[{"type":"tool_use","id":"t","name":"TodoWrite","input":{"todos":[{"content":"`+long+`a\u000anewt","done":true,"n":1e2}],"old_string":"`+long+`x"}}]}}
`), `"done": true`)
	f.Add([]byte(`{"type":"user","uuid":"a","message":{"content":"a  b"}}
`), "  ")
	// A coloured output: shown, and found, without its escapes.
	f.Add([]byte(`{"type":"user","uuid":"o","message":{"content":[{"type":"tool_result","tool_use_id":"t","content":"PASS\u001b[0m ok"}]}}
{"type":"user","uuid":"p","message":{"content":"<local-command-stdout>\u001b]0;t\u0007a\u001b[1m b</local-command-stdout>"}}
`), "a b")
	// A prompt typed while the session worked, a recap, thinking without text.
	f.Add([]byte(`{"type":"assistant","uuid":"g","message":{"id":"m","role":"assistant","content":[{"type":"thinking","thinking":"","signature":"s"},{"type":"tool_use","id":"t","name":"Bash","input":{}}]}}
{"type":"attachment","uuid":"h","attachment":{"type":"queued_command","prompt":"`+long+`and the linter","commandMode":"prompt","origin":{"kind":"human"}}}
{"type":"system","subtype":"away_summary","uuid":"i","content":"Goal: lint. (disable recaps in /config)"}
`), "linter")
	// A background task's reports, their summaries past the cut of a
	// line read for its place.
	f.Add([]byte(`{"type":"user","uuid":"j","isMeta":true,"message":{"content":"<task-notification>\n<task-id>a1</task-id>\n<output-file>`+long+`</output-file>\n<summary>Agent \"Scan\" completed</summary><result>hidden</result></task-notification>"}}
{"type":"attachment","uuid":"k","attachment":{"type":"queued_command","prompt":"<task-notification><status>`+long+`failed</status></task-notification>","commandMode":"task-notification"}}
`), "scan")
	f.Fuzz(func(t *testing.T, data []byte, term string) {
		if term == "" || len(term) > shared.MaxFindTerm || bytes.Count(data, []byte("\n")) > 2000 {
			return
		}
		path := tempTranscript(t, data)
		files := NewFiles(0)
		// As the API makes it: a cut input read whole.
		match := shared.ShowsWhole(term, func(ref string, w io.Writer) error { return files.Full(path, ref, w) })
		got, err := files.Find(context.Background(), path, match, FindQuery{Max: 50})
		if err != nil {
			t.Fatal(err)
		}
		// Passing over the lines that cannot show term changes nothing,
		// nor does passing over the messages none of whose lines can,
		// where a find before found them (the second, and a find for
		// another term first).
		other := NewFiles(0)
		if _, err := other.Find(context.Background(), path, shared.Shows("zzyzx"), FindQuery{Max: 50, Term: "zzyzx"}); err != nil {
			t.Fatal(err)
		}
		for i, fs := range []*Files{files, files, other} {
			if fast, err := fs.Find(context.Background(), path, match, FindQuery{Max: 50, Term: term}); err != nil || !reflect.DeepEqual(fast, got) {
				t.Fatalf("with the prefilter (%d) %+v (%v), without %+v", i, fast, err, got)
			}
		}
		for _, c := range got.Matches {
			page, err := files.Page(path, Query{After: c, Limit: 1})
			if err != nil {
				t.Fatalf("cursor %q: %v", c, err)
			}
			if len(page.Messages) == 0 || page.Messages[0].Cursor != c {
				t.Fatalf("cursor %q does not open its message: %q", c, summaryOf(page.Messages))
			}
		}
		// Found while half written, then once whole: what the first
		// find learnt of the messages changes no answer of the second.
		if half := bytes.IndexByte(data[len(data)/2:], '\n'); half >= 0 && len(data)/2+half+1 < len(data) {
			cut := len(data)/2 + half + 1
			grown := tempTranscript(t, data[:cut])
			files := NewFiles(0)
			match := shared.ShowsWhole(term, func(ref string, w io.Writer) error { return files.Full(grown, ref, w) })
			q := FindQuery{Max: 50, Term: term}
			if _, err := files.Find(context.Background(), grown, match, q); err != nil {
				t.Fatal(err)
			}
			appendFile(t, grown, data[cut:])
			whole, err := NewFiles(0).Find(context.Background(), grown, match, FindQuery{Max: 50})
			if err != nil {
				t.Fatal(err)
			}
			if again, err := files.Find(context.Background(), grown, match, q); err != nil || !reflect.DeepEqual(again, whole) {
				t.Fatalf("found half written, then whole: %+v (%v), want %+v", again, err, whole)
			}
		}
	})
}

// idPages answers ?after= pages over fixed messages as the database does.
type idPages struct{ msgs []opencode.Message }

func (p *idPages) Messages(_ context.Context, _ string, q opencode.MessagePage) ([]opencode.Message, bool, error) {
	var out []opencode.Message
	for _, m := range p.msgs {
		if m.ID >= q.After {
			out = append(out, m)
		}
	}
	more := len(out) > q.Limit+1
	if more {
		out = out[:q.Limit+1]
	}
	return out, more, nil
}

// OpenCode's find reads every page once, each match once, in order.
func TestOpenCodeFind(t *testing.T) {
	r := &idPages{}
	var want []string
	for i := range 450 {
		m := opencode.Message{ID: fmt.Sprintf("msg_%05d", i+1), Role: "assistant", Parts: []opencode.Part{{Type: "text", Text: fmt.Sprint("line ", i)}}}
		if i == 5 || i == 200 || i == 201 || i == 449 {
			m.Parts = append(m.Parts, opencode.Part{Type: "tool", Tool: "bash", Status: "completed", Output: "a Needle here"})
			want = append(want, encodeCursor(position{kind: kindMessage, msg: m.ID}))
		}
		r.msgs = append(r.msgs, m)
	}
	match := func(m *shared.Message) bool { return shared.MessageShows(m, "needle") }
	got, err := OpenCodeFind(context.Background(), r, "ses_x", match, FindQuery{Max: shared.MaxFound})
	if err != nil || got.More || !slices.Equal(got.Matches, want) {
		t.Fatalf("got %v more %v (%v), want %v", got.Matches, got.More, err, want)
	}
	if got, _ := OpenCodeFind(context.Background(), r, "ses_x", match, FindQuery{Max: 2}); len(got.Matches) != 2 || !got.More {
		t.Fatalf("capped at 2: %v more %v", got.Matches, got.More)
	}
	page, err := OpenCodePage(context.Background(), r, "ses_x", Query{Start: true, Limit: 3})
	if err != nil || len(page.Messages) != 3 || page.Messages[0].ID != "msg_00001" || page.Before != "" || !page.More {
		t.Fatalf("start page: %v %q before %q more %v", err, summaryOf(page.Messages), page.Before, page.More)
	}
}

// BenchmarkFind reads a 1 MB and a 500 MB transcript (bench_test.go's)
// for a word no message holds, as the API asks (with its term, for the
// prefilter: findskip.go): every line placed, none shown.
func BenchmarkFind(b *testing.B) {
	for _, size := range []struct {
		name   string
		filler int64
	}{{"1MB", 0}, {"500MB", 499 << 20}} {
		b.Run(size.name, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "s.jsonl")
			writeBench(b, path, size.filler)
			files := NewFiles(0)
			match := shared.Shows("zebrafish") // once a find, as the API makes it
			q := FindQuery{Max: shared.MaxFound, Term: "zebrafish"}
			if _, err := files.Find(context.Background(), path, match, q); err != nil { // the index, built once
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if res, err := files.Find(context.Background(), path, match, q); err != nil || len(res.Matches) != 0 {
					b.Fatal(err, res)
				}
			}
		})
	}
}

// BenchmarkFindManyLines is a find over 100 MB of ordinary turns (about
// 49,000 lines of 0.2 to 8 KB, bench_test.go's writeTurns), the shape of
// most transcripts, where a find's cost is per line: a word no message
// holds (every line placed, none shown), and one every text holds. Each
// as the transcript's first find (its index built: every line grouped),
// and as the next (its messages known, findmemo.go).
//
//	go test -run '^$' -bench BenchmarkFindManyLines -benchtime 5x ./server/transcript/
func BenchmarkFindManyLines(b *testing.B) {
	path := filepath.Join(b.TempDir(), "s.jsonl")
	writeTurns(b, path, 0, 100<<20)
	for _, c := range []struct{ name, term string }{{"nowhere", "zebrafish"}, {"everywhere", "fox"}} {
		match := shared.Shows(c.term)
		q := FindQuery{Max: shared.MaxFound, Term: c.term}
		b.Run(c.name+"/first", func(b *testing.B) {
			res := benchFirstFind(b, path, match, q)
			b.ReportMetric(float64(res.Total), "matches")
		})
		b.Run(c.name+"/again", func(b *testing.B) {
			files := NewFiles(0)
			first, err := files.Find(context.Background(), path, match, q) // the index and the messages, once
			if err != nil || (c.term == "fox") != (first.Total > 0) {
				b.Fatal(err, first.Total)
			}
			for b.Loop() {
				if res, err := files.Find(context.Background(), path, match, q); err != nil || res.Total != first.Total {
					b.Fatal(err, res.Total)
				}
			}
			b.ReportMetric(float64(first.Total), "matches")
		})
	}
}

// benchFirstFind times the first find q of the transcript at path, its
// index built beforehand, once per iteration.
func benchFirstFind(b *testing.B, path string, match func(*shared.Message) bool, q FindQuery) shared.FindResult {
	var res shared.FindResult
	for range b.N {
		b.StopTimer()
		files := NewFiles(0)
		if _, err := files.Page(path, Query{}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		var err error
		if res, err = files.Find(context.Background(), path, match, q); err != nil {
			b.Fatal(err)
		}
	}
	return res
}

// BenchmarkFindCommonWord: find of a word in nearly every prompt of a
// transcript of long prompts (16–64 KB each, 50 MB), as a user searching a
// common word in a huge session does: every line that holds it is
// decoded to count its match, so the decoding is the cost: the
// transcript's first find, and the next (its messages known).
func BenchmarkFindCommonWord(b *testing.B) {
	path := filepath.Join(b.TempDir(), "s.jsonl")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	words := strings.Repeat("the quick brown fox jumps over the lazy dog,\nthen writes a \"test\". ", 1<<10)
	var n int
	for turn := 0; n < 50<<20; turn++ {
		prompt := strconv.Quote(words[:16<<10+turn%4*16<<10])
		ts := fmt.Sprintf("2026-03-02T09:%02d:%02d.000Z", turn/60%60, turn%60)
		k, _ := fmt.Fprintf(w, `{"type":"user","sessionId":"s","cwd":"/w","timestamp":%q,"uuid":"u%d","message":{"role":"user","content":%s}}`+"\n", ts, turn, prompt)
		n += k
		k, _ = fmt.Fprintf(w, `{"type":"assistant","sessionId":"s","cwd":"/w","timestamp":%q,"uuid":"a%d","requestId":"r%d","message":{"id":"m%d","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"done"}],"stop_reason":"end_turn","usage":{"input_tokens":1,"output_tokens":1}}}`+"\n", ts, turn, turn, turn)
		n += k
	}
	if err := errors.Join(w.Flush(), f.Close()); err != nil {
		b.Fatal(err)
	}
	match := shared.Shows("fox")
	q := FindQuery{Max: shared.MaxFound, Term: "fox"}
	b.Run("first", func(b *testing.B) {
		b.SetBytes(int64(n))
		b.ReportAllocs()
		if res := benchFirstFind(b, path, match, q); res.Total < 1000 {
			b.Fatal(res.Total)
		}
	})
	b.Run("again", func(b *testing.B) {
		files := NewFiles(0)
		first, err := files.Find(context.Background(), path, match, q) // the index and the messages, once
		if err != nil || first.Total < 1000 {
			b.Fatal(err, first.Total)
		}
		b.SetBytes(int64(n))
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			if res, err := files.Find(context.Background(), path, match, q); err != nil || res.Total != first.Total {
				b.Fatal(err, res.Total)
			}
		}
	})
}
