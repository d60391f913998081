package main

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/fixture"
	"vibecraft.sh/helm/server/internal/helmdproc"
)

// TestCLIWithHelmdsOwnToken: helmd started as a user starts it, token
// required, writes its token file; every command, given no token, finds
// that file where helmd keeps it ($XDG_CONFIG_HOME/helm/token) and is let
// in. With the file gone, helmd refuses and the command says why, exit 1.
// Plain `helmd watch` prints a line in words per change.
func TestCLIWithHelmdsOwnToken(t *testing.T) {
	cfgHome := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfgHome) // helmd's and the commands' default token file
	t.Setenv("HELM_TOKEN", "")
	t.Setenv("HELM_TOKEN_FILE", "")
	root := t.TempDir()
	seedSessions(t, root)
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, []string{"--port", "0", "--claude-dir", root, "--cache-dir", "", "--log-level", "warn",
			"--no-opencode", "--debounce", "20ms"}, pw, io.Discard)
		pw.Close()
		done <- err
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("helmd: %v", err)
		}
	})
	var base string
	select {
	case a, ok := <-helmdproc.WatchURL(pr):
		if !ok {
			t.Fatalf("helmd exited at start: %v", <-done)
		}
		base = a.URL
	case <-time.After(time.Minute):
		t.Fatal("helmd did not print its URL")
	}
	tokenFile := filepath.Join(cfgHome, "helm", "token")
	raw, err := os.ReadFile(tokenFile)
	if err != nil {
		t.Fatalf("helmd wrote no token file: %v", err)
	}
	token := strings.TrimSpace(string(raw))
	waitFor(t, "the first scan", func() bool { return helmdproc.FirstScanDone(base, token) })
	port := portOf(t, base)
	cmd := func(ctx context.Context, args ...string) (string, string, int) {
		var out, errOut syncBuffer
		err := run(ctx, append(args, "--port", port), &out, &errOut)
		stderr := errOut.String()
		if err != nil {
			stderr += "helmd: " + err.Error() + "\n" // as main prints it
		}
		return out.String(), stderr, exitCode(err)
	}
	waitFor(t, "both sessions", func() bool {
		out, _, code := cmd(context.Background(), "ls", "--json")
		return code == 0 && strings.Count(out, `"id":`) == 2
	})
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"ls"}, "Refactor the parser"},
		{[]string{"status"}, "Sessions: 2"},
		{[]string{"usage", "--since", "1d"}, "TOTAL"},
	} {
		out, stderr, code := cmd(context.Background(), tc.args...)
		if code != 0 || !strings.Contains(out, tc.want) {
			t.Errorf("%v with helmd's token file: exit %d, %q; stderr %q", tc.args, code, out, stderr)
		}
	}

	// Plain watch: one line in words per change.
	wctx, stopWatch := context.WithCancel(context.Background())
	var wout syncBuffer
	wdone := make(chan error, 1)
	go func() { wdone <- run(wctx, []string{"watch", "--port", port}, &wout, io.Discard) }()
	var once sync.Once
	var watchErr error
	interrupt := func() error { once.Do(func() { stopWatch(); watchErr = <-wdone }); return watchErr }
	defer interrupt()
	waitFor(t, "the watcher to connect", func() bool {
		var st struct{ Stream struct{ Clients int } }
		return json.NewDecoder(get(t, base+"/api/status", map[string]string{"Authorization": "Bearer " + token}).Body).Decode(&st) == nil &&
			st.Stream.Clients == 1
	})
	const sid = "0f4b1c2d-7777-4c1e-9a55-0d6e2f8b1c07"
	fixture.Append(t, fixture.Path(root, "/work/plain", sid), fixture.User(sid, "/work/plain", "Plain words", time.Now()))
	waitFor(t, "the new session's line", func() bool { return strings.Contains(wout.String(), "Plain words") })
	line := strings.TrimSpace(wout.String())
	if !strings.Contains(line, " new ") || !strings.Contains(line, "(plain, 1 msg,") || strings.HasPrefix(line, "{") {
		t.Errorf("watch line %q: want the time, \"new\", the status, title and (project, messages, cost)", line)
	}
	if err := interrupt(); err != nil {
		t.Errorf("watch after the interrupt: %v, want no error (main ends by the signal)", err)
	}

	if err := os.Remove(tokenFile); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := cmd(context.Background(), "ls")
	if code != 1 || !strings.Contains(stderr, "wants its access token") {
		t.Errorf("without the token file: exit %d, %q; want 1 and a word on the token", code, stderr)
	}
}
