package attn

import (
	"errors"
	"strings"
	"time"

	"vibecraft.sh/helm/shared"
)

// DefaultWaitingTTL is how long a waiting or ended hint lasts without
// newer evidence, as a waiting transcript does (--waiting-ttl).
const DefaultWaitingTTL = 12 * time.Hour

// workingTTL is how long a "working" hint lasts: a prompt is followed by
// records within seconds, which supersede it; one that is not is a guess
// that should not outlive the active window.
const workingTTL = 2 * time.Minute

// maxHints bounds the hints held for listed sessions; past it the
// oldest go.
const maxHints = 4096

// maxPending bounds, apart, the hints held for sessions no source has
// reported: a hook can come before its transcript is read, but any
// caller with the token can send hints for ids helmd does not list
// (another machine's, made up), and those must never make room by
// pushing out the wait of a listed session.
const maxPending = 1024

// hint is a Hint as held: when it ends, and the session as its source
// last reported it (under the hint), which shows again when the hint
// expires.
type hint struct {
	Hint
	expires time.Time
	since   int64 // start (epoch ms) of the wait shown, when before At: one told again keeps it
	own     shared.Session
	known   bool // own holds a report
	// resumed: h is a SessionStart after the session's SessionEnd, and
	// the files show nothing since (doubtful). In memory only: a restart
	// between a resume and a late hook of the ended process is rare, and
	// costs at most workingTTL of "working".
	resumed bool
	// dialog names the permission dialog a PermissionRequest told of
	// this wait (dialogOf); "" when none did. A wait told again by a
	// Notification keeps it: a later PermissionRequest is another dialog.
	dialog string
}

// unnamed is a hint's dialog when a PermissionRequest told of its wait
// without naming the dialog: no tool input came with it, or the hint was
// kept across a restart by a file that holds no digest for it (an older
// helmd's).
const unnamed = "?"

// dialogOf is the dialog h tells of: its Prompt, unnamed when it gives
// none; "" when h is not a PermissionRequest.
func dialogOf(h Hint) string {
	switch {
	case h.Event != "PermissionRequest":
		return ""
	case h.Prompt != "":
		return h.Prompt
	}
	return unnamed
}

// anotherDialog reports whether h tells of a permission dialog other than
// the one that old, a wait, was told of. Claude Code runs the
// PermissionRequest hook once for each dialog it shows: the tool calls
// of one message (two Bash calls, say) are asked one after the other,
// with as many messages and the same kind of ask, so the files cannot
// tell them apart when the next hook beats the read of the first tool's
// result; taken for one wait, the second prompt kept the first one's
// start and its clear. One dialog told twice (Helm's hook installed
// twice) names the same dialog; one told unnamed is taken for another.
func anotherDialog(h Hint, old *hint) bool {
	d := dialogOf(h)
	return d != "" && old.dialog != "" && old.Status == shared.StatusWaiting && (d == unnamed || d != old.dialog)
}

// sourceStatus is the status the session's source last reported, "" when
// it has not reported the session yet: what a move to working is judged
// against.
func (h *hint) sourceStatus() shared.Status {
	if h.known {
		return h.own.Status
	}
	return ""
}

// Overlay applies hints and clears to sessions as their sources report
// them. A hint wins until the source has newer evidence (a record or a
// registry change after it, or a move to working, which an approved
// permission prompt shows only through the registry), or until it
// expires. A clear lasts until the session changes after it.
//
// It keeps nothing per session but what hints and clears need: a
// session's status as its source last reported it is, without a hint,
// the status the index holds (Add's cur), and with one, the hint's own
// copy of the report; a map of every session's status beside them cost
// 9 MB at 100,000 sessions.
type Overlay struct {
	ttl     time.Duration
	hints   map[string]*hint
	pending int // hints held whose session no source has reported (!known)
	cleared *Cleared
	// asks reports whether a session's files hold, without its result
	// yet, the tool call a permission dialog names (AskCalls); nil: no
	// source can tell.
	asks func(s *shared.Session, dialog string) bool
	// ended reports whether a session's process is known to have ended
	// (ProcessEnded); nil: no source can tell.
	ended func(s *shared.Session) bool
	// dialog names the dialog a session waits on from its files
	// (NameDialogs); nil: no source can tell.
	dialog func(s *shared.Session) (reason, question string)

	// The hints file (kept.go): "" keeps hints in memory only.
	file    string
	kept    map[string]*hint // loaded from the file, not yet met by a scan
	dirty   bool             // the hints of listed sessions changed since the last save
	urgent  bool             // and a restart would show one other than the list does (saveDue)
	savedAt time.Time        // the hints file's last write
}

// NewOverlay returns an Overlay whose waiting hints last ttl (0: the
// default) over the clears in c (nil: none kept).
func NewOverlay(ttl time.Duration, c *Cleared) *Overlay {
	if ttl <= 0 {
		ttl = DefaultWaitingTTL
	}
	if c == nil {
		c = NewCleared("", nil)
	}
	return &Overlay{ttl: ttl, hints: map[string]*hint{}, cleared: c}
}

// AskCalls lets the wait of a permission dialog named by its hook (Hint.
// Prompt) outlast records written after it while asks says the call it
// asks for is still without a result and not yet running. Claude Code
// asks for the parallel calls of one message (two WebFetch calls) one
// after the other: once the first is allowed, its result is written
// while the second dialog waits, a record newer than that dialog's hook,
// which took the session for going on and showed it working until the
// Notification six seconds later said again that it waits. The second call's own result, or a
// new prompt (which leaves no call pending), still ends the wait; so
// does the call once it runs (its progress records, the user having
// allowed it, with no hook to say so), or its dialog would wait as long
// as the call does: minutes of an npm test.
func (o *Overlay) AskCalls(asks func(s *shared.Session, dialog string) bool) { o.asks = asks }

// NameDialogs lets a wait its hook told only as a permission prompt (the
// Notification's permission_prompt, which Claude Code sends for a
// question's and a plan's dialog too) show as the dialog its session's
// files name (ReasonQuestion, ReasonPlan, with what it asks), when no
// PermissionRequest hook named it: its row then says "question" rather
// than "needs approval", and its notification the question.
func (o *Overlay) NameDialogs(dialog func(s *shared.Session) (reason, question string)) {
	o.dialog = dialog
}

// ProcessEnded lets a hint of a running session (any but SessionEnd's)
// end when ended says the session's process is known to have ended. A
// process killed while it waits (kill -9, a closed terminal) runs no
// SessionEnd hook and writes no record: its last hook's wait (a Stop's,
// a permission dialog's) had nothing newer to end it, and showed the
// session in Needs you for the hint's whole TTL, after its source had
// seen the process gone. A restart sees the same (the registry entry
// stays), so the hint is dropped as by the files.
func (o *Overlay) ProcessEnded(ended func(s *shared.Session) bool) { o.ended = ended }

// Add records h. It returns the session as h makes it, when cur (the
// session as published now) is known; ok is false when it is not yet, in
// which case h waits for the source to report the session, and when h is
// dropped: a hook of a session whose SessionEnd came first, other than
// one that resumes it, and one that says it works right after a resume
// (doubtful).
//
// Past maxPending hints of sessions not listed, the oldest of those
// makes room: they never push out a listed session's. Past maxHints
// hints of listed sessions, the oldest of them makes room, and its
// session, published as that hint made it, is returned in evicted as its
// source last reported it: the caller publishes it before it passes Add another cur, or the
// index would go on showing the evicted hint, and a later hint for that
// session would take the evicted hint's status for its source's (Add
// reads the source's report from cur when no hint is held).
func (o *Overlay) Add(h Hint, cur shared.Session, known bool) (s shared.Session, ok bool, evicted []shared.Session) {
	key := h.Key()
	if old, held := o.hints[key]; held && ended(old.Hint) && !resumes(h) {
		// A hook of the process that ended, slower than its SessionEnd:
		// a Stop so late would show the ended session waiting for the
		// whole TTL, with no process left to end the wait.
		return shared.Session{}, false, nil
	}
	if old, held := o.hints[key]; held && old.resumed && doubtful(h) {
		return shared.Session{}, false, nil
	}
	if o.late(key, h, cur, known) {
		return shared.Session{}, false, nil
	}
	ttl := o.ttl
	if h.Status == shared.StatusWorking {
		ttl = workingTTL
	}
	if _, held := o.hints[key]; !held {
		switch {
		case known && len(o.hints)-o.pending >= maxHints:
			if own, shown := o.evictOldest(true); shown {
				evicted = append(evicted, own)
			}
		case !known && o.pending >= maxPending:
			o.evictOldest(false) // its session is not listed: nothing shows it
		}
	}
	held := &hint{Hint: h, expires: h.At.Add(ttl), dialog: dialogOf(h)}
	old, had := o.hints[key]
	held.resumed = had && (ended(old.Hint) || old.resumed) && resumes(h)
	if had {
		// cur shows the old hint, not its source: the old hint knows
		// what the source said.
		held.own, held.known = old.own, old.known
	} else if known {
		held.own, held.known = cur, true // no hint: cur is the source's report
	}
	another := had && anotherDialog(h, old)
	o.set(key, held)
	if !known {
		if had && !old.known && !another {
			toldAgain(held, old)
		}
		return shared.Session{}, false, evicted
	}
	prev := cur
	o.put(&cur, held)
	if !another {
		sameWait(&cur, prev)
	}
	if had && old.known && !another && vaguer(h.WaitingFor, old.WaitingFor) && prev.Status == shared.StatusWaiting &&
		prev.WaitingFor == old.WaitingFor && cur.WaitingSince == prev.WaitingSince {
		// The wait shown, told again more vaguely (the Notification's
		// "permission prompt" six seconds after the PermissionRequest's
		// "permission: Bash"): the row keeps the tool's name. Nothing
		// newer from the files, or the old hint would be gone
		// (superseded); another wait has its own start, or its own tool.
		held.WaitingFor, cur.WaitingFor = old.WaitingFor, old.WaitingFor
		if old.Question != "" {
			held.Question, cur.Question = old.Question, old.Question // what the dialog asks, too
		}
	}
	if had && old.known && held.dialog == "" && cur.Status == shared.StatusWaiting &&
		prev.Status == shared.StatusWaiting && cur.WaitingSince == prev.WaitingSince {
		held.dialog = old.dialog // the same wait: told of by the old hint's dialog
	}
	if cur.Status == shared.StatusWaiting {
		held.since = cur.WaitingSince // the start this wait keeps, across a restart too
	}
	if had && !old.known || !sameShown(&prev, &cur) {
		o.urgent = true
	}
	o.clearState(&cur)
	return cur, true, evicted
}

// sameShown reports whether b shows its session as a does, in what a
// restart must not lose: the same status, kind of wait, process and wait
// start. A hint that changes nothing the list shows (a wait told again,
// as the idle_prompt a minute after a Stop; a subagent's stop while the
// session works; a Stop whose end of turn the transcript shows already)
// moves only a hint's time and expiry, or says what the files say: a
// restart can do without it. Nor need a restart know at once of another
// reason for the same ask ("permission prompt" told again as
// "permission: Bash"; the other way round the tool's name is kept:
// vaguer): the session is in "Needs you" for a permission either way,
// its wait keeps its start, so no page notifies again, and the label's
// detail is written with the batch, at shutdown
// at the latest; only a crash in the lazyGap before loses it.
func sameShown(a, b *shared.Session) bool {
	return a.Status == b.Status && shared.SameAsk(a.WaitingFor, b.WaitingFor) && a.Active == b.Active && a.WaitingSince == b.WaitingSince
}

// named heads the reason of the PermissionRequest hook, the one hook that
// names the tool (hook.Parse).
const named = "permission: "

// fromDialog reports whether reason is one only the PermissionRequest
// hook gives: it names the tool ("permission: Bash"), or says the dialog
// asks a question or a plan's approval, which no other hook tells.
func fromDialog(reason string) bool {
	return strings.HasPrefix(reason, named) || reason == shared.ReasonQuestion || reason == shared.ReasonPlan
}

// vaguer reports whether reason asks what held asks (shared.SameAsk) but
// without the tool's name or the dialog's kind held gives: "permission
// prompt" after "permission: Bash" or "question" (Claude Code tells of
// a question's dialog by a permission_prompt too). A reason that names a
// tool or a dialog, the same or another, is never vaguer.
func vaguer(reason, held string) bool {
	return fromDialog(held) && !fromDialog(reason) && shared.SameAsk(reason, held)
}

// toldAgain makes held, a hint of a session no source has reported yet,
// the wait old told of when it tells of it again: a wait asking the same
// (the Notification's "permission prompt" after the PermissionRequest's
// "permission: Bash", both come before the session's first read) keeps
// old's start, and the tool's name, as Add's rules do for a session
// listed. Nothing from the files can have ended old's wait: none was read.
func toldAgain(held, old *hint) {
	if old.Status != shared.StatusWaiting || held.Status != shared.StatusWaiting || !shared.SameAsk(held.WaitingFor, old.WaitingFor) {
		return
	}
	start := old.At.UnixMilli()
	if old.since > 0 && old.since < start {
		start = old.since
	}
	if start < held.At.UnixMilli() {
		held.since = start
	}
	if vaguer(held.WaitingFor, old.WaitingFor) {
		held.WaitingFor, held.Question = old.WaitingFor, old.Question
	}
	if held.dialog == "" {
		held.dialog = old.dialog
	}
}

// ended reports whether h says its session's process ended (SessionEnd):
// the only hint of a session that is not running.
func ended(h Hint) bool { return !h.Active }

// resumes reports whether h comes from a process running the session
// after an end: it starts (SessionStart, which Claude Code sends on every
// resume before its first prompt). Any other hook after an end was sent
// before it, by the process that ended: a prompt's too, which a slow hook
// runner can deliver late, and which would show the ended session working
// for workingTTL. A resume whose SessionStart was lost still shows: its
// prompt is written to the transcript, a record after the end's hint,
// which outdates it (superseded).
func resumes(h Hint) bool { return h.Event == "SessionStart" }

// doubtful reports whether h, come right after a resume (nothing written
// since its SessionStart), may be a late hook of the process that ended:
// one that says the session works (a prompt's, a subagent's stop). The
// ended process's prompt hook, delivered after the end and after the
// resume's SessionStart by a slow hook runner, looks the same as the
// resumed process's first prompt, and would show the session working for
// workingTTL while it sits at its prompt. The files tell them apart: a
// prompt of the resumed process is written to the transcript after its
// hook, a record that shows the session working a read later; the late
// one's prompt is in the transcript already, before the end. So such a
// hook is not taken: the transcript says whether the session works.
func doubtful(h Hint) bool { return h.Status == shared.StatusWorking }

// late reports whether h tells of an event older than what is known of
// its session: a hook whose POST reached helmd after a later hook's (a
// prompt's, slowed by a busy helmd, after the Stop of its own turn), or,
// for a hook that says the session works, after records written since it
// ran (the turn's end, read already). Taken, the prompt's hook showed
// the session working for workingTTL while it waited for its user. A
// hook that did not say when it ran (an older `helmd hook`) is dated by
// its arrival, which no record precedes: it is never late by the files.
//
// Only a working hint is judged by the files: it only bridges the moment
// until the transcript shows the turn, and any record after the prompt
// is the transcript telling. A waiting hint is what the files cannot
// show (a permission dialog), so a record dated a moment after its hook
// ran (Claude Code's own progress lines) must not drop it.
func (o *Overlay) late(key string, h Hint, cur shared.Session, known bool) bool {
	at := h.when()
	if old, held := o.hints[key]; held {
		if at.Before(old.when()) {
			return true
		}
		cur, known = old.own, old.known // cur shows old: the source's report is old's copy
	}
	return h.Status == shared.StatusWorking && known && evidence(cur) > at.UnixMilli()
}

// Clear marks the session cur as cleared at now and returns it so.
func (o *Overlay) Clear(cur shared.Session, now time.Time) shared.Session {
	at := max(now.UnixMilli(), evidence(cur)) // "changed after" must be after this
	seen := Seen{At: evidence(cur), Messages: cur.MessageCount}
	if cur.Status == shared.StatusWaiting {
		seen.Ask = shared.AskKind(cur.WaitingFor)
	}
	o.cleared.Set(cur.Key(), at, seen)
	cur.ClearedAt = at
	return cur
}

// Apply overlays hints and clears on sessions fresh from their source,
// in place, at now. prev returns a session as it is now (the index's
// copy), so that a wait that goes on keeps its start (sameWait); nil
// when there is none.
func (o *Overlay) Apply(sessions []shared.Session, now time.Time, prev func(key string) (shared.Session, bool)) {
	for i := range sessions {
		s := &sessions[i]
		if len(o.hints) > 0 || len(o.kept) > 0 {
			key := s.Key()
			h, ok := o.hints[key]
			if !ok && len(o.kept) > 0 {
				if h, ok = o.kept[key]; ok { // kept across a restart: as held before it
					delete(o.kept, key)
					o.set(key, h)
					o.dirty = true
				}
			}
			if ok {
				if by, done := o.superseded(s, h, now); done {
					o.drop(key)
					if by == byWorking {
						// Nothing in the files dates this: the hint loaded
						// after a restart would show the wait again.
						o.urgent = true
					}
				} else {
					if !h.known {
						o.pending-- // listed now
						o.dirty, o.urgent = true, true
					}
					h.own, h.known = *s, true
					o.put(s, h)
				}
			}
		}
		if s.Status == shared.StatusWaiting && prev != nil { // a lookup only for a session that waits
			if p, ok := prev(s.Key()); ok {
				sameWait(s, p)
			}
		}
		o.clearState(s)
	}
}

// sameWait gives s, which waits, the start of prev's wait when it is the
// same wait (shared.SameWait). Each telling of one wait dated it anew:
// a page with notifications on notified again for a wait it had told
// of, and the idle_prompt notification a minute after the turn's end, a
// change after the clear, undid the user's clear of it with nothing new
// to answer.
func sameWait(s *shared.Session, prev shared.Session) {
	if prev.WaitingSince <= 0 || !shared.SameWait(&prev, s) {
		return
	}
	if s.WaitingSince <= 0 || prev.WaitingSince < s.WaitingSince {
		s.WaitingSince = prev.WaitingSince
	}
}

// How a hint is superseded (superseded).
const (
	byFiles   = iota // expired, or a record or registry change after it: a restart sees the same
	byWorking        // a move to working its source reported
)

// superseded reports whether s, fresh from its source, outdates h, and
// by what.
func (o *Overlay) superseded(s *shared.Session, h *hint, now time.Time) (by int, done bool) {
	at := h.At
	if h.Status == shared.StatusWorking {
		at = h.when() // a late prompt's hook read before its turn's end: that end outdates it (late)
	}
	if !now.Before(h.expires) || evidence(*s) > at.UnixMilli() && !o.stillAsked(s, h) ||
		h.Active && o.ended != nil && o.ended(s) {
		return byFiles, true
	}
	prev := h.sourceStatus()
	return byWorking, s.Status == shared.StatusWorking && prev != shared.StatusWorking && prev != ""
}

// stillAsked reports whether h is the wait of a permission dialog whose
// tool call s's files hold without a result (AskCalls). A dialog its
// hook did not name (an older `helmd hook`, a hint kept by an older
// helmd across a restart) is never: records newer than it end it, as
// before.
func (o *Overlay) stillAsked(s *shared.Session, h *hint) bool {
	return o.asks != nil && h.Status == shared.StatusWaiting && h.dialog != "" && h.dialog != unnamed && o.asks(s, h.dialog)
}

// NextExpiry is when the first hint held expires; zero when none is held.
// Live wakes then to let the session's own status show again.
func (o *Overlay) NextExpiry() time.Time {
	var next time.Time
	for _, h := range o.hints {
		if next.IsZero() || h.expires.Before(next) {
			next = h.expires
		}
	}
	return next
}

// Expire drops the hints expired by now, those of sessions no source has
// reported included, and returns their sessions as their sources last
// reported them, to be applied again (Apply) so that they show their own
// status: only those sessions change, so nothing else is recomputed.
func (o *Overlay) Expire(now time.Time) []shared.Session {
	var own []shared.Session
	for key, h := range o.hints {
		if !now.Before(h.expires) {
			o.drop(key)
			if h.known {
				own = append(own, h.own)
			}
		}
	}
	return own
}

// put sets what h says on s.
func (o *Overlay) put(s *shared.Session, h *hint) {
	s.Status, s.WaitingFor, s.Active, s.WaitingSince = h.Status, h.WaitingFor, h.Active, 0
	if h.Status == shared.StatusWaiting {
		s.WaitingSince = h.At.UnixMilli()
		if h.since > 0 && h.since < s.WaitingSince {
			s.WaitingSince = h.since
		}
		if h.WaitingFor == "" {
			s.WaitingFor = "input needed"
		}
		if h.Question != "" {
			s.Question = h.Question // what the dialog asks, not the last text before it
		}
		if o.dialog != nil && shared.UnnamedPermission(h.WaitingFor) {
			if reason, question := o.dialog(s); reason != "" {
				s.WaitingFor = reason
				if question != "" && h.Question == "" {
					s.Question = question
				}
			}
		}
	} else {
		// Only a waiting session has a question: a hook that says it moved
		// on leaves none behind.
		s.WaitingFor, s.Question = "", ""
	}
}

// clearState sets s.ClearedAt from the clears, dropping a clear that s
// has changed since, or that is not of the wait s waits.
//
// A change written before a clear but read after it (the read's delay,
// milliseconds; or a restart of helmd before it was read) has records
// dated before the clear: by its dates alone it is not a change since. A
// wait in it that starts after everything the user saw at the clear is a
// new wait all the same (a wait told again keeps its first start:
// sameWait), and the user has not seen it.
//
// A restart dates a wait anew from the files, later than the user saw
// it, with nothing to keep its first start: the first read of a cleared
// session after a restart takes a wait of as many messages, asking the
// same (shared.SameWait's test), for the wait the user saw, and dates
// what the user saw from it.
func (o *Overlay) clearState(s *shared.Session) {
	s.ClearedAt = 0
	if o.cleared.Len() == 0 {
		return // no key to build: most sessions, most of the time
	}
	key := s.Key()
	at, ok := o.cleared.Get(key)
	if !ok {
		return
	}
	seen, saw := o.cleared.Seen(key)
	if saw && seen.loaded {
		seen.loaded = false
		if s.Status == shared.StatusWaiting && s.MessageCount == seen.Messages &&
			seen.Ask != "" && shared.AskKind(s.WaitingFor) == seen.Ask {
			seen.At = max(seen.At, evidence(*s))
		}
		o.cleared.setSeen(key, seen)
	}
	if evidence(*s) > at || saw && s.Status == shared.StatusWaiting && s.WaitingSince > seen.At {
		o.cleared.Drop(key)
		return
	}
	s.ClearedAt = at
}

// Forget drops what is held of sessions that are gone.
func (o *Overlay) Forget(keys []string) {
	for _, k := range keys {
		o.drop(k)
		if _, ok := o.kept[k]; ok {
			delete(o.kept, k)
			o.dirty = true
		}
		o.cleared.Drop(k)
	}
}

// Prune keeps only the clears of sessions exists reports, after a full
// scan, and drops the hints kept across a restart that the scan did not
// meet: their sessions are gone.
func (o *Overlay) Prune(exists func(key string) bool) {
	o.cleared.Prune(exists)
	if len(o.kept) > 0 {
		o.dirty = true
	}
	o.kept = nil
}

// Save writes the clears if they changed, and the hints of listed
// sessions if they changed and their write is due at now (SaveDue).
func (o *Overlay) Save(now time.Time) error {
	return errors.Join(o.cleared.Save(), o.saveHints(now, false))
}

// Flush writes, at now, the clears and the hints of listed sessions,
// each if it changed, due or not: at shutdown.
func (o *Overlay) Flush(now time.Time) error {
	return errors.Join(o.cleared.Save(), o.saveHints(now, true))
}

// SaveDue is when Save has hints to write; zero when none changed.
func (o *Overlay) SaveDue() time.Time { return o.saveDue() }

// Len is the number of hints held.
func (o *Overlay) Len() int { return len(o.hints) }

// set holds h for key, in place of any hint held for it.
func (o *Overlay) set(key string, h *hint) {
	old := o.hints[key]
	if old != nil && !old.known {
		o.pending--
	}
	if !h.known {
		o.pending++
	}
	if h.known || old != nil && old.known {
		o.dirty = true
	}
	o.hints[key] = h
}

// drop lets go of key's hint, if one is held.
func (o *Overlay) drop(key string) {
	if h, ok := o.hints[key]; ok {
		if !h.known {
			o.pending--
		} else {
			o.dirty = true
		}
		delete(o.hints, key)
	}
}

// evictOldest drops the oldest hint of a listed session (known) or of
// one not listed, and returns its session as its source last reported
// it, with the clears applied; shown is false when the source never
// reported it (nothing shows the hint then).
func (o *Overlay) evictOldest(known bool) (own shared.Session, shown bool) {
	var oldest string
	var at time.Time
	for k, h := range o.hints {
		if h.known == known && (oldest == "" || h.At.Before(at)) {
			oldest, at = k, h.At
		}
	}
	h := o.hints[oldest]
	o.drop(oldest)
	if h == nil || !h.known {
		return shared.Session{}, false
	}
	own = h.own
	o.clearState(&own)
	return own, true
}

// evidence is the newest time s's state rests on.
func evidence(s shared.Session) int64 { return max(s.UpdatedAt, s.WaitingSince) }
