package stream

import (
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"vibecraft.sh/helm/shared"
)

// maxBatch bounds how many queued events one write carries before a flush.
const maxBatch = 64

// view is one stream endpoint: the hub seen through a filter.
type view struct {
	hub  *Hub
	keep func(*shared.Session) bool // nil: every session

	// The init frame of the last seq asked for: a reconnect storm after a
	// restart encodes the snapshot once, not once per client. It is reused
	// for initFresh only, so its timestamp stays close to the truth.
	mu       sync.Mutex
	initID   string
	initAt   time.Time
	initData []byte
}

// initFresh is how long an encoded init frame may be reused.
const initFresh = time.Second

// Handler serves one stream endpoint. keep filters sessions (nil keeps
// all): a change event none of whose sessions is kept is not sent, while
// init and refresh are always sent, possibly empty. Call it once per
// endpoint: filtered encodings are cached per handler.
func (h *Hub) Handler(keep func(*shared.Session) bool) http.Handler {
	return &view{hub: h, keep: keep}
}

// filter returns the sessions v keeps. keep sees a copy, so a filter with a
// side effect cannot change what other clients get.
func (v *view) filter(ss []shared.Session) []shared.Session {
	if v.keep == nil {
		return ss
	}
	out := make([]shared.Session, 0, len(ss))
	for _, s := range ss {
		if v.keep(&s) {
			out = append(out, s)
		}
	}
	return out
}

func (v *view) initFrame(id string, state []shared.Session) ([]byte, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	now := v.hub.opts.Now()
	if v.initData != nil && v.initID == id && now.Sub(v.initAt) < initFresh {
		return v.initData, nil
	}
	f, err := encodeFrame(shared.EventInit, id, v.filter(state), now)
	if err != nil {
		return nil, err
	}
	v.initID, v.initAt, v.initData = id, now, f
	return f, nil
}

// lastEventID is the client's cursor: the header EventSource sends on a
// reconnect, else the query parameter a new EventSource can carry.
func lastEventID(r *http.Request) string {
	if id := r.Header.Get("Last-Event-ID"); id != "" {
		return id
	}
	return r.URL.Query().Get("lastEventId")
}

func (v *view) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, r.Method+" "+r.URL.Path+": a stream is read with GET", http.StatusMethodNotAllowed)
		return
	}
	h := v.hub
	hdr := w.Header()
	hdr.Set("Content-Type", "text/event-stream; charset=utf-8")
	hdr.Set("Cache-Control", "no-cache")
	hdr.Set("X-Accel-Buffering", "no") // nginx would otherwise buffer the stream
	if r.Method == http.MethodHead {
		w.WriteHeader(http.StatusOK)
		return
	}
	c, st, err := h.subscribe(v, lastEventID(r))
	if err != nil {
		refuse(w, err)
		return
	}
	defer h.unsubscribe(c)
	ctx := r.Context()
	if h.log.Enabled(ctx, slog.LevelDebug) {
		h.log.LogAttrs(ctx, slog.LevelDebug, "stream client connected",
			slog.String("remote", r.RemoteAddr), slog.String("path", r.URL.Path),
			slog.Bool("resumed", st.resumed), slog.Int("replay", len(st.replay)))
	}
	w.WriteHeader(http.StatusOK)
	cw := newConnWriter(w, h.opts.WriteTimeout)

	batch := [][]byte{retryField(h.opts.Retry)}
	if st.resumed {
		for _, rec := range st.replay {
			if f := rec.frameFor(v); f != nil {
				batch = append(batch, f)
			}
		}
	} else {
		f, err := v.initFrame(st.initID, st.state)
		if err != nil {
			h.log.Error("stream: init not sent", "err", err)
			return
		}
		batch = append(batch, f)
	}
	if err := cw.write(batch...); err != nil {
		h.logEnd(r, "write failed", err)
		return
	}
	batch = nil // a replay's slice may be long: do not hold it while idle

	keepalive := time.NewTimer(h.opts.Keepalive)
	defer keepalive.Stop()
	for {
		select {
		case <-ctx.Done():
			h.logEnd(r, "client gone", nil)
			return
		case <-h.quit:
			return
		case <-c.done:
			h.log.LogAttrs(ctx, slog.LevelInfo, "stream client too slow; disconnected",
				slog.String("remote", r.RemoteAddr), slog.Int("queue", cap(c.queue)))
			// Returning would end the response cleanly and net/http would keep
			// the connection for another request, with the client's unread
			// backlog still in the socket. Aborting closes the connection
			// (HTTP/2: resets the stream); net/http logs nothing for this
			// value, and the defers above still run.
			panic(http.ErrAbortHandler)
		case rec := <-c.queue:
			batch = appendFrames(batch[:0], v, rec, c.queue)
			err = cw.write(batch...)
			clear(batch)
		case <-keepalive.C:
			var f []byte
			if f, err = encodeFrame(shared.EventKeepalive, "", nil, h.opts.Now()); err == nil {
				err = cw.write(f)
			}
		}
		if err != nil {
			h.logEnd(r, "write failed", err)
			return
		}
		// Go ≥ 1.23 timers: Reset after the timer fired needs no drain.
		keepalive.Reset(h.opts.Keepalive)
	}
}

// appendFrames appends rec's frame and those of the records already queued
// behind it, so a burst costs one flush.
func appendFrames(batch [][]byte, v *view, rec *record, queue <-chan *record) [][]byte {
	for {
		if f := rec.frameFor(v); f != nil {
			batch = append(batch, f)
		}
		if len(batch) >= maxBatch {
			return batch
		}
		select {
		case rec = <-queue:
		default:
			return batch
		}
	}
}

func (h *Hub) logEnd(r *http.Request, why string, err error) {
	if !h.log.Enabled(r.Context(), slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{slog.String("remote", r.RemoteAddr), slog.String("why", why)}
	if err != nil {
		attrs = append(attrs, slog.String("err", err.Error()))
	}
	h.log.LogAttrs(r.Context(), slog.LevelDebug, "stream client disconnected", attrs...)
}

// refuse answers a connection the hub will not take, with a delay after
// which EventSource (or the client's backoff) may try again.
func refuse(w http.ResponseWriter, err error) {
	hdr := w.Header()
	hdr.Del("Content-Type")
	hdr.Set("Retry-After", retryAfterSeconds)
	msg := err.Error() + "; retry in " + retryAfterSeconds + " seconds"
	if errors.Is(err, errTooMany) {
		msg = "too many live-update streams are open on this server; close some tabs or retry in " +
			retryAfterSeconds + " seconds"
	}
	http.Error(w, msg, http.StatusServiceUnavailable)
}
