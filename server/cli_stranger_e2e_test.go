package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/logbuf"
	"vibecraft.sh/helm/server/internal/tokenproof"
)

// TestCLIKeepsItsTokenFromStrangers: a command sends its token only over
// a connection whose other end proved it holds that token. Another local
// program on the port — answering 401 as helmd does, or passing every
// byte on to the real helmd listening elsewhere — receives no token, and
// the command says why, exit 1. The same command asked of the real helmd
// directly is let in; one asked of something that says it wants no token
// refuses, unless given --auth none, and then sends none.
func TestCLIKeepsItsTokenFromStrangers(t *testing.T) {
	for _, k := range []string{"HELM_TOKEN", "HELM_TOKEN_FILE", "HOST", "PORT"} {
		t.Setenv(k, "")
	}
	const token = "a-token-other-accounts-must-never-see-0123"
	real := launchAuth(t, "", token)
	realAddr := strings.TrimSuffix(strings.TrimPrefix(real.URL, "http://"), "/")

	// A squatter answers as a helmd that wants a token, and keeps what
	// it is sent.
	var squatted logbuf.Buffer
	squatter := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.Header.Write(&squatted)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"error":"this request needs Helm's access token"}`)
	}))
	defer squatter.Close()

	// A relay passes every byte both ways between its own port and the
	// real helmd, keeping a copy of what the command sends.
	var relayed logbuf.Buffer
	relay := relayTo(t, realAddr, &relayed)

	cmd := func(port string, args ...string) (string, int) {
		var out, errOut logbuf.Buffer
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		err := run(ctx, append(args, "--port", port, "--token", token), &out, &errOut)
		msg := errOut.String()
		if err != nil {
			msg += err.Error()
		}
		return msg, exitCode(err)
	}
	commands := [][]string{{"ls"}, {"status"}, {"usage", "--since", "1d"}, {"watch"}}
	for _, stranger := range []struct {
		name, port string
		saw        *logbuf.Buffer
	}{
		{"a program answering 401 as helmd", portOf(t, squatter.URL), &squatted},
		{"a relay to the real helmd", portOf(t, "http://"+relay), &relayed},
	} {
		for _, args := range commands {
			msg, code := cmd(stranger.port, args...)
			if code != 1 || !strings.Contains(msg, "your token was not sent") {
				t.Errorf("%s, helmd %v: exit %d, %q; want 1 and a word that the token was kept back", stranger.name, args, code, msg)
			}
		}
		if strings.Contains(stranger.saw.String(), token) {
			t.Errorf("%s received the token:\n%s", stranger.name, stranger.saw.String())
		}
	}
	if relayed.String() == "" {
		t.Error("the relay passed nothing on: the test did not reach the real helmd through it")
	}

	if msg, code := cmd(portOf(t, real.URL), "status"); code != 0 {
		t.Errorf("helmd status asked of the real helmd: exit %d, %q", code, msg)
	}

	// Something that says it wants no token (which needs no proof) is
	// asked nothing more by a command holding a token; told --auth none,
	// the command asks it without one.
	var auths []string
	var mu sync.Mutex
	open := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == tokenproof.Path {
			_ = json.NewEncoder(w).Encode(tokenproof.Answer{Auth: "none"})
			return
		}
		mu.Lock()
		auths = append(auths, r.Header.Get("Authorization"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `[]`)
	}))
	defer open.Close()
	if msg, code := cmd(portOf(t, open.URL), "ls"); code != 1 || !strings.Contains(msg, "pass --auth none to this command too") {
		t.Errorf("helmd ls holding a token, asked of a server claiming to want none: exit %d, %q; want 1 and a word to pass --auth none", code, msg)
	}
	if msg, code := cmd(portOf(t, open.URL), "ls", "--auth", "none"); code != 0 {
		t.Errorf("helmd ls --auth none asked of a server with --auth none: exit %d, %q", code, msg)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(auths) != 1 || auths[0] != "" {
		t.Errorf("requests to a server wanting no token carried Authorization %q, want one request without", auths)
	}
}

// relayTo listens on a loopback port and passes each connection on to
// target, copying what clients send into sent. It returns its address.
func relayTo(t *testing.T, target string, sent io.Writer) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				in.Close()
				continue
			}
			mu.Lock()
			conns = append(conns, in, out)
			mu.Unlock()
			wg.Go(func() {
				_, _ = io.Copy(io.MultiWriter(out, sent), in)
				out.Close()
			})
			wg.Go(func() {
				_, _ = io.Copy(in, out)
				in.Close()
			})
		}
	})
	return ln.Addr().String()
}
