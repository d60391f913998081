package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"

	"vibecraft.sh/helm/server/internal/httperr"
	"vibecraft.sh/helm/shared"
)

// Reconnection after a dropped stream: from retryMin doubling to
// retryMax, so a restarting helmd is found again within seconds.
const (
	retryMin = 500 * time.Millisecond
	retryMax = 10 * time.Second
)

// idleLimit ends a stream that sent nothing, keepalives included, for
// this long (helmd's default keepalive is 30 s): it is dead, not quiet.
const idleLimit = 75 * time.Second

// Why a stream ends when its connection does not fail.
var (
	errStreamClosed = errors.New("helmd closed the stream")
	errSilent       = fmt.Errorf("nothing received for %v", idleLimit)
)

// watcher follows /api/sessions/stream and reports changes.
type watcher struct {
	c        *client
	o        IO
	json     bool
	count    bool // --waiting --count: print the number of sessions that need the user (shared.NeedsYou: as the page's badge, not cleared) on change
	sessions map[string]shared.Session
	synced   bool              // an init was applied: later inits are diffed, not taken as the start
	lastID   string            // the resume cursor
	lastN    int               // last count printed; -1 before any
	lostWhy  string            // while the stream is lost, the reason last said (reason); "" once connected
	shown    map[string]string // by session key, the facts of the last line printed for it (fresh)
	hosts    map[string]bool   // the machines sessions were seen of (Host): past one, lines name theirs
	enc      *json.Encoder
	// streamed: helmd answered with its stream at least once, so an end
	// of it, even before its first event (helmd stopped or restarted
	// during its first scan), is a drop to reconnect after, not nothing
	// to watch.
	streamed bool
}

// watchFlags is `helmd watch`: one line per change until interrupted.
func watchFlags(fs *flag.FlagSet, o IO) runFunc {
	asJSON := fs.Bool("json", false, "print one JSON object per change (NDJSON)")
	waiting := fs.Bool("waiting", false, "with --count: count the sessions waiting for you (not cleared), as the page's badge")
	cnt := fs.Bool("count", false, "print only the number of sessions waiting for you, whenever it changes (needs --waiting)")
	scanWait := scanWaitFlag(fs)
	return func(ctx context.Context, c *client) error {
		c.scanWait = *scanWait
		if *cnt != *waiting {
			return errors.New("--waiting and --count go together: `helmd watch --waiting --count`")
		}
		w := &watcher{c: c, o: o, json: *asJSON, count: *cnt, sessions: map[string]shared.Session{}, lastN: -1,
			shown: map[string]string{}, hosts: map[string]bool{},
			enc: json.NewEncoder(o.Stdout)}
		return w.run(ctx)
	}
}

// run follows the stream until ctx ends (nil: an interrupt is the normal
// way out, no error to say; main then ends by the signal). A refused
// first connection is ErrNotRunning; later drops are retried with
// Last-Event-ID, so nothing is missed or repeated.
func (w *watcher) run(ctx context.Context) error {
	delay := retryMin
	for first := true; ; first = false {
		got, err := w.follow(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if errors.Is(err, errListAtDeadline) {
			continue // it has the list: resume it, with no wait and no word
		}
		var fatal *Error
		if errors.As(err, &fatal) || errors.Is(err, errScanTooLong) || (first && !got && !w.streamed && err != nil) {
			return err // stdout is gone, helmd's first scan outlasted --scan-wait, or there is nothing to watch: say why at once
		}
		if got {
			delay = retryMin
		}
		w.lost(err)
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		delay = min(2*delay, retryMax)
	}
}

// follow reads one connection. got reports that it delivered an event.
func (w *watcher) follow(ctx context.Context) (got bool, err error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	h := http.Header{"Accept": {"text/event-stream"}}
	if w.lastID != "" {
		h.Set("Last-Event-ID", w.lastID)
	}
	start := time.Now()
	resp, err := w.c.request(ctx, "/api/sessions/stream", h)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "text/event-stream" {
		// A page answered (another server's): it would read as a
		// stream that closed at once, retried forever.
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
		return false, w.c.notHelmd(answered(resp.StatusCode, resp.Header.Get("Content-Type"), b), errors.New("its answer is not an event stream"))
	}
	w.back()
	w.streamed = true
	var scanLimit *time.Timer
	if resp.Header.Get(httperr.FirstScanHeader) != "" && !w.synced {
		if scanLimit, err = w.awaitScan(start, cancel); err != nil {
			return false, err
		}
		defer scanLimit.Stop()
	}
	idle := time.AfterFunc(idleLimit, func() { cancel(errSilent) })
	defer idle.Stop()
	r := newSSEReader(resp.Body, maxBody)
	for {
		ev, err := r.next()
		if err != nil {
			if c := context.Cause(ctx); c != nil && ctx.Err() != nil {
				err = c
			}
			if errors.Is(err, io.EOF) {
				err = errStreamClosed
			}
			return got, err
		}
		idle.Reset(idleLimit)
		// The list came: the scan is over. The timer is stopped before
		// the list is applied (printed, to a stdout that may be slow),
		// so a deadline passing meanwhile does not end the watch saying
		// the scan outlasted --scan-wait. Had it fired already, the
		// connection is being cut: the list is applied and the stream
		// resumed from it at once (run).
		late := false
		if scanLimit != nil && shared.EventType(ev.typ).IsSnapshot() {
			late = !scanLimit.Stop()
			scanLimit = nil
		}
		if err := w.apply(ev); err != nil {
			return got, err
		}
		got = true
		if late {
			return got, errListAtDeadline
		}
	}
}

// errListAtDeadline ends a connection whose list came as --scan-wait ran
// out: the timer had cut it, but the scan did not outlast the wait, and
// run resumes the stream at once, without a word.
var errListAtDeadline = errors.New("the list came as --scan-wait ran out")

// errScanning is helmd's answer to a stream asked for during its first
// scan: the head, marked httperr.FirstScanHeader, and the list once the
// scan is done.
var errScanning = errors.New("helmd answered the stream during its first scan")

// awaitScan waits, on a stream that began at start and that helmd
// answered during its first scan, for the list, as helmd ls waits out
// the 503 helmd answers it with then: it says once that it waits, and
// gives up, saying so, once --scan-wait has passed since then, ending
// the stream by cancel with why (run does not retry that). It returns
// the timer to stop once the list has come. Until this, helmd held the
// stream before its head for the scan, and helmd watch gave up after
// 15 s (headerTimeout) saying helmd was stuck. A watch that has had a
// list waits for a restarted helmd's scan without a word or a bound:
// it has said that it reconnects, and does until ^C.
func (w *watcher) awaitScan(start time.Time, cancel context.CancelCauseFunc) (*time.Timer, error) {
	since, first := w.c.scanBegun(start)
	left := w.c.scanWait - time.Since(since)
	if left <= 0 {
		return nil, w.c.scanTooLong(since, errScanning)
	}
	if first {
		w.c.sayScanWait()
	}
	return time.AfterFunc(left, func() { cancel(w.c.scanTooLong(since, errScanning)) }), nil
}

// lost says on stderr that the stream dropped, once, and then each new
// reason a retry fails for, once: the retries that fail as the one before
// are quiet until one connects (back). A line per retry buried the
// terminal while helmd was down for a restart; a line for the first
// reason only left the user thinking helmd was still down when it was
// back but refused the token. stdout stays the changes alone, for
// scripts.
func (w *watcher) lost(err error) {
	why := reason(err)
	switch w.lostWhy {
	case why:
		return
	case "":
		fmt.Fprintf(w.o.Stderr, "helmd watch: lost helmd at %s (%v); reconnecting…\n", w.c.base, err)
	default:
		// err says what to do in the words the other commands use
		// (client.request): the token to give, helmd to start.
		fmt.Fprintf(w.o.Stderr, "helmd watch: still reconnecting to helmd at %s, now: %v\n", w.c.base, err)
	}
	w.lostWhy = why
}

// reason is the kind of failure err is, which lost compares: its text
// may differ between two retries failing alike (a port, a duration).
func reason(err error) string {
	var status httpStatus
	var errno syscall.Errno
	var netErr net.Error
	switch {
	case errors.Is(err, ErrNotRunning):
		return "refused"
	case errors.Is(err, errNotHelmd):
		return "not helmd"
	case errors.Is(err, errNoAnswer), errors.Is(err, errHelmdSilent):
		return "no answer"
	case errors.Is(err, errUnauthorized):
		return "401 unauthorized"
	case errors.Is(err, errNotFound):
		return "404 not found"
	case errors.As(err, &status):
		return "HTTP " + status.Error()
	case errors.Is(err, errNotProven):
		return "not proven"
	case errors.Is(err, errNoTokenClaim):
		return "no token claimed"
	case errors.As(err, &errno): // reset, unreachable…
		return errno.Error()
	case errors.As(err, &netErr) && netErr.Timeout():
		return "timeout"
	case errors.Is(err, errStreamClosed), errors.Is(err, io.ErrUnexpectedEOF):
		return "closed"
	case errors.Is(err, errSilent):
		return "silent"
	}
	return "other"
}

// back says on stderr that a connection is open again after lost: the
// changes missed meanwhile follow on stdout. The stream is back once
// helmd answers it, not at its first event: a resumed stream that missed
// nothing may send none until its keepalive, 30 s later.
func (w *watcher) back() {
	if w.lostWhy == "" {
		return
	}
	w.lostWhy = ""
	fmt.Fprintf(w.o.Stderr, "helmd watch: back in touch with helmd at %s\n", w.c.base)
}

// change is one line of `helmd watch --json`.
type change struct {
	Event   shared.EventType `json:"event"` // session-created, session-updated or session-deleted
	ID      string           `json:"id,omitempty"`
	Session shared.Session   `json:"session"` // whole, changes merged
}

// apply merges an event into the held list and reports what changed.
func (w *watcher) apply(ev sseEvent) error {
	typ := shared.EventType(ev.typ)
	switch typ {
	case shared.EventInit, shared.EventRefresh, shared.EventSessionCreated, shared.EventSessionUpdated, shared.EventSessionDeleted:
	default:
		return nil // keepalive, or a type this client does not know
	}
	dec, err := shared.DecodeEvent(typ, ev.data, func(k string) (shared.Session, bool) {
		s, ok := w.sessions[k]
		return s, ok
	})
	if err != nil {
		return fmt.Errorf("bad event from helmd: %w", err)
	}
	var out []change
	if typ.IsSnapshot() {
		next := make(map[string]shared.Session, len(dec.Sessions))
		for _, s := range dec.Sessions {
			next[s.Key()] = s
			w.seeHost(s)
		}
		if w.synced { // a refresh, or an init after a reconnect: what differs
			out = diff(w.sessions, next)
		}
		w.sessions, w.synced = next, true
	} else {
		for _, s := range dec.Sessions {
			w.seeHost(s)
			if typ == shared.EventSessionDeleted {
				delete(w.sessions, s.Key())
			} else {
				w.sessions[s.Key()] = s
			}
			out = append(out, change{Event: typ, Session: s})
		}
	}
	if ev.hasID {
		w.lastID = ev.id
	}
	for i := range out {
		out[i].ID = w.lastID
	}
	return w.report(out)
}

// seeHost notes the machine s is of (none without a fleet).
func (w *watcher) seeHost(s shared.Session) {
	if s.Host != "" {
		w.hosts[s.Host] = true
	}
}

// machine reports whether a line names the machine of s: on a hub (helmd
// --fleet), where sessions of several machines, or of another one, are
// listed, as helmd ls's MACHINE does. A machine that goes offline is
// said so ("offline", statusCell) with its name.
func (w *watcher) machine(s shared.Session) bool {
	return s.Host != "" && (s.Remote || len(w.hosts) > 1)
}

// diff returns the changes that turn old into cur, as events would.
func diff(old, cur map[string]shared.Session) []change {
	var out []change
	for k, s := range cur {
		if o, ok := old[k]; !ok {
			out = append(out, change{Event: shared.EventSessionCreated, Session: s})
		} else if o != s {
			out = append(out, change{Event: shared.EventSessionUpdated, Session: s})
		}
	}
	for k, s := range old {
		if _, ok := cur[k]; !ok {
			out = append(out, change{Event: shared.EventSessionDeleted, Session: s})
		}
	}
	return out
}

func (w *watcher) report(changes []change) error {
	if w.count {
		n := 0
		for _, s := range w.sessions {
			if shared.NeedsYou(&s) {
				n++
			}
		}
		if n == w.lastN {
			return nil
		}
		w.lastN = n
		var err error
		if w.json {
			err = w.enc.Encode(map[string]int{"waiting": n})
		} else {
			_, err = fmt.Fprintln(w.o.Stdout, n)
		}
		if err != nil {
			return &Error{Code: ExitError, Err: fmt.Errorf("write: %w", err)}
		}
		return nil
	}
	for _, ch := range changes {
		var err error
		if w.json {
			err = w.enc.Encode(ch)
		} else {
			machine := w.machine(ch.Session)
			if !w.fresh(ch, facts(ch.Session, machine)) {
				continue
			}
			_, err = fmt.Fprintln(w.o.Stdout, line(ch, machine, w.o.Now(), lineWidth(w.o)))
		}
		if err != nil {
			return &Error{Code: ExitError, Err: fmt.Errorf("write: %w", err)}
		}
	}
	return nil
}

// fresh reports whether facts, what the line of ch says about its
// session (facts), say something about its
// session that the last line printed for it did not: an update of what
// a line does not show (the session's time, its tokens, its model)
// printed the line before it again, with only the time and the verb
// changed ("new" then "updated"), and two lines alike read as a fault.
// A new session and a gone one always print. --json does not ask: it
// carries every field, and scripts may want each event.
func (w *watcher) fresh(ch change, facts string) bool {
	k := ch.Session.Key()
	switch ch.Event {
	case shared.EventSessionDeleted:
		delete(w.shown, k)
		return true
	case shared.EventSessionUpdated:
		if last, ok := w.shown[k]; ok && last == facts {
			return false
		}
	}
	w.shown[k] = facts
	return true
}

var verbs = map[shared.EventType]string{
	shared.EventSessionCreated: "new",
	shared.EventSessionUpdated: "updated",
	shared.EventSessionDeleted: "gone",
}

// line is a change in words: time, what happened, status (with why a
// session waits when its assistant is stopped mid-turn, as helmd ls
// says it: "waiting (permission: Bash)"; "offline" for a machine gone
// silent), title, then, with machine, the machine ("on beta"), project,
// message count and cost; at most limit columns wide (0: no limit). It
// gives up columns to a narrow terminal in the order of lineSteps, each
// step taking no more than the line is over; below them all it is cut.
func line(ch change, machine bool, now time.Time, limit int) string {
	s := ch.Session
	l := lineParts{now: now.Format("15:04:05"), verb: verbs[ch.Event], status: statusCell(s),
		title: clean(s.Title), project: cut(clean(s.ProjectName), 24),
		figures: plural(s.MessageCount, "msg", "msgs") + ", " + costCell(s)}
	if machine {
		l.machine = cut(clean(s.Host), 16)
	}
	if limit <= 0 {
		return l.String()
	}
	for _, step := range lineSteps {
		over := width(l.String()) - limit
		if over <= 0 {
			break
		}
		step(&l, over)
	}
	return cut(l.String(), limit)
}

// lineParts are the parts of a change's line that give way.
type lineParts struct {
	now, verb, status, title, machine, project, figures string
}

// facts is what a line says about s, without the time and what
// happened, whole: not as a narrow terminal cut it. fresh compared the
// cut parts, so at 80 columns, where the reason is cut, a session
// waiting for input that became blocked on a permission printed nothing.
func facts(s shared.Session, machine bool) string {
	host := ""
	if machine {
		host = clean(s.Host)
	}
	return strings.Join([]string{statusCell(s), clean(s.Title), host, clean(s.ProjectName), plural(s.MessageCount, "msg", "msgs"), costCell(s)}, "\x00")
}

func (l lineParts) String() string {
	var more []string
	if l.machine != "" {
		more = append(more, "on "+l.machine)
	}
	for _, p := range []string{l.project, l.figures} {
		if p != "" {
			more = append(more, p)
		}
	}
	tail := ""
	if len(more) > 0 {
		tail = "  (" + strings.Join(more, ", ") + ")"
	}
	return fmt.Sprintf("%s  %-7s  %-7s  %s%s", l.now, l.verb, l.status, l.title, tail)
}

// shorten cuts *s by up to over columns, not below floor.
func shorten(s *string, over, floor int) {
	if w := width(*s); w > floor {
		*s = cut(*s, max(floor, w-over))
	}
}

// lineSteps is the order in which a change's line gives up columns, as
// helmd ls's table does: the title to 24, the project to 12, the title
// to 16 and the project to 8; then the message count and cost, the
// project; only then why a session waits (whole: "waiting"), what the
// user has to do, which went before the figures and left "updated
// waiting" for a new permission prompt at 80 columns; and the title
// down to 8; the machine, which tells two sessions of one title apart,
// gives way with the project, to 8, and goes last. At 40 columns a line
// still says when, what, the status and the title's first words.
var lineSteps = []func(l *lineParts, over int){
	func(l *lineParts, over int) { shorten(&l.title, over, 24) },
	func(l *lineParts, over int) { shorten(&l.project, over, 12) },
	func(l *lineParts, over int) { shorten(&l.title, over, 16) },
	func(l *lineParts, over int) { shorten(&l.project, over, 8) },
	func(l *lineParts, over int) { shorten(&l.machine, over, 8) },
	func(l *lineParts, over int) { l.figures = "" },
	func(l *lineParts, over int) { l.project = "" },
	func(l *lineParts, over int) { l.status = statusCut(l.status, 0) },
	func(l *lineParts, over int) { shorten(&l.title, over, 8) },
	func(l *lineParts, over int) { l.machine = "" },
}
