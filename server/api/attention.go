package api

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"vibecraft.sh/helm/server/attn"
	"vibecraft.sh/helm/server/hook"
	"vibecraft.sh/helm/shared"
)

// Attention takes hook hints and clears. Both must not block: the owner
// of the session state applies them and the stream carries the result.
type Attention interface {
	Signal(attn.Hint)
	// Clear clears a session; since, when not 0, is the start of the
	// wait the user saw, and a new wait by the time it is applied is
	// left in "Needs you".
	Clear(src shared.Source, id string, since int64)
}

// HookStats counts hook payloads received, by outcome: what a user needs
// to tell whether the hooks are installed and reaching helmd.
type HookStats struct {
	Accepted int `json:"accepted"`
	// Skipped counts refused payloads, by reason: too large, malformed,
	// bad session id, event not handled.
	Skipped map[string]int `json:"skipped"`
	// Last is when the last payload was accepted (epoch ms), 0 for never.
	Last int64 `json:"last"`
}

type hookCounter struct {
	mu sync.Mutex
	st HookStats
}

func (c *hookCounter) note(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err == nil {
		c.st.Accepted++
		c.st.Last = time.Now().UnixMilli()
		return
	}
	if c.st.Skipped == nil {
		c.st.Skipped = map[string]int{}
	}
	c.st.Skipped[err.Error()]++
}

// HookStats reports the hook payloads received so far.
func (a *API) HookStats() HookStats {
	a.hooks.mu.Lock()
	defer a.hooks.mu.Unlock()
	st := a.hooks.st
	st.Skipped = make(map[string]int, len(a.hooks.st.Skipped))
	for k, v := range a.hooks.st.Skipped {
		st.Skipped[k] = v
	}
	return st
}

// receiveHook is POST /api/hooks: one Claude Code hook payload, as
// `helmd hook` forwards it. It answers 202 at once; the hint reaches
// clients on the stream. A payload Helm does not use is counted and
// answered 202 (the hook does nothing with the answer); one that cannot
// be a payload gets a 4xx.
func (a *API) receiveHook(w http.ResponseWriter, r *http.Request) error {
	data, err := io.ReadAll(io.LimitReader(r.Body, hook.MaxPayload+1))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		// Past the guard's bound on every body (sent without a length;
		// with one, the guard refused it first): `helmd hook` sends only
		// what Helm reads of a payload, far less.
		a.hooks.note(hook.ErrTooLarge)
		return Errorf(http.StatusRequestEntityTooLarge, "%v (at most %d bytes here)", hook.ErrTooLarge, tooBig.Limit)
	case err != nil:
		return Errorf(http.StatusBadRequest, "reading the body: %v", err)
	}
	sig, err := hook.Parse(data)
	a.hooks.note(err)
	switch {
	case errors.Is(err, hook.ErrTooLarge):
		return Errorf(http.StatusRequestEntityTooLarge, "%v (at most %d bytes)", err, hook.MaxPayload)
	case errors.Is(err, hook.ErrMalformed), errors.Is(err, hook.ErrBadID):
		return Errorf(http.StatusBadRequest, "%v", err)
	case err != nil:
		return writeJSONStatus(w, http.StatusAccepted, map[string]string{"status": "ignored"})
	}
	now := time.Now()
	a.d.Attention.Signal(attn.Hint{
		Source: shared.SourceClaude, ID: sig.SessionID, Event: sig.Event,
		Status: sig.Status, WaitingFor: sig.WaitingFor, Active: sig.Active, Prompt: sig.Prompt, Question: sig.Question, At: now,
		Sent: sig.SentAt(now),
	})
	return writeJSONStatus(w, http.StatusAccepted, map[string]string{"status": "accepted"})
}

// clearSession is POST /api/sessions/{source}/{id}/clear: the session
// leaves "Needs you" until it changes again, on every page and device.
// ClearTarget checks the session a clear names: a source Helm reads and
// a well-formed id, else an *Error (400). A hub checks a clear it passes
// to another machine with it too.
func ClearTarget(source, id string) (shared.Source, error) {
	src := shared.Source(source)
	if src != shared.SourceClaude && src != shared.SourceOpenCode {
		return "", Errorf(http.StatusBadRequest, "source %q: want claude or opencode", src)
	}
	if !attn.ValidID(id) {
		return "", Errorf(http.StatusBadRequest, "malformed session id")
	}
	return src, nil
}

func (a *API) clearSession(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	src, err := ClearTarget(r.PathValue("source"), id)
	if err != nil {
		return err
	}
	since, err := ClearedWait(r)
	if err != nil {
		return err
	}
	cur, ok := a.d.Lookup(string(src) + ":" + id)
	if !ok {
		return Errorf(http.StatusNotFound, "no %s session %s", src, id)
	}
	if err := SameWaitAsSeen(cur, since); err != nil {
		return err
	}
	a.d.Attention.Clear(src, id, since)
	return writeJSONStatus(w, http.StatusAccepted, map[string]string{"status": "cleared"})
}

// ClearedWait reads a clear's ?waitingSince=: the start (epoch ms) of the
// wait the page showed, which the clear is of; 0 when the request names
// none (a clear of whatever the session waits for, as before it was
// asked). A page that shows a list seconds old (polling, a hub's view of
// another machine) would otherwise clear a wait its user never saw.
func ClearedWait(r *http.Request) (int64, error) {
	v, named := r.URL.Query()["waitingSince"]
	if !named {
		return 0, nil
	}
	since, err := strconv.ParseInt(v[0], 10, 64)
	if len(v) != 1 || err != nil || since <= 0 {
		return 0, Errorf(http.StatusBadRequest, "waitingSince: want one positive integer (epoch ms)")
	}
	return since, nil
}

// SameWaitAsSeen refuses (409) a clear of a wait other than the one s is
// in: the session asked again since the page showed it. A session that
// no longer waits can be cleared: it is out of "Needs you" already.
func SameWaitAsSeen(s shared.Session, since int64) error {
	if s.InWaitSince(since) {
		return nil
	}
	return Errorf(http.StatusConflict, "it waits again since the page showed it: not cleared")
}
