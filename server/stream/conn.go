package stream

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// A sink is where one connection's frames go. Only the connection's writer
// goroutine calls its methods; gone may be watched from anywhere.
type sink interface {
	// write sends frames and flushes them, under the write timeout.
	write(frames [][]byte) error
	// gone is closed when the peer is known to have left.
	gone() <-chan struct{}
	// abort ends the connection at once, unflushed backlog and all, so
	// that it cannot be reused for another request.
	abort()
	// writeLong sends one frame as it is encoded (long.go) and flushes
	// it, each piece under the write timeout.
	writeLong(f longFrame) error
	// finish releases the connection after the writer is done with it.
	finish()
}

// rawConn is a stream taken over from net/http after the request: the
// writer goroutine writes frames straight to the socket with one writev
// each, and a reader goroutine only watches for the peer leaving.
//
// Why: served through net/http, an idle stream holds its read and write
// buffers (4 KiB each, plus 2 KiB before chunking), the request, a
// background-read goroutine and a handler goroutine whose stack carries
// every middleware frame: about 33 KiB per connection, measured with ten
// thousand of them (make bench). A taken-over one holds two shallow
// goroutines and a few small structs.
type rawConn struct {
	conn    net.Conn
	timeout time.Duration
	head    []byte        // the response head, sent with the first frames
	left    chan struct{} // closed by the reader when the peer closes or fails
}

// hijack takes the connection over from net/http and returns a sink that
// answers 200 with header (plus Connection: close, as the body ends when
// the connection does) before the first frames. ok is false when w cannot
// be hijacked (HTTP/2, a recorder, a wrapper without Unwrap): nothing was
// written and w still serves the response.
func hijack(w http.ResponseWriter, r *http.Request, header http.Header, timeout time.Duration) (sink, bool, error) {
	// The bufio.ReadWriter holds net/http's buffers; dropping it frees them,
	// and with them whatever a client sent after its request (a stream
	// client sends nothing).
	conn, _, err := http.NewResponseController(w).Hijack()
	if errors.Is(err, http.ErrNotSupported) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("take over the connection: %w", err)
	}
	proto := "HTTP/1.1"
	if r.ProtoMajor == 1 && r.ProtoMinor == 0 {
		proto = "HTTP/1.0"
	}
	var head bytes.Buffer
	head.WriteString(proto + " 200 OK\r\n")
	h := header.Clone()
	h.Set("Connection", "close")
	h.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	_ = h.Write(&head) // a bytes.Buffer does not fail; Write also strips CR/LF from values
	head.WriteString("\r\n")

	rc := &rawConn{conn: conn, timeout: timeout, head: head.Bytes(), left: make(chan struct{})}
	go rc.watch()
	return rc, true, nil
}

// watch reads until the peer closes or the connection fails. A stream
// client sends nothing after its request, so anything it does send is
// discarded; the point is to learn at once that it left, not at the next
// write.
func (rc *rawConn) watch() {
	defer close(rc.left)
	var buf [64]byte
	for {
		if _, err := rc.conn.Read(buf[:]); err != nil {
			return
		}
	}
}

// write sends frames with one writev. It consumes frames: the writer
// passes scratch it clears anyway, and a fan-out to thousands of clients
// then allocates nothing per client.
func (rc *rawConn) write(frames [][]byte) error {
	bufs := net.Buffers(frames)
	if rc.head != nil {
		bufs = append(net.Buffers{rc.head}, frames...)
		rc.head = nil
	}
	// A peer that stopped reading (full TCP window) fails the write after
	// timeout instead of pinning the goroutine.
	if err := rc.conn.SetWriteDeadline(time.Now().Add(rc.timeout)); err != nil {
		return fmt.Errorf("set write deadline: %w", err)
	}
	if _, err := bufs.WriteTo(rc.conn); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

// writeLong sends f piece by piece, each as write sends frames.
func (rc *rawConn) writeLong(f longFrame) error {
	return sseLong(f, func(p []byte) error { return rc.write([][]byte{p}) })
}

func (rc *rawConn) gone() <-chan struct{} { return rc.left }

func (rc *rawConn) abort() { rc.conn.Close() }

// finish closes the connection and waits for the reader, so that nothing
// of the stream outlives its writer goroutine.
func (rc *rawConn) finish() {
	rc.conn.Close()
	<-rc.left
}
