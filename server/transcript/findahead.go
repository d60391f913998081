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

// ahead is a find's second reader of lines.
type ahead struct {
	out  chan aheadItem[*parsed]
	done chan struct{}
	wg   sync.WaitGroup
}

// aheadItem is item k read by a find's reader: a line, or a batch of
// known messages (findmemo.go).
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
// was opened). The reader that reads through it closes its file.
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

// startAhead starts p's second reader over path, for a find of term
// from line from on; nil when the find is short or secondPager gives
// none.
func startAhead(ctx context.Context, path string, p *pager, term string, from int) *ahead {
	if len(p.snap.offs)-from < findAheadMin {
		return nil
	}
	h, pf := secondPager(path, p, term)
	if h == nil {
		return nil
	}
	a := &ahead{out: make(chan aheadItem[*parsed], aheadDepth), done: make(chan struct{})}
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		defer h.f.Close()
		// A line that made the reading panic failed only its request
		// when the request's own goroutine read it (net/http recovers
		// a handler's panic); here it would end the server.
		defer func() {
			if r := recover(); r != nil {
				select {
				case a.out <- aheadItem[*parsed]{k: -1, err: fmt.Errorf("%w: %v", errAheadPanicked, r)}:
				case <-a.done:
				}
			}
		}()
		for k := from; k < len(h.snap.offs); k++ {
			if !a.owns(k) {
				continue
			}
			if testAheadRead != nil {
				testAheadRead(k)
			}
			l := aheadItem[*parsed]{k: k, err: ctx.Err()}
			if l.err == nil {
				l.v, l.err = h.lineFor(k, pf)
				delete(h.cache, k)
			}
			select {
			case a.out <- l:
			case <-a.done:
				return
			}
			if l.err != nil {
				return
			}
		}
	}()
	return a
}

// owns reports whether line k is the second reader's to decode: the
// find's goroutine groups and tests every line, and decodes one in three.
func (a *ahead) owns(k int) bool { return a != nil && k%3 != 0 }

// next returns line k, which the second reader owns, once decoded.
func (a *ahead) next(k int) (*parsed, error) {
	l, ok := <-a.out
	switch {
	case !ok:
		return nil, errAheadLost
	case l.err != nil:
		return nil, l.err
	case l.k != k:
		return nil, errAheadLost
	}
	return l.v, nil
}

// stop ends the second reader and waits for it to close its file.
func (a *ahead) stop() {
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
