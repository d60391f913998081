package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/guard"
	"vibecraft.sh/helm/server/internal/silentport"
	"vibecraft.sh/helm/server/internal/tokenproof"
)

// pythonPage is the 404 page of `python3 -m http.server`.
const pythonPage = `<!DOCTYPE HTML>
<html lang="en">
    <head>
        <meta charset="utf-8">
        <title>Error response</title>
    </head>
    <body>
        <h1>Error response</h1>
        <p>Error code: 404</p>
        <p>Message: File not found.</p>
    </body>
</html>
`

// serveAll starts a server that answers every request with h, and
// returns its port.
func serveAll(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	return u.Port()
}

// said runs a client command as main does, and returns what it says on
// stderr and its exit code.
func said(t *testing.T, ctx context.Context, env map[string]string, args ...string) (string, int) {
	t.Helper()
	_, stderr, err := runCmd(ctx, env, args...)
	if err == nil {
		return stderr, 0
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("%v: %v is no *Error", args, err)
	}
	return stderr + "helmd: " + err.Error() + "\n", e.Code
}

// Another server on the port (a web server's 404 page, a dev server's app
// for every path, Go's plain 404) is said to be not helmd, in a short
// sentence naming the port to change, with or without a token: the
// commands printed its whole page as helmd's "not found" message. A 404
// from helmd itself, its JSON error, keeps its message.
func TestAnotherServerIsNotHelmd(t *testing.T) {
	for _, tc := range []struct {
		name  string
		serve http.HandlerFunc
		// what is how the answer is said, without a token and with one
		// (the token's proof is asked first, at /api/token-proof).
		what, withToken string
	}{
		{"a 404 page", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html;charset=utf-8")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, pythonPage)
		}, "it answered 404 with an HTML page", "it answered 404 with an HTML page"},
		{"an app for every path", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, "<!doctype html><html><body><div id=app></div></body></html>")
		}, "it answered 200 with an HTML page", "its answer to /api/token-proof is not helmd's"},
		{"plain text", http.NotFound, `it answered 404: "404 page not found"`, `it answered 404: "404 page not found"`},
		{"a long text", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, strings.Repeat("word ", 100)+"\x1b[2J", http.StatusForbidden)
		}, `it answered 403: "` + strings.Repeat("word ", 12) + `…"`, `it answered 403: "` + strings.Repeat("word ", 12) + `…"`},
	} {
		port := serveAll(t, tc.serve)
		base := "http://127.0.0.1:" + port
		for _, env := range []map[string]string{{"PORT": port}, {"PORT": port, "HELM_TOKEN": "tok-0123456789abcdef"}} {
			what := tc.what
			if env["HELM_TOKEN"] != "" {
				what = tc.withToken
			}
			want := "helmd: what answers at " + base + " is not helmd (" + what + "): is helmd on another port? (--port)\n"
			for _, args := range [][]string{{"ls"}, {"status"}, {"usage"}, {"watch"}} {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				got, code := said(t, ctx, env, args...)
				cancel()
				if code != ExitError || got != want {
					t.Errorf("%s, %v, token %q: exit %d,\n%s want exit 1,\n%s", tc.name, args, env["HELM_TOKEN"], code, got, want)
				}
			}
		}
	}

	port := fakeHelmd(t, "", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"error":"no such endpoint: /api/status"}`)
	})
	if got, code := said(t, context.Background(), map[string]string{"PORT": port}, "status"); code != ExitError ||
		got != "helmd: not found: no such endpoint: /api/status\n" {
		t.Errorf("a 404 from helmd: exit %d, %q; want its message", code, got)
	}
}

// hostsDialer reaches the names it maps at the addresses they map to,
// as /etc/hosts would; other names are dialled as they are.
type hostsDialer map[string]string

func (h hostsDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	if host, port, err := net.SplitHostPort(addr); err == nil && h[host] != "" {
		addr = net.JoinHostPort(h[host], port)
	}
	return (&net.Dialer{}).DialContext(ctx, network, addr)
}

// A host name helmd does not serve (HOST=vm, when vm is this machine)
// is refused with 421 by its guard against DNS rebinding; the command
// says that the name is refused, and the two ways out: the address, or
// --allowed-hosts. It said the token was not proven, as if another
// program held the port.
func TestHostNameRefused(t *testing.T) {
	dialer = hostsDialer{"helm.test": "127.0.0.1"}
	t.Cleanup(func() { dialer = &net.Dialer{} })
	const token = "tok-0123456789abcdef"
	for _, auth := range []string{token, ""} {
		helmd := func(allowed ...string) string {
			return serveAll(t, guard.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprint(w, `[]`)
			}), guard.Options{Token: auth, AllowedHosts: allowed}).ServeHTTP)
		}
		port := helmd()
		env := map[string]string{"PORT": port, "HOST": "helm.test", "HELM_TOKEN": auth}
		want := "helmd: helmd at http://helm.test:" + port + ` refuses the host name "helm.test" (421 Misdirected Request): ` +
			"pass --host 127.0.0.1, or start helmd with --allowed-hosts helm.test\n"
		if got, code := said(t, context.Background(), env, "ls"); code != ExitError || got != want {
			t.Errorf("token %q: exit %d,\n%s want exit 1,\n%s", auth, code, got, want)
		}
		// Either way out works.
		if got, code := said(t, context.Background(), env, "ls", "--host", "127.0.0.1"); code != 0 {
			t.Errorf("token %q, --host 127.0.0.1: exit %d, %s", auth, code, got)
		}
		env["PORT"] = helmd("helm.test")
		if got, code := said(t, context.Background(), env, "ls"); code != 0 {
			t.Errorf("token %q, helmd --allowed-hosts helm.test: exit %d, %s", auth, code, got)
		}
	}
}

// A port that accepts and never answers, or hangs up at once, is said
// as such, with or without a token, whichever deadline comes first, the
// request's or the token's proof's: "its answer is not HTTP (… i/o
// timeout)", or "context deadline exceeded", said nothing of the silence.
func TestNothingAnswers(t *testing.T) {
	const token = "tok-0123456789abcdef"
	check := func(t *testing.T, hangUp bool, timeout time.Duration, token string, want string, args ...string) {
		port := silentport.Listen(t, hangUp)
		base := "http://127.0.0.1:" + port
		re := regexp.MustCompile("^helmd: nothing answered at " + regexp.QuoteMeta(base) + " " + want + `: is it helmd\?\n$`)
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		if got, code := said(t, ctx, map[string]string{"PORT": port, "HELM_TOKEN": token}, args...); code != ExitError || !re.MatchString(got) {
			t.Errorf("hang up %v, token %q, %v: exit %d, %q; want exit 1 and %s", hangUp, token, args, code, got, re)
		}
	}
	// Both at once: the proof's deadline is 5 s.
	t.Run("the proof's deadline", func(t *testing.T) {
		t.Parallel()
		check(t, false, 2*tokenproof.ProveTimeout, token, "within "+tokenproof.ProveTimeout.String(), "ls")
	})
	t.Run("the request's deadline, or a hang-up", func(t *testing.T) {
		t.Parallel()
		for _, token := range []string{"", token} {
			for _, args := range [][]string{{"ls"}, {"status"}, {"usage"}} {
				check(t, false, 300*time.Millisecond, token, `within [0-9.]+m?s`, args...)
				check(t, true, 10*time.Second, token, `\(it closed the connection\)`, args...)
			}
		}
	})
}

// helmd watch with no token (no proof to bound the wait) at a port that
// accepts and never answers gives up as helmd ls does, once its wait for
// an answer is over, and says so, exit 1: a stream has no request
// deadline, and it waited forever.
func TestWatchGivesUpWhenNothingAnswers(t *testing.T) {
	defer func(d time.Duration) { headerTimeout = d }(headerTimeout)
	headerTimeout = 200 * time.Millisecond
	port := silentport.Listen(t, false)
	// The test's bound, far beyond the command's: a watch that waits on
	// ends with it, exit 0.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	got, code := said(t, ctx, map[string]string{"PORT": port}, "watch")
	re := regexp.MustCompile("^helmd: nothing answered at " + regexp.QuoteMeta("http://127.0.0.1:"+port) + ` within [0-9.]+m?s: is it helmd\?\n$`)
	if code != ExitError || !re.MatchString(got) || ctx.Err() != nil {
		t.Errorf("exit %d, %q (test's deadline passed: %v); want exit 1 and %s before the test's deadline", code, got, ctx.Err() != nil, re)
	}
}

// A host name that does not resolve, or an address that cannot be
// reached, is one sentence naming it once: it was "GET http://…: Get
// \"http://…\": dial tcp: lookup … on …: no such host", the URL twice.
func TestHostNotReached(t *testing.T) {
	for _, tc := range []struct {
		host, prefix string
	}{
		// .invalid never resolves (RFC 6761).
		{"nosuchhost.invalid", `helmd: cannot resolve host "nosuchhost.invalid" (`},
		// No TCP connection to a broadcast address: refused before any packet.
		{"255.255.255.255", "helmd: cannot connect to http://255.255.255.255:5003 ("},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		got, code := said(t, ctx, nil, "ls", "--host", tc.host)
		cancel()
		if code != ExitError || !strings.HasPrefix(got, tc.prefix) || !strings.HasSuffix(got, "): check --host or HOST\n") ||
			strings.Count(got, tc.host) != 1 {
			t.Errorf("--host %s: exit %d, %q; want exit 1, %q… naming it once", tc.host, code, got, tc.prefix)
		}
	}
}

// A token file given (--token-file, HELM_TOKEN_FILE) that does not exist
// is said when helmd wants its token: it was read as no token, and the
// 401 only asked for a token file. Not given, the usual file's absence
// is the 401 as before.
func TestGivenTokenFileMissing(t *testing.T) {
	const token = "file-token-0123456789"
	port := fakeHelmd(t, token, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+token {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error":"this request needs Helm's access token"}`)
			return
		}
		fmt.Fprint(w, `[]`)
	})
	missing := filepath.Join(t.TempDir(), "no-folder", "tok")
	want := "helmd: helmd at http://127.0.0.1:" + port + " wants its access token, and token file " + missing +
		" does not exist: give --token-file helmd's token file, or set HELM_TOKEN or --token\n"
	for _, tc := range []struct {
		env  map[string]string
		args []string
	}{
		{map[string]string{"PORT": port}, []string{"ls", "--token-file", missing}},
		{map[string]string{"PORT": port, "HELM_TOKEN_FILE": missing}, []string{"ls"}},
		{map[string]string{"PORT": port, "HELM_TOKEN_FILE": missing}, []string{"watch"}},
	} {
		if got, code := said(t, context.Background(), tc.env, tc.args...); code != ExitError || got != want {
			t.Errorf("%v %v: exit %d,\n%s want exit 1,\n%s", tc.env, tc.args, code, got, want)
		}
	}
	if got, code := said(t, context.Background(), map[string]string{"PORT": port}, "ls"); code != ExitError ||
		!strings.Contains(got, "wants its access token (this request needs Helm's access token): set HELM_TOKEN") || strings.Contains(got, "does not exist") {
		t.Errorf("no token file given, none at the usual place: exit %d, %q", code, got)
	}
}

// A helmd that proves it holds the token, then sends no answer (stuck,
// or overloaded), is said to be helmd, stuck: it was Go's "GET …:
// net/http: timeout awaiting response headers" for helmd watch, and a
// bare deadline for the others.
func TestProvenHelmdThatHangs(t *testing.T) {
	const token = "tok-0123456789abcdef"
	defer func(d time.Duration) { headerTimeout = d }(headerTimeout)
	headerTimeout = 300 * time.Millisecond
	release := make(chan struct{})
	defer close(release)
	port := fakeHelmd(t, token, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	base := "http://127.0.0.1:" + port
	re := regexp.MustCompile("^helmd: helmd at " + regexp.QuoteMeta(base) + ` took the token, then sent no answer within [0-9.]+m?s: it may be stuck or overloaded \(its log may say why\)\n$`)
	for _, cmd := range []string{"ls", "watch"} {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		got, code := said(t, ctx, map[string]string{"PORT": port, "HELM_TOKEN": token}, cmd)
		if code != ExitError || !re.MatchString(got) || ctx.Err() != nil {
			t.Errorf("helmd %s: exit %d, %q (test's deadline passed: %v); want exit 1 and %s", cmd, code, got, ctx.Err() != nil, re)
		}
		cancel()
	}
}
