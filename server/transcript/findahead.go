package transcript

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"

	"vibecraft.sh/helm/server/internal/regular"
)

// A find decodes every line it cannot rule out, on one goroutine, and
// the decoding (encoding/json over long texts) is most of its time: a
// word in every prompt of 525 MB took 5-6 s. So a find of a long
// transcript has a second reader, over its own handle of the same file,
// decode two lines of every three ahead of the grouping, while the
// find's own goroutine decodes the third and groups and tests them all
// in file order: the lines are the same, read the same way, and so are
// the messages.

// findAheadMin is the fewest lines for which a find takes a second
// reader: a shorter transcript is found in milliseconds on one.
const findAheadMin = 1024

// aheadDepth bounds the lines decoded and not yet grouped: at most a
// cut copy's strings each (maxString), a few MB in all.
const aheadDepth = 64

// ahead is a find's second reader: it reads the items from..to (lines,
// or known messages, findmemo.go) it owns, in order, for the find's
// goroutine to take in turn.
type ahead[T any] struct {
	out  chan aheadItem[T]
	done chan struct{}
	wg   sync.WaitGroup
	mine func(k int) bool // the items it reads
}

type aheadItem[T any] struct {
	k   int
	v   T
	err error
}

// errAheadLost is an ahead that gave a line out of turn, or none: never
// expected, but a find must fail rather than show another line's text.
var errAheadLost = errors.New("the find's second reader lost its place")

// errAheadPanicked is a line whose reading panicked on the second reader.
var errAheadPanicked = errors.New("reading a line for a find panicked")

// testAheadRead, set by tests only, runs before the second reader reads
// each item.
var testAheadRead func(k int)

// secondPager opens a second pager over path for p's find of term, and
// its own prefilter (one holds scratch space); nil when the machine has
// one core, or path no longer names the file p reads (replaced since it
// was opened). Its file is closed by the ahead that reads through it.
func secondPager(path string, p *pager, term string) (*pager, *prefilter) {
	if runtime.GOMAXPROCS(0) < 2 {
		return nil, nil
	}
	f, err := regular.Open(path)
	if err != nil {
		return nil, nil
	}
	if !sameFile(f, p.f) {
		f.Close()
		return nil, nil
	}
	h := newPager(f, p.snap)
	var pf *prefilter
	if term != "" {
		pf = newPrefilter(term)
	}
	return h, pf
}

// startAhead starts p's second reader of lines over path, for a find of
// term from line from on; nil when the find is short or secondPager
// gives none.
func startAhead(ctx context.Context, path string, p *pager, term string, from int) *ahead[*parsed] {
	if len(p.snap.offs)-from < findAheadMin {
		return nil
	}
	h, pf := secondPager(path, p, term)
	if h == nil {
		return nil
	}
	// The find's goroutine groups and tests every line: it reads one
	// line in three.
	mine := func(k int) bool { return k%3 != 0 }
	return runAhead(ctx, h, from, len(h.snap.offs), mine, aheadDepth, func(k int) (*parsed, error) {
		pr, err := h.lineFor(k, pf)
		delete(h.cache, k)
		return pr, err
	})
}

// runAhead reads through h, on a goroutine of its own, the items of
// from..to that are mine, with read, at most depth ahead of the find.
func runAhead[T any](ctx context.Context, h *pager, from, to int, mine func(k int) bool, depth int, read func(k int) (T, error)) *ahead[T] {
	a := &ahead[T]{out: make(chan aheadItem[T], depth), done: make(chan struct{}), mine: mine}
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		defer h.f.Close()
		// An item that made the reading panic failed only its request
		// when the request's own goroutine read it (net/http recovers
		// a handler's panic); here it would end the server.
		defer func() {
			if r := recover(); r != nil {
				select {
				case a.out <- aheadItem[T]{k: -1, err: fmt.Errorf("%w: %v", errAheadPanicked, r)}:
				case <-a.done:
				}
			}
		}()
		for k := from; k < to; k++ {
			if !a.owns(k) {
				continue
			}
			if testAheadRead != nil {
				testAheadRead(k)
			}
			it := aheadItem[T]{k: k, err: ctx.Err()}
			if it.err == nil {
				it.v, it.err = read(k)
			}
			select {
			case a.out <- it:
			case <-a.done:
				return
			}
			if it.err != nil {
				return
			}
		}
	}()
	return a
}

// owns reports whether item k is the second reader's to read.
func (a *ahead[T]) owns(k int) bool { return a != nil && a.mine(k) }

// next returns item k, which the second reader owns, once read.
func (a *ahead[T]) next(k int) (T, error) {
	var zero T
	it, ok := <-a.out
	switch {
	case !ok:
		return zero, errAheadLost
	case it.err != nil:
		return zero, it.err
	case it.k != k:
		return zero, errAheadLost
	}
	return it.v, nil
}

// stop ends the second reader and waits for it to close its file.
func (a *ahead[T]) stop() {
	if a == nil {
		return
	}
	close(a.done)
	a.wg.Wait()
}

// sameFile reports whether a and b are handles of one file.
func sameFile(a, b *os.File) bool {
	ai, err := a.Stat()
	if err != nil {
		return false
	}
	bi, err := b.Stat()
	return err == nil && os.SameFile(ai, bi)
}
