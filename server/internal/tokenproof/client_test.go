package tokenproof

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// proving answers one proof request on c as a holder of "tok" would,
// then writes more.
func proving(more string) func(net.Conn) {
	return func(c net.Conn) {
		req, err := http.ReadRequest(bufio.NewReader(c))
		if err != nil {
			return
		}
		nonce, err := ParseNonce(req.URL.Query().Get("nonce"))
		if err != nil {
			return
		}
		body, _ := json.Marshal(Answer{Auth: "token", Proof: hex.EncodeToString(Sum("tok", nonce, c.LocalAddr().(*net.TCPAddr).AddrPort()))})
		fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s%s", len(body), body, more)
		_, _ = c.Read(make([]byte, 1)) // until the client closes
	}
}

// serveOne listens on loopback and serves the first connection with
// serve; at the test's end it stops listening and waits for serve to
// return, the connection closed.
func serveOne(t *testing.T, serve func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		serve(conn)
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
	})
	return ln.Addr().String()
}

// Only a whole, lone proof makes a connection proven: a program that
// accepts and never answers, or answers endlessly, or sends more after
// a proof, costs a client a bounded wait and no token.
func TestProofAgainstBadAnswers(t *testing.T) {
	for _, c := range []struct {
		name    string
		serve   func(net.Conn)
		proven  bool
		because string
	}{
		{"a proof", proving(""), true, ""},
		{"silent", func(c net.Conn) { _, _ = io.Copy(io.Discard, c) }, false, "timeout"},
		// Said apart from a wrong answer (ErrNoAnswer, below): it was
		// "its answer is not HTTP (EOF)".
		// It reads the request first: closing with the request unread
		// sends a reset, which the client may see before or instead of
		// the end (CI saw "connection reset by peer").
		{"hanging up", func(c net.Conn) { _, _ = http.ReadRequest(bufio.NewReader(c)) }, false, "nothing answered (EOF)"},
		// Chunked: one that runs until the connection closes is refused
		// before its body is read (TestProofDecidesAtOnce).
		{"endless", func(c net.Conn) {
			_, _ = c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"))
			chunk := fmt.Appendf(nil, "%x\r\n%s\r\n", 64<<10, bytes.Repeat([]byte("x"), 64<<10))
			for {
				if _, err := c.Write(chunk); err != nil {
					return
				}
			}
		}, false, "too long"},
		{"a proof with more after it", proving("HTTP/1.1 200 OK\r\n"), false, "more than its answer"},
		// Said by its status, which tells another server's page from
		// helmd's refusal: it was "too long" for a page over 4 KB.
		{"a long 404 page", func(c net.Conn) {
			_, _ = http.ReadRequest(bufio.NewReader(c))
			page := strings.Repeat("<p>not here</p>", 1000)
			fmt.Fprintf(c, "HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n%s", len(page), page)
			_, _ = c.Read(make([]byte, 1))
		}, false, "it answered 404 Not Found"},
	} {
		t.Run(c.name, func(t *testing.T) {
			addr := serveOne(t, c.serve)
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			conn, err := Dial(ctx, &net.Dialer{}, "tcp", addr, "tok")
			switch {
			case c.proven && err != nil:
				t.Fatalf("a proof was refused: %v", err)
			case c.proven:
				conn.Close()
			case err == nil:
				conn.Close()
				t.Fatal("the connection was taken as proven")
			case !errors.Is(err, ErrNotProven) || !strings.Contains(err.Error(), c.because):
				t.Fatalf("refused with %v, want ErrNotProven saying %q", err, c.because)
			case errors.Is(err, ErrNoAnswer) != (c.name == "silent" || c.name == "hanging up"):
				t.Fatalf("refused with %v: ErrNoAnswer %v", err, errors.Is(err, ErrNoAnswer))
			}
		})
	}
}

// answering reads the proof request on c, writes answer and keeps the
// connection open until the client closes it.
func answering(answer string) func(net.Conn) {
	return func(c net.Conn) {
		if _, err := http.ReadRequest(bufio.NewReader(c)); err != nil {
			return
		}
		_, _ = io.WriteString(c, answer)
		_, _ = c.Read(make([]byte, 1))
	}
}

// An answer that shows it is no proof ends the wait at once, not at the
// deadline, even from a program that then keeps the connection open: one
// that does not begin as HTTP does, or a refusal or a 200 whose body runs
// until the connection closes (helmd's answers have a length); so does
// the caller giving up. Each held the client for the whole 5 s.
func TestProofDecidesAtOnce(t *testing.T) {
	for _, c := range []struct {
		name    string
		answer  string
		because error
		says    string
	}{
		// A TLS server's alert: seven bytes, no line end.
		{"not HTTP", "\x15\x03\x01\x00\x02\x02\x16", ErrNotHTTP, "not HTTP"},
		{"a page until the connection closes", "HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\n\r\n<p>not here</p>",
			ErrNotProven, "it answered 404 Not Found"},
		{"a 200 until the connection closes", "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"auth\":\"token\"}",
			ErrNotProven, "closes the connection"},
		{"the caller giving up", "", context.Canceled, "canceled"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), ProveTimeout)
			defer cancel()
			deadline, _ := ctx.Deadline()
			addr := serveOne(t, func(conn net.Conn) {
				if c.answer == "" {
					// Asked, the caller gives up; nothing is answered.
					_, _ = http.ReadRequest(bufio.NewReader(conn))
					cancel()
					_, _ = conn.Read(make([]byte, 1))
					return
				}
				answering(c.answer)(conn)
			})
			conn, err := Dial(ctx, &net.Dialer{}, "tcp", addr, "tok")
			switch {
			case err == nil:
				conn.Close()
				t.Fatal("the connection was taken as proven")
			case !time.Now().Before(deadline):
				t.Errorf("refused with %v at the deadline, %v after the answer showed it", err, ProveTimeout)
			case !errors.Is(err, ErrNotProven) || !errors.Is(err, c.because) || !strings.Contains(err.Error(), c.says):
				t.Errorf("refused with %v, want ErrNotProven, %v, saying %q", err, c.because, c.says)
			}
		})
	}
}

// FuzzProofAnswer: whatever bytes come back on the connection, the answer
// reader never takes them as a proof (one would need the token) and never
// reads more than its bound.
func FuzzProofAnswer(f *testing.F) {
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 15\r\n\r\n{\"auth\":\"none\"}"))
	f.Add([]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":\r\n0\r\n\r\n"))
	f.Add([]byte("HTTP/1.1 401 Unauthorized\r\nContent-Length: 2\r\n\r\n{}"))
	f.Add([]byte("HTTP/1.0 200 OK\r\n\r\n{\"auth\":\"token\",\"proof\":\"00\"}"))
	f.Add([]byte("\x00garbage"))
	nonce := make([]byte, NonceLen)
	f.Fuzz(func(t *testing.T, b []byte) {
		body, err := ReadAnswer(bufio.NewReader(bytes.NewReader(b)))
		if err != nil {
			if !errors.Is(err, ErrNotProven) {
				t.Fatalf("error %v does not say the token was not proven", err)
			}
			return
		}
		if len(body) > MaxAnswer {
			t.Fatalf("read %d bytes, over the bound", len(body))
		}
		err = Check(body, "tok", nonce, netipLoopback)
		if err == nil || !(errors.Is(err, ErrNotProven) || errors.Is(err, ErrNoTokenWanted)) {
			t.Fatalf("%q: %v", b, err)
		}
		if errors.Is(err, ErrNoTokenWanted) && !strings.Contains(string(body), "none") {
			t.Fatalf("%q taken as auth none", body)
		}
	})
}

var netipLoopback = netip.MustParseAddrPort("127.0.0.1:5003")
