package transcript

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sync"
)

// A find groups every line of the transcript into its messages, even the
// lines that cannot show its term (decoded from a skeleton, findskip.go),
// to know where each message starts. A user typing a search into a huge
// session sends one find per pause: each read and grouped the whole file
// again, 2 s for 500 MB. Where the messages start does not depend on the
// term, so the first find with a term keeps it with the index (msgMemo):
// a later find reads each known message's lines raw and tests them with
// its prefilter, and decodes and groups only the messages that may show
// the term, each on its own, as a find would have grouped it. The lines
// after the known messages are found as before, and extend the memo.
//
// A known message is grouped on its own the same as in a whole-file
// find: a message starts at a line that starts one whatever came before
// (group.go), and every line after it joins it or starts the next.

// memoMsg is one message a find grouped, as later finds need it.
type memoMsg struct {
	first int32 // the index of its first line
	// shown: it has blocks (a find counts and reports only those).
	shown bool
	// whole: a find decodes one of its lines whole whatever its term (a
	// system record, a server tool's result, a line too big or not
	// JSON, see lineFor): it is grouped as before, never passed over.
	whole bool
}

// maxMemoSpan bounds the bytes of one message a later find reads raw to
// test it (a buffer of that size, per find): a longer message is
// decoded as before.
const maxMemoSpan = 1 << 20

// msgMemo is where the messages of one transcript start, as far as a
// find grouped them: the messages complete (a later one started) among
// lines [0, upto), for one generation of the index (gen), dropped with
// it. It holds at most one entry per line, as the index holds an offset
// per line.
type msgMemo struct {
	mu   sync.Mutex
	gen  uint64
	msgs []memoMsg
	upto int
}

// recall returns the known messages of the snapshot's lines (a prefix
// of the memo when the snapshot is older than what it holds) and the
// line after them; none for another generation. The slice is shared:
// entries are only ever appended, never changed.
func (m *msgMemo) recall(gen uint64, lines int) ([]memoMsg, int) {
	if m == nil {
		return nil, 0
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.gen != gen {
		return nil, 0
	}
	msgs, upto := m.msgs, m.upto
	for upto >= lines && len(msgs) > 0 {
		// The snapshot ends inside the last known message: it is
		// open there.
		upto = int(msgs[len(msgs)-1].first)
		msgs = msgs[:len(msgs)-1]
	}
	if upto >= lines {
		return nil, 0
	}
	return msgs, upto
}

// note appends the messages a find grouped from line from on, complete
// up to line upto, when the memo ends at from in generation gen (or is
// of an older one and from is 0).
func (m *msgMemo) note(gen uint64, from int, msgs []memoMsg, upto int) {
	if m == nil || len(msgs) == 0 {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case gen < m.gen:
		return // grouped in a file the index has since found rewritten
	case gen > m.gen || m.msgs == nil:
		if from != 0 {
			return
		}
		// A new slice: finds may still read the old one.
		m.gen, m.msgs, m.upto = gen, nil, 0
	}
	if from != m.upto || upto <= m.upto {
		return // another find got there first
	}
	m.msgs = append(m.msgs, msgs...)
	m.upto = upto
}

// forget drops what m holds of generation gen.
func (m *msgMemo) forget(gen uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.gen == gen {
		m.msgs, m.upto = nil, 0
	}
}

// errMemoLost is a known message that, grouped again, was not one
// message at its place: never expected, but a find must not count
// another message's matches. The find starts again without the memo.
var errMemoLost = errors.New("a find's known message no longer groups as one")

// memoRecorder collects the messages of a find's grouping, a line at a
// time, for the memo.
type memoRecorder struct {
	from  int // the find's first line
	msgs  []memoMsg
	open  *group // the message the last lines joined
	first int    // its first line
	whole bool   // one of its lines is decoded whole whatever the term
	off   bool   // too many lines to count in a memoMsg
}

// line records line k, placed in the grouper's current message cur
// (nil: before any message).
func (r *memoRecorder) line(k int, pr *parsed, cur *group) {
	if cur != r.open {
		r.close()
		r.open, r.first, r.whole = cur, k, false
	}
	if !pr.placed {
		r.whole = true
	}
	if k > math.MaxInt32 {
		r.off = true
	}
}

// close records the open message, complete now that another starts.
func (r *memoRecorder) close() {
	if r.open != nil {
		r.msgs = append(r.msgs, memoMsg{first: int32(r.first), shown: len(r.open.msg.Blocks) > 0, whole: r.whole})
	}
}

// keep notes what r recorded in memo: the complete messages, up to the
// first line of the one still open.
func (r *memoRecorder) keep(memo *msgMemo, gen uint64) {
	if r.off || r.open == nil {
		return
	}
	memo.note(gen, r.from, r.msgs, r.first)
}

// A find's known messages are read in batches of consecutive messages,
// up to knownBatchBytes of lines or knownBatchMsgs messages: most are a
// few KB, passed over in microseconds, and handing each over alone cost
// more than reading it.
const (
	knownBatchBytes = 256 << 10
	knownBatchMsgs  = 256
	// knownAheadDepth bounds the batches a find's readers hold read
	// and not yet tested.
	knownAheadDepth = 4
)

// knownBatch is known messages from..from+len(groups), read: each
// grouped, or nil when passed over.
type knownBatch struct {
	from   int
	groups []*group
}

// batchEnd is where the batch of known messages that starts at from
// ends, for msgs that end at line upto.
func batchEnd(msgs []memoMsg, upto, from int, offs []int64) int {
	to := from + 1
	for to < len(msgs) && to-from < knownBatchMsgs && offs[msgs[to].first]-offs[msgs[from].first] < knownBatchBytes {
		to++
	}
	return to
}

// findKnown tests the known messages msgs, which end at line upto, in
// file order: each that may show the term (pf) is decoded and grouped
// on its own and given to test; of each other, only whether it is shown
// (passed). On a long transcript two readers over path do that, each
// taking the next batch not taken (how much one costs depends on the
// term: a message passed over costs little, a long text that holds it is
// decoded and searched), and this goroutine tests them in order.
func (p *pager) findKnown(ctx context.Context, path string, q FindQuery, pf *prefilter, msgs []memoMsg, upto int, test func(*group), passed func(off int64, shown bool)) error {
	rd := spanReader{f: p.f, end: p.snap.end}
	next := func(from int) (knownBatch, error) {
		return p.knownBatch(pf, &rd, msgs, upto, from, batchEnd(msgs, upto, from, p.snap.offs))
	}
	if upto >= findAheadMin {
		open := func() (*pager, *prefilter) { return secondPager(path, p, q.Term) }
		if ks := startKnown(ctx, open, msgs, upto, p.snap.offs); ks != nil {
			defer ks.stop()
			next = ks.next
		}
	}
	for i := 0; i < len(msgs); {
		if err := ctx.Err(); err != nil {
			return err
		}
		kb, err := next(i)
		if err != nil {
			return err
		}
		for j, gr := range kb.groups {
			if gr == nil {
				m := msgs[i+j]
				passed(p.snap.offs[m.first], m.shown)
				continue
			}
			test(gr)
		}
		i += len(kb.groups)
	}
	return nil
}

// knownReaders are a find's two readers of known messages.
type knownReaders struct {
	jobs   chan knownJob
	window chan struct{} // a token per batch handed out and not yet tested
	slots  [knownAheadDepth]chan aheadItem[knownBatch]
	taken  int // batches tested
	done   chan struct{}
	wg     sync.WaitGroup
}

// knownJob is batch b of a find's known messages: from..to.
type knownJob struct{ b, from, to int }

// startKnown starts two readers of msgs, each through a pager open
// gives (secondPager), over lines offs; nil when open gives none.
func startKnown(ctx context.Context, open func() (*pager, *prefilter), msgs []memoMsg, upto int, offs []int64) *knownReaders {
	ks := &knownReaders{jobs: make(chan knownJob), window: make(chan struct{}, knownAheadDepth), done: make(chan struct{})}
	for i := range ks.slots {
		ks.slots[i] = make(chan aheadItem[knownBatch], 1)
	}
	for range 2 {
		h, hpf := open()
		if h == nil {
			ks.stop()
			return nil
		}
		ks.wg.Add(1)
		go ks.read(ctx, h, hpf, msgs, upto)
	}
	ks.wg.Add(1)
	go func() { // hands out the batches, at most knownAheadDepth untested
		defer ks.wg.Done()
		defer close(ks.jobs)
		for b, from := 0, 0; from < len(msgs); b++ {
			to := batchEnd(msgs, upto, from, offs)
			select {
			case ks.window <- struct{}{}:
			case <-ks.done:
				return
			}
			select {
			case ks.jobs <- knownJob{b: b, from: from, to: to}:
			case <-ks.done:
				return
			}
			from = to
		}
	}()
	return ks
}

// read reads the batches it is given, through h.
func (ks *knownReaders) read(ctx context.Context, h *pager, pf *prefilter, msgs []memoMsg, upto int) {
	defer ks.wg.Done()
	defer h.f.Close()
	rd := spanReader{f: h.f, end: h.snap.end}
	b := -1
	// A batch that made the reading panic fails its find, as it would
	// on the request's own goroutine, rather than end the server.
	defer func() {
		if r := recover(); r != nil && b >= 0 {
			ks.give(aheadItem[knownBatch]{k: b, err: fmt.Errorf("%w: %v", errAheadPanicked, r)})
		}
	}()
	for {
		var job knownJob
		var ok bool
		select {
		case job, ok = <-ks.jobs:
		case <-ks.done: // ended, maybe before any batch was handed out
			return
		}
		if !ok {
			return
		}
		b = job.b
		if testAheadRead != nil {
			testAheadRead(b)
		}
		it := aheadItem[knownBatch]{k: b, err: ctx.Err()}
		if it.err == nil {
			it.v, it.err = h.knownBatch(pf, &rd, msgs, upto, job.from, job.to)
		}
		if !ks.give(it) {
			return
		}
	}
}

// give puts a batch read in its slot, false when the find is over. The
// slot is free: the batch knownAheadDepth before this one was tested
// before this one was handed out.
func (ks *knownReaders) give(it aheadItem[knownBatch]) bool {
	select {
	case ks.slots[it.k%knownAheadDepth] <- it:
		return true
	case <-ks.done:
		return false
	}
}

// next returns the next batch once read, which starts at message from,
// and lets another be handed out.
func (ks *knownReaders) next(from int) (knownBatch, error) {
	it := <-ks.slots[ks.taken%knownAheadDepth]
	<-ks.window
	if it.err == nil && (it.k != ks.taken || it.v.from != from) {
		it.err = errAheadLost
	}
	ks.taken++
	return it.v, it.err
}

// stop ends the readers and waits for them to close their files.
func (ks *knownReaders) stop() {
	close(ks.done)
	ks.wg.Wait()
}

// knownBatch reads known messages from..to of msgs (which end at line
// upto) through rd: each grouped on its own as a find groups it, or nil
// when none of its lines may show the term (pf).
func (p *pager) knownBatch(pf *prefilter, rd *spanReader, msgs []memoMsg, upto, from, to int) (knownBatch, error) {
	kb := knownBatch{from: from, groups: make([]*group, to-from)}
	for i := from; i < to; i++ {
		gr, err := p.knownMessage(pf, rd, msgs, upto, i)
		if err != nil {
			return kb, err
		}
		kb.groups[i-from] = gr
	}
	return kb, nil
}

// knownMessage is known message i of msgs (which end at line upto)
// grouped on its own as a find groups it, read through rd; nil when none
// of its lines may show the term (pf).
func (p *pager) knownMessage(pf *prefilter, rd *spanReader, msgs []memoMsg, upto, i int) (*group, error) {
	offs := p.snap.offs
	k0, k1 := int(msgs[i].first), upto
	if i+1 < len(msgs) {
		k1 = int(msgs[i+1].first)
	}
	if k0 < 0 || k1 <= k0 || k1 >= len(offs) {
		return nil, errMemoLost // not this snapshot's messages
	}
	p.shows = p.shows[:0]
	if !msgs[i].whole {
		span, err := rd.read(offs[k0], offs[k1])
		if err != nil {
			return nil, err
		}
		if span != nil && !linesMayShow(pf, span, offs[k0], offs[k0:k1], &p.shows) {
			return nil, nil
		}
	}
	g := p.grouper(true)
	for k := k0; k < k1; k++ {
		show := showAsked
		if len(p.shows) > 0 {
			// What the raw line told: its cut copy shows no more.
			show = p.shows[k-k0]
		}
		pr, err := p.lineAs(k, pf, show)
		delete(p.cache, k)
		if err != nil {
			return nil, err
		}
		g.add(pr)
	}
	if len(g.groups) != 1 || g.groups[0].off != offs[k0] {
		return nil, errMemoLost
	}
	return g.groups[0], nil
}

// linesMayShow reports whether any of the lines starting at offs (in
// span, which starts at base) may show the term, tested raw: what a
// line shows is decoded from its cut copy (cut.go), whose every text is
// a part of the line's own. It appends to shows what it found of each.
func linesMayShow(pf *prefilter, span []byte, base int64, offs []int64, shows *[]lineShow) bool {
	may := false
	for _, off := range offs {
		l := span[off-base:]
		if i := bytes.IndexByte(l, '\n'); i >= 0 {
			l = l[:i]
		}
		show := showNot
		if pf.mayShow(l) {
			show, may = showMay, true
		}
		*shows = append(*shows, show)
	}
	return may
}

// spanReader reads spans of a file, in file order, through one buffer
// of up to maxMemoSpan, a window at a time: a find's known messages are
// read in file order, most a few KB each.
type spanReader struct {
	f    *os.File
	end  int64 // what is read at most: the end of the snapshot's lines
	buf  []byte
	base int64 // the file offset of buf[0]
}

// spanWindow is the least a spanReader reads at once.
const spanWindow = 256 << 10

// read returns the bytes from..to of the file, valid until the next
// read; nil when they are more than maxMemoSpan. A file shorter than
// to (truncated since its index was made) is an error: the find fails
// rather than pass over what it cannot read.
func (r *spanReader) read(from, to int64) ([]byte, error) {
	n := to - from
	if n > maxMemoSpan {
		return nil, nil
	}
	if from >= r.base && to <= r.base+int64(len(r.buf)) {
		return r.buf[from-r.base : to-r.base], nil
	}
	want := max(n, min(spanWindow, r.end-from))
	if int64(cap(r.buf)) < want {
		r.buf = make([]byte, max(want, min(2*int64(cap(r.buf)), maxMemoSpan)))
	}
	r.buf = r.buf[:min(int64(cap(r.buf)), max(n, r.end-from))]
	got, err := r.f.ReadAt(r.buf, from)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read: %w", err)
	}
	r.buf, r.base = r.buf[:got], from
	if int64(got) < n {
		return nil, fmt.Errorf("read: %w", io.ErrUnexpectedEOF)
	}
	return r.buf[:n], nil
}
