package transcript

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/shared"
)

// conversation is a small session: two turns, the first a response
// written as four lines with a tool call and its result between them.
func conversation(t testing.TB) []byte {
	var r rec
	return jsonl(t,
		map[string]any{"type": "file-history-snapshot", "messageId": "x", "snapshot": map[string]any{}},
		r.prompt("Fix the flaky login test"),
		r.assistant("msg_A", map[string]any{"type": "thinking", "thinking": "let me look"}),
		r.assistant("msg_A", toolUse("toolu_1", "Bash", map[string]any{"command": "npm test", "description": "run"})),
		r.results(nil, toolResult("toolu_1", "1 failing", true)),
		r.assistant("msg_A", text("One test fails.")),
		map[string]any{"type": "progress", "data": map[string]any{"type": "hook_progress"}},
		r.prompt("now fix it"),
		r.assistant("msg_B", text("Done.")),
	)
}

func TestLastPageGroupsSplitResponseWithResults(t *testing.T) {
	path := tempTranscript(t, conversation(t))
	page := lastPage(t, NewFiles(0), path)
	want := []string{
		"user[text:Fix the flaky login test]",
		"assistant[thinking:let me look tool:Bash=1 failing text:One test fails.]",
		"user[text:now fix it]",
		"assistant[text:Done.]",
	}
	if got := summaryOf(page.Messages); !slices.Equal(got, want) {
		t.Fatalf("messages:\n got %q\nwant %q", got, want)
	}
	if page.Before != "" {
		t.Errorf("before = %q at the start of the file, want empty", page.Before)
	}
	tool := page.Messages[1].Blocks[1].Tool
	if !tool.Result.IsError || tool.Summary != "npm test" || tool.ID != "toolu_1" {
		t.Errorf("tool = %+v, result %+v: want the error marked and the command as summary", tool, tool.Result)
	}
	if page.Messages[1].ID != "msg_A" || page.Messages[1].Model == "" || page.Messages[1].Time == 0 {
		t.Errorf("assistant message header = %+v", page.Messages[1])
	}
}

func TestCursorEdges(t *testing.T) {
	var r rec
	one := jsonl(t, r.prompt("only"))
	tests := []struct {
		name  string
		data  []byte
		limit int
		want  [][]string // pages, newest first
	}{
		{"empty file", nil, 2, [][]string{{}}},
		{"one line", one, 2, [][]string{{"user[text:only]"}}},
		{"only records that are not shown", jsonl(t, map[string]any{"type": "summary", "summary": "x"}), 2, [][]string{{}}},
		{"limit one walks every message", conversation(t), 1, [][]string{
			{"assistant[text:Done.]"},
			{"user[text:now fix it]"},
			{"assistant[thinking:let me look tool:Bash=1 failing text:One test fails.]"},
			{"user[text:Fix the flaky login test]"},
		}},
		{"page boundary inside a split response", conversation(t), 3, [][]string{
			{"assistant[thinking:let me look tool:Bash=1 failing text:One test fails.]", "user[text:now fix it]", "assistant[text:Done.]"},
			{"user[text:Fix the flaky login test]"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tempTranscript(t, tt.data)
			files := NewFiles(0)
			cursor := ""
			for i, want := range tt.want {
				page, err := files.Page(path, Query{Before: cursor, Limit: tt.limit})
				if err != nil {
					t.Fatalf("page %d: %v", i, err)
				}
				if got := summaryOf(page.Messages); !slices.Equal(got, want) && len(got)+len(want) > 0 {
					t.Fatalf("page %d:\n got %q\nwant %q", i, got, want)
				}
				if page.After == "" {
					t.Errorf("page %d has no after cursor", i)
				}
				last := i == len(tt.want)-1
				if (page.Before == "") != last {
					t.Fatalf("page %d: before = %q, want it empty only on the last page", i, page.Before)
				}
				cursor = page.Before
			}
		})
	}
}

// A long response read from the middle: the window of lines a page reads
// first starts inside it, and the page still returns it whole.
func TestPageWindowStartsInsideLongResponse(t *testing.T) {
	var r rec
	recs := []map[string]any{r.prompt("go")}
	for i := range 40 {
		id := "toolu_" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		recs = append(recs, r.assistant("msg_long", toolUse(id, "Read", map[string]any{"file_path": "/f"})))
		recs = append(recs, r.results(nil, toolResult(id, "ok", false)))
	}
	recs = append(recs, r.prompt("next"))
	path := tempTranscript(t, jsonl(t, recs...))
	files := NewFiles(0)
	page, err := files.Page(path, Query{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	page, err = files.Page(path, Query{Before: page.Before, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Messages) != 1 || len(page.Messages[0].Blocks) != 40 {
		t.Fatalf("got %d messages, first with %d blocks; want the whole response of 40 calls", len(page.Messages), len(page.Messages[0].Blocks))
	}
	for _, b := range page.Messages[0].Blocks {
		if b.Tool.Result == nil {
			t.Fatalf("call %s has no result", b.Tool.ID)
		}
	}
}

func TestAppendBetweenPages(t *testing.T) {
	var r rec
	path := tempTranscript(t, jsonl(t, r.prompt("one"), r.assistant("msg_1", toolUse("toolu_x", "Bash", map[string]any{"command": "ls"}))))
	files := NewFiles(0)
	first, err := files.Page(path, Query{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	// The response's result, then its next line, then a new prompt; and
	// an unfinished line that must not show yet.
	appendFile(t, path, jsonl(t, r.results(nil, toolResult("toolu_x", "a b", false)), r.assistant("msg_1", text("listed")), r.prompt("two")))
	appendFile(t, path, []byte(`{"type":"user","message":{"content":"half`))
	next, err := files.Page(path, Query{After: first.After})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"assistant[tool:Bash=a b text:listed]", "user[text:two]"}
	if got := summaryOf(next.Messages); !slices.Equal(got, want) {
		t.Fatalf("after append:\n got %q\nwant %q", got, want)
	}
	if next.Messages[0].Cursor != first.Messages[0].Cursor {
		t.Errorf("the grown message has a new cursor: the client could not replace it")
	}
	// The older page is still reachable from the first page's cursor.
	older, err := files.Page(path, Query{Before: first.Before})
	if err != nil || !slices.Equal(summaryOf(older.Messages), []string{"user[text:one]"}) {
		t.Fatalf("older page after append: %q, %v", summaryOf(older.Messages), err)
	}
	appendFile(t, path, []byte("\"}}\n"))
	last, err := files.Page(path, Query{After: next.After})
	if err != nil || !slices.Equal(summaryOf(last.Messages), []string{"user[text:two]", "user[text:half]"}) {
		t.Fatalf("completed line: %q, %v", summaryOf(last.Messages), err)
	}
}

// The after cursor of an empty transcript names its end; what is written
// there first may be a record that is not shown.
func TestAfterFromEmptyPastHiddenRecords(t *testing.T) {
	var r rec
	path := tempTranscript(t, nil)
	files := NewFiles(0)
	empty, err := files.Page(path, Query{})
	if err != nil {
		t.Fatal(err)
	}
	appendFile(t, path, jsonl(t, map[string]any{"type": "file-history-snapshot", "messageId": "m"}, r.prompt("first")))
	page, err := files.Page(path, Query{After: empty.After})
	if err != nil || !slices.Equal(summaryOf(page.Messages), []string{"user[text:first]"}) {
		t.Fatalf("after the first records: %q, %v", summaryOf(page.Messages), err)
	}
}

func TestAfterRespectsLimit(t *testing.T) {
	var r rec
	var recs []map[string]any
	for range 5 {
		recs = append(recs, r.prompt("p"))
	}
	path := tempTranscript(t, nil)
	files := NewFiles(0)
	empty, err := files.Page(path, Query{})
	if err != nil {
		t.Fatal(err)
	}
	appendFile(t, path, jsonl(t, recs...))
	seen, cursor := 0, empty.After
	for range 10 {
		page, err := files.Page(path, Query{After: cursor, Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		if cursor != empty.After {
			page.Messages = page.Messages[1:] // the one at the cursor, sent again
		}
		seen += len(page.Messages)
		cursor = page.After
		if !page.More {
			break
		}
	}
	if seen != 5 {
		t.Fatalf("saw %d messages through after pages, want 5", seen)
	}
}

func TestStaleCursors(t *testing.T) {
	tests := []struct {
		name   string
		change func(t *testing.T, path string)
	}{
		{"truncated", func(t *testing.T, path string) {
			if err := os.Truncate(path, 10); err != nil {
				t.Fatal(err)
			}
		}},
		{"rewritten in place, longer", func(t *testing.T, path string) {
			var r rec
			r.n = 500
			data := jsonl(t, r.prompt("another story entirely"), r.prompt("x"), r.prompt("y"), r.prompt("z"), r.prompt("w"))
			f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
			if err != nil {
				t.Fatal(err)
			}
			f.Write(data)
			f.Write(conversation(t))
			f.Close()
		}},
		{"replaced by rename", func(t *testing.T, path string) {
			tmp := filepath.Join(filepath.Dir(path), "new")
			writeFile(t, tmp, conversation(t))
			if err := os.Rename(tmp, path); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tempTranscript(t, conversation(t))
			files := NewFiles(0)
			page, err := files.Page(path, Query{Limit: 1})
			if err != nil {
				t.Fatal(err)
			}
			tt.change(t, path)
			for _, q := range []Query{{Before: page.Before}, {After: page.After}} {
				if _, err := files.Page(path, q); !errors.Is(err, ErrStale) {
					t.Errorf("%+v: err = %v, want ErrStale", q, err)
				}
			}
			if _, err := files.Page(path, Query{}); err != nil {
				t.Errorf("a fresh last page fails: %v", err)
			}
		})
	}
}

// TestRewriteThatGrows rewrites a transcript in place with other lines
// that keep its first line and put a '\n' where the old content ended,
// and more after it: neither the head nor the byte before the old end
// tells this from an append, and the lines indexed before must go.
func TestRewriteThatGrows(t *testing.T) {
	old := conversation(t)
	path := tempTranscript(t, old)
	files := NewFiles(0)
	if _, err := files.Page(path, Query{}); err != nil {
		t.Fatal(err)
	}
	head := old[:bytes.IndexByte(old, '\n')+1]
	var r rec
	r.n = 500
	data := append(slices.Clone(head), jsonl(t, r.prompt("a new story"))...)
	short := jsonl(t, r.prompt("")) // as long as any other prompt of r, but for its text
	pad := len(old) - len(data) - len(short)
	data = append(data, jsonl(t, r.prompt(strings.Repeat("y", pad)))...)
	data = append(data, jsonl(t, r.prompt("after the rewrite"))...)
	if data[len(old)-1] != '\n' || bytes.Equal(data[:len(old)], old) {
		t.Fatal("the rewrite must end a line where the old content ended, with other bytes before it")
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0) // in place: the same inode
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(data, 0); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	page := lastPage(t, files, path)
	got := summaryOf(page.Messages)
	want := []string{"user[text:a new story]", "user[text:" + strings.Repeat("y", pad) + "]", "user[text:after the rewrite]"}
	if !slices.Equal(got, want) {
		t.Errorf("after the rewrite:\n got %.300q\nwant %.300q", got, want)
	}
}

func TestBadCursors(t *testing.T) {
	path := tempTranscript(t, conversation(t))
	files := NewFiles(0)
	page := lastPage(t, files, path)
	_, snap, err := files.open(path)
	if err != nil {
		t.Fatal(err)
	}
	midLine := encodeCursor(position{kind: kindLine, id: snap.id, off: snap.offs[1] + 3})
	pastEnd := encodeCursor(position{kind: kindLine, id: snap.id, off: snap.end + 100})
	ref := page.Messages[0].Cursor // a line cursor is no ref
	for name, q := range map[string]Query{
		"mid-line":     {Before: midLine},
		"garbage":      {Before: "!!not base64!!"},
		"wrong kind":   {After: encodeCursor(position{kind: kindMessage, msg: "msg_abc"})},
		"too long":     {Before: strings.Repeat("A", 500)},
		"past the end": {Before: pastEnd},
	} {
		_, err := files.Page(path, q)
		if !errors.Is(err, ErrBadCursor) && !errors.Is(err, ErrStale) {
			t.Errorf("%s: err = %v, want a bad or stale cursor", name, err)
		}
	}
	if err := files.Full(path, ref, &strings.Builder{}); !errors.Is(err, ErrBadCursor) {
		t.Errorf("a message cursor used as a ref: %v", err)
	}
}

func TestMissingTranscript(t *testing.T) {
	if _, err := NewFiles(0).Page(filepath.Join(t.TempDir(), "gone.jsonl"), Query{}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
}

// Every message once, in order, whatever the page size.
func TestPagesCoverTranscript(t *testing.T) {
	var r rec
	mixed := jsonl(t,
		r.results(map[string]any{"isMeta": true}, text("<local-command-caveat>Caveat</local-command-caveat>")),
		r.prompt("<command-name>/model</command-name>"),
		r.results(nil, text("<local-command-stdout>Set model</local-command-stdout>")),
		r.results(nil, text("<local-command-stdout>again</local-command-stdout>")),
		r.assistant("msg_x", text("a")),
		r.results(nil, toolResult("toolu_orphan", "late", false)),
		r.assistant("msg_x", text("b")),
		map[string]any{"type": "system", "subtype": "compact_boundary", "uuid": "c1"},
		r.assistant("msg_y", text("c")),
		r.assistant("msg_z", text("d")),
	)
	data := append(append(append(conversation(t), mixed...), conversation(t)...), mixed...)
	path := tempTranscript(t, data)
	files := NewFiles(0)
	all, err := files.Page(path, Query{Limit: MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	for limit := 1; limit <= 7; limit++ {
		var got []shared.Message
		cursor := ""
		for {
			page, err := files.Page(path, Query{Before: cursor, Limit: limit})
			if err != nil {
				t.Fatal(err)
			}
			got = append(page.Messages, got...)
			if cursor = page.Before; cursor == "" {
				break
			}
		}
		if !slices.Equal(summaryOf(got), summaryOf(all.Messages)) {
			t.Fatalf("limit %d:\n got %q\nwant %q", limit, summaryOf(got), summaryOf(all.Messages))
		}
	}
}

// A transcript of records with nothing to show (meta lines) is read a
// bounded number of lines per page, and paging still ends.
func TestPageOfHiddenRecordsIsBounded(t *testing.T) {
	var r rec
	recs := []map[string]any{r.prompt("first")}
	for range maxPageLines + 500 {
		recs = append(recs, r.results(map[string]any{"isMeta": true}, text("meta")))
	}
	recs = append(recs, r.prompt("last"))
	path := tempTranscript(t, jsonl(t, recs...))
	files := NewFiles(0)
	var got []string
	cursor := ""
	for range 10 {
		page, err := files.Page(path, Query{Before: cursor, Limit: 5})
		if err != nil {
			t.Fatal(err)
		}
		got = append(summaryOf(page.Messages), got...)
		if cursor = page.Before; cursor == "" {
			break
		}
	}
	if cursor != "" || !slices.Equal(got, []string{"user[text:first]", "user[text:last]"}) {
		t.Fatalf("pages: %q, still a cursor: %v", got, cursor != "")
	}
}

// TestQuietLastLineWithoutNewline: a last record without its '\n' shows
// once the file has been quiet for written.TailQuiet, as the list counts
// it; its '\n' and the lines after it then extend the page with every
// cursor still good. A cut record in a quiet file still does not show.
func TestQuietLastLineWithoutNewline(t *testing.T) {
	var r rec
	data := jsonl(t, r.prompt("one"), r.assistant("msg_1", text("first answer")), r.prompt("two"))
	path := tempTranscript(t, data[:len(data)-1])
	files := NewFiles(0)
	page := lastPage(t, files, path)
	if got, want := summaryOf(page.Messages), []string{"user[text:one]", "assistant[text:first answer]"}; !slices.Equal(got, want) {
		t.Fatalf("while the line may still grow:\n got %q\nwant %q", got, want)
	}
	quiet := time.Now().Add(-time.Minute)
	if err := os.Chtimes(path, quiet, quiet); err != nil {
		t.Fatal(err)
	}
	page, err := files.Page(path, Query{After: page.After})
	if err != nil {
		t.Fatal(err)
	}
	// A page after a cursor starts with its last message again (a
	// response may have grown).
	if got, want := summaryOf(page.Messages), []string{"assistant[text:first answer]", "user[text:two]"}; !slices.Equal(got, want) {
		t.Fatalf("once quiet:\n got %q\nwant %q", got, want)
	}
	appendFile(t, path, append([]byte("\n"), jsonl(t, r.assistant("msg_2", text("second answer")))...))
	next, err := files.Page(path, Query{After: page.After})
	if err != nil {
		t.Fatalf("after its newline came: %v (the cursor must stay good)", err)
	}
	if got, want := summaryOf(next.Messages), []string{"user[text:two]", "assistant[text:second answer]"}; !slices.Equal(got, want) {
		t.Fatalf("after its newline came:\n got %q\nwant %q", got, want)
	}
	whole, err := files.Page(path, Query{})
	if err != nil {
		t.Fatal(err)
	}
	again, err := NewFiles(0).Page(path, Query{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := summaryOf(whole.Messages), summaryOf(again.Messages); !slices.Equal(got, want) || len(got) != 4 {
		t.Fatalf("followed %q, read fresh %q: want the same four messages", got, want)
	}

	appendFile(t, path, []byte(`{"type":"user","message":{"content":"cut`))
	if err := os.Chtimes(path, quiet, quiet); err != nil {
		t.Fatal(err)
	}
	cut, err := files.Page(path, Query{After: next.After})
	if got, want := summaryOf(cut.Messages), []string{"assistant[text:second answer]"}; err != nil || !slices.Equal(got, want) {
		t.Fatalf("a cut record in a quiet file: %q, %v; want only the last message again", got, err)
	}
}

// TestRawControlCharactersInAString: a record whose string holds a
// control character written raw (not escaped, as JSON wants) is shown,
// as the list counts it, with the character as it is.
func TestRawControlCharactersInAString(t *testing.T) {
	var r rec
	data := jsonl(t, r.prompt("one"))
	data = append(data, []byte("{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":\"raw\x01 tab\there\"}}\n")...)
	path := tempTranscript(t, data)
	page := lastPage(t, NewFiles(0), path)
	if got, want := summaryOf(page.Messages), []string{"user[text:one]", "user[text:raw\x01 tab\there]"}; !slices.Equal(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}

// TestByteOrderMark: a transcript saved by an editor that starts it with
// a byte order mark keeps its first record.
func TestByteOrderMark(t *testing.T) {
	var r rec
	path := tempTranscript(t, append([]byte("\xEF\xBB\xBF"), jsonl(t, r.prompt("first"), r.prompt("second"))...))
	page := lastPage(t, NewFiles(0), path)
	if got, want := summaryOf(page.Messages), []string{"user[text:first]", "user[text:second]"}; !slices.Equal(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}
