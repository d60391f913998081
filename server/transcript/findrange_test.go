package transcript

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"testing"

	"vibecraft.sh/helm/server/opencode"
	"vibecraft.sh/helm/shared"
)

// A find answers the matches either side of a cursor, the last ones, or
// the first, and always counts them all: past its cap, the page numbers
// the matches it is sent by where they stand among all of them.
func TestFindAroundACursor(t *testing.T) {
	path := tempTranscript(t, manyMessages(t, 60))
	files := NewFiles(0)
	msgs := allMessages(t, files, path)
	match := func(m *shared.Message) bool { return shared.MessageShows(m, "answer") }
	var all []string
	for i := range msgs {
		if match(&msgs[i]) {
			all = append(all, msgs[i].Cursor)
		}
	}
	if len(all) != 60 {
		t.Fatalf("%d messages say answer, want 60", len(all))
	}
	// A message that does not match, between matches 10 and 11.
	between := ""
	for i := range msgs {
		if msgs[i].Cursor == all[10] {
			between = msgs[i+1].Cursor
		}
	}
	for _, tc := range []struct {
		name  string
		q     FindQuery
		from  int // the first match sent
		n     int
		more  bool
		total int
	}{
		{"the first", FindQuery{Max: 5}, 0, 5, true, 60},
		{"the last", FindQuery{Max: 5, End: true}, 55, 5, false, 60},
		{"from a match on", FindQuery{Max: 5, After: all[10]}, 10, 5, true, 60},
		{"from a message that does not match", FindQuery{Max: 5, After: between}, 11, 5, true, 60},
		{"the last ones before a match", FindQuery{Max: 5, Before: all[10]}, 5, 5, true, 60},
		{"fewer than max before", FindQuery{Max: 5, Before: all[2]}, 0, 2, true, 60},
		{"none before the first", FindQuery{Max: 5, Before: all[0]}, 0, 0, true, 60},
		{"the rest, fewer than max", FindQuery{Max: 5, After: all[57]}, 57, 3, false, 60},
		{"all of them, backward", FindQuery{Max: 100, End: true}, 0, 60, false, 60},
		{"held in a tail far smaller than the matches", FindQuery{Max: 3, End: true}, 57, 3, false, 60},
	} {
		got, err := files.Find(context.Background(), path, match, tc.q)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		want := all[tc.from : tc.from+tc.n]
		if !slices.Equal(got.Matches, want) || got.First != tc.from || got.More != tc.more || got.Total != tc.total {
			t.Errorf("%s: matches %d..%d of %d (more %v), want %d..%d of %d (more %v); same cursors: %v",
				tc.name, got.First, got.First+len(got.Matches), got.Total, got.More, tc.from, tc.from+tc.n, tc.total, tc.more, slices.Equal(got.Matches, want))
		}
		if got.Last != all[59] || got.End != msgs[len(msgs)-1].Cursor {
			t.Errorf("%s: last match %q, end %q; want %q and %q", tc.name, got.Last, got.End, all[59], msgs[len(msgs)-1].Cursor)
		}
	}
}

// Whatever the matches, a backward find holds a bounded tail of them:
// at most twice its cap, however many there are.
func TestFindBackwardHoldsABoundedTail(t *testing.T) {
	f := newFinding(FindQuery{Max: 3, End: true})
	for i := range 100_000 {
		f.add(fmt.Sprint(i), true)
		if cap(f.keep) > 4*3 {
			t.Fatalf("after %d matches a tail of capacity %d, for a cap of 3", i+1, cap(f.keep))
		}
	}
	res := f.result("")
	if !slices.Equal(res.Matches, []string{"99997", "99998", "99999"}) || res.First != 99_997 || res.Total != 100_000 {
		t.Fatalf("got %v first %d total %d", res.Matches, res.First, res.Total)
	}
}

// A cursor that is not one helmd made for this file is refused before
// any match is sent: forged, cut, of another kind, mid-line, or made for
// a file since replaced.
func TestFindRefusesForeignCursors(t *testing.T) {
	path := tempTranscript(t, manyMessages(t, 10))
	other := tempTranscript(t, manyMessages(t, 10))
	files := NewFiles(0)
	theirs := allMessages(t, files, other)[3].Cursor
	ours := allMessages(t, files, path)[3].Cursor
	pos, err := decodeCursor(ours)
	if err != nil {
		t.Fatal(err)
	}
	// Moved mid-line with the seal of where it was: as a cursor of a
	// file since rewritten, stale. Sealed where it now points (as helmd
	// seals its own), it is still mid-line: not one helmd made.
	moved := pos
	moved.off += 3
	midLine := moved
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := fh.Stat()
	if err != nil {
		t.Fatal(err)
	}
	midLine.after, midLine.sum = seal(fh, midLine.off, st.Size())
	fh.Close()
	ref := pos
	ref.kind = kindRef
	match := func(*shared.Message) bool { return true }
	for _, tc := range []struct {
		name, c string
		want    error
	}{
		{"not base64", "!!!", ErrBadCursor},
		{"cut short", ours[:len(ours)-3], ErrBadCursor},
		{"mid-line", encodeCursor(midLine), ErrBadCursor},
		{"moved, its seal not", encodeCursor(moved), ErrStale},
		{"a text's ref", encodeCursor(ref), ErrBadCursor},
		{"an OpenCode message", encodeCursor(position{kind: kindMessage, msg: "msg_00001"}), ErrBadCursor},
		{"another file's", theirs, ErrStale},
	} {
		for _, q := range []FindQuery{{Max: 5, After: tc.c}, {Max: 5, Before: tc.c}} {
			if res, err := files.Find(context.Background(), path, match, q); !errors.Is(err, tc.want) {
				t.Errorf("%s (%+v): %v %+v, want %v", tc.name, q, err, res, tc.want)
			}
		}
	}
}

// OpenCode's find goes by message id, either side of one.
func TestOpenCodeFindAroundACursor(t *testing.T) {
	r := &idPages{}
	var all []string
	for i := range 300 {
		m := opencode.Message{ID: fmt.Sprintf("msg_%05d", i+1), Role: "assistant", Parts: []opencode.Part{{Type: "text", Text: fmt.Sprint("line ", i)}}}
		if i%3 == 0 {
			m.Parts[0].Text += " needle"
			all = append(all, encodeCursor(position{kind: kindMessage, msg: m.ID}))
		}
		r.msgs = append(r.msgs, m)
	}
	match := func(m *shared.Message) bool { return shared.MessageShows(m, "needle") }
	for _, tc := range []struct {
		q       FindQuery
		from, n int
	}{
		{FindQuery{Max: 4, After: all[50]}, 50, 4},
		{FindQuery{Max: 4, Before: all[50]}, 46, 4},
		{FindQuery{Max: 4, End: true}, 96, 4},
	} {
		got, err := OpenCodeFind(context.Background(), r, "ses_x", match, tc.q)
		if err != nil || !slices.Equal(got.Matches, all[tc.from:tc.from+tc.n]) || got.First != tc.from || got.Total != 100 {
			t.Errorf("%+v: %v first %d total %d (%v), want %d..%d of 100", tc.q, got.Matches, got.First, got.Total, err, tc.from, tc.from+tc.n)
		}
	}
	if _, err := OpenCodeFind(context.Background(), r, "ses_x", match, FindQuery{Max: 4, After: "AQ"}); !errors.Is(err, ErrBadCursor) {
		t.Errorf("a forged cursor: %v, want ErrBadCursor", err)
	}
}

// BenchmarkFindPastTheCap: 5,000 matches in 20,000 lines, the first
// 1,000 and the last 1,000 sent; every match is made, tested and
// counted either way.
func BenchmarkFindPastTheCap(b *testing.B) {
	path := tempTranscript(b, manyMessages(b, 5000))
	files := NewFiles(0)
	match := func(m *shared.Message) bool { return shared.MessageShows(m, "answer") }
	for _, q := range []struct {
		name string
		q    FindQuery
	}{{"first", FindQuery{Max: shared.MaxFound}}, {"end", FindQuery{Max: shared.MaxFound, End: true}}} {
		b.Run(q.name, func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				if res, err := files.Find(context.Background(), path, match, q.q); err != nil || res.Total != 5000 {
					b.Fatal(err, res.Total)
				}
			}
		})
	}
}
