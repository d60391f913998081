package deadline

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// big answers 64 MB, far more than socket buffers hold, and reports how
// its writing ended.
func big(ended chan<- error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		chunk := []byte(strings.Repeat("x", 64<<10))
		for range 1024 {
			if _, err := w.Write(chunk); err != nil {
				ended <- err
				return
			}
		}
		ended <- nil
	})
}

func TestNonReadingClientIsDropped(t *testing.T) {
	cases := []struct {
		name     string
		path     string
		wantDrop bool
	}{
		{"a response gets the deadline", "/api/sessions", true},
		{"a skipped path does not", "/api/sessions/stream", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ended := make(chan error, 1)
			skip := func(r *http.Request) bool { return r.URL.Path == "/api/sessions/stream" }
			srv := httptest.NewServer(Wrap(big(ended), 200*time.Millisecond, skip))
			defer srv.Close()
			conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			io.WriteString(conn, "GET "+tc.path+" HTTP/1.1\r\nHost: x\r\n\r\n")
			br := bufio.NewReader(conn)
			if _, err := br.ReadString('\n'); err != nil { // the answer has begun
				t.Fatal(err)
			}
			// A drop comes once the deadline passes (allow for a loaded
			// machine); a skipped path is watched for five deadlines.
			wait := time.Second
			if tc.wantDrop {
				wait = 10 * time.Second
			}
			select {
			case err := <-ended:
				if !tc.wantDrop || err == nil {
					t.Fatalf("writing ended with %v", err)
				}
			case <-time.After(wait):
				if tc.wantDrop {
					t.Fatal("the handler still writes to a client that stopped reading")
				}
				// Unblock the handler: read the rest.
				go io.Copy(io.Discard, br)
				if err := <-ended; err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

func TestReadingClientGetsItAll(t *testing.T) {
	ended := make(chan error, 1)
	srv := httptest.NewServer(Wrap(big(ended), 10*time.Second, nil))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil || n != 64<<20 {
		t.Fatalf("read %d bytes: %v", n, err)
	}
	if err := <-ended; err != nil {
		t.Fatal(err)
	}
}

// TestStalledBodyIsCut: a client that sends the headers of a body and
// then nothing gets the handler's reply (here a refusal that never reads
// the body) once the body's deadline passes, and its connection is
// closed; without the deadline net/http waited for the body for ever
// before replying. A client that sends its body is served as before.
func TestStalledBodyIsCut(t *testing.T) {
	refuse := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "no token", http.StatusUnauthorized)
	})
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Write(b)
	})
	for _, tc := range []struct {
		name    string
		handler http.Handler
		send    string
		want    string
	}{
		{"stalled, refused", refuse, "", "HTTP/1.1 401"},
		{"stalled, read", echo, "", "HTTP/1.1 400"},
		{"whole, read", echo, strings.Repeat("x", 1000), "HTTP/1.1 200"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(Body(tc.handler, 200*time.Millisecond))
			defer srv.Close()
			conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			req := "POST /api/hooks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n" + tc.send
			if _, err := conn.Write([]byte(req)); err != nil {
				t.Fatal(err)
			}
			conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			line, err := bufio.NewReader(conn).ReadString('\n')
			if err != nil || !strings.HasPrefix(line, tc.want) {
				t.Fatalf("reply %q, %v; want %s", line, err, tc.want)
			}
		})
	}
}
