package transcript

import (
	"context"
	"errors"
	"fmt"

	"vibecraft.sh/helm/shared"
)

// Find over a whole transcript, for the session page's find box: the
// messages are made as pages make them (the same cut texts, the same
// grouping), tested by match, and dropped. A 500 MB transcript is read
// once, front to back, holding a few messages at a time.

// findPending is how many messages are held before they are tested:
// only the last can still grow (a result joins its call in the message
// its record joins, group.go), so a message is tested once the next
// one starts.
const findPending = 1

// findCheckEvery is how many lines are read between two looks at the
// request's context.
const findCheckEvery = 256

// FindQuery says which of a find's matches to return, at most Max (in
// transcript order): the first (the zero query); those from the message
// at cursor After on (as …/messages?after= starts at it); the last
// (End); or the last before the message at cursor Before. However many
// there are, the whole transcript is read once, to count them all, and
// at most 2×Max cursors are held at a time.
//
// Term, when set, is the text match finds as shared.ShowsWhole(Term,
// Full) does (or shared.Shows(Term)): the lines that cannot show it are
// then decoded only to be placed in their messages (findskip.go).
type FindQuery struct {
	Max           int
	After, Before string
	End           bool
	Term          string
}

// backward reports whether q wants the last matches of a range.
func (q FindQuery) backward() bool { return q.End || q.Before != "" }

// finding collects a find's answer as the matches come, in order.
type finding struct {
	q    FindQuery
	out  shared.FindResult
	keep []string // backward: the last matches in range, a tail of at most 2×Max
	in   int      // backward: the matches in range
}

func newFinding(q FindQuery) *finding {
	return &finding{q: q, out: shared.FindResult{Matches: []string{}}}
}

// add takes a match with cursor c; in: whether it is in q's range
// (after the After message, before the Before one).
func (f *finding) add(c string, in bool) {
	f.out.Total++
	f.out.Last = c
	switch {
	case !f.q.backward() && !in:
		f.out.First++ // before the range: counted, not sent
	case !f.q.backward() && len(f.out.Matches) >= f.q.Max:
		f.out.More = true
	case !f.q.backward():
		f.out.Matches = append(f.out.Matches, c)
	case !in:
		f.out.More = true // after the range
	default:
		f.in++
		if f.q.Max <= 0 {
			return // counted only
		}
		if len(f.keep) == 2*f.q.Max {
			f.keep = append(f.keep[:0], f.keep[f.q.Max:]...)
		}
		f.keep = append(f.keep, c)
	}
}

// result is the answer, once every match is added; end is the cursor
// of the transcript's last message.
func (f *finding) result(end string) shared.FindResult {
	if f.q.backward() {
		if n := max(f.q.Max, 0); len(f.keep) > n {
			f.keep = f.keep[len(f.keep)-n:]
		}
		f.out.Matches = append(f.out.Matches, f.keep...)
		f.out.First = f.in - len(f.keep)
	}
	f.out.End = end
	return f.out
}

// Find returns the cursors of the messages of the transcript at path
// that match reports, as q asks, and how many there are. It stops with
// ctx's error when ctx ends; a cursor in q not made for this file is
// ErrBadCursor, one made before it was rewritten ErrStale.
func (t *Files) Find(ctx context.Context, path string, match func(*shared.Message) bool, q FindQuery) (shared.FindResult, error) {
	res, err := t.find(ctx, path, match, q, true)
	if errors.Is(err, errMemoLost) {
		res, err = t.find(ctx, path, match, q, false)
	}
	return res, err
}

// find is Find, with the messages a find of this transcript grouped
// before when known says so (findmemo.go).
func (t *Files) find(ctx context.Context, path string, match func(*shared.Message) bool, q FindQuery, known bool) (shared.FindResult, error) {
	f, snap, err := t.open(path)
	if err != nil {
		return shared.FindResult{}, err
	}
	defer f.Close()
	p := newPager(f, snap)
	// in is whether a message at off is in q's range.
	in := func(int64) bool { return true }
	if c := q.After + q.Before; c != "" {
		at, err := p.position(c)
		if err != nil {
			return shared.FindResult{}, fmt.Errorf("find from a cursor: %w", err)
		}
		in = func(off int64) bool { return off >= at }
		if q.Before != "" {
			in = func(off int64) bool { return off < at }
		}
	}
	fd := newFinding(q)
	end := int64(-1) // the last message's offset
	test := func(gr *group) {
		if len(gr.msg.Blocks) == 0 {
			return
		}
		end = gr.off
		if match(&gr.msg) {
			fd.add(p.cursor(gr.off), in(gr.off))
		}
	}
	var pf *prefilter
	if q.Term != "" {
		pf = newPrefilter(q.Term)
	}
	from := 0
	var rec *memoRecorder
	if pf != nil {
		if msgs, upto := snap.msgs.recall(snap.gen, len(snap.offs)); known && len(msgs) > 0 {
			passed := func(off int64, shown bool) {
				if shown {
					end = off
				}
			}
			if err := p.findKnown(ctx, path, q, pf, msgs, upto, test, passed); err != nil {
				if errors.Is(err, errMemoLost) {
					snap.msgs.forget(snap.gen)
				}
				return shared.FindResult{}, err
			}
			from = upto
		}
		rec = &memoRecorder{from: from}
	}
	// A find that ends early (the user typed on, and the page asked
	// again) keeps what it learnt of the messages it read whole: the
	// next one starts where it stopped.
	stopped := func(err error) (shared.FindResult, error) {
		if rec != nil {
			rec.keep(snap.msgs, snap.gen)
		}
		return shared.FindResult{}, err
	}
	g := p.grouper(true)
	ah := startAhead(ctx, path, p, q.Term, from) // nil on short transcripts
	defer ah.stop()
	for k := from; k < len(snap.offs); k++ {
		if k%findCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return stopped(err)
			}
		}
		var pr *parsed
		if ah.owns(k) {
			pr, err = ah.next(k)
		} else {
			pr, err = p.lineFor(k, pf)
			delete(p.cache, k) // read once: nothing to keep
		}
		if err != nil {
			return stopped(err)
		}
		g.add(pr)
		if rec != nil {
			rec.line(k, pr, g.cur())
		}
		for len(g.groups) > findPending {
			gr := g.groups[0]
			g.groups[0] = nil
			g.groups = g.groups[1:]
			test(gr)
		}
	}
	for _, gr := range g.groups {
		test(gr)
	}
	if rec != nil {
		rec.keep(snap.msgs, snap.gen)
	}
	last := ""
	if end >= 0 {
		last = p.cursor(end)
	}
	return fd.result(last), nil
}

// OpenCodeFind is Find for OpenCode session sid, read a page at a time.
func OpenCodeFind(ctx context.Context, r OpenCodeReader, sid string, match func(*shared.Message) bool, fq FindQuery) (shared.FindResult, error) {
	in := func(string) bool { return true }
	if c := fq.After + fq.Before; c != "" {
		pos, err := decodeCursor(c)
		if err != nil || pos.kind != kindMessage {
			return shared.FindResult{}, fmt.Errorf("find from a cursor: %w", ErrBadCursor)
		}
		// OpenCode's message ids ascend: the order is theirs.
		in = func(id string) bool { return id >= pos.msg }
		if fq.Before != "" {
			in = func(id string) bool { return id < pos.msg }
		}
	}
	fd := newFinding(fq)
	end := ""
	q := Query{Start: true, Limit: MaxLimit}
	for {
		if err := ctx.Err(); err != nil {
			return shared.FindResult{}, err
		}
		pg, err := OpenCodePage(ctx, r, sid, q)
		if err != nil {
			return shared.FindResult{}, err
		}
		for i := range pg.Messages {
			m := &pg.Messages[i]
			if q.After != "" && i == 0 && m.Cursor == q.After {
				continue // the cursor's message, sent again
			}
			if len(m.Blocks) == 0 {
				continue
			}
			end = m.Cursor
			if match(m) {
				fd.add(m.Cursor, in(m.ID))
			}
		}
		if !pg.More || pg.After == "" || pg.After == q.After {
			return fd.result(end), nil
		}
		q = Query{After: pg.After, Limit: MaxLimit}
	}
}
