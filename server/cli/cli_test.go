package cli

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"vibecraft.sh/helm/server/internal/logbuf"
	"vibecraft.sh/helm/server/internal/tokenproof"

	"go.uber.org/goleak"
)

// fakeHelmd is an httptest server standing in for helmd, for the
// contract parts a real one cannot show yet (/api/usage) or cannot be
// made to do on cue (drop a stream). It proves it holds token as helmd
// does ("": it wants none).
func fakeHelmd(t *testing.T, token string, h http.HandlerFunc) (port string) {
	t.Helper()
	before := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, before) })
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == tokenproof.Path {
			tokenproof.Serve(w, r, token)
			return
		}
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	return u.Port()
}

// out is a writer a test reads while a command writes to it.
type out = logbuf.Buffer

// envOf is an environment of env's variables, as os.LookupEnv sees it.
func envOf(env map[string]string) Env {
	return func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}
}

// with is env and the variables of kv (name, value, ...), env left as
// it was.
func with(env map[string]string, kv ...string) map[string]string {
	out := maps.Clone(env)
	if out == nil {
		out = map[string]string{}
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

func runCmd(ctx context.Context, env map[string]string, args ...string) (string, string, error) {
	var stdout, stderr out
	now := time.Date(2026, 12, 8, 12, 0, 0, 0, time.UTC)
	err := Run(ctx, args, IO{Env: envOf(env), Home: "/nonexistent",
		Stdout: &stdout, Stderr: &stderr, Now: func() time.Time { return now }})
	return stdout.String(), stderr.String(), err
}

const usageJSON = `{"from":1764590400000,"to":1765195200000,"by":"day","buckets":[
{"key":"2026-12-01","costUsd":1.23,"tokens":{"input":1200,"output":3400,"cacheRead":1500000,"cacheWrite":20000},"byModel":{"claude-sonnet-4-5":1.0,"claude-opus-4-1":0.23}},
{"key":"2026-12-02\u001b[2J","costUsd":0.5,"tokens":{"input":1,"output":2,"cacheRead":3,"cacheWrite":4},"byModel":{"claude-opus-4-1":0.5}}],
"total":{"costUsd":1.73,"tokens":{"input":1201,"output":3402,"cacheRead":1500003,"cacheWrite":20004}}}`

// helmd usage asks for the contract's query with the token as Bearer,
// and prints the buckets as a table, hostile keys cleaned.
func TestUsageAgainstTheContract(t *testing.T) {
	var got *http.Request
	var mu sync.Mutex
	port := fakeHelmd(t, "tok-0123456789abcdef", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = r.Clone(context.Background())
		mu.Unlock()
		if r.URL.Path != "/api/usage" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, usageJSON)
	})
	env := map[string]string{"HELM_TOKEN": "tok-0123456789abcdef", "PORT": port, "TZ": "Europe/Paris"}
	stdout, stderr, err := runCmd(context.Background(), env, "usage", "--since", "7d", "--by", "day")
	if err != nil {
		t.Fatalf("%v %s", err, stderr)
	}
	q := got.URL.Query()
	now := time.Date(2026, 12, 8, 12, 0, 0, 0, time.UTC)
	paris, _ := time.LoadLocation("Europe/Paris")
	// 7 days back is Dec 1 in Paris; the report starts at its midnight.
	if q.Get("from") != fmt.Sprint(time.Date(2026, 12, 1, 0, 0, 0, 0, paris).UnixMilli()) || q.Get("to") != fmt.Sprint(now.UnixMilli()) ||
		q.Get("by") != "day" || q.Get("tz") != "Europe/Paris" {
		t.Errorf("query %v", q)
	}
	if a := got.Header.Get("Authorization"); a != "Bearer tok-0123456789abcdef" {
		t.Errorf("Authorization %q", a)
	}
	for _, want := range []string{"DAY", "2026-12-01", "$1.23", "1.5M", "sonnet 4.5", "TOTAL", "$1.73"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("table lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "\x1b") {
		t.Errorf("escape reached the terminal: %q", stdout)
	}

	stdout, _, err = runCmd(context.Background(), env, "usage", "--json", "--by", "model")
	if err != nil || !strings.HasPrefix(stdout, `{"from":`) || got.URL.Query().Get("by") != "model" {
		t.Errorf("--json: %v %q", err, stdout)
	}
	for _, bad := range [][]string{{"usage", "--by", "week"}, {"usage", "--since", "forever"}, {"usage", "--tz", "Mars/Olympus"}} {
		if _, _, err := runCmd(context.Background(), env, bad...); err == nil || err.(*Error).Code != ExitError {
			t.Errorf("%v: %v, want an error, exit 1", bad, err)
		}
	}
}

// A helmd that wants a token says so; the token file is read when
// HELM_TOKEN is not set.
func TestTokenFromFileAndRefusal(t *testing.T) {
	const token = "file-token-0123456789"
	port := fakeHelmd(t, token, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+token {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error":"this request needs Helm's access token"}`)
			return
		}
		fmt.Fprint(w, `[]`)
	})
	file := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(file, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"PORT": port}
	if _, _, err := runCmd(context.Background(), env, "ls"); err == nil || !strings.Contains(err.Error(), "wants its access token") {
		t.Errorf("without token: %v", err)
	}
	stdout, _, err := runCmd(context.Background(), env, "ls", "--token-file", file)
	if err != nil || stdout != "no sessions\n" {
		t.Errorf("with the token file: %v %q", err, stdout)
	}
	env["HELM_TOKEN_FILE"] = file
	if stdout, _, err := runCmd(context.Background(), env, "ls", "--json"); err != nil || stdout != "[]\n" {
		t.Errorf("HELM_TOKEN_FILE: %v %q", err, stdout)
	}
}

// A dropped stream is resumed with Last-Event-ID: the change after the
// drop is applied to the session held from before it, and nothing is
// printed twice.
func TestWatchResumesAfterADrop(t *testing.T) {
	var mu sync.Mutex
	var lastIDs []string
	resumed := make(chan struct{})
	port := fakeHelmd(t, "", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		lastIDs = append(lastIDs, r.Header.Get("Last-Event-ID"))
		n := len(lastIDs)
		mu.Unlock()
		w.Header().Set("Content-Type", "text/event-stream")
		if n == 1 {
			fmt.Fprint(w, "retry: 3000\n\nevent: init\nid: e-1\ndata: {\"type\":\"init\",\"sessions\":[],\"timestamp\":1}\n\n")
			fmt.Fprint(w, "event: session-created\nid: e-2\ndata: {\"type\":\"session-created\",\"sessions\":[{\"id\":\"s1\",\"source\":\"claude\",\"title\":\"First\",\"status\":\"working\",\"projectName\":\"p\"}],\"timestamp\":2}\n\n")
			return // the drop
		}
		fmt.Fprint(w, "event: session-updated\nid: e-3\ndata: {\"type\":\"session-updated\",\"sessions\":[{\"id\":\"s1\",\"source\":\"claude\",\"status\":\"waiting\"}],\"timestamp\":3}\n\n")
		w.(http.Flusher).Flush()
		close(resumed)
		<-r.Context().Done()
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	ch := make(wrote, 1)
	stdout, stderr := &out{Tee: ch}, &out{}
	go func() {
		done <- Run(ctx, []string{"watch", "--json"}, IO{Env: envOf(map[string]string{"PORT": port}),
			Stdout: stdout, Stderr: stderr})
	}()
	select {
	case <-resumed:
	case <-time.After(10 * time.Second):
		t.Fatal("watch did not reconnect")
	}
	waitFor(t, stdout, ch, "both changes", func(s string) bool { return strings.Count(s, "\n") >= 2 })
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("interrupt: %v, want nil (no error: main ends by the signal)", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(lastIDs) != 2 || lastIDs[0] != "" || lastIDs[1] != "e-2" {
		t.Errorf("Last-Event-ID per connection: %q", lastIDs)
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"event":"session-created"`) ||
		!strings.Contains(lines[1], `"event":"session-updated","id":"e-3"`) || !strings.Contains(lines[1], `"title":"First"`) ||
		!strings.Contains(lines[1], `"status":"waiting"`) {
		t.Errorf("lines:\n%s", stdout.String())
	}
	if !strings.Contains(stderr.String(), "reconnecting") {
		t.Errorf("stderr %q", stderr.String())
	}
}

func TestFlagsAnywhere(t *testing.T) {
	port := fakeHelmd(t, "", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `[]`) })
	for _, args := range [][]string{
		{"ls", "--json", "--port", port},
		{"ls", "--port=" + port, "--json"},
		{"ls", "-port", port, "-json"},
	} {
		stdout, _, err := runCmd(context.Background(), nil, args...)
		if err != nil || stdout != "[]\n" {
			t.Errorf("%v: %v %q", args, err, stdout)
		}
	}
	_, _, err := runCmd(context.Background(), nil, "ls", "--port", port, "extra")
	var e *Error
	if !errors.As(err, &e) || e.Code != ExitError {
		t.Errorf("stray argument: %v", err)
	}
	if stdout, _, err := runCmd(context.Background(), nil, "ls", "--help"); err != nil || !strings.Contains(stdout, "Usage: helmd ls") {
		t.Errorf("--help: %v %q", err, stdout)
	}
}

// Each command's --help lists every flag it takes, its own and the
// connection flags, once each, on stdout (asked for, it is the output:
// helmd ls --help | grep json), and exits 0 (it listed only the
// connection flags: its own were defined after -h was handled).
func TestHelpListsEveryFlag(t *testing.T) {
	conn := []string{"host", "port", "auth", "token", "token-file"}
	for cmd, own := range map[string][]string{
		"ls":     {"status", "project", "json", "scan-wait"},
		"watch":  {"json", "waiting", "count"},
		"usage":  {"since", "by", "tz", "json", "scan-wait"},
		"status": {"json"},
	} {
		for _, help := range []string{"--help", "-h"} {
			stdout, stderr, err := runCmd(context.Background(), nil, cmd, help)
			if err != nil || stderr != "" || !strings.HasPrefix(stdout, "Usage: helmd "+cmd+" ") {
				t.Errorf("%s %s: %v, stderr %q, stdout:\n%s", cmd, help, err, stderr, stdout)
				continue
			}
			for _, f := range append(own, conn...) {
				// PrintDefaults starts each flag's line with "  -name".
				if n := strings.Count(stdout, "\n  -"+f+" ") + strings.Count(stdout, "\n  -"+f+"\n"); n != 1 {
					t.Errorf("%s %s lists -%s %d times, want once:\n%s", cmd, help, f, n, stdout)
				}
			}
		}
	}
}

// An unknown flag is one error, said once, after the usage with every
// flag, and exits 1 as every other mistake in the arguments does (2 is
// kept for "helmd is not running", which scripts test for). It was said
// twice, the second time above a list without the connection flags.
func TestUnknownFlagSaidOnce(t *testing.T) {
	_, stderr, err := runCmd(context.Background(), nil, "ls", "--json", "--bogus")
	var e *Error
	if !errors.As(err, &e) || e.Code != ExitError {
		t.Fatalf("ls --bogus: %v, want an error, exit 1", err)
	}
	all := stderr + "helmd: " + err.Error() + "\n" // as main prints it
	if n := strings.Count(all, "flag provided but not defined: -bogus"); n != 1 {
		t.Errorf("the error is said %d times, want once:\n%s", n, all)
	}
	for _, want := range []string{"Usage: helmd ls ", "\n  -status ", "\n  -json\n", "\n  -host ", "\n  -port "} {
		if !strings.Contains(stderr, want) {
			t.Errorf("usage lacks %q:\n%s", want, stderr)
		}
	}
	if _, stderr, err := runCmd(context.Background(), nil, "usage", "--port", "notaport"); err == nil ||
		!strings.Contains(err.Error(), "-port") || !strings.Contains(stderr, "Usage: helmd usage ") {
		t.Errorf("usage --port notaport: %v\n%s", err, stderr)
	}
}

// A PORT that is no number is an error only when used: with --port it
// is not (it failed the command, though --port said where helmd is).
func TestBadPortEnvReplacedByTheFlag(t *testing.T) {
	port := fakeHelmd(t, "", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `[]`) })
	if stdout, _, err := runCmd(context.Background(), map[string]string{"PORT": "abc"}, "ls", "--json", "--port", port); err != nil || stdout != "[]\n" {
		t.Errorf("PORT=abc ls --port %s: %v %q; want the list", port, err, stdout)
	}
	if _, _, err := runCmd(context.Background(), map[string]string{"PORT": "abc"}, "ls", "--json"); err == nil || !strings.Contains(err.Error(), `PORT="abc"`) {
		t.Errorf("PORT=abc ls: %v; want PORT refused", err)
	}
}
