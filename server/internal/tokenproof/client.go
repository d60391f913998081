package tokenproof

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"
)

// ProveTimeout bounds the exchange on a new connection: a program that
// accepts and never answers must not hang a client.
const ProveTimeout = 5 * time.Second

// Dial dials addr with d and, when token is not "", asks what answers
// whether it holds that token before returning the connection (Prove).
// A client whose transport dials only through here never sends its token
// on a connection that was not proven. ErrNoTokenWanted: a helmd with
// authentication off, to be asked again without the token.
func Dial(ctx context.Context, d Dialer, network, addr, token string) (net.Conn, error) {
	conn, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	if token == "" {
		return conn, nil // nothing secret will be sent on it
	}
	if err := Prove(ctx, conn, addr, token); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

// Dialer opens connections: a *net.Dialer, or a test's stand-in for
// one that reaches names no resolver knows.
type Dialer interface {
	DialContext(ctx context.Context, network, addr string) (net.Conn, error)
}

// Prove sends a fresh nonce on conn (host: the Host header) and checks
// the answer against the address conn reached. It reads exactly the
// answer, so the connection is left at a request boundary. It returns as
// soon as the answer is known, or ctx ends.
func Prove(ctx context.Context, conn net.Conn, host, token string) error {
	remote, ok := conn.RemoteAddr().(*net.TCPAddr)
	if !ok {
		return fmt.Errorf("%w: not a TCP connection", ErrNotProven)
	}
	deadline := time.Now().Add(ProveTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	if err := conn.SetDeadline(deadline); err != nil {
		return fmt.Errorf("%w: %v", ErrNotProven, err)
	}
	// A caller that gives up (^C) cuts the wait short, as the deadline
	// would: the proof reads block on conn, not on ctx.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	err := exchange(conn, host, token, remote.AddrPort())
	stopped := stop()
	switch {
	case err != nil && errors.Is(ctx.Err(), context.Canceled):
		// Its reason, not the timeout the cut wait reads as.
		return fmt.Errorf("%w: %w", ErrNotProven, context.Cause(ctx))
	case err != nil:
		return err
	case !stopped:
		// Proven, but given up meanwhile: the cut may have struck.
		return fmt.Errorf("%w: %w", ErrNotProven, context.Cause(ctx))
	}
	if err := conn.SetDeadline(time.Time{}); err != nil {
		return fmt.Errorf("%w: %v", ErrNotProven, err)
	}
	return nil
}

// exchange asks the question on conn and checks the answer against
// remote, the address conn reached.
func exchange(conn net.Conn, host, token string, remote netip.AddrPort) error {
	nonce := make([]byte, NonceLen)
	_, _ = rand.Read(nonce) // never fails (crypto/rand)
	req := "GET " + Path + "?nonce=" + hex.EncodeToString(nonce) + " HTTP/1.1\r\n" +
		"Host: " + host + "\r\nUser-Agent: helmd\r\nAccept: application/json\r\n\r\n"
	if _, err := io.WriteString(conn, req); err != nil {
		return fmt.Errorf("%w: %v", ErrNotProven, err)
	}
	br := bufio.NewReaderSize(conn, MaxAnswer)
	if _, err := br.Peek(1); err != nil {
		// Not a byte back: a program that accepts and keeps silent, or
		// hangs up, which a client says apart from a wrong answer.
		return fmt.Errorf("%w: %w (%w)", ErrNotProven, ErrNoAnswer, err)
	}
	body, err := ReadAnswer(br)
	if err != nil {
		return err
	}
	if err := Check(body, token, nonce, remote); err != nil {
		return err
	}
	if br.Buffered() > 0 {
		// Bytes beyond the answer would be lost with br: not helmd.
		return fmt.Errorf("%w: it sent more than its answer", ErrNotProven)
	}
	return nil
}

// httpPrefix begins every HTTP/1.x response, as http.ReadResponse reads
// one: case and all.
const httpPrefix = "HTTP/"

// notHTTP reports that the bytes br already holds do not begin as an
// HTTP response. http.ReadResponse would wait for a whole line to say
// so, and a program that greets in binary (a TLS alert) and keeps the
// connection open would hold the client to its deadline.
func notHTTP(br *bufio.Reader) bool {
	b, _ := br.Peek(min(br.Buffered(), len(httpPrefix))) // buffered: never waits
	return !strings.HasPrefix(httpPrefix, string(b))
}

// answerBody is resp's body as far as it can be read without waiting for
// the other end: one that runs until the connection closes (no length,
// not chunked) is what came with the status, already in br. helmd's
// answers have a length; a program that sends such a body and keeps the
// connection open held the client to its deadline.
func answerBody(resp *http.Response, br *bufio.Reader) io.Reader {
	if resp.ContentLength < 0 && len(resp.TransferEncoding) == 0 {
		return io.LimitReader(resp.Body, int64(br.Buffered()))
	}
	return resp.Body
}

// ReadAnswer reads one HTTP response from br and returns its body,
// bounded by MaxAnswer. Anything but a 200 that keeps the connection open
// is not a proof.
//
// It reads no more than it must to know: not the rest of a line that
// does not begin as HTTP, nor the body of a 200 that would close the
// connection, nor a body that runs until the connection closes beyond
// what came with its status (answerBody). Nor is the body closed, which
// would read what is left of it: the connection is dropped on a
// refusal, and a proof's body was read to its end.
func ReadAnswer(br *bufio.Reader) ([]byte, error) {
	if notHTTP(br) {
		return nil, fmt.Errorf("%w: %w", ErrNotProven, ErrNotHTTP)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %w (%v)", ErrNotProven, ErrNotHTTP, err)
	}
	if resp.StatusCode == http.StatusOK && resp.Close {
		return nil, fmt.Errorf("%w: it closes the connection", ErrNotProven)
	}
	body, err := io.ReadAll(io.LimitReader(answerBody(resp, br), MaxAnswer+1))
	switch {
	case resp.StatusCode != http.StatusOK:
		// Before the body's faults: a refusal is said by its status
		// (and its body, cut, tells helmd's from another server's),
		// however long the page that comes with it.
		return nil, fmt.Errorf("%w: %w", ErrNotProven, &StatusError{Code: resp.StatusCode, Status: resp.Status,
			ContentType: resp.Header.Get("Content-Type"), Body: body[:min(len(body), MaxAnswer)]})
	case err != nil:
		return nil, fmt.Errorf("%w: %v", ErrNotProven, err)
	case len(body) > MaxAnswer:
		return nil, fmt.Errorf("%w: its answer is too long", ErrNotProven)
	}
	return body, nil
}

// Kinds of ErrNotProven a client may say in its own words: they tell a
// port held by another program from a helmd with another token.
var (
	// ErrNoAnswer is no answer at all before the deadline, or before
	// the connection closed.
	ErrNoAnswer = errors.New("nothing answered")
	// ErrNotHTTP is an answer that is not HTTP at all.
	ErrNotHTTP = errors.New("its answer is not HTTP")
	// ErrNotHelmd is a 200 whose body is not a proof answer.
	ErrNotHelmd = errors.New("its answer is not helmd's")
)

// StatusError is an answer other than 200: a refusal of the question
// (helmd's guard answers 421 to a Host name it does not serve), or
// another server's page.
type StatusError struct {
	Code        int
	Status      string // "404 Not Found", as sent
	ContentType string
	Body        []byte // at most MaxAnswer bytes of it
}

func (e *StatusError) Error() string { return "it answered " + e.Status }
