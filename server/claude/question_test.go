package claude

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/shared"
)

// answerLine is an assistant line that ends its turn with text.
func answerLine(id, text string, t time.Time) string {
	content, err := json.Marshal([]map[string]string{{"type": "text", "text": text}})
	if err != nil {
		panic(err)
	}
	return fmt.Sprintf(`{"type":"assistant","cwd":"/w","sessionId":%q,"requestId":"req_%s","message":{"id":"msg_%s","model":"claude-sonnet-4-5","content":%s,"stop_reason":"end_turn","usage":{"input_tokens":1,"output_tokens":1}},"timestamp":%q}`+"\n",
		sidStatus, id, id, content, t.Format(time.RFC3339Nano))
}

// livePID is a registry entry of this (live) process saying its session
// waits for the user.
func livePID(t0 time.Time) string {
	return fmt.Sprintf(`{"pid":%d,"sessionId":%q,"cwd":"/w","startedAt":1,"status":"waiting","updatedAt":%d}`, os.Getpid(), sidStatus, t0.UnixMilli())
}

// A session shows the same question whether it waits because its
// transcript ended a turn within the waiting window (the line is kept
// from the read) or because a live process says so long after (the line
// was let go after the scan and is read again from the file).
func TestQuestionOfOldWaitingSession(t *testing.T) {
	t0 := at("2026-03-02T15:00:00Z")
	long := "Which of the two should I keep?\n" + strings.Repeat("filler ", 60_000) // past the reader's buffer
	tests := []struct {
		name, transcript, want string
		tail                   string // appended without '\n', taken as a whole record
	}{
		{name: "one line", transcript: promptLine("go", t0) + answerLine("a", "Deploy to staging now?", t0), want: "Deploy to staging now?"},
		{name: "first of several lines, escapes and non-ASCII", transcript: promptLine("go", t0) + answerLine("a", "  \n« Prêt » \"to\" ship?\nsecond line", t0),
			want: "« Prêt » \"to\" ship?"},
		{name: "the last answer of several", transcript: promptLine("go", t0) + answerLine("a", "first", t0) + promptLine("again", t0) + answerLine("b", "second", t0) + turnDurationLine(t0),
			want: "second"},
		{name: "a line longer than the read buffer", transcript: promptLine("go", t0) + answerLine("a", long, t0), want: "Which of the two should I keep?"},
		{name: "a final line without newline", transcript: promptLine("go", t0), tail: strings.TrimSuffix(answerLine("a", "Merge it?", t0), "\n"), want: "Merge it?"},
		{name: "a prompt after the answer: no question", transcript: promptLine("go", t0) + answerLine("a", "Done?", t0) + promptLine("yes", t0), want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if shared.QuestionLine(strings.SplitN(tc.want, "\n", 2)[0]) != tc.want {
				t.Fatalf("bad case: %q is not a question line", tc.want)
			}
			recent := t.TempDir()
			write(t, recent, projectRel("/w", sidStatus+".jsonl"), tc.transcript+tc.tail)
			_, out := scan(t, recent, t0.Add(time.Hour).Format(time.RFC3339Nano))
			if got := one(t, out); tc.want != "" && (got.Status != shared.StatusWaiting || got.Question != tc.want) {
				t.Errorf("within the waiting window: %s, %q; want waiting, %q", got.Status, got.Question, tc.want)
			}

			old := t.TempDir()
			write(t, old, projectRel("/w", sidStatus+".jsonl"), tc.transcript+tc.tail)
			write(t, old, "sessions/12345.json", livePID(t0))
			src, out := scan(t, old, t0.Add(48*time.Hour).Format(time.RFC3339Nano))
			got := one(t, out)
			if got.Status != shared.StatusWaiting || got.Question != tc.want {
				t.Errorf("old, live process waiting: %s, %q; want waiting, %q", got.Status, got.Question, tc.want)
			}
			if got := one(t, src.Sessions()); got.Question != tc.want {
				t.Errorf("listed again: %q; want %q", got.Question, tc.want)
			}
		})
	}
}

// The question of an old transcript is let go after the scan, and read
// again only when asked for: a waiting session's list shows it, a
// session restarted from the scan cache too, and a transcript rewritten
// since shows its new last answer once it is read again, never a line
// of the old one.
func TestQuestionDroppedAndReread(t *testing.T) {
	t0 := at("2026-03-02T15:00:00Z")
	later := t0.Add(48 * time.Hour)
	root := t.TempDir()
	cache := filepath.Join(t.TempDir(), "cache")
	path := write(t, root, projectRel("/w", sidStatus+".jsonl"), promptLine("go", t0)+answerLine("a", "Ship it?", t0))
	src := New(Options{Roots: []string{root}, Now: clock(later.Format(time.RFC3339Nano)), CacheFile: cache})
	out, err := src.Scan(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got := one(t, out); got.Status != shared.StatusIdle || got.Question != "" {
		t.Fatalf("old, no process: %s, %q; want idle, no question", got.Status, got.Question)
	}
	f := src.reg.get(path)
	if f.agg.kept || f.agg.question != "" || f.agg.askAt == noAsk {
		t.Fatalf("old transcript still holds its question line: kept %v, %q, line at %d", f.agg.kept, f.agg.question, f.agg.askAt)
	}
	if err := src.Save(); err != nil {
		t.Fatal(err)
	}

	// A process of the session appears: the list now asks for the line.
	pid := write(t, root, "sessions/12345.json", livePID(t0))
	changed, _, err := src.Update(t.Context(), []string{pid})
	if err != nil {
		t.Fatal(err)
	}
	if got := one(t, changed); got.Status != shared.StatusWaiting || got.Question != "Ship it?" {
		t.Errorf("after the process appeared: %s, %q; want waiting, %q", got.Status, got.Question, "Ship it?")
	}

	// Restarted from the cache, which kept where the line is.
	again := New(Options{Roots: []string{root}, Now: clock(later.Format(time.RFC3339Nano)), CacheFile: cache})
	out, err = again.Scan(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if st := again.Stats(); st.FromCache != 1 || st.BytesRead != 0 {
		t.Fatalf("restart did not load the file from the cache: %+v", st)
	}
	if got := one(t, out); got.Question != "Ship it?" {
		t.Errorf("restarted from the cache: %q; want %q", got.Question, "Ship it?")
	}

	// Rewritten in place before any refresh notices, while no process
	// asks: the noted line is no longer an answer when one does, so no
	// question rather than a line of the old transcript.
	if err := os.Remove(pid); err != nil {
		t.Fatal(err)
	}
	third := New(Options{Roots: []string{root}, Now: clock(later.Format(time.RFC3339Nano))})
	if _, err := third.Scan(t.Context()); err != nil {
		t.Fatal(err)
	}
	rewritten := strings.Replace(promptLine("go", t0)+answerLine("a", "Ship it?", t0), `"type":"assistant"`, `"type":"attachment"`, 1)
	if err := os.WriteFile(path, []byte(rewritten), 0o644); err != nil {
		t.Fatal(err)
	}
	setOld(t, path)
	write(t, root, "sessions/12345.json", livePID(t0))
	changed, _, err = third.Update(t.Context(), []string{pid})
	if err != nil {
		t.Fatal(err)
	}
	if got := one(t, changed); got.Status != shared.StatusWaiting || got.Question != "" {
		t.Errorf("rewritten, not yet refreshed: %s, %q; want waiting, no question", got.Status, got.Question)
	}
}

// countOpens counts the opens of path to read a question line again,
// until the test ends.
func countOpens(t *testing.T, path string) *int {
	t.Helper()
	n := new(int)
	open := openTranscript
	openTranscript = func(name string) (*os.File, error) {
		if name == path {
			*n++
		}
		return open(name)
	}
	t.Cleanup(func() { openTranscript = open })
	return n
}

// A waiting session whose transcript was rewritten, and not yet read
// again, looks for its question in the file once, not at every build of
// the list; once a refresh sees the file change, the question is looked
// for again and comes back.
func TestQuestionMissedOncePerChange(t *testing.T) {
	t0 := at("2026-03-02T15:00:00Z")
	later := t0.Add(48 * time.Hour)
	root := t.TempDir()
	path := write(t, root, projectRel("/w", sidStatus+".jsonl"), promptLine("go", t0)+answerLine("a", "Ship it?", t0))
	src := New(Options{Roots: []string{root}, Now: clock(later.Format(time.RFC3339Nano))})
	if _, err := src.Scan(t.Context()); err != nil {
		t.Fatal(err)
	}
	if f := src.reg.get(path); f.agg.kept || f.agg.askAt == noAsk {
		t.Fatalf("old transcript still holds its question line: kept %v, line at %d", f.agg.kept, f.agg.askAt)
	}
	opens := countOpens(t, path)
	list := func(step string, wantQuestion string, wantOpens int) {
		t.Helper()
		for i := range 3 {
			got := one(t, src.Sessions())
			if got.Status != shared.StatusWaiting || got.Question != wantQuestion {
				t.Errorf("%s, list %d: %s, %q; want waiting, %q", step, i+1, got.Status, got.Question, wantQuestion)
			}
		}
		if *opens != wantOpens {
			t.Errorf("%s: the transcript was opened %d times for its question in all, want %d", step, *opens, wantOpens)
		}
	}

	// Rewritten with a longer prompt before any refresh notices: the
	// noted offset is now inside the prompt's line.
	rewritten := promptLine("go on, and take your time", t0) + answerLine("b", "Merge it?", t0)
	if err := os.WriteFile(path, []byte(rewritten), 0o644); err != nil {
		t.Fatal(err)
	}
	setOld(t, path)
	pid := write(t, root, "sessions/12345.json", livePID(t0))
	changed, _, err := src.Update(t.Context(), []string{pid})
	if err != nil {
		t.Fatal(err)
	}
	if got := one(t, changed); got.Status != shared.StatusWaiting || got.Question != "" {
		t.Errorf("rewritten, not yet read: %s, %q; want waiting, no question", got.Status, got.Question)
	}
	list("rewritten, not yet read", "", 1)

	// Read again: the new answer is the question, and once the rescan
	// lets its line go, it is found where the new read noted it.
	if _, _, err := src.Update(t.Context(), []string{path}); err != nil {
		t.Fatal(err)
	}
	list("read again", "Merge it?", 1)
	if _, err := src.Scan(t.Context()); err != nil {
		t.Fatal(err)
	}
	list("rescanned", "Merge it?", 2)

	// The process goes, and a rescan lets the line go again (no one
	// asks for it); then the transcript is rewritten in place to the
	// same size and mtime, which no stat can tell, and the process is
	// back: the line is missed once, then not looked for.
	if err := os.Remove(pid); err != nil {
		t.Fatal(err)
	}
	if out, err := src.Scan(t.Context()); err != nil {
		t.Fatal(err)
	} else if got := one(t, out); got.Status != shared.StatusIdle {
		t.Fatalf("no process: %s, want idle", got.Status)
	}
	if f := src.reg.get(path); f.agg.kept {
		t.Fatal("the rescan kept the question line of an old transcript")
	}
	same := strings.Replace(rewritten, `"type":"assistant"`, `"type":"assistanX"`, 1)
	if err := os.WriteFile(path, []byte(same), 0o644); err != nil {
		t.Fatal(err)
	}
	setOld(t, path)
	write(t, root, "sessions/12345.json", livePID(t0))
	if _, _, err := src.Update(t.Context(), []string{pid}); err != nil {
		t.Fatal(err)
	}
	list("rewritten unseen", "", 3)

	// Put back with a new mtime: the same size at another mtime is a
	// rewrite in place, read again whole, and the read itself finds the
	// question: the file is not opened again for it.
	if err := os.WriteFile(path, []byte(rewritten), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, old.Add(time.Second), old.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := src.Update(t.Context(), []string{path}); err != nil {
		t.Fatal(err)
	}
	list("put back", "Merge it?", 3)
}

// A transcript removed before any refresh notices is looked for once
// too, not at every build, until the refresh forgets it.
func TestQuestionOfRemovedTranscriptMissedOnce(t *testing.T) {
	t0 := at("2026-03-02T15:00:00Z")
	root := t.TempDir()
	path := write(t, root, projectRel("/w", sidStatus+".jsonl"), promptLine("go", t0)+answerLine("a", "Ship it?", t0))
	src, _ := scan(t, root, t0.Add(48*time.Hour).Format(time.RFC3339Nano))
	opens := countOpens(t, path)
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	pid := write(t, root, "sessions/12345.json", livePID(t0))
	if _, _, err := src.Update(t.Context(), []string{pid}); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if got := one(t, src.Sessions()); got.Status != shared.StatusWaiting || got.Question != "" {
			t.Errorf("list %d: %s, %q; want waiting, no question", i+1, got.Status, got.Question)
		}
	}
	if *opens != 1 {
		t.Errorf("the removed transcript was opened %d times for its question, want 1", *opens)
	}
	if _, removed, err := src.Update(t.Context(), []string{path}); err != nil || len(removed) != 1 {
		t.Errorf("the refresh did not forget the session: removed %v, %v", removed, err)
	}
}

// A read that fails after the file opened (an I/O error) says nothing
// about the line: the question is looked for again at the next build,
// and shows once the file reads, with no refresh in between.
func TestQuestionAfterAFailedReadComesBack(t *testing.T) {
	t0 := at("2026-03-02T15:00:00Z")
	root := t.TempDir()
	path := write(t, root, projectRel("/w", sidStatus+".jsonl"), promptLine("go", t0)+answerLine("a", "Ship it?", t0))
	src, _ := scan(t, root, t0.Add(48*time.Hour).Format(time.RFC3339Nano))
	if f := src.reg.get(path); f.agg.kept || f.agg.askAt == noAsk {
		t.Fatalf("old transcript still holds its question line: kept %v, line at %d", f.agg.kept, f.agg.askAt)
	}

	// A directory opens, and every read of it fails (EISDIR).
	open := openTranscript
	t.Cleanup(func() { openTranscript = open })
	failing := 0
	openTranscript = func(name string) (*os.File, error) {
		if name == path {
			failing++
			return os.Open(root)
		}
		return open(name)
	}
	// The process appears: the session waits, and its question is
	// looked for as the change is built.
	pid := write(t, root, "sessions/12345.json", livePID(t0))
	if _, _, err := src.Update(t.Context(), []string{pid}); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if got := one(t, src.Sessions()); got.Status != shared.StatusWaiting || got.Question != "" {
			t.Errorf("reads failing, list %d: %s, %q; want waiting, no question", i+1, got.Status, got.Question)
		}
	}
	if failing != 3 {
		t.Errorf("with reads failing, the question was looked for %d times in 3 builds, want 3", failing)
	}

	openTranscript = open
	if got := one(t, src.Sessions()); got.Status != shared.StatusWaiting || got.Question != "Ship it?" {
		t.Errorf("reads work again: %s, %q; want waiting, %q", got.Status, got.Question, "Ship it?")
	}
}

// A session whose last record is Claude Code's own for a failed API call
// (isApiErrorMessage) waits for the user, costs nothing more and has no
// unpriced model; its question said `API Error: 529 {"type":"error",…}`,
// the API's JSON body, where the page says what failed in words.
func TestQuestionOfAnAPIError(t *testing.T) {
	t0 := at("2026-03-02T15:00:00Z")
	errLine := fmt.Sprintf(`{"type":"assistant","cwd":"/w","sessionId":%q,"isApiErrorMessage":true,"uuid":"e1","message":{"id":"msg_e","model":"<synthetic>","role":"assistant","content":[{"type":"text","text":"API Error: 529 {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}"}],"stop_reason":"stop_sequence","usage":{"input_tokens":0,"output_tokens":0}},"timestamp":%q}`+"\n",
		sidStatus, t0.Format(time.RFC3339Nano))
	before := t.TempDir()
	write(t, before, projectRel("/w", sidStatus+".jsonl"), promptLine("go", t0)+answerLine("a", "Working on it", t0))
	_, out := scan(t, before, t0.Add(time.Minute).Format(time.RFC3339Nano))
	want := one(t, out)

	dir := t.TempDir()
	write(t, dir, projectRel("/w", sidStatus+".jsonl"), promptLine("go", t0)+answerLine("a", "Working on it", t0)+errLine)
	_, out = scan(t, dir, t0.Add(time.Minute).Format(time.RFC3339Nano))
	got := one(t, out)
	if got.Status != shared.StatusWaiting || got.Question != "API error 529: Overloaded" {
		t.Errorf("%s, %q; want waiting, %q", got.Status, got.Question, "API error 529: Overloaded")
	}
	if got.CostUSD != want.CostUSD || got.Unpriced || got.Model != want.Model {
		t.Errorf("cost %v, unpriced %v, model %q; want %v, false, %q as before the error", got.CostUSD, got.Unpriced, got.Model, want.CostUSD, want.Model)
	}
}
