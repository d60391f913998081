package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/helmdproc"
	"vibecraft.sh/helm/shared"
)

// testServer is helmd running in this process, over a temp root.
type testServer struct {
	URL    string
	Claude string // the Claude config dir it reads
	cancel context.CancelFunc
	done   chan error
}

// startHelmd runs helmd in-process on a free port over a Claude root
// (OpenCode off) with extra flags, and stops it when the test ends.
func startHelmd(t testing.TB, claudeDir string, args ...string) *testServer {
	t.Helper()
	return launch(t, claudeDir, append([]string{"--no-opencode"}, args...)...)
}

// startOpenCodeHelmd is startHelmd reading OpenCode's data folder too.
func startOpenCodeHelmd(t testing.TB, claudeDir, openCodeDir string, args ...string) *testServer {
	t.Helper()
	return launch(t, claudeDir, append([]string{"--opencode-dir", openCodeDir, "--opencode-db", filepath.Join(openCodeDir, "opencode.db")}, args...)...)
}

func launch(t testing.TB, claudeDir string, args ...string) *testServer {
	t.Helper()
	return launchAuth(t, claudeDir, "", args...)
}

// launchAuth is launch with token required (as by default) when it is
// not "": the readiness check presents it.
func launchAuth(t testing.TB, claudeDir, token string, args ...string) *testServer {
	t.Helper()
	if claudeDir == "" {
		claudeDir = t.TempDir()
	}
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	s := &testServer{Claude: claudeDir, cancel: cancel, done: make(chan error, 1)}
	// --auth none: these tests are about sessions, not access (server/e2e
	// and server/guard test the token); and no token file is touched.
	auth := []string{"--auth", "none"}
	if token != "" {
		auth = []string{"--token", token}
	}
	full := append(append([]string{"--port", "0", "--claude-dir", claudeDir, "--cache-dir", "", "--log-level", "warn"}, auth...), args...)
	go func() {
		err := run(ctx, full, pw, io.Discard)
		pw.Close()
		s.done <- err
	}()
	select {
	case a, ok := <-helmdproc.WatchURL(pr):
		if !ok { // its output ended: run returned
			t.Fatalf("helmd exited at start: %v", <-s.done)
		}
		s.URL = a.URL
	case err := <-s.done:
		t.Fatalf("helmd exited at start: %v", err)
	case <-time.After(time.Minute):
		t.Fatal("helmd did not print its URL")
	}
	t.Cleanup(func() { s.stop(t) })
	waitFor(t, "the first scan", func() bool { return helmdproc.FirstScanDone(s.URL, token) })
	return s
}

// waitScanned waits for the first scan to end, so that a test's file
// changes are changes, not part of the initial list.
func waitScanned(t testing.TB, url string) {
	t.Helper()
	waitFor(t, "the first scan", func() bool { return helmdproc.FirstScanDone(url, "") })
}

// waitFor polls cond until it holds, failing after 10 s.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	waitWithin(t, 10*time.Second, what, cond)
}

// waitWithin polls cond until it holds, failing after d.
func waitWithin(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	waitShowing(t, d, what, cond, nil)
}

// waitShowing is waitWithin whose failure also says what was last seen.
func waitShowing(t testing.TB, d time.Duration, what string, cond func() bool, seen func() string) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			if seen != nil {
				t.Fatalf("timed out after %v waiting for %s; last seen: %s", d, what, seen())
			}
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond) // polling a condition, not synchronising
	}
}

func (s *testServer) stop(t testing.TB) {
	s.cancel()
	select {
	case err := <-s.done:
		if err != nil {
			t.Errorf("helmd: %v", err)
		}
		s.done <- nil // a second stop returns at once
	case <-time.After(5 * time.Second):
		t.Error("helmd did not stop within 5 s")
	}
}

func (s *testServer) sessions(t testing.TB) []shared.Session {
	t.Helper()
	return s.sessionsAt(t, "/api/sessions")
}

func (s *testServer) sessionsAt(t testing.TB, path string) []shared.Session {
	t.Helper()
	var out []shared.Session
	getJSON(t, s.URL+path, &out)
	return out
}

// getJSON decodes the JSON answer to a GET of url into v, and fails the
// test unless helmd answered 2xx. An error's body ({"error":…}) decodes
// into most types as their zero value: a 404 read as an empty page hid
// for weeks that a session page's detail was refused.
func getJSON(t testing.TB, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	if code, body := decodeJSON(t, url, resp, v); code/100 != 2 {
		t.Fatalf("GET %s: %d %.300s", url, code, body)
	}
}

// decodeJSON reads resp's body, and decodes it into v when the status is
// 2xx; it returns the status and the body, for the caller to judge.
func decodeJSON(t testing.TB, url string, resp *http.Response, v any) (int, []byte) {
	t.Helper()
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: reading the body: %v", url, err)
	}
	if resp.StatusCode/100 != 2 {
		return resp.StatusCode, body
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %d %v in %.300s", url, resp.StatusCode, err, body)
	}
	return resp.StatusCode, body
}
