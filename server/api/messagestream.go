package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"vibecraft.sh/helm/server/tail"
	"vibecraft.sh/helm/server/transcript"
	"vibecraft.sh/helm/shared"
)

// GET /api/sessions/{source}/{id}/messages/stream?after=<cursor> follows
// an open page (README "The session page"): an event `messages` whose
// data is exactly what GET …/messages?after=<cursor> answers, with
// `id: <its after>` so that a reconnect (Last-Event-ID) resumes there,
// or one marked again with messages above that, which changed
// (resettle.go);
// `reset` when the cursor went stale (the transcript was truncated or
// replaced): reload the last page, the stream goes on from the new end;
// `session` with the header's summary, `gone` when the session leaves the
// list (a subagent's page: when its transcript or its session's goes);
// `keepalive` on a quiet stream. One goroutine, the handler's, writes.

// PageHub is where page streams learn that their transcript may have
// changed (*tail.Hub).
type PageHub interface {
	Subscribe(paths ...string) (*tail.Sub, error)
}

// Page stream defaults.
const (
	defaultPageKeepalive = 30 * time.Second
	pageRetry            = 3000 // ms, the retry: field
	// pageWriteTimeout bounds one write: a client that stops reading is
	// dropped (and reconnects with its cursor) instead of pinning the
	// stream, and a shutdown waits at most this long for it.
	pageWriteTimeout = 10 * time.Second
	// retryAfterFull is the Retry-After of a 503 when every page stream
	// is taken, in seconds.
	retryAfterFull = "5"
)

// resetData is the data of a reset event.
type resetData struct {
	Reason string `json:"reason"`
	// After is where the stream goes on from: the end of the last page
	// the client is asked to load again.
	After string `json:"after"`
}

type pageReader func(ctx context.Context, q transcript.Query) (shared.MessagePage, error)

func (t *transcripts) stream(w http.ResponseWriter, r *http.Request) error {
	if t.d.Live == nil {
		return Errorf(http.StatusNotFound, "live session pages are off in this helmd")
	}
	s, err := t.pageSession(r)
	if err != nil {
		return err
	}
	q, err := pageQuery(r)
	if err != nil {
		return err
	}
	if q.Before != "" || q.Start {
		return Errorf(http.StatusBadRequest, "a stream follows the end: use after=, not before= or at=")
	}
	if id := lastEventID(r); id != "" {
		q.After = id // where the client got to, newer than the after= it opened with
	}
	if s.Source == shared.SourceOpenCode {
		if err := openCodeAgent(r); err != nil {
			return err
		}
	}
	agent := r.URL.Query().Get("agent")
	ps, sub, err := t.openPage(r.Context(), s, agent, q)
	var full *pagesFull
	switch {
	case errors.As(err, &full):
		w.Header().Set("Retry-After", retryAfterFull)
		if errors.Is(err, tail.ErrFull) {
			return Errorf(http.StatusServiceUnavailable, "%v; retry later", full.err)
		}
		return Errorf(http.StatusServiceUnavailable, "%v", full.err)
	case err != nil:
		return err
	}
	defer sub.Close()
	defer t.watchSession(ps, s, agent)()
	first, err := ps.read(r.Context(), q)
	stale := errors.Is(err, transcript.ErrStale)
	if err != nil && !stale {
		return pageError(err) // a bad cursor or a gone transcript: a status, before any event
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache, no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	if err := writeFlush(w, rc, []byte("retry: "+strconv.Itoa(pageRetry)+"\n\n")); err != nil {
		return nil
	}
	ps.emit = sseEmitter(w, rc)
	if err = ps.start(first, stale); err == nil {
		err = ps.look() // what it is now: it may have changed since the page read its header
	}
	if err == nil {
		err = ps.loop(sub, t.keepalive())
	}
	if err != nil && r.Context().Err() == nil {
		t.d.Logger.Debug("session page stream ended", "session", s.ID, "err", err)
	}
	return nil // the response has begun: nothing more can be said with a status
}

// pagesFull is a page refused by the tail hub: full, or closing.
type pagesFull struct{ err error }

func (e *pagesFull) Error() string { return e.err.Error() }
func (e *pagesFull) Unwrap() error { return e.err }

// openPage finds how session s's transcript (Claude: its subagent agent
// when not "") is read and followed, and subscribes to its changes
// before anything is read, so that a write in between is not missed: it
// pokes, and the next read sees it. The caller closes sub.
func (t *transcripts) openPage(ctx context.Context, s shared.Session, agent string, q transcript.Query) (*pageStream, *tail.Sub, error) {
	var paths []string
	var read pageReader
	var known, file, behind func() bool
	if s.Source == shared.SourceOpenCode {
		// The database's WAL and the legacy tree carry no session id a
		// path would name: any OpenCode write pokes, and the re-read
		// page decides whether this session changed.
		paths = t.d.OpenCodeWatch
		// The poke of a commit comes from its write to the -wal, which
		// can be a moment before the commit is published: a read in
		// between would miss it, and no later event would bring it.
		settler := t.d.OpenCode.NewSettler()
		read = func(ctx context.Context, q transcript.Query) (page shared.MessagePage, err error) {
			settler.Read(ctx, func() { page, err = transcript.OpenCodePage(ctx, t.d.OpenCode, s.ID, q) })
			return page, err
		}
	} else {
		path, err := t.claudePath(s.ID, agent)
		if err != nil {
			return nil, nil, err
		}
		paths = []string{path}
		read = func(_ context.Context, q transcript.Query) (shared.MessagePage, error) {
			return t.d.Files.Page(path, q)
		}
		// Its main transcript deleted or moved, the list may keep the
		// session, from its subagents' files, but its pages answer 404.
		known = func() bool { return t.d.Claude.HasTranscripts(s.ID) }
		behind = func() bool { return t.d.Files.Behind(path) }
		if agent != "" {
			// The file itself, not the last scan: a page stream hears of
			// a deletion before the list does.
			file = func() bool {
				_, err := os.Stat(path)
				return !errors.Is(err, fs.ErrNotExist)
			}
		}
	}
	sub, err := t.d.Live.Subscribe(paths...)
	if err != nil {
		return nil, nil, &pagesFull{err}
	}
	return &pageStream{read: read, q: q, ctx: ctx, known: known, file: file, behind: behind}, sub, nil
}

// start sends the first page read, or a reset when the cursor was stale.
func (ps *pageStream) start(first shared.MessagePage, stale bool) error {
	if stale {
		return ps.reset()
	}
	if ps.q.After != "" {
		ps.seed() // the page has the messages before its cursor already
	}
	return ps.send(first)
}

func (t *transcripts) keepalive() time.Duration {
	if t.d.Keepalive > 0 {
		return t.d.Keepalive
	}
	return defaultPageKeepalive
}

// lastEventID is the cursor a reconnecting EventSource sends, or the one
// a new EventSource passes as ?lastEventId=.
func lastEventID(r *http.Request) string {
	if id := r.Header.Get("Last-Event-ID"); id != "" {
		return id
	}
	return r.URL.Query().Get("lastEventId")
}

// pageStream is the state of one page stream, owned by its handler.
type pageStream struct {
	// emit sends one event (SSE: a frame; WebSocket: a message).
	emit func(typ, id string, data []byte) error
	ctx  context.Context
	read pageReader
	q    transcript.Query // q.After: the cursor of the last event
	// last is a hash of the last messages data sent: a poke that changed
	// nothing this page shows (another session's write, a touch) sends
	// nothing. A hash, not the bytes, so a stream holds no page between
	// events.
	last uint64
	// tail is a hash of the last message sent (its cursor is q.After): a
	// page after that cursor holding only it, unchanged, is nothing new,
	// however it compares with the whole last page (a poke by a line the
	// page does not show, a change of the session's summary).
	tail uint64
	// changed signals a change of the session's published summary,
	// lookup reads it (nil: no session events, and only a subagent's
	// page is told gone); header: it is sent as session events (not on a
	// subagent's page, whose header is its parent's); lastSession is a
	// hash of the last one sent.
	changed     <-chan struct{}
	lookup      func() (shared.Session, bool)
	header      bool
	lastSession uint64
	// behind says whether the transcript may hold a line the page did not
	// take (transcript.Files.Behind; nil: never, as OpenCode's commits
	// poke the stream themselves).
	behind func() bool
	// known says whether helmd still has a Claude session's transcripts
	// (nil: OpenCode's); file, on a subagent's page, whether its
	// transcript is there (nil on a session's page).
	known, file func() bool
	// listed: the session (and a subagent's transcript) was there when
	// the stream last looked; gone: a gone event was sent since.
	listed, gone bool
	// open is the messages the page holds that show a call running,
	// oldest first, at most maxOpen (resettle.go).
	open []openMsg
}

// watchSession has ps follow s's published summary, so that it sends
// session and gone events; the page stream and the socket's follower
// both call it, so a transcript followed either way hears the same. It
// also notes whether the session is there now, before the page's first
// event is read: from then on its going is news to the page. The
// returned func ends the watch.
func (t *transcripts) watchSession(ps *pageStream, s shared.Session, agent string) (cancel func()) {
	cancel = func() {}
	if t.d.Published != nil {
		key := s.Key()
		ps.changed, cancel = t.d.Published.Watch(key)
		ps.lookup = func() (shared.Session, bool) { return t.d.Published.Lookup(key) }
		ps.header = agent == "" // a subagent's page has its parent's header: it hears only that it went
	}
	_, ps.listed = ps.present()
	return cancel
}

// look tells the page what became of its session: its published summary
// as a session event (the page's header), unless it is what was sent
// last. When a session it has seen leaves the list, or helmd no longer
// has its transcript (deleted or moved: the detail answers 404 now, even
// with the session listed from its subagents' files), it sends a gone event,
// so that a page left open says so instead of showing the session as
// current; back in the list, the session is sent again, even unchanged.
// A session not listed yet (a new one, which the list publishes after
// its --debounce) is not gone. A subagent's page gets no session event,
// but goes with its session and with its own transcript; back, it gets
// the messages after its cursor again, even unchanged (or a reset).
func (ps *pageStream) look() error {
	if ps.lookup == nil && ps.file == nil {
		return nil // no session events, and nothing to go
	}
	s, ok := ps.present()
	if !ok {
		if !ps.listed || ps.unlisted() {
			return nil
		}
		ps.listed, ps.gone, ps.lastSession = false, true, 0
		reason := "helmd no longer has this session: its transcript was deleted or moved"
		if ps.file != nil {
			reason = "helmd no longer has this subagent's transcript: it, or its session's, was deleted or moved"
		}
		return ps.frame("gone", "", []byte(`{"reason":"`+reason+`"}`))
	}
	back := ps.gone
	ps.listed, ps.gone = true, false
	if ps.header {
		if _, err := ps.sendChanged("session", "", s, &ps.lastSession); err != nil {
			return err
		}
	} else if back {
		ps.last, ps.tail = 0, 0 // sent again, even unchanged: the page has its messages again
	}
	// A change of the summary may be the list taking a last line without
	// '\n' once the file went quiet (written.TailQuiet), which no write
	// announces: the page takes it too, when its file has bytes the page's
	// index did not take (a stat, not a read of the page, at every change).
	if !back && (ps.behind == nil || !ps.behind()) {
		return nil
	}
	return ps.update()
}

// present returns the session's published summary, and whether the page
// still has what it shows: its session listed, its transcripts known,
// and a subagent's file there.
func (ps *pageStream) present() (s shared.Session, ok bool) {
	ok = true
	if ps.lookup != nil {
		s, ok = ps.lookup()
	}
	for _, there := range []func() bool{ps.known, ps.file} {
		if ok && there != nil {
			ok = there()
		}
	}
	return s, ok
}

// unlisted reports whether the session is out of the list while helmd
// still has its transcripts: one rewritten in place holds no complete
// line for a moment, and the list leaves it out until it reads the file
// again (claude: build). Its page is not told gone: its pages still read
// (pageSession), and the list has it back at its next read.
func (ps *pageStream) unlisted() bool {
	if ps.lookup == nil || ps.known == nil || !ps.known() {
		return false
	}
	if _, listed := ps.lookup(); listed {
		return false
	}
	return ps.file == nil || ps.file()
}

// poked reads what a change of the transcript brought. A subagent's page
// first looks whether the change took its transcript away, or brought it
// back (look reads it then); while it is gone there is nothing to read.
func (ps *pageStream) poked() error {
	if ps.file != nil {
		was := ps.gone
		if err := ps.look(); err != nil || ps.gone || was {
			return err
		}
	}
	return ps.update()
}

// sendChanged sends v as a typ event with id, unless its encoding is the
// one whose hash *last holds, and then notes its hash there. It reports
// whether it sent.
func (ps *pageStream) sendChanged(typ, id string, v any, last *uint64) (bool, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return false, fmt.Errorf("encode the %s event: %w", typ, err)
	}
	sum := hash(data)
	if sum == *last {
		return false, nil
	}
	if err := ps.frame(typ, id, data); err != nil {
		return false, err
	}
	*last = sum
	return true, nil
}

// loop waits for pokes, keepalives and the end.
func (ps *pageStream) loop(sub *tail.Sub, keepalive time.Duration) error {
	ka := time.NewTimer(keepalive)
	defer ka.Stop()
	for {
		select {
		case <-ps.ctx.Done():
			return nil
		case <-sub.Done():
			return nil
		case <-ka.C:
			data := `{"timestamp":` + strconv.FormatInt(time.Now().UnixMilli(), 10) + `}`
			if err := ps.frame("keepalive", "", []byte(data)); err != nil {
				return err
			}
		case <-sub.C:
			if err := ps.poked(); err != nil {
				return err
			}
		case <-ps.changed: // nil without Published: never ready
			if err := ps.look(); err != nil {
				return err
			}
		}
		ka.Reset(keepalive)
	}
}

// update reads what was written after the cursor and sends it, page by
// page while the limit stops a page short.
func (ps *pageStream) update() error {
	news := false // a page was sent: what it brought may end calls above it
	for {
		page, err := ps.read(ps.ctx, ps.q)
		switch {
		case errors.Is(err, transcript.ErrStale):
			return ps.reset()
		case errors.Is(err, transcript.ErrNotFound):
			// Gone for now (a rewrite renames a new file in): the next
			// poke finds the new one stale, or this one back.
			return nil
		case err != nil:
			return fmt.Errorf("read the page: %w", err)
		}
		sent := ps.last
		if err := ps.send(page); err != nil {
			return err
		}
		if ps.last != sent {
			news = true
		}
		if !page.More || ps.ctx.Err() != nil {
			break
		}
	}
	if !news || ps.ctx.Err() != nil {
		return nil
	}
	return ps.resettle()
}

// send writes page as a messages event, unless it is what was sent last,
// or only the last message sent, unchanged.
func (ps *pageStream) send(page shared.MessagePage) error {
	n := len(page.Messages)
	if n == 1 && !page.More && page.After == ps.q.After && ps.tail != 0 && messageHash(page.Messages[0]) == ps.tail {
		return nil
	}
	sent, err := ps.sendChanged("messages", page.After, page, &ps.last)
	if sent {
		ps.q.After, ps.tail = page.After, 0
		if n > 0 {
			ps.tail = messageHash(page.Messages[n-1])
		}
		ps.track(page.Messages)
	}
	return err
}

// messageHash is a hash of m's encoding, 0 if it has none.
func messageHash(m shared.Message) uint64 {
	b, err := json.Marshal(m)
	if err != nil {
		return 0
	}
	return hash(b)
}

// reset tells the client its cursor went stale, and moves the stream's
// cursor to the end of the transcript as it is now: the page the client
// reloads ends there, so the next event follows on from it.
func (ps *pageStream) reset() error {
	// A few messages, not one: an OpenCode answer still written with
	// prompts queued after it is where a page's end cursor stays
	// (transcript.OpenCodePage), as in the page the client reloads.
	page, err := ps.read(ps.ctx, transcript.Query{Limit: 8})
	if err != nil && !errors.Is(err, transcript.ErrNotFound) {
		return fmt.Errorf("read the new end: %w", err)
	}
	// What after= that cursor answers now will be in the page the client
	// reloads: only what changes from here on is to be sent. Read before
	// the reset goes out: a write the client makes once it has seen the
	// reset must not be taken for what it already holds.
	ps.q.After, ps.last, ps.tail, ps.open = page.After, 0, 0, nil
	ps.track(page.Messages) // what the reloaded page will show
	if cur, err := ps.read(ps.ctx, ps.q); err == nil {
		if b, err := json.Marshal(cur); err == nil {
			ps.last = hash(b)
		}
	}
	data, err := json.Marshal(resetData{Reason: "the transcript was rewritten: load the last page again", After: page.After})
	if err != nil {
		return fmt.Errorf("encode reset: %w", err)
	}
	return ps.frame("reset", page.After, data)
}

// frame sends one event. Types are constants and ids are base64url
// cursors, and encoding/json escapes line breaks in strings: a CR, LF or
// NUL here would let transcript text inject fields, so it is refused.
func (ps *pageStream) frame(typ, id string, data []byte) error {
	if strings.ContainsAny(id, "\r\n\x00") || bytes.ContainsAny(data, "\r\n") {
		return fmt.Errorf("%s event: a line break in its id or data", typ)
	}
	return ps.emit(typ, id, data)
}

// sseEmitter writes each event as an SSE frame to w and flushes it.
func sseEmitter(w http.ResponseWriter, rc *http.ResponseController) func(typ, id string, data []byte) error {
	return func(typ, id string, data []byte) error {
		b := make([]byte, 0, len(data)+len(id)+32)
		b = append(b, "event: "...)
		b = append(b, typ...)
		if id != "" {
			b = append(b, "\nid: "...)
			b = append(b, id...)
		}
		b = append(b, "\ndata: "...)
		b = append(b, data...)
		b = append(b, "\n\n"...)
		return writeFlush(w, rc, b)
	}
}

func writeFlush(w http.ResponseWriter, rc *http.ResponseController, b []byte) error {
	// ErrNotSupported (a writer without deadlines) writes without one.
	_ = rc.SetWriteDeadline(time.Now().Add(pageWriteTimeout))
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	if err := rc.Flush(); err != nil {
		return fmt.Errorf("flush: %w", err)
	}
	return nil
}

func hash(b []byte) uint64 {
	h := fnv.New64a()
	h.Write(b)
	return h.Sum64()
}
