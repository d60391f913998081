// Package live keeps the session index in step with the sources and turns
// what changed into stream events: watcher hints and periodic ticks go to
// the sources, their results into the index, and the index's changes,
// coalesced per session, to the publisher.
package live

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"vibecraft.sh/helm/server/index"
	"vibecraft.sh/helm/shared"
)

// Source is what live needs of one assistant's session store. Calls are
// serialised by Live, so a source need not be safe for concurrent use.
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

// Publisher sends events to stream clients and remembers what it sent.
type Publisher interface {
	Publish(t shared.EventType, sessions []shared.Session)
	// Lookup returns the last published state of a session.
	Lookup(key string) (shared.Session, bool)
}

// Options tune Live. Zero values take the defaults in their comments.
type Options struct {
	Debounce time.Duration // per-session publish window; 500 ms
	Tick     time.Duration // how often time-derived fields are recomputed; 10 s
	Logger   *slog.Logger
}

// Live wires sources, index and publisher together.
type Live struct {
	index   *index.Index
	pub     Publisher
	sources []Source
	tick    time.Duration
	log     *slog.Logger
	coal    *coalescer

	srcMu sync.Mutex // serialises every call into the sources
	pubMu sync.Mutex // serialises publishing, so flushes and refreshes never interleave

	statsMu  sync.Mutex
	lastErr  string
	scans    int
	lastScan time.Duration
}

// New returns a Live over the given index, publisher and sources.
func New(ix *index.Index, pub Publisher, sources []Source, opts Options) *Live {
	if opts.Debounce <= 0 {
		opts.Debounce = 500 * time.Millisecond
	}
	if opts.Tick <= 0 {
		opts.Tick = 10 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	l := &Live{index: ix, pub: pub, sources: sources, tick: opts.Tick, log: opts.Logger}
	l.coal = newCoalescer(opts.Debounce, l.flush)
	return l
}

// Run does the first scan, then recomputes time-derived fields every tick
// until ctx is done. HTTP can be served while the first scan runs: the
// index fills in as it goes, and a refresh event tells clients when it ends.
func (l *Live) Run(ctx context.Context) error {
	l.Refresh(ctx)
	t := time.NewTicker(l.tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			l.age()
		}
	}
}

// Refresh rescans every source and sends every session to every client as
// a refresh event.
func (l *Live) Refresh(ctx context.Context) {
	start := time.Now()
	l.srcMu.Lock()
	for _, src := range l.sources {
		sessions, err := src.Scan(ctx)
		if err != nil {
			l.noteErr("scan "+string(src.Kind()), err)
			if errors.Is(err, context.Canceled) {
				continue
			}
		}
		ch := l.index.Replace(src.Kind(), sessions)
		l.coal.forget(keysOf(ch.Deleted))
	}
	l.srcMu.Unlock()
	took := time.Since(start)
	l.statsMu.Lock()
	l.scans++
	l.lastScan = took
	l.statsMu.Unlock()

	l.pubMu.Lock()
	all := l.index.List(nil)
	l.pub.Publish(shared.EventRefresh, all)
	l.pubMu.Unlock()
	l.log.Info("scan done", "sessions", len(all), "took", took.Round(time.Millisecond))
}

// Changed is the watcher's hint that paths may have changed.
func (l *Live) Changed(paths []string) {
	ctx := context.Background()
	var touched []string
	l.srcMu.Lock()
	for _, src := range l.sources {
		changed, removed, err := src.Update(ctx, paths)
		if err != nil {
			l.noteErr("update "+string(src.Kind()), err)
		}
		ch := l.index.Apply(src.Kind(), changed, removed)
		touched = append(touched, ch.Keys()...)
	}
	l.srcMu.Unlock()
	l.coal.touch(touched)
}

// Rescan is the watcher's request for a full rescan (after an overflow or
// a switch to polling). Unlike Refresh it sends only what changed.
func (l *Live) Rescan(reason string) {
	l.log.Warn("rescanning", "reason", reason)
	ctx := context.Background()
	var touched []string
	l.srcMu.Lock()
	for _, src := range l.sources {
		sessions, err := src.Scan(ctx)
		if err != nil {
			l.noteErr("rescan "+string(src.Kind()), err)
		}
		touched = append(touched, l.index.Replace(src.Kind(), sessions).Keys()...)
	}
	l.srcMu.Unlock()
	l.coal.touch(touched)
}

// age recomputes time-derived fields (a session stops "working" when its
// files have been quiet long enough) and publishes what moved.
func (l *Live) age() {
	var touched []string
	l.srcMu.Lock()
	for _, src := range l.sources {
		touched = append(touched, l.index.Replace(src.Kind(), src.Sessions()).Keys()...)
	}
	l.srcMu.Unlock()
	l.coal.touch(touched)
}

// flush publishes the current state of keys, compared with what clients
// were last told: new → created, changed → updated, gone → deleted.
func (l *Live) flush(keys []string) {
	l.pubMu.Lock()
	defer l.pubMu.Unlock()
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
	if len(deleted) > 0 {
		l.coal.forget(keysOf(deleted))
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
}

// Stats reports scans done and the last error.
func (l *Live) Stats() Stats {
	l.statsMu.Lock()
	defer l.statsMu.Unlock()
	return Stats{Scans: l.scans, LastScanMs: l.lastScan.Milliseconds(), LastError: l.lastErr}
}

func keysOf(ss []shared.Session) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.Key()
	}
	return out
}
