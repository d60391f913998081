package stream

import (
	"context"
	"encoding/json"
	"fmt"

	"vibecraft.sh/helm/shared"
)

// A WebSocket client follows sessions' live transcripts with subscribe
// and unsubscribe (wsmsg.go): one follower goroutine per subscription
// reads the pages and hands them to the socket's writer, the only
// goroutine that writes.

// Transcripts follows sessions' live transcripts for "subscribe"
// requests (*api.Follower).
type Transcripts interface {
	// Follow checks that session key can be followed and subscribes to
	// its changes; run then sends its last page and each change after it,
	// as emit(event, id, data), until ctx ends or emit fails. run must be
	// called exactly once.
	Follow(ctx context.Context, key string) (run func(emit func(typ, id string, data []byte) error) error, err error)
}

// maxFollows bounds the transcripts one socket follows at once.
const maxFollows = 8

// wsPage is one event of a followed transcript; it is dropped unless
// its subscription (ctx) still holds when the writer takes it, so that
// nothing of a session follows the reply to its unsubscribe.
type wsPage struct {
	ctx context.Context
	msg []byte
}

// subscribe follows session key's transcript; following it already is
// no error and changes nothing.
func (s *wsConn) subscribe(key string) (sent chan struct{}, err error) {
	if s.transcripts == nil {
		return nil, errNoLive
	}
	s.mu.Lock()
	_, dup := s.follows[key]
	n := len(s.follows)
	s.mu.Unlock()
	switch {
	case dup:
		return nil, nil
	case n >= maxFollows:
		return nil, fmt.Errorf("already following %d sessions on this socket: unsubscribe from one first", maxFollows)
	}
	ctx, cancel := context.WithCancel(s.ctx)
	run, err := s.transcripts.Follow(ctx, key)
	if err != nil {
		cancel()
		return nil, err
	}
	s.mu.Lock()
	s.follows[key] = cancel
	s.mu.Unlock()
	sent = make(chan struct{})
	s.followers.Add(1)
	go s.follow(ctx, key, sent, run)
	return sent, nil
}

// follow hands the writer each event of key's transcript, once the reply
// to the subscribe is written, until the subscription ends. If it ends by
// itself (the transcript cannot be read, helmd is stopping), the client
// is told with an "unsubscribed" event.
func (s *wsConn) follow(ctx context.Context, key string, sent <-chan struct{}, run func(emit func(typ, id string, data []byte) error) error) {
	defer s.followers.Done()
	select {
	case <-sent:
	case <-ctx.Done(): // run still runs once: it lets the subscription go
	}
	err := run(func(typ, id string, data []byte) error {
		if typ == string(shared.EventKeepalive) {
			return nil // the socket has its own
		}
		return s.hand(ctx, encodePage(typ, key, id, data))
	})
	if ctx.Err() != nil {
		return // unsubscribed, or the socket is closing
	}
	s.unfollow(key)
	why := "the transcript stream ended"
	if err != nil {
		why = err.Error()
	}
	data, _ := json.Marshal(struct {
		Reason string `json:"reason"`
	}{clip(why)})
	_ = s.hand(s.ctx, encodePage("unsubscribed", key, "", data))
}

// hand gives the writer msg, waiting for it while ctx holds.
func (s *wsConn) hand(ctx context.Context, msg []byte) error {
	select {
	case s.pages <- wsPage{ctx: ctx, msg: msg}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// unfollow ends the subscription to key, if any.
func (s *wsConn) unfollow(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cancel, ok := s.follows[key]; ok {
		cancel()
		delete(s.follows, key)
	}
}

// encodePage is one event of a followed transcript:
// {"event":<type>,"session":<key>,"id":<cursor>,"data":<as on the page stream>}.
func encodePage(typ, key, id string, data []byte) []byte {
	return appendWSEvent(make([]byte, 0, len(data)+len(key)+len(id)+48), typ, key, id, data)
}

func (s *wsConn) followed() <-chan wsPage { return s.pages }

// page writes one event of a followed transcript, unless its
// subscription ended; only the writer goroutine calls it.
func (s *wsConn) page(p wsPage) error {
	if p.ctx.Err() != nil {
		return nil
	}
	return s.send(p.msg)
}
