package stream

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"vibecraft.sh/helm/shared"
)

// fakeTranscripts follows "claude:s1" and "claude:s2" and refuses the
// rest. Each run sends a first page, then one page per value on its
// session's channel; it records when it ended.
type fakeTranscripts struct {
	mu    sync.Mutex
	pages map[string]chan string
	ended map[string]chan struct{}
}

func newFakeTranscripts() *fakeTranscripts {
	f := &fakeTranscripts{pages: map[string]chan string{}, ended: map[string]chan struct{}{}}
	for _, k := range []string{"claude:s1", "claude:s2"} {
		f.pages[k], f.ended[k] = make(chan string), make(chan struct{})
	}
	return f
}

func (f *fakeTranscripts) Follow(ctx context.Context, key string) (func(func(typ, id string, data []byte) error) error, error) {
	f.mu.Lock()
	pages, ended := f.pages[key], f.ended[key]
	f.mu.Unlock()
	if pages == nil {
		return nil, errors.New("no such session")
	}
	return func(emit func(typ, id string, data []byte) error) error {
		defer close(ended)
		if err := emit("messages", "c0", []byte(`{"messages":["first"]}`)); err != nil {
			return err
		}
		for {
			select {
			case <-ctx.Done():
				return nil
			case p, ok := <-pages:
				if !ok {
					return errors.New("the transcript is gone")
				}
				if err := emit("keepalive", "", []byte(`{}`)); err != nil {
					return err
				}
				if err := emit("messages", "c-"+p, []byte(`{"messages":["`+p+`"]}`)); err != nil {
					return err
				}
			}
		}
	}, nil
}

// A subscribe is answered first, then the session's last page and each
// change come as "messages" events naming it (the page stream's
// keepalives are not passed on); after the reply to an unsubscribe
// nothing more of it comes, and its follower ends. An unknown session is
// refused in the reply; a follower that ends by itself says so.
func TestWSSubscribeFollowsTheTranscript(t *testing.T) {
	f := newFakeTranscripts()
	r := newWSRig(t, Options{}, WSOptions{Transcripts: f})
	ws, _, err := r.dial(t, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	ws.next(t) // init
	ws.send(t, websocket.MessageText, `{"type":"subscribe","session":"claude:s1"}`)
	if m := ws.next(t); m.Event != "reply" || !m.OK || m.Request != "subscribe" || m.Session != "claude:s1" {
		t.Fatalf("first after subscribe: %+v, want its reply", m)
	}
	page := func(want string) {
		t.Helper()
		m := ws.next(t)
		if m.Event != "messages" || m.Session != "claude:s1" || string(m.Data) != `{"messages":["`+want+`"]}` {
			t.Fatalf("got %+v %s, want the messages event %q of claude:s1", m, m.Data, want)
		}
	}
	page("first")
	f.pages["claude:s1"] <- "second"
	page("second")
	// The same subscription twice changes nothing.
	ws.send(t, websocket.MessageText, `{"type":"subscribe","session":"claude:s1"}`)
	if m := ws.next(t); m.Event != "reply" || !m.OK {
		t.Fatalf("second subscribe: %+v", m)
	}
	f.pages["claude:s1"] <- "third"
	page("third")

	ws.send(t, websocket.MessageText, `{"type":"subscribe","session":"claude:nobody"}`)
	if m := ws.next(t); m.Event != "reply" || m.OK || m.Error != "no such session" {
		t.Fatalf("unknown session: %+v", m)
	}

	ws.send(t, websocket.MessageText, `{"type":"unsubscribe","session":"claude:s1"}`)
	if m := ws.next(t); m.Event != "reply" || !m.OK || m.Request != "unsubscribe" {
		t.Fatalf("after unsubscribe: %+v, want its reply", m)
	}
	<-f.ended["claude:s1"]
	// The list's events go on, and nothing of s1 comes between.
	r.hub.Publish(shared.EventSessionCreated, []shared.Session{sess("x", shared.SourceClaude, 1)})
	if m := ws.next(t); m.Event != "session-created" {
		t.Fatalf("after unsubscribe: %+v, want the list's event", m)
	}

	// A follower that ends by itself: the client is told.
	ws.send(t, websocket.MessageText, `{"type":"subscribe","session":"claude:s2"}`)
	if m := ws.next(t); m.Event != "reply" || !m.OK {
		t.Fatalf("subscribe s2: %+v", m)
	}
	if m := ws.next(t); m.Event != "messages" || m.Session != "claude:s2" {
		t.Fatalf("s2's first page: %+v", m)
	}
	close(f.pages["claude:s2"])
	m := ws.next(t)
	if m.Event != "unsubscribed" || m.Session != "claude:s2" || string(m.Data) != `{"reason":"the transcript is gone"}` {
		t.Fatalf("after s2 ended: %+v %s", m, m.Data)
	}
}

// Closing the socket ends its followers (goleak checks the rest), and a
// socket follows at most maxFollows sessions.
func TestWSFollowersEndWithTheSocket(t *testing.T) {
	f := &manyTranscripts{}
	r := newWSRig(t, Options{}, WSOptions{Transcripts: f})
	ws, _, err := r.dial(t, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	ws.next(t)
	for i := range maxFollows + 1 {
		ws.send(t, websocket.MessageText, `{"type":"subscribe","session":"claude:s`+string(rune('a'+i))+`"}`)
		m := ws.next(t)
		for m.Event == "messages" { // the earlier subscriptions' first pages
			m = ws.next(t)
		}
		if want := i < maxFollows; m.Event != "reply" || m.OK != want {
			t.Fatalf("subscribe %d: %+v, want ok=%v", i, m, want)
		}
	}
	ws.conn.CloseNow()
	waitFor(t, 5*time.Second, "every follower to end", func() bool { return f.running() == 0 })
}

// manyTranscripts follows any session: one page, then waits for the end.
type manyTranscripts struct {
	mu sync.Mutex
	n  int
}

func (f *manyTranscripts) running() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.n
}

func (f *manyTranscripts) Follow(ctx context.Context, key string) (func(func(typ, id string, data []byte) error) error, error) {
	f.mu.Lock()
	f.n++
	f.mu.Unlock()
	return func(emit func(typ, id string, data []byte) error) error {
		defer func() { f.mu.Lock(); f.n--; f.mu.Unlock() }()
		if err := emit("messages", "c", []byte(`{}`)); err != nil {
			return err
		}
		<-ctx.Done()
		return nil
	}, nil
}
