package transcript

import (
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"

	"vibecraft.sh/helm/shared"
)

// findTerm is a find for term over files, as the API makes it.
func findTerm(t *testing.T, files *Files, path, term string, q FindQuery) shared.FindResult {
	t.Helper()
	q.Term = term
	res, err := files.Find(context.Background(), path, shared.Shows(term), q)
	if err != nil {
		t.Fatalf("find %q: %v", term, err)
	}
	return res
}

// slowFind is a find for term by a find that knows nothing of the
// transcript and passes over no line: the answer to compare with.
func slowFind(t *testing.T, path, term string, q FindQuery) shared.FindResult {
	t.Helper()
	res, err := NewFiles(0).Find(context.Background(), path, shared.Shows(term), q)
	if err != nil {
		t.Fatalf("find %q: %v", term, err)
	}
	return res
}

// memoOf is what files holds of where path's messages start.
func memoOf(files *Files, path string) ([]memoMsg, int) {
	x := files.index(path)
	x.msgs.mu.Lock()
	defer x.msgs.mu.Unlock()
	return x.msgs.msgs, x.msgs.upto
}

// A user typing a search into a long session: the first find groups
// the whole transcript, the next ones pass over the messages that cannot
// show their term, with the same answers, and allocate a small part of
// what the first did (it decoded every line, if only its skeleton).
func TestFindKnowsWhereMessagesStart(t *testing.T) {
	path := tempTranscript(t, manyMessages(t, 300))
	files := NewFiles(0)
	all := allMessages(t, files, path)
	findTerm(t, files, path, "zebra", FindQuery{Max: shared.MaxFound})
	msgs, upto := memoOf(files, path)
	if len(msgs) != len(all)-1 || upto == 0 {
		t.Fatalf("the first find kept %d messages up to line %d; the transcript has %d", len(msgs), upto, len(all))
	}
	for _, term := range []string{"zebr", "needle", "output 1", "prompt", "grep"} {
		if got, want := findTerm(t, files, path, term, FindQuery{Max: shared.MaxFound}), slowFind(t, path, term, FindQuery{Max: shared.MaxFound}); !reflect.DeepEqual(got, want) {
			t.Fatalf("find %q with the messages known: %+v, want %+v", term, got, want)
		}
	}
	// Around a cursor, and from the end, as the page's n and N ask.
	mid := all[len(all)/2].Cursor
	for _, q := range []FindQuery{{Max: 3}, {Max: 3, End: true}, {Max: 3, After: mid}, {Max: 3, Before: mid}} {
		if got, want := findTerm(t, files, path, "output", q), slowFind(t, path, "output", q); !reflect.DeepEqual(got, want) {
			t.Fatalf("%+v: %+v, want %+v", q, got, want)
		}
	}

	// What a find allocates, on a transcript long enough for the known
	// messages' two readers, whose buffers are the most of it.
	long := tempTranscript(t, manyMessages(t, 600))
	files = NewFiles(0)
	allocs := func(term string) uint64 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		findTerm(t, files, long, term, FindQuery{Max: shared.MaxFound})
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	if cold, warm := allocs("zebra"), allocs("zebr"); warm > cold/3 {
		t.Fatalf("a find for a term no message holds, the messages known, allocated %d bytes; the first %d", warm, cold)
	}
}

// A find that ends early, the user typing on, keeps what it learnt of
// the messages it read: the next find starts where it stopped, and
// answers as a find that knew nothing.
func TestFindEndedEarlyKeepsWhatItLearnt(t *testing.T) {
	path := tempTranscript(t, manyMessages(t, 600))
	files := NewFiles(0)
	all := allMessages(t, files, path)
	ctx, cancel := context.WithCancel(context.Background())
	tested := 0
	match := func(m *shared.Message) bool {
		if tested++; tested == len(all)/2 {
			cancel() // halfway through
		}
		return false
	}
	if _, err := files.Find(ctx, path, match, FindQuery{Max: 50, Term: "zebra"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	msgs, _ := memoOf(files, path)
	if len(msgs) < len(all)/2 || len(msgs) >= len(all)-1 {
		t.Fatalf("a find ended halfway through %d messages kept %d", len(all), len(msgs))
	}
	for _, term := range []string{"output 5", "needle"} {
		if got, want := findTerm(t, files, path, term, FindQuery{Max: 50}), slowFind(t, path, term, FindQuery{Max: 50}); !reflect.DeepEqual(got, want) {
			t.Fatalf("%q after a find that ended early: %+v, want %+v", term, got, want)
		}
	}
	if msgs, _ := memoOf(files, path); len(msgs) != len(all)-1 {
		t.Fatalf("the next find went on to %d of %d messages", len(msgs), len(all))
	}
}

// Lines appended after a find (to its last message, which was still
// open, and new messages) are found by the next, and extend what it
// knows; a file rewritten is found afresh.
func TestFindMemoFollowsTheFile(t *testing.T) {
	var r rec
	path := tempTranscript(t, manyMessages(t, 50))
	files := NewFiles(0)
	findTerm(t, files, path, "zebra", FindQuery{Max: 50})
	_, upto := memoOf(files, path)

	// The last response goes on (a call, its result, more text), then a
	// new turn.
	appendFile(t, path, rawJSONL(t,
		r.assistant("msg_49", toolUse("t_z", "Bash", map[string]any{"command": "echo zebra"})),
		r.results(nil, toolResult("t_z", "zebra crossing", false)),
		r.prompt("and the zebra?"),
		r.assistant("msg_50", text("a zebra, striped")),
	))
	for _, term := range []string{"zebra", "striped", "output 4", "crossing"} {
		if got, want := findTerm(t, files, path, term, FindQuery{Max: 50}), slowFind(t, path, term, FindQuery{Max: 50}); !reflect.DeepEqual(got, want) {
			t.Fatalf("%q after an append: %+v, want %+v", term, got, want)
		}
	}
	if got := findTerm(t, files, path, "zebra", FindQuery{Max: 50}); got.Total != 3 {
		t.Fatalf("zebra in the response that went on and the new turn: %+v", got)
	}
	if _, now := memoOf(files, path); now <= upto {
		t.Fatalf("what the finds know ends at line %d, as before the append (%d)", now, upto)
	}

	// Rewritten: another transcript at the same path.
	other := tempTranscript(t, manyMessages(t, 80))
	if err := os.Rename(other, path); err != nil {
		t.Fatal(err)
	}
	for _, term := range []string{"zebra", "output 7", "needle"} {
		if got, want := findTerm(t, files, path, term, FindQuery{Max: 50}), slowFind(t, path, term, FindQuery{Max: 50}); !reflect.DeepEqual(got, want) {
			t.Fatalf("%q in the file that replaced it: %+v, want %+v", term, got, want)
		}
	}
}

// A find holding a snapshot older than what the memo knows (another
// find ran on the file after it grew) uses only the messages complete in
// its own lines.
func TestMsgMemoRecallsWithinTheSnapshot(t *testing.T) {
	var m msgMemo
	m.note(1, 0, []memoMsg{{first: 0}, {first: 3}, {first: 5}}, 9)
	for _, c := range []struct {
		lines, n, upto int
	}{{20, 3, 9}, {10, 3, 9}, {9, 2, 5}, {6, 2, 5}, {5, 1, 3}, {3, 0, 0}, {1, 0, 0}} {
		msgs, upto := m.recall(1, c.lines)
		if len(msgs) != c.n || upto != c.upto {
			t.Errorf("recall over %d lines: %d messages up to %d, want %d up to %d", c.lines, len(msgs), upto, c.n, c.upto)
		}
	}
	if msgs, _ := m.recall(2, 20); msgs != nil {
		t.Errorf("another generation recalled %v", msgs)
	}
	// A find that started before the last one noted (from 0 again),
	// or one of an older generation, changes nothing.
	m.note(1, 0, []memoMsg{{first: 0}}, 2)
	m.note(0, 0, []memoMsg{{first: 0}}, 2)
	if msgs, upto := m.recall(1, 20); len(msgs) != 3 || upto != 9 {
		t.Errorf("after stale notes: %d messages up to %d", len(msgs), upto)
	}
	// A new generation starts again from its first line.
	m.note(2, 4, []memoMsg{{first: 4}}, 6)
	m.note(2, 0, []memoMsg{{first: 1}}, 6)
	if msgs, upto := m.recall(2, 20); len(msgs) != 1 || upto != 6 || msgs[0].first != 1 {
		t.Errorf("a new generation: %v up to %d", msgs, upto)
	}
}

// A known message that no longer groups as one where it was (never
// expected: the memo is of the same file) is not trusted: the find
// answers as one that knew nothing, and the memo is made again.
func TestFindDropsAMemoThatLostItsPlace(t *testing.T) {
	path := tempTranscript(t, manyMessages(t, 300))
	files := NewFiles(0)
	findTerm(t, files, path, "zebra", FindQuery{Max: shared.MaxFound})
	x := files.index(path)
	x.msgs.mu.Lock()
	good := append([]memoMsg(nil), x.msgs.msgs...)
	bad := append([]memoMsg(nil), good...)
	for i := range bad {
		bad[i].whole = true // grouped again, every one
	}
	bad[7].first++ // a message that starts a line late
	x.msgs.msgs = bad
	x.msgs.mu.Unlock()
	if got, want := findTerm(t, files, path, "output", FindQuery{Max: 10}), slowFind(t, path, "output", FindQuery{Max: 10}); !reflect.DeepEqual(got, want) {
		t.Fatalf("with a memo that lost its place: %+v, want %+v", got, want)
	}
	if msgs, _ := memoOf(files, path); !reflect.DeepEqual(msgs, good) {
		t.Fatalf("the memo made again differs: %d messages, %d before", len(msgs), len(good))
	}
}

// A known message whose reading panics on a reader fails its find, as
// on the find's own goroutine, rather than end the server; a find whose
// request ends while its readers read stops them (TestMain checks that
// no goroutine is left).
func TestFindKnownReadersFailAndStop(t *testing.T) {
	path := tempTranscript(t, manyMessages(t, 600))
	files := NewFiles(0)
	findTerm(t, files, path, "zebra", FindQuery{Max: shared.MaxFound})
	if msgs, upto := memoOf(files, path); upto < findAheadMin || batchEnd(msgs, upto, 0, files.index(path).offs) >= len(msgs) {
		t.Fatalf("%d known messages up to line %d: too few for readers and batches", len(msgs), upto)
	}
	testAheadRead = func(b int) {
		if b == 1 {
			panic("a batch no reader expected")
		}
	}
	t.Cleanup(func() { testAheadRead = nil })
	_, err := files.Find(context.Background(), path, shared.Shows("output"), FindQuery{Max: shared.MaxFound, Term: "output"})
	if !errors.Is(err, errAheadPanicked) || !strings.Contains(err.Error(), "a batch no reader expected") {
		t.Fatalf("err = %v, want the panic's", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	testAheadRead = func(b int) {
		if b == 2 {
			cancel()
		}
	}
	_, err = files.Find(ctx, path, shared.Shows("output"), FindQuery{Max: shared.MaxFound, Term: "output"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("ended midway: err = %v, want context.Canceled", err)
	}
	testAheadRead = nil
	if got, want := findTerm(t, files, path, "output 59", FindQuery{Max: 50}), slowFind(t, path, "output 59", FindQuery{Max: 50}); !reflect.DeepEqual(got, want) {
		t.Fatalf("after: %+v, want %+v", got, want)
	}
}

// Readers of known messages that cannot both be opened (the file
// replaced between the two opens) are none: the one opened stops and
// closes its file (TestMain checks that no goroutine is left; a reader
// waiting for a batch that never comes would hang the test).
func TestStartKnownNeedsBothReaders(t *testing.T) {
	path := tempTranscript(t, manyMessages(t, 300))
	files := NewFiles(0)
	findTerm(t, files, path, "zebra", FindQuery{Max: 50})
	msgs, upto := memoOf(files, path)
	p := openPager(t, files, path)
	opened := 0
	open := func() (*pager, *prefilter) {
		if opened++; opened > 1 {
			return nil, nil
		}
		return secondPager(path, p, "zebra")
	}
	if ks := startKnown(context.Background(), open, msgs, upto, p.snap.offs); ks != nil {
		ks.stop()
		t.Fatal("readers started with one of two")
	}
	if opened != 2 {
		t.Fatalf("opened %d readers' files, want 2", opened)
	}
}

// A message longer than a find reads raw (maxMemoSpan), and one with a
// line decoded whole whatever the term (a system record), are grouped
// as before: found alike.
func TestFindKnownLongAndWholeMessages(t *testing.T) {
	var r rec
	long := strings.Repeat("filler ", maxMemoSpan/7/4)
	var recs []map[string]any
	for i := range 3 {
		recs = append(recs, r.prompt(fmt.Sprintf("turn %d", i)),
			r.assistant(fmt.Sprintf("msg_%d", i), text(long+"a")), r.assistant(fmt.Sprintf("msg_%d", i), text(long+"b")),
			r.assistant(fmt.Sprintf("msg_%d", i), text(long+"c")), r.assistant(fmt.Sprintf("msg_%d", i), text(long+"d tail")),
			map[string]any{"type": "system", "subtype": "local_command", "uuid": fmt.Sprintf("s%d", i), "content": "<local-command-stdout>sysout</local-command-stdout>"})
	}
	path := tempTranscript(t, rawJSONL(t, recs...))
	files := NewFiles(0)
	findTerm(t, files, path, "zebra", FindQuery{Max: 50})
	msgs, upto := memoOf(files, path)
	offs := files.index(path).offs
	var wholes, longs int
	for i, m := range msgs {
		if m.whole {
			wholes++
		}
		end := upto
		if i+1 < len(msgs) {
			end = int(msgs[i+1].first)
		}
		if offs[end]-offs[m.first] > maxMemoSpan {
			longs++
		}
	}
	if len(msgs) < 7 || wholes < 2 || longs < 2 {
		t.Fatalf("%d known messages, %d decoded whole, %d longer than a find reads raw", len(msgs), wholes, longs)
	}
	for _, term := range []string{"tail", "sysout", "turn 2", "filler"} {
		if got, want := findTerm(t, files, path, term, FindQuery{Max: 50}), slowFind(t, path, term, FindQuery{Max: 50}); !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: %+v, want %+v", term, got, want)
		}
	}
}

// Finds for several terms at once while the transcript grows (run with
// -race): each one's count only grows, and once the writing stops, finds
// with the messages known, learnt by finds of the file at many lengths,
// answer as a find that knows none.
func TestFindsWhileAppending(t *testing.T) {
	var r rec
	path := tempTranscript(t, manyMessages(t, 100))
	files := NewFiles(0)
	var lines [][]byte // written one at a time, as Claude Code appends
	for i := range 100 {
		lines = append(lines, rawJSONL(t, r.prompt(fmt.Sprintf("later prompt %d", i))),
			rawJSONL(t, r.assistant(fmt.Sprintf("msg_late_%d", i), text(fmt.Sprintf("answer %d", i)))),
			rawJSONL(t, r.assistant(fmt.Sprintf("msg_late_%d", i), toolUse(fmt.Sprintf("t_late_%d", i), "Bash", map[string]any{"command": "ls"}))),
			rawJSONL(t, r.results(nil, toolResult(fmt.Sprintf("t_late_%d", i), fmt.Sprintf("output late %d", i), false))))
	}
	terms := []string{"later", "output", "answer 1", "prompt"}
	var wg sync.WaitGroup
	errs := make(chan error, len(terms)+1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := appendEach(path, lines); err != nil {
			errs <- err
		}
	}()
	for _, term := range terms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			last := 0
			for range 10 {
				res, err := files.Find(context.Background(), path, shared.Shows(term), FindQuery{Max: shared.MaxFound, Term: term})
				if err != nil {
					errs <- fmt.Errorf("find %q: %w", term, err)
					return
				}
				if res.Total < last {
					errs <- fmt.Errorf("find %q: %d matches after %d", term, res.Total, last)
					return
				}
				last = res.Total
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// What the finds learnt is what one find of the whole file learns,
	// as far as it goes.
	got, upto := memoOf(files, path)
	fresh := NewFiles(0)
	findTerm(t, fresh, path, "zebra", FindQuery{Max: 20})
	want, _ := memoOf(fresh, path)
	if len(got) == 0 || len(got) > len(want) || !reflect.DeepEqual(got, want[:len(got)]) || upto != int(want[min(len(got), len(want)-1)].first) && len(got) < len(want) {
		t.Fatalf("the finds kept %d messages up to line %d, not the first of the %d one find keeps", len(got), upto, len(want))
	}
	for _, term := range terms {
		if got, want := findTerm(t, files, path, term, FindQuery{Max: 20}), slowFind(t, path, term, FindQuery{Max: 20}); !reflect.DeepEqual(got, want) {
			t.Errorf("%q once written: %+v, want %+v", term, got, want)
		}
	}
}
