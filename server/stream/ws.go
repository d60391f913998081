package stream

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"

	"vibecraft.sh/helm/server/internal/closed"
	"vibecraft.sh/helm/server/internal/httperr"
	"vibecraft.sh/helm/shared"
)

// Clearer clears a waiting session (marks it seen), by shared.Session.Key;
// waitingSince, when not 0, is the start of the wait the client saw, and
// a session that waits anew is not cleared (an error says so).
type Clearer interface {
	Clear(ctx context.Context, key string, waitingSince int64) error
}

// WSOptions configure the WebSocket endpoint.
type WSOptions struct {
	// Clearer serves "clear" requests; nil answers them with an error.
	Clearer Clearer
	// Transcripts serves "subscribe" and "unsubscribe"; nil answers them
	// with an error.
	Transcripts Transcripts
	// OriginPatterns are origins besides the page's own allowed to open
	// the socket, as "scheme://host[:port]": pass the guard's CORS origin
	// and nothing else, so the socket is no looser than the REST API.
	OriginPatterns []string
	// Ready, when not nil, is closed once the published list is the
	// files' (helmd's first scan): a socket opened before has its
	// handshake at once, then sends only keepalives (as a quiet socket
	// does), and serves no request, until then. Waiting before the
	// handshake, as a gate in front of the handler did, ran a long scan
	// into the client's handshake timeout.
	Ready <-chan struct{}
}

// Errors of requests that later features will serve.
var (
	errNoLive    = errors.New("not yet: live transcripts are not available in this helmd")
	errNoClearer = errors.New("not yet: clearing a session is not available in this helmd")
)

// WSHandler serves /api/sessions/ws: the events of Handler(nil) — same
// ids, same data, resumed with ?lastEventId= — each as one text message
// {"event":<type>,"id":<id>,"data":<the SSE data>}, plus replies to the
// client's requests (wsmsg.go). It is a view of the hub like the SSE
// paths, so it shares their subscription, history, client limit and
// slow-client cut.
func (h *Hub) WSHandler(o WSOptions) http.Handler {
	// The unfiltered change view: its epoch is the hub's, so an id from
	// /api/sessions/stream or GET /api/sessions resumes here and back.
	return &wsEndpoint{view: h.newView(nil, false), opts: o}
}

type wsEndpoint struct {
	view *view
	opts WSOptions
}

func (e *wsEndpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if status, msg := e.handshakeError(w, r); status != 0 {
		httperr.Write(w, status, msg) // as JSON, as every refusal of the API
		return
	}
	if e.opts.Ready != nil && !closed.Is(e.opts.Ready) {
		e.serveBeforeReady(w, r)
		return
	}
	v, h := e.view, e.view.hub
	last := lastEventID(r)
	c, st, err := h.subscribe(v, last)
	if err != nil {
		refuse(w, err)
		return
	}
	op, err := v.opening(st)
	if err != nil {
		h.unsubscribe(c)
		h.log.Error("stream: init not sent", "err", err)
		httperr.Write(w, http.StatusInternalServerError, "the session list could not be encoded; see the server log")
		return
	}
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{OriginPatterns: e.opts.OriginPatterns})
	if err != nil {
		// Accept has answered (403 for a foreign Origin, 426 for a
		// request that is no upgrade).
		op.done()
		h.unsubscribe(c)
		h.logEnd(r.RemoteAddr, "websocket refused", err)
		return
	}
	if !h.hold() {
		op.done()
		conn.CloseNow()
		h.unsubscribe(c)
		return
	}
	defer h.writers.Done()
	conn.SetReadLimit(maxWSMessage)
	s := newWSConn(h.ctx, conn, h.opts.WriteTimeout, e.opts, h.log)
	v.serve(c, s, op, r.RemoteAddr)
}

// serveBeforeReady serves a socket opened before Ready: the handshake
// at once, then, as a stream that waits for the first scan (awaitReady),
// a keepalive message (with a ping) each period until Ready is closed,
// then the subscription, so that its first message is the scanned list.
// Silent, the socket tripped the client's watchdog (nothing for 2
// periods: reconnect) again and again during a long first scan, and a
// proxy's idle timeout could cut it; the ping lets a peer gone without a
// word go, and its slot with it. The hub's Close or the peer's leaving
// ends the wait. A refusal the subscription would make (a closed hub,
// too many clients) is still an HTTP 503 when it holds before the
// handshake; one that comes of the wait is a close, without a closing
// handshake (finish), whose reason would wait for the peer's answer and
// hold the hub's Close: clients reconnect on any close. The socket
// holds its slot of MaxClients from its handshake on (reserve).
func (e *wsEndpoint) serveBeforeReady(w http.ResponseWriter, r *http.Request) {
	v, h := e.view, e.view.hub
	if err := h.reserve(); err != nil {
		refuse(w, err)
		return
	}
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{OriginPatterns: e.opts.OriginPatterns})
	if err != nil {
		h.unreserve()
		h.logEnd(r.RemoteAddr, "websocket refused", err)
		return
	}
	if !h.hold() {
		h.unreserve()
		conn.CloseNow()
		return
	}
	defer h.writers.Done()
	conn.SetReadLimit(maxWSMessage)
	s := newWSConn(h.ctx, conn, h.opts.WriteTimeout, e.opts, h.log)
	// The retry field and the scanning comment it writes first are no
	// messages of the socket's: write drops them.
	v.awaitReady(s, e.opts.Ready, r.RemoteAddr, lastEventID(r)) // it owns the slot now
}

// handshakeError is why r cannot be a WebSocket handshake, as the status
// and message to answer (0: let websocket.Accept decide). Accept answers
// these itself, in plain text; the checks are its own, and the Origin one
// only refuses what Accept would (a foreign Origin when no other origins
// are allowed), so a handshake it takes is never refused here.
func (e *wsEndpoint) handshakeError(w http.ResponseWriter, r *http.Request) (int, string) {
	switch {
	case !headerHas(r.Header, "Connection", "upgrade") || !headerHas(r.Header, "Upgrade", "websocket"):
		w.Header().Set("Connection", "Upgrade")
		w.Header().Set("Upgrade", "websocket")
		return http.StatusUpgradeRequired, "this is a WebSocket endpoint: open it with a WebSocket client (or use /api/sessions/stream)"
	case r.Header.Get("Sec-WebSocket-Version") != "13":
		w.Header().Set("Sec-WebSocket-Version", "13")
		return http.StatusBadRequest, "unsupported WebSocket version: want 13"
	}
	if o := r.Header.Get("Origin"); o != "" && len(e.opts.OriginPatterns) == 0 {
		if u, err := url.Parse(o); err != nil || !strings.EqualFold(u.Host, r.Host) {
			return http.StatusForbidden, "a WebSocket from another origin (" + o + ") is refused"
		}
	}
	return 0, ""
}

// headerHas reports whether header name lists token (comma-separated,
// case aside).
func headerHas(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// hold counts a writer goroutine Close waits for; false once closed.
func (h *Hub) hold() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.writers.Add(1)
	return true
}

// maxPendingReplies bounds replies waiting for the writer: a client that
// sends requests faster than it reads the replies is cut.
const maxPendingReplies = 16

// wsConn is the sink of one WebSocket. The writer goroutine (view.serve)
// writes events, replies and followed transcripts' pages; a reader
// goroutine reads requests, which the library also needs to answer pings
// and see pongs and the close; one goroutine per followed transcript
// reads its pages and hands them to the writer.
type wsConn struct {
	conn        *websocket.Conn
	ready       <-chan struct{} // WSOptions.Ready: requests wait for it
	timeout     time.Duration
	clearer     Clearer
	transcripts Transcripts
	log         *slog.Logger
	ctx         context.Context // cancelled by finish or the hub's Close: ends the reader, the followers and any write
	cancel      context.CancelFunc
	left        chan struct{} // closed by the reader when the peer leaves or breaks the protocol
	replies     chan wsReplyOut
	pages       chan wsPage // from the followers; unbuffered: a follower waits for the writer
	msg         []byte      // scratch for one event message

	mu        sync.Mutex
	follows   map[string]context.CancelFunc // by session key
	followers sync.WaitGroup
}

// hubCtx is the hub's: its Close ends the connection's reads, writes and
// pings (a ping waits for a pong up to the write timeout otherwise).
func newWSConn(hubCtx context.Context, conn *websocket.Conn, timeout time.Duration, o WSOptions, log *slog.Logger) *wsConn {
	ctx, cancel := context.WithCancel(hubCtx)
	s := &wsConn{conn: conn, ready: o.Ready, timeout: timeout, clearer: o.Clearer, transcripts: o.Transcripts, log: log, ctx: ctx, cancel: cancel,
		left: make(chan struct{}), replies: make(chan wsReplyOut, maxPendingReplies), pages: make(chan wsPage),
		follows: map[string]context.CancelFunc{}}
	go s.read()
	return s
}

// read serves the client's requests until the connection ends. Its end
// cancels the connection's context too: the library does not always mark
// the connection closed when its reads fail, and a ping would then wait
// out the write timeout for a pong from a peer that is gone.
//
// On a socket opened before the first scan, the requests are served by
// serveEarly, in order, once the scan is published (a session asked for
// may not be known before): read itself goes on reading meanwhile, so
// that a peer that leaves is seen at once. Waiting in read for the scan,
// it saw nothing more of a peer that sent a request and left: the socket
// and its slot of MaxClients were held until the scan ended.
func (s *wsConn) read() {
	var early chan wsIn
	if s.ready != nil && !closed.Is(s.ready) {
		early = make(chan wsIn, maxPendingReplies)
		s.followers.Add(1) // finish waits for it
		go s.serveEarly(early)
	}
	// In this order, last first: serveEarly sees the context end before
	// the requests left, and serves none of a peer that is gone.
	defer close(s.left)
	if early != nil {
		defer close(early)
	}
	defer s.cancel()
	for {
		typ, msg, err := s.conn.Read(s.ctx)
		if err != nil {
			return
		}
		if early == nil {
			if !s.serveOne(typ, msg) {
				return
			}
			continue
		}
		select {
		case early <- wsIn{typ, msg}:
		default:
			s.tooMany()
			return
		}
	}
}

// wsIn is a message of the client's, as read.
type wsIn struct {
	typ websocket.MessageType
	msg []byte
}

// serveEarly serves the requests read on a socket opened before the
// first scan, in order, once it is published; it ends with the socket.
func (s *wsConn) serveEarly(early <-chan wsIn) {
	defer s.followers.Done()
	select {
	case <-s.ready:
	case <-s.ctx.Done():
		return
	}
	for in := range early {
		if s.ctx.Err() != nil || !s.serveOne(in.typ, in.msg) {
			return
		}
	}
}

// serveOne carries out one request and hands its reply to the writer;
// false when the client sends faster than it reads the replies, and is
// cut for it.
func (s *wsConn) serveOne(typ websocket.MessageType, msg []byte) bool {
	var reply wsReplyOut
	if typ != websocket.MessageText {
		reply.msg = encodeReply(wsRequest{}, fmt.Errorf("%w: send JSON text messages", errBadRequest))
	} else {
		req, err := parseWSRequest(msg)
		if err == nil {
			reply.sent, err = s.do(req)
		}
		reply.msg = encodeReply(req, err)
	}
	select {
	case s.replies <- reply:
		return true
	default:
		s.tooMany()
		return false
	}
}

func (s *wsConn) tooMany() {
	s.conn.Close(websocket.StatusPolicyViolation, "too many requests without reading the replies")
}

// wsReplyOut is a reply for the writer; sent, when not nil, is closed
// once it is written (a subscription's pages wait for it).
type wsReplyOut struct {
	msg  []byte
	sent chan struct{}
}

// do carries out one request. sent, when not nil, is for the writer to
// close once the reply is written.
func (s *wsConn) do(req wsRequest) (sent chan struct{}, err error) {
	switch req.Type {
	case wsClear:
		if s.clearer == nil {
			return nil, errNoClearer
		}
		ctx, cancel := context.WithTimeout(s.ctx, s.timeout)
		defer cancel()
		return nil, s.clearer.Clear(ctx, req.Session, req.WaitingSince)
	case wsSubscribe:
		return s.subscribe(req.Session)
	default: // wsUnsubscribe
		if s.transcripts == nil {
			return nil, errNoLive
		}
		s.unfollow(req.Session)
		return nil, nil
	}
}

// write sends each SSE frame as one message; the retry field, which
// means nothing here, is dropped. A keepalive also pings: a peer that
// does not answer within the timeout is gone.
func (s *wsConn) write(frames [][]byte) error {
	for _, f := range frames {
		typ, id, data, ok := splitFrame(f)
		if !ok {
			continue
		}
		s.msg = appendWSEvent(s.msg[:0], typ, nil, id, data)
		if err := s.send(s.msg); err != nil {
			return err
		}
		if string(typ) == string(shared.EventKeepalive) {
			ctx, cancel := context.WithTimeout(s.ctx, s.timeout)
			err := s.conn.Ping(ctx)
			cancel()
			if err != nil {
				return fmt.Errorf("ping: %w", err)
			}
		}
	}
	if cap(s.msg) > 64<<10 {
		s.msg = nil // an init of thousands of sessions is not kept while idle
	}
	return nil
}

// writeLong sends f as one message, {"event":…,"id":…,"data":…} as
// write sends a frame, streamed as its data is encoded: the library
// writes it as a run of WebSocket frames, which the peer reads as one
// message. The whole message is under one timeout, as send's.
func (s *wsConn) writeLong(f longFrame) error {
	ctx, cancel := context.WithTimeout(s.ctx, s.timeout)
	defer cancel()
	w, err := s.conn.Writer(ctx, websocket.MessageText)
	if err != nil {
		return fmt.Errorf("websocket write: %w", err)
	}
	write := func(p []byte) error {
		if _, err := w.Write(p); err != nil {
			return fmt.Errorf("websocket write: %w", err)
		}
		return nil
	}
	s.msg = appendWSHead(s.msg[:0], string(f.typ), "", f.id)
	if err := write(s.msg); err != nil {
		return err
	}
	if err := f.data(write); err != nil {
		return err
	}
	if err := write([]byte("}")); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("websocket write: %w", err)
	}
	return nil
}

func (s *wsConn) send(msg []byte) error {
	ctx, cancel := context.WithTimeout(s.ctx, s.timeout)
	defer cancel()
	if err := s.conn.Write(ctx, websocket.MessageText, msg); err != nil {
		return fmt.Errorf("websocket write: %w", err)
	}
	return nil
}

// splitFrame takes a frame made by appendFrame apart. Event types and ids
// are plain ASCII without quotes (eventid.go), so they go into JSON as
// they are; data is one line of JSON.
func splitFrame(f []byte) (typ, id, data []byte, ok bool) {
	rest, found := bytes.CutPrefix(f, []byte("event: "))
	if !found {
		return nil, nil, nil, false // the retry field
	}
	typ, rest, _ = bytes.Cut(rest, []byte("\n"))
	if after, found := bytes.CutPrefix(rest, []byte("id: ")); found {
		id, rest, _ = bytes.Cut(after, []byte("\n"))
	}
	data, found = bytes.CutPrefix(rest, []byte("data: "))
	if !found {
		return nil, nil, nil, false
	}
	return typ, id, bytes.TrimSuffix(data, []byte("\n\n")), true
}

// pending is the writer's side of the replies (view.serve).
func (s *wsConn) pending() <-chan wsReplyOut { return s.replies }

// reply writes one reply; only the writer goroutine calls it.
func (s *wsConn) reply(r wsReplyOut) error {
	err := s.send(r.msg)
	if r.sent != nil {
		close(r.sent)
	}
	return err
}

func (s *wsConn) gone() <-chan struct{} { return s.left }

// abort cuts the connection without a closing handshake: the client is
// too slow to read one.
func (s *wsConn) abort() { s.conn.CloseNow() }

// finish closes the connection and waits for the reader, so nothing of
// the socket outlives the writer. No closing handshake: a peer that does
// not answer it would hold shutdown for seconds; clients reconnect on any
// close.
func (s *wsConn) finish() {
	s.cancel()
	s.conn.CloseNow()
	<-s.left
	s.followers.Wait()
}

// replier is a sink that also carries replies to the client's requests
// and the transcripts it follows.
type replier interface {
	pending() <-chan wsReplyOut
	reply(r wsReplyOut) error
	followed() <-chan wsPage
	page(p wsPage) error
}
