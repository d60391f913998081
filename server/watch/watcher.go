package watch

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Options configures a Watcher.
type Options struct {
	Specs []Spec
	// Poll forces polling for every spec (network filesystems, where
	// inotify sees nothing).
	Poll bool
	// PollInterval is the polling period; 0 means 2 s. It is also the
	// period of the attempts to return from polling to fsnotify, and of
	// the check that each root is still the folder at its path where no
	// guard (guard.go) can tell that by events.
	PollInterval time.Duration
	// Logger receives warnings (fallbacks to polling, watch errors);
	// nil means slog.Default().
	Logger *slog.Logger
}

// Handler receives the watcher's findings.
type Handler interface {
	// Changed gets paths that may have changed: files (created, written,
	// removed, renamed) and folders (created — after the watcher has added
	// a watch on them — or removed). Hints only: the receiver re-stats.
	Changed(paths []string)
	// Rescan asks for a full rescan, with the reason: after an overflow or
	// a switch to polling, after the return to fsnotify, and after a root
	// was found moved or replaced.
	Rescan(reason string)
}

const (
	defaultPollInterval = 2 * time.Second
	// eventBuffer lets fsnotify's reader keep draining the kernel queue
	// while a batch is handed to the Handler.
	eventBuffer = 256
	// maxDrain bounds one batch so a flood still yields regular deliveries.
	maxDrain = 4096
	// errBuffer holds fsnotify errors until Run's goroutine reads them.
	errBuffer = 64
)

// Watcher turns changes under its Specs into Handler calls. Its state is
// owned by the goroutine running Run; only Status and Ready are safe to
// call from elsewhere.
type Watcher struct {
	log      *slog.Logger
	poll     bool
	interval time.Duration
	roots    []*root

	ready   chan struct{}
	started atomic.Bool
	events  atomic.Int64

	// inject feeds errors into Run's loop as if fsnotify had reported them
	// (tests simulate a queue overflow with it).
	inject chan error
	// recheck asks Run to look for links to follow again (RequestRefresh).
	recheck chan struct{}
	// addWatch adds one inotify watch; nil means the current fsnotify
	// watcher's Add. Tests replace it to simulate the kernel's watch limits.
	addWatch func(dir string) error
	// newNotify creates the fsnotify watcher; tests make it fail.
	newNotify func() (*fsnotify.Watcher, error)
	// retryMin and retryMax bound the back-off of the return from polling
	// to fsnotify; tests shorten them.
	retryMin, retryMax time.Duration

	retryDelay time.Duration // the wait planned last
	retryAt    time.Time     // next attempt to leave polling; zero: none
	lastReturn time.Time

	fs        *fsnotify.Watcher
	fsErrs    chan error       // fsnotify's errors, forwarded (see forwardErrors)
	stopFwd   chan struct{}    // closed to end forwardErrors
	fwdDone   chan struct{}    // closed when forwardErrors has ended
	refs      map[string]int   // watched folder → number of roots using it
	links     map[string]*link // followed links to files, by path (links.go)
	linksFull bool             // maxLinks was reached (and logged)
	linkFail  bool             // a link's watch could not be added (and was logged)
	ticker    *time.Ticker
	ticking   bool // the ticker runs (see pace)
	batch     map[string]struct{}
	rescans   []string
	overflows int
	lastErr   string

	// The guard hears the folders above the roots move (guard.go).
	guard      *guard
	guardC     chan struct{} // its wake-ups
	guardStale bool          // the roots changed since it was armed
	guardOff   bool          // no guard here: roots are checked on ticks

	mu     sync.Mutex
	status Status
}

// New returns a Watcher for opts; nothing happens until Run.
func New(opts Options) *Watcher {
	w := &Watcher{
		log:       opts.Logger,
		poll:      opts.Poll,
		interval:  opts.PollInterval,
		ready:     make(chan struct{}),
		inject:    make(chan error),
		recheck:   make(chan struct{}, 1),
		guardC:    make(chan struct{}, 1),
		guardOff:  !guardsSupported,
		refs:      make(map[string]int),
		links:     make(map[string]*link),
		batch:     make(map[string]struct{}),
		retryMin:  defaultRetryMin,
		retryMax:  defaultRetryMax,
		newNotify: defaultNotify,
	}
	if w.log == nil {
		w.log = slog.Default()
	}
	if w.interval <= 0 {
		w.interval = defaultPollInterval
	}
	for _, s := range opts.Specs {
		w.roots = append(w.roots, newRoot(s))
	}
	w.publish()
	return w
}

// Ready is closed once the initial watches are in place, so that nothing
// written afterwards is missed.
func (w *Watcher) Ready() <-chan struct{} { return w.ready }

// Run watches until ctx is done; it returns nil on cancellation. Handler
// calls come from Run's goroutine only, one at a time. Run may be called
// once.
func (w *Watcher) Run(ctx context.Context, h Handler) error {
	if !w.started.CompareAndSwap(false, true) {
		return errors.New("watch: Run called more than once")
	}
	w.setup()
	defer w.teardown()
	w.settleGuard()
	w.pace()
	w.publish()
	close(w.ready)
	w.flush(h)

	for {
		events, errs := w.notifyChans()
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-events:
			w.receiveEvent(ev, ok)
			w.drain()
		case err, ok := <-errs:
			w.receiveError(err, ok)
			w.drain()
		case err := <-w.inject:
			w.handleError(err)
			w.drain()
		case <-w.recheck:
			w.followLinksAgain()
		case <-w.guardC:
			w.guardFired()
		case now := <-w.ticker.C:
			w.pollAll()
			w.checkRoots()
			if w.retryDue(now) {
				w.retry(now)
			}
		}
		w.settleGuard()
		w.pace()
		w.publish()
		if ctx.Err() != nil {
			return nil
		}
		w.flush(h)
	}
}

// setup creates the fsnotify watcher and puts every root under watch,
// without reporting what is already there. The ticker drives polling,
// the return from polling to fsnotify, and the check that each root is
// still the folder at its path when no guard does; pace stops it when
// none of these is needed.
func (w *Watcher) setup() {
	w.ticker = time.NewTicker(w.interval)
	w.ticking = true
	reason := ""
	if w.poll {
		reason = reasonForced
	} else if err := w.openNotify(); err != nil {
		reason = reasonNewWatcher
		w.lastErr = err.Error()
		w.log.Warn("watch: cannot create an fsnotify watcher; polling every root",
			"err", err, "interval", w.interval)
	}
	for _, r := range w.roots {
		if reason != "" {
			w.startPolling(r, reason)
			continue
		}
		w.resolve(r, false)
	}
}

// add adds one inotify watch on the current fsnotify watcher.
func (w *Watcher) add(dir string) error {
	if w.addWatch != nil {
		return w.addWatch(dir)
	}
	return w.fs.Add(dir)
}

func (w *Watcher) teardown() {
	w.ticker.Stop()
	w.closeGuard()
	w.closeNotify()
}

// closeNotify releases the inotify instance; fsnotify's reader goroutine
// has ended when Close returns.
func (w *Watcher) closeNotify() {
	if w.fs == nil {
		return
	}
	close(w.stopFwd)
	if err := w.fs.Close(); err != nil {
		w.log.Warn("watch: closing fsnotify", "err", err)
	}
	<-w.fwdDone
	w.fs = nil
	clear(w.refs)
	clear(w.links) // their watches went with the instance
	for _, r := range w.roots {
		clear(r.links)
	}
}

func (w *Watcher) notifyChans() (<-chan fsnotify.Event, <-chan error) {
	if w.fs == nil {
		return nil, nil
	}
	return w.fs.Events, w.fsErrs
}

// forwardErrors keeps fsnotify's unbuffered Errors channel drained. Its
// reader sends some errors while holding the lock that Add and Remove
// take (a failed removal after a move), so if Run's goroutine, busy in
// Add, were the only receiver, both would wait for each other forever.
func forwardErrors(in <-chan error, out chan<- error, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	defer close(out)
	for err := range in {
		select {
		case out <- err:
		case <-stop:
			return
		}
	}
}

// drain handles whatever fsnotify has already queued, without waiting, so
// that one Changed call carries the whole burst.
func (w *Watcher) drain() {
	for range maxDrain {
		events, errs := w.notifyChans()
		select {
		case ev, ok := <-events:
			w.receiveEvent(ev, ok)
		case err, ok := <-errs:
			w.receiveError(err, ok)
		default:
			return
		}
	}
}

func (w *Watcher) receiveEvent(ev fsnotify.Event, ok bool) {
	if !ok {
		w.notifyLost()
		return
	}
	w.handleEvent(ev)
}

func (w *Watcher) receiveError(err error, ok bool) {
	if !ok {
		w.notifyLost()
		return
	}
	w.handleError(err)
}

// notifyLost handles fsnotify closing its channels on its own: nothing
// more will come from it, so every root it served is polled instead.
func (w *Watcher) notifyLost() {
	w.lastErr = "fsnotify stopped"
	w.switchAll(reasonNotifyLost, "the fsnotify watcher stopped")
	w.closeNotify()
}

// report queues path for the next Changed call.
func (w *Watcher) report(path string) { w.batch[path] = struct{}{} }

// flush delivers the queued paths, then the queued rescan requests.
func (w *Watcher) flush(h Handler) {
	w.resetChecks()
	if len(w.batch) > 0 {
		paths := make([]string, 0, len(w.batch))
		for p := range w.batch {
			paths = append(paths, p)
		}
		clear(w.batch)
		slices.Sort(paths)
		h.Changed(paths)
	}
	rescans := w.rescans
	w.rescans = nil
	for _, reason := range rescans {
		h.Rescan(reason)
	}
}
