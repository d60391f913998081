package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"vibecraft.sh/helm/server/tail"
	"vibecraft.sh/helm/server/transcript"
	"vibecraft.sh/helm/shared"
)

// Follower serves the WebSocket's subscribe requests (stream.Transcripts):
// a session's live transcript, as GET …/messages/stream sends it — the
// last page, then every change after it, a reset when the cursor goes
// stale — one event per call of emit.
type Follower struct{ t *transcripts }

// NewFollower returns a Follower reading with d, for a follower without
// the page's endpoints (InstallTranscripts returns one with them).
func NewFollower(d TranscriptDeps) *Follower { return &Follower{t: newTranscripts(d)} }

// Follow checks that the session key ("<source>:<id>") can be followed
// and subscribes to its changes. run then sends the transcript's last
// page and each change after it until ctx ends, the page hub closes or
// emit fails; it lets the subscription go when it returns, and must be
// called exactly once. Errors are in words fit for the client.
func (f *Follower) Follow(ctx context.Context, key string) (run func(emit func(typ, id string, data []byte) error) error, err error) {
	t := f.t
	if t.d.Live == nil {
		return nil, errors.New("live session pages are off in this helmd")
	}
	src, id, _ := strings.Cut(key, ":")
	switch {
	case src == string(shared.SourceClaude) && !transcript.ValidClaudeID(id),
		src == string(shared.SourceOpenCode) && !transcript.ValidOpenCodeID(id):
		return nil, errors.New("malformed session id")
	}
	s, ok := t.d.Sessions.Get(key)
	if !ok {
		s, ok = t.unlisted(shared.Source(src), id) // as a page's stream would (pageSession)
	}
	switch {
	case !ok:
		return nil, errors.New("no such session")
	case s.Remote:
		return nil, errors.New("another machine's session: follow it on that machine's Helm")
	case s.Source == shared.SourceOpenCode && t.d.OpenCode == nil:
		return nil, errors.New("OpenCode is not read by this helmd")
	}
	ps, sub, err := t.openPage(ctx, s, "", transcript.Query{})
	var he *Error
	if errors.As(err, &he) {
		return nil, errors.New(he.Message)
	} else if err != nil {
		return nil, err
	}
	return func(emit func(typ, id string, data []byte) error) error {
		defer sub.Close()
		// The page stream's watch of the session, without its header
		// events (the socket's list carries the summary): without it a
		// followed session that was deleted went silent, held one of the
		// socket's few follows all day and looked live to its client. Gone
		// ends the follow, which the socket reports as unsubscribed.
		defer t.watchSession(ps, s, "")()
		ps.header = false
		ps.emit = func(typ, id string, data []byte) error {
			if typ == "gone" {
				return errFollowGone
			}
			return emit(typ, id, data)
		}
		err := ps.follow(sub, t.keepalive())
		if err == nil || ctx.Err() != nil {
			return err
		}
		if errors.Is(err, errFollowGone) {
			return err
		}
		// The client gets words it can act on, never a path or an
		// internal error: those go to the log.
		t.d.Logger.Debug("session transcript over the socket ended", "session", key, "err", err)
		var he *Error
		if errors.As(pageError(err), &he) && he.Status != http.StatusInternalServerError {
			return errors.New(he.Message)
		}
		return errors.New("the transcript could not be read; see helmd's log")
	}, nil
}

// errFollowGone ends a socket's follow of a session helmd no longer has;
// the socket clips a reason at 64 bytes, which this stays under.
var errFollowGone = errors.New("helmd no longer has this session (deleted or moved)")

// follow sends the last page, or a reset when it is stale, then each
// change until the end.
func (ps *pageStream) follow(sub *tail.Sub, keepalive time.Duration) error {
	first, err := ps.read(ps.ctx, ps.q)
	stale := errors.Is(err, transcript.ErrStale)
	if err != nil && !stale {
		return err
	}
	if err := ps.start(first, stale); err != nil {
		return err
	}
	if err := ps.look(); err != nil { // gone already, between the subscribe and the first page
		return err
	}
	return ps.loop(sub, keepalive)
}
