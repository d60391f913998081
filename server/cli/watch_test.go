package cli

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// wrote is a writer that tells a test something was written, so that it
// waits for output instead of sleeping. It never blocks the writer: one
// pending signal is enough for a waiter that checks again after it.
type wrote chan struct{}

func (c wrote) Write(p []byte) (int, error) {
	select {
	case c <- struct{}{}:
	default:
	}
	return len(p), nil
}

// waitFor waits until what b holds satisfies cond; b's Tee must be ch.
func waitFor(t *testing.T, b *out, ch wrote, what string, cond func(string) bool) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for !cond(b.String()) {
		select {
		case <-ch:
		case <-timeout:
			t.Fatalf("no %s after 10s; got:\n%s", what, b.String())
		}
	}
}

// watchAt runs `helmd watch` against a helmd whose stream sends events,
// with stdout a terminal of termWidth columns (0: not a terminal) and
// env, until it has printed n lines; it returns them.
func watchAt(t *testing.T, events string, n, termWidth int, env map[string]string) []string {
	t.Helper()
	port := fakeHelmd(t, "", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, events)
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	e := func(k string) string {
		if k == "PORT" {
			return port
		}
		return env[k]
	}
	ch := make(wrote, 1)
	stdout, stderr := &out{Tee: ch}, &out{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, []string{"watch"}, IO{Env: e, Home: "/nonexistent", Stdout: stdout, Stderr: stderr, Width: termWidth})
	}()
	waitFor(t, stdout, ch, fmt.Sprintf("%d lines", n), func(s string) bool { return strings.Count(s, "\n") >= n })
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("watch: %v %s", err, stderr.String())
	}
	return strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
}

// helmd watch fits the terminal as helmd ls does: in 80 columns a
// change's line does not wrap, the title giving way first, cut with an
// ellipsis, then the project; piped without COLUMNS, the line is as it
// always was (a title of up to 60 columns).
func TestWatchFitsTheTerminal(t *testing.T) {
	const title = "Refactor the session index so that the stream and the list agree on every change"
	events := "event: init\nid: e-1\ndata: {\"type\":\"init\",\"sessions\":[],\"timestamp\":1}\n\n" +
		"event: session-created\nid: e-2\ndata: {\"type\":\"session-created\",\"sessions\":[{\"id\":\"s1\",\"source\":\"claude\"," +
		"\"title\":\"" + title + "\",\"status\":\"working\",\"projectName\":\"vibecraft-website-redesign-2026\",\"messageCount\":1234,\"costUsd\":112.25}],\"timestamp\":2}\n\n" +
		"event: session-created\nid: e-3\ndata: {\"type\":\"session-created\",\"sessions\":[{\"id\":\"s2\",\"source\":\"claude\"," +
		"\"title\":\"日本語のタイトルがとても長いセッションの一覧です\",\"status\":\"idle\",\"projectName\":\"helm\",\"messageCount\":7,\"costUsd\":0.5}],\"timestamp\":3}\n\n"
	for _, tc := range eightyColumns {
		lines := watchAt(t, events, 2, tc.term, tc.env)
		for _, l := range lines {
			if w := width(l); w > 80 || !strings.Contains(l, "…") || !strings.Contains(l, " msgs, $") {
				t.Errorf("%s: a line of %d columns, want at most 80, the title cut, the figures whole:\n%s", tc.name, w, l)
			}
		}
		if !strings.Contains(lines[0], "Refactor the ") || !strings.Contains(lines[0], "(vibecraft-") {
			t.Errorf("%s: the title or the project gave way entirely:\n%s", tc.name, lines[0])
		}
	}
	lines := watchAt(t, events, 2, 0, nil)
	if !strings.Contains(lines[0], title[:59]+"…  (vibecraft-website-redes…, 1234 msgs, $112.25)") {
		t.Errorf("not a terminal: the line changed:\n%s", lines[0])
	}
}

// While helmd's stream is down, helmd watch says so on stderr once, not
// once per retry, and once more when it is back; stdout keeps only the
// changes, as before. Here the stream drops, a retry is refused (503),
// and the next one resumes.
func TestWatchSaysLostAndBackOnce(t *testing.T) {
	var attempts atomic.Int32
	port := fakeHelmd(t, "", func(w http.ResponseWriter, r *http.Request) {
		switch attempts.Add(1) {
		case 1:
			w.Header().Set("Content-Type", "text/event-stream")
			fmt.Fprint(w, "event: init\nid: e-1\ndata: {\"type\":\"init\",\"sessions\":[],\"timestamp\":1}\n\n")
			fmt.Fprint(w, "event: session-created\nid: e-2\ndata: {\"type\":\"session-created\",\"sessions\":[{\"id\":\"s1\",\"source\":\"claude\",\"title\":\"First\",\"status\":\"working\",\"projectName\":\"p\"}],\"timestamp\":2}\n\n")
			return // the drop
		case 2:
			http.Error(w, `{"error":"starting"}`, http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, "event: session-updated\nid: e-3\ndata: {\"type\":\"session-updated\",\"sessions\":[{\"id\":\"s1\",\"source\":\"claude\",\"status\":\"waiting\"}],\"timestamp\":3}\n\n")
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	ch := make(wrote, 1)
	stdout, stderr := &out{Tee: ch}, &out{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, []string{"watch"}, IO{Env: func(k string) string { return map[string]string{"PORT": port}[k] },
			Home: "/nonexistent", Stdout: stdout, Stderr: stderr})
	}()
	waitFor(t, stdout, ch, "change after the reconnect", func(s string) bool { return strings.Count(s, "\n") >= 2 })
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("interrupt: %v, want nil (exit 0)", err)
	}
	url := "http://127.0.0.1:" + port
	lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "helmd watch: lost helmd at "+url+" ") || !strings.HasSuffix(lines[0], "reconnecting…") ||
		lines[1] != "helmd watch: back in touch with helmd at "+url {
		t.Errorf("stderr, want one line on the drop and one when back:\n%s", stderr.String())
	}
	got := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
	if len(got) != 2 || !strings.Contains(got[0], "  new      working  First  (p, 0 msgs, $0.00)") ||
		!strings.Contains(got[1], "  updated  waiting  First  (p, 0 msgs, $0.00)") {
		t.Errorf("stdout, want the two changes alone:\n%s", stdout.String())
	}
}
