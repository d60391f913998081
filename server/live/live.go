// Package live keeps the session index in step with the sources and turns
// what changed into stream events: watcher hints, refresh requests and
// periodic ticks go to the sources, their results into the index, and the
// index's changes, coalesced per session, to the publisher.
//
// One goroutine (Run) owns that pipeline, as Mercure's hub owns its
// subscribers: it alone calls the sources, the index's writers, the
// coalescer and the publisher, and it selects on path hints, coalescer
// deadlines, refresh requests, the status tick, the save tick and ctx.
// Everything else only enqueues: the watcher's Changed and Rescan, and
// RequestRefresh, return at once, so a slow source read (an OpenCode busy
// timeout, a WAL settle) never stops fsnotify from being drained; hints
// that arrive meanwhile are merged into one set and handled next.
package live

import (
	"context"
	"errors"
	"log/slog"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"time"

	"vibecraft.sh/helm/server/attn"
	"vibecraft.sh/helm/server/index"
	"vibecraft.sh/helm/shared"
)

// Source is what live needs of one assistant's session store. Only Run's
// goroutine calls it, so a source need not be safe for concurrent use.
type Source interface {
	Kind() shared.Source
	// Scan re-reads everything and returns every session.
	Scan(ctx context.Context) ([]shared.Session, error)
	// Update re-examines hinted paths and returns the sessions that changed
	// and the IDs of those that are gone.
	Update(ctx context.Context, paths []string) (changed []shared.Session, removed []string, err error)
	// Sessions recomputes every session from memory at the current time,
	// so that time-derived fields (status, active) age without file events.
	Sessions() []shared.Session
}

// Ager is a Source that knows when its sessions' time-derived fields
// change, so that Live wakes only then and rebuilds only those sessions,
// instead of recomputing every session on a tick. A Source that is not
// an Ager is recomputed whole every Options.Tick.
type Ager interface {
	// NextChange is the earliest moment Aged has work; zero: none until
	// a file changes.
	NextChange() time.Time
	// Aged rebuilds the sessions due by now: those changed, those gone.
	Aged() (changed []shared.Session, removed []string)
}

// Publisher sends events to stream clients and remembers what it sent.
type Publisher interface {
	Publish(t shared.EventType, sessions []shared.Session)
	// Lookup returns the last published state of a session.
	Lookup(key string) (shared.Session, bool)
}

// Handoff is a Publisher that can take a list for its own
// (stream.Hub.PublishOwned): a refresh hands it the list it made rather
// than have it copied, 33 MB at 100,000 sessions. The list is not read
// or written by live afterwards.
type Handoff interface {
	PublishOwned(t shared.EventType, sessions []shared.Session)
}

// Options tune Live. Zero values take the defaults in their comments.
type Options struct {
	Debounce time.Duration // per-session publish window; 500 ms
	Tick     time.Duration // how often a Source that is not an Ager is recomputed whole; 10 s
	// Save persists what the sources have read (the Claude scan cache), so
	// a restart need not re-read it; nil saves nothing. Run calls it after
	// each full scan, SaveEvery after other work (never while nothing
	// happens) and once more before it returns: the owner of the
	// lifecycle is the one place that persists.
	Save      func() error
	SaveEvery time.Duration // 30 s
	Logger    *slog.Logger
	// Attention keeps hook hints and the user's clears (signal.go); nil:
	// hints last attn.DefaultWaitingTTL and clears are kept in memory.
	Attention *attn.Overlay
	// Hold, when set, is called as a full scan after the first one starts
	// (a refresh, a rescan), and what it returns once the scan is
	// published: helmd bounds the heap meanwhile (gcpace.Hold), as such
	// a scan reads little but makes its garbage over a heap already at
	// its full size. Not for the first scan, which makes that heap.
	Hold func() (release func())
	// Build is Hold's counterpart for the first full scan, which builds
	// the heap from nothing: helmd bounds its garbage to a share of the
	// live heap as it grows (gcpace.Grow) rather than to twice it.
	Build func() (release func())
}

// Live wires sources, index and publisher together. Create it with New,
// run it with Run.
type Live struct {
	index   *index.Index
	pub     Publisher
	sources []Source
	opts    Options
	log     *slog.Logger
	coal    *coalescer // Run's goroutine only

	// The inbox. hintMu is held only to add to or swap the set, never
	// across a source call, so Changed cannot wait on a read.
	hintMu  sync.Mutex
	hints   map[string]struct{} // paths hinted since Run last took them
	rescan  string              // why a full rescan was asked for; "" when none
	wake    chan struct{}       // 1 slot: hints or a rescan wait
	refresh chan struct{}       // 1 slot: requests during a scan join the next
	sigs    []attn.Hint         // hook hints since Run last took them (signal.go)
	clears  []pendingClear      // the user's clears since then
	dropped int                 // hints refused because the inbox was full

	att *attn.Overlay // Run's goroutine only

	tickAt time.Time // Run's goroutine only: next whole recompute of a non-Ager source

	// scanned is closed once the first full scan is published: until then
	// the list is not the files' (an empty one, at a start), and what
	// serves lists waits for it (FirstScan).
	scanned chan struct{}

	statsMu  sync.Mutex
	lastErr  string
	scans    int
	lastScan time.Duration
	timers   Timers
}

// New returns a Live over the given index, publisher and sources.
func New(ix *index.Index, pub Publisher, sources []Source, opts Options) *Live {
	if opts.Debounce <= 0 {
		opts.Debounce = 500 * time.Millisecond
	}
	if opts.Tick <= 0 {
		opts.Tick = 10 * time.Second
	}
	if opts.SaveEvery <= 0 {
		opts.SaveEvery = 30 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Attention == nil {
		opts.Attention = attn.NewOverlay(0, nil)
	}
	return &Live{
		att:   opts.Attention,
		index: ix, pub: pub, sources: sources, opts: opts, log: opts.Logger,
		coal:    newCoalescer(opts.Debounce),
		hints:   make(map[string]struct{}),
		wake:    make(chan struct{}, 1),
		refresh: make(chan struct{}, 1),
		scanned: make(chan struct{}),
	}
}

// FirstScan is closed once the first full scan is published: the list
// the publisher holds is then what the files say.
func (l *Live) FirstScan() <-chan struct{} { return l.scanned }

// Changed is the watcher's hint that paths may have changed. It never
// blocks: the paths join a set that Run drains.
func (l *Live) Changed(paths []string) {
	if len(paths) == 0 {
		return
	}
	l.hintMu.Lock()
	for _, p := range paths {
		l.hints[p] = struct{}{}
	}
	if len(l.hints) > maxHints {
		// Bounded memory while a read is slow: past this many paths a
		// rescan, which covers them all, is the cheaper way to catch up.
		clear(l.hints)
		l.rescan = "more than " + strconv.Itoa(maxHints) + " changed paths queued"
	}
	l.hintMu.Unlock()
	signal(l.wake)
}

// maxHints bounds the paths queued for Run; more turn into a rescan.
const maxHints = 4096

// Rescan is the watcher's request for a full rescan (after an overflow or
// a switch to polling). Unlike a refresh it publishes only what changed.
// It never blocks.
func (l *Live) Rescan(reason string) {
	l.hintMu.Lock()
	l.rescan = reason
	l.hintMu.Unlock()
	signal(l.wake)
}

// RequestRefresh asks for a full rescan followed by a refresh event to
// every client. It never blocks; requests made before Run gets to one
// are one request, so ten during a scan give one more scan, not ten.
func (l *Live) RequestRefresh() { signal(l.refresh) }

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default: // one is pending already: it will see this too
	}
}

// Run does the first full scan, then serves the inbox until ctx is done.
// Its timers are armed only for work that is due: a publish window, the
// next moment a session's status changes, a save after a change. While
// nothing changes none is armed, and Run sleeps on its channels alone.
// Every timer is stopped when it returns, after a last Save.
func (l *Live) Run(ctx context.Context) error {
	defer l.save() // the attention overlay's too
	flush, ageT, saveT := stopped(), stopped(), stopped()
	defer flush.Stop()
	defer ageT.Stop()
	defer saveT.Stop()
	var saveAt time.Time // zero: nothing changed since the last save

	l.fullScan(ctx)
	l.tickAt = time.Now().Add(l.opts.Tick)
	for {
		var t Timers
		t.Flush, _ = l.coal.next()
		t.Age = l.nextAge()
		t.Save = saveAt
		if due := l.att.SaveDue(); !due.IsZero() && (t.Save.IsZero() || due.Before(t.Save)) {
			t.Save = due // hook hints not written at once (attn.Overlay.Save)
		}
		arm(flush, t.Flush)
		arm(ageT, t.Age)
		arm(saveT, t.Save)
		l.statsMu.Lock()
		l.timers.Flush, l.timers.Age, l.timers.Save = t.Flush, t.Age, t.Save
		l.timers.Waits++
		l.statsMu.Unlock()
		worked := true
		select {
		case <-ctx.Done():
			return nil
		case <-l.wake:
			l.takeSignals() // first: they are the ones a user waits for
			l.takeHints(ctx)
		case <-l.refresh:
			l.fullScan(ctx) // saves at its end
			worked = false
		case <-flush.C:
			l.publish(l.coal.due(time.Now()))
			worked = false // publishing reads nothing a save would keep
		case <-ageT.C:
			l.count(&l.timers.Ages)
			l.age()
		case <-saveT.C:
			worked = false
			if saveAt.IsZero() || time.Now().Before(saveAt) {
				l.saveAttention() // only the hints were due
				break
			}
			l.count(&l.timers.Saves)
			l.save()
			saveAt = time.Time{}
		}
		if worked && l.opts.Save != nil && saveAt.IsZero() {
			saveAt = time.Now().Add(l.opts.SaveEvery)
		}
	}
}

// Timers is what Run has armed, for /api/status and tests: a zero time is
// a timer not armed. Ages and Saves count the times each fired, Waits
// the times Run went back to waiting.
type Timers struct {
	Flush, Age, Save   time.Time
	Ages, Saves, Waits int
}

func stopped() *time.Timer {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return t
}

// arm sets t to fire at at, or stops it for a zero at. Go ≥ 1.23 timers:
// Stop and Reset need no drain.
func arm(t *time.Timer, at time.Time) {
	if at.IsZero() {
		t.Stop()
		return
	}
	t.Reset(time.Until(at))
}

func (l *Live) count(n *int) {
	l.statsMu.Lock()
	*n++
	l.statsMu.Unlock()
}

// nextAge is the earliest moment a source or the attention overlay has
// time-derived work; zero when none has.
func (l *Live) nextAge() time.Time {
	next := l.att.NextExpiry()
	for _, src := range l.sources {
		at := l.tickAt
		if a, ok := src.(Ager); ok {
			at = a.NextChange()
		}
		if !at.IsZero() && (next.IsZero() || at.Before(next)) {
			next = at
		}
	}
	return next
}

// fullScan rescans every source and sends every session to every client
// as a refresh event.
func (l *Live) fullScan(ctx context.Context) {
	start := time.Now()
	defer l.hold()()
	// What the scans returned is, together, what the index holds after
	// them: published as it is (one source) or joined (more), rather
	// than copied out of the index again (40 MB at 100,000 sessions,
	// on top of the scan's list and the publisher's own copy).
	var all []shared.Session
	whole := true // every source replaced its sessions in the index
	for i, src := range l.sources {
		sessions, err := src.Scan(ctx)
		if err != nil {
			l.noteErr("scan "+string(src.Kind()), err)
			if errors.Is(err, context.Canceled) {
				whole = false
				continue // a partial scan must not delete what it did not reach
			}
		}
		l.att.Apply(sessions, time.Now(), l.index.Get)
		l.forget(keysOf(l.index.ReplaceGone(src.Kind(), sessions)))
		if i == 0 {
			all = sessions
		} else {
			all = append(slices.Clip(all), sessions...) // never into the first source's own slice
		}
	}
	if ctx.Err() != nil {
		// helmd stops: what a cut scan found is neither published nor
		// counted (it logged "scan done sessions=0" at a stop during the
		// first scan); Run's save keeps what it read.
		return
	}
	l.pruneCleared()
	took := time.Since(start)
	if !whole || len(all) != l.index.Len() {
		// A source's scan cut short, a session listed twice, or one the
		// index holds from elsewhere (a hook's, of a source that does not
		// scan): the index's own list, as it is.
		all = l.index.List(nil)
	} else {
		shared.SortNewestFirst(all) // as List gives it; the scans' lists are theirs to give
	}
	if h, ok := l.pub.(Handoff); ok {
		h.PublishOwned(shared.EventRefresh, all) // the scans' lists, or List's: live's own either way
	} else {
		l.pub.Publish(shared.EventRefresh, all)
	}
	// all is live's no more (the hub keeps it, or its own copy), so the
	// collection in FreeOSMemory below frees what is garbage of it.
	n := len(all)
	l.statsMu.Lock()
	first := l.scans == 0
	l.statsMu.Unlock()
	l.index.Settle() // the hub holds them now: the index lets its copies go
	// A scan's buffers and copies are garbage now, hundreds of MB on a
	// large workspace: the first read every transcript, a later one (a
	// refresh, a rescan) copied every session. Return them to the OS at
	// once; an idle server would otherwise hold them, since it allocates
	// too little to collect again (after a refresh at 100,000 sessions,
	// 576 MB for over 30 s where 325 MB is its size). Before the scan is
	// counted, so that one reported done is one whose memory is back.
	debug.FreeOSMemory()
	// Counted once published: a scan that /api/status reports is in what
	// GET /api/sessions serves.
	l.statsMu.Lock()
	l.scans++
	l.lastScan = took
	l.statsMu.Unlock()
	if first {
		close(l.scanned)
	}
	l.log.Info("scan done", "sessions", n, "took", took.Round(time.Millisecond))
	l.save()
}

// hold starts Options.Hold for a full scan, or Options.Build for the
// first, and returns its release.
func (l *Live) hold() (release func()) {
	l.statsMu.Lock()
	first := l.scans == 0
	l.statsMu.Unlock()
	h := l.opts.Hold
	if first {
		h = l.opts.Build
	}
	if h == nil {
		return func() {}
	}
	return h()
}

// takeHints handles what the watcher enqueued since the last call: a full
// rescan when one was asked for (it covers every hinted path), else an
// Update of the hinted paths.
func (l *Live) takeHints(ctx context.Context) {
	l.hintMu.Lock()
	paths := make([]string, 0, len(l.hints))
	for p := range l.hints {
		paths = append(paths, p)
	}
	clear(l.hints)
	reason := l.rescan
	l.rescan = ""
	l.hintMu.Unlock()

	var touched []string
	if reason != "" {
		l.log.Warn("rescanning", "reason", reason)
		defer l.hold()()
		for _, src := range l.sources {
			sessions, err := src.Scan(ctx)
			if err != nil {
				l.noteErr("rescan "+string(src.Kind()), err)
				if errors.Is(err, context.Canceled) {
					continue
				}
			}
			l.att.Apply(sessions, time.Now(), l.index.Get)
			touched = append(touched, l.index.Replace(src.Kind(), sessions).Keys()...)
		}
	} else if len(paths) > 0 {
		for _, src := range l.sources {
			changed, removed, err := src.Update(ctx, paths)
			if err != nil {
				l.noteErr("update "+string(src.Kind()), err)
			}
			l.att.Apply(changed, time.Now(), l.index.Get)
			touched = append(touched, l.index.Apply(src.Kind(), changed, removed).Keys()...)
		}
	}
	l.publish(l.coal.touch(time.Now(), touched))
	l.saveAttention() // a change may have undone a clear or ended a hint; a no-op otherwise
}

// age recomputes time-derived fields (a session stops "working" when its
// files have been quiet long enough) and publishes what moved: a session
// whose hook hint expired shows what its source last reported, an Ager
// rebuilds only its sessions that are due, a source that is not an Ager
// is recomputed whole every Tick.
func (l *Live) age() {
	now := time.Now()
	var touched []string
	// First: a session also due in Aged gets its fresher state there.
	// One its source removed since (its deletion held by the debounce
	// window, so the hint is not forgotten yet) stays removed.
	own := slices.DeleteFunc(l.att.Expire(now), func(s shared.Session) bool {
		_, ok := l.index.Get(s.Key())
		return !ok
	})
	if len(own) > 0 {
		l.att.Apply(own, now, l.index.Get)
		for _, src := range l.sources {
			var mine []shared.Session
			for _, s := range own {
				if s.Source == src.Kind() {
					mine = append(mine, s)
				}
			}
			if len(mine) > 0 {
				touched = append(touched, l.index.Apply(src.Kind(), mine, nil).Keys()...)
			}
		}
	}
	whole := !now.Before(l.tickAt)
	if whole {
		l.tickAt = now.Add(l.opts.Tick)
	}
	for _, src := range l.sources {
		a, ager := src.(Ager)
		switch {
		case ager:
			changed, removed := a.Aged()
			l.att.Apply(changed, now, l.index.Get)
			touched = append(touched, l.index.Apply(src.Kind(), changed, removed).Keys()...)
		case whole:
			sessions := src.Sessions()
			l.att.Apply(sessions, now, l.index.Get)
			touched = append(touched, l.index.Replace(src.Kind(), sessions).Keys()...)
		}
	}
	l.publish(l.coal.touch(time.Now(), touched))
	l.saveAttention() // a change may have undone a clear or ended a hint; a no-op otherwise
}

// publish sends the current state of keys, compared with what clients
// were last told: new → created, changed → updated, gone → deleted.
func (l *Live) publish(keys []string) {
	if len(keys) == 0 {
		return
	}
	var created, updated, deleted []shared.Session
	for _, k := range keys {
		cur, inIndex := l.index.Get(k)
		old, published := l.pub.Lookup(k)
		switch {
		case inIndex && !published:
			created = append(created, cur)
		case inIndex && cur != old:
			updated = append(updated, cur)
		case !inIndex && published:
			deleted = append(deleted, old)
		}
	}
	for _, ev := range []struct {
		t        shared.EventType
		sessions []shared.Session
	}{{shared.EventSessionCreated, created}, {shared.EventSessionUpdated, updated}, {shared.EventSessionDeleted, deleted}} {
		if len(ev.sessions) > 0 {
			shared.SortNewestFirst(ev.sessions)
			l.pub.Publish(ev.t, ev.sessions)
		}
	}
	l.index.Settle()
	if len(deleted) > 0 {
		l.forget(keysOf(deleted))
	}
}

func (l *Live) save() {
	// Every hint too, due or not: this is the periodic save, after a full
	// scan, or the last one at shutdown.
	if err := l.att.Flush(time.Now()); err != nil {
		l.noteErr("save attention", err)
	}
	if l.opts.Save == nil {
		return
	}
	if err := l.opts.Save(); err != nil {
		l.noteErr("save", err)
	}
}

func (l *Live) noteErr(what string, err error) {
	l.log.Warn(what+" failed", "err", err)
	l.statsMu.Lock()
	l.lastErr = what + ": " + err.Error()
	l.statsMu.Unlock()
}

// Stats is what /api/status shows of Live.
type Stats struct {
	Scans      int    `json:"scans"`
	LastScanMs int64  `json:"lastScanMs"`
	LastError  string `json:"lastError,omitempty"`
	// Timers armed now; none while nothing changes (zero times omitted
	// by callers that show them).
	Timers Timers `json:"-"`
	// SignalsDropped counts hook hints and clears refused because Run
	// was too far behind to take them.
	SignalsDropped int `json:"signalsDropped"`
}

// Stats reports scans done and the last error.
func (l *Live) Stats() Stats {
	l.hintMu.Lock()
	dropped := l.dropped
	l.hintMu.Unlock()
	l.statsMu.Lock()
	defer l.statsMu.Unlock()
	return Stats{Scans: l.scans, LastScanMs: l.lastScan.Milliseconds(), LastError: l.lastErr, SignalsDropped: dropped, Timers: l.timers}
}

func keysOf(ss []shared.Session) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.Key()
	}
	return out
}
