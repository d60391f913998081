package transcript

import (
	"bufio"
	"context"

	"vibecraft.sh/helm/shared"
)

// Find over a whole transcript, for the session page's find box: the
// messages are made as pages make them (the same cut texts, the same
// grouping), tested by match, and dropped. A 500 MB transcript is read
// once, front to back, holding a few messages at a time.

// findPending is how many messages are held before they are tested: a
// tool result joins its call while the call's message is held (as a
// page from the start shows it). A result further down than that
// stands on its own, as it does on a page that starts between them.
const findPending = 4

// findCheckEvery is how many lines are read between two looks at the
// request's context.
const findCheckEvery = 256

// Find returns the cursors of the messages of the transcript at path
// that match reports, in transcript order: at most max, More when there
// were others. It stops with ctx's error when ctx ends.
func (t *Files) Find(ctx context.Context, path string, match func(*shared.Message) bool, max int) (shared.FindResult, error) {
	f, snap, err := t.open(path)
	if err != nil {
		return shared.FindResult{}, err
	}
	defer f.Close()
	p := &pager{f: f, snap: snap, br: bufio.NewReaderSize(nil, lineBufSize), cache: map[int]*parsed{}, at: -1}
	out := shared.FindResult{Matches: []string{}}
	// test reports whether the search is over: max found, and one more.
	test := func(gr *group) bool {
		if len(gr.msg.Blocks) == 0 || !match(&gr.msg) {
			return false
		}
		if len(out.Matches) == max {
			out.More = true
			return true
		}
		out.Matches = append(out.Matches, p.cursor(gr.off))
		return false
	}
	g := newGrouper(true, p.ref)
	for k := range snap.offs {
		if k%findCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return shared.FindResult{}, err
			}
		}
		pr, err := p.line(k)
		if err != nil {
			return shared.FindResult{}, err
		}
		delete(p.cache, k) // read once: nothing to keep
		g.add(pr)
		for len(g.groups) > findPending {
			gr := g.groups[0]
			g.groups[0] = nil
			g.groups = g.groups[1:]
			g.forget(gr)
			if test(gr) {
				return out, nil
			}
		}
	}
	for _, gr := range g.groups {
		if test(gr) {
			break
		}
	}
	return out, nil
}

// forget drops gr's tool calls from those later results join.
func (g *grouper) forget(gr *group) {
	for _, b := range gr.msg.Blocks {
		if t := b.Tool; t != nil && t.ID != "" && g.tools[t.ID] == t {
			delete(g.tools, t.ID)
		}
	}
}

// OpenCodeFind is Find for OpenCode session sid, read a page at a time.
func OpenCodeFind(ctx context.Context, r OpenCodeReader, sid string, match func(*shared.Message) bool, max int) (shared.FindResult, error) {
	out := shared.FindResult{Matches: []string{}}
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
			if len(m.Blocks) == 0 || !match(m) {
				continue
			}
			if len(out.Matches) == max {
				out.More = true
				return out, nil
			}
			out.Matches = append(out.Matches, m.Cursor)
		}
		if !pg.More || pg.After == "" || pg.After == q.After {
			return out, nil
		}
		q = Query{After: pg.After, Limit: MaxLimit}
	}
}
