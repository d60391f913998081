package cli

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/httperr"
	"vibecraft.sh/helm/server/stream"
	"vibecraft.sh/helm/shared"
)

// scanningHelmd serves helmd's own stream (the hub's handler) while its
// first scan runs, until the test closes the returned channel; its
// sessions are published with hub.
func scanningHelmd(t *testing.T) (port string, hub *stream.Hub, scanned chan struct{}) {
	t.Helper()
	hub = stream.NewHub(stream.Options{})
	scanned = make(chan struct{})
	hub.HoldStreams(scanned)
	port = fakeHelmd(t, "", hub.Handler(nil).ServeHTTP)
	t.Cleanup(hub.Close) // before the server's Close: it ends the streams taken over
	return port, hub, scanned
}

// runWatch runs `helmd watch args` against port until ctx ends, its
// stdout and stderr telling ch when written.
func runWatch(ctx context.Context, port string, ch wrote, args ...string) (stdout, stderr *out, done <-chan error) {
	stdout, stderr = &out{Tee: ch}, &out{Tee: ch}
	d := make(chan error, 1)
	go func() {
		d <- Run(ctx, append([]string{"watch"}, args...), IO{Env: envOf(map[string]string{"PORT": port}),
			Home: "/nonexistent", Stdout: stdout, Stderr: stderr})
	}()
	return stdout, stderr, d
}

// helmd watch started against a helmd whose first scan outlasts the
// wait for an answer's head (a cold start over tens of GB of
// transcripts) failed at once, saying helmd "took the token, then sent
// no answer within 15s: it may be stuck". It waits for the scan as helmd
// ls does, saying so once on stderr, then follows the scanned list (here
// its count of sessions waiting for the user, which the list's first
// event prints).
func TestWatchWaitsOutTheFirstScan(t *testing.T) {
	ht := headerTimeout
	headerTimeout = 50 * time.Millisecond
	t.Cleanup(func() { headerTimeout = ht })
	port, hub, scanned := scanningHelmd(t)
	ch := make(wrote, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdout, stderr, done := runWatch(ctx, port, ch, "--waiting", "--count")
	// Said once the stream's head came: past it, the header timeout (50 ms
	// here, which a scan that held the head outlasted) no longer applies.
	waitFor(t, stderr, ch, "word that it waits", func(s string) bool { return strings.Contains(s, "still reading its transcripts") })
	hub.Publish(shared.EventRefresh, []shared.Session{
		{ID: "s1", Source: shared.SourceClaude, Title: "One", Status: shared.StatusWaiting},
		{ID: "s2", Source: shared.SourceClaude, Title: "Two", Status: shared.StatusWaiting},
		{ID: "s3", Source: shared.SourceClaude, Title: "Three", Status: shared.StatusIdle},
	})
	close(scanned)
	waitFor(t, stdout, ch, "the count of the scanned list", func(s string) bool { return s != "" })
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("interrupted: %v, want nil", err)
	}
	url := "http://127.0.0.1:" + port
	if e := stderr.String(); e != "helmd watch: helmd at "+url+" is still reading its transcripts (its first scan since it started); waiting for it, up to 2m0s…\n" {
		t.Errorf("stderr %q; want one line saying it waits for the scan", e)
	}
	if o := stdout.String(); o != "2\n" {
		t.Errorf("stdout %q; want the scanned list's count, 2", o)
	}
}

// A first scan that outlasts --scan-wait ends helmd watch, saying why
// and what to do, as helmd ls; ^C ends the wait at once, without a word.
func TestWatchGivesUpOnTheFirstScanPastItsWait(t *testing.T) {
	port, _, _ := scanningHelmd(t)
	ch := make(wrote, 1)
	// A second, not less: under a loaded run the fake helmd's first
	// answer came after 80 ms, past a shorter wait (as for helmd ls).
	_, stderr, done := runWatch(context.Background(), port, ch, "--scan-wait", "1s")
	var err error
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("helmd watch --scan-wait 1s still waits after 10s")
	}
	url := "http://127.0.0.1:" + port
	if err == nil || !strings.HasPrefix(err.Error(), "helmd at "+url+" is still reading its transcripts (its first scan since it started) after ") ||
		!strings.HasSuffix(err.Error(), ": try again in a moment, or wait longer with --scan-wait") {
		t.Errorf("past --scan-wait: %v; want it to say helmd still scans", err)
	}
	if n := strings.Count(stderr.String(), "still reading its transcripts"); n != 1 {
		t.Errorf("stderr says it waits %d times, want once: %q", n, stderr.String())
	}

	ctx, cancel := context.WithCancel(context.Background())
	_, stderr, done = runWatch(ctx, port, ch)
	waitFor(t, stderr, ch, "word that it waits", func(s string) bool { return strings.Contains(s, "still reading its transcripts") })
	cancel()
	select {
	case err = <-done:
		if err != nil {
			t.Errorf("^C while it waits: %v, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("^C did not end the wait for the first scan")
	}
}

// helmd stopped (or restarted) during its first scan ends the stream it
// had answered before any event: helmd watch's first connection then
// said there was nothing to watch and exited. helmd was there: it is a
// drop, and watch reconnects and follows the list the next helmd has.
func TestWatchReconnectsAfterAStopDuringTheFirstScan(t *testing.T) {
	hub := stream.NewHub(stream.Options{})
	t.Cleanup(hub.Close)
	hub.Publish(shared.EventRefresh, []shared.Session{{ID: "s1", Source: shared.SourceClaude, Title: "One", Status: shared.StatusWaiting}})
	var asked atomic.Int32
	port := fakeHelmd(t, "", func(w http.ResponseWriter, r *http.Request) {
		if asked.Add(1) == 1 {
			// The head helmd answers during its first scan, then its end.
			w.Header().Set("Content-Type", "text/event-stream")
			w.Header().Set(httperr.FirstScanHeader, "1")
			w.WriteHeader(http.StatusOK)
			return
		}
		hub.Handler(nil).ServeHTTP(w, r)
	})
	ch := make(wrote, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdout, stderr, done := runWatch(ctx, port, ch, "--waiting", "--count")
	waitFor(t, stdout, ch, "the count of the next helmd's list", func(s string) bool { return s == "1\n" })
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("interrupted: %v, want nil (stderr %q)", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "reconnecting") {
		t.Errorf("stderr %q; want it to say it reconnects", stderr.String())
	}
}

// slowTee holds the first write of the stdout it tees until cut is
// closed or a while past wait: a terminal or pipe slow to take the list
// just as --scan-wait runs out.
type slowTee struct {
	ch       wrote
	cut      <-chan struct{}
	wait     time.Duration
	released chan struct{}
	once     sync.Once
}

func (s *slowTee) Write(p []byte) (int, error) {
	s.once.Do(func() {
		select {
		case <-s.cut:
		case <-time.After(5 * s.wait): // bounds the test if nothing cuts the stream
		}
		close(s.released)
	})
	return s.ch.Write(p)
}

// The list that comes within --scan-wait wins, though printing it takes
// past the deadline: the timer was stopped only after the list was
// printed, so one that fired meanwhile cut the stream and watch exited
// saying helmd's first scan outlasted --scan-wait, the list on screen.
func TestWatchListWithinTheScanWaitWinsOverASlowStdout(t *testing.T) {
	const wait = 100 * time.Millisecond
	cut := make(chan struct{})
	tee := &slowTee{ch: make(wrote, 1), cut: cut, wait: wait, released: make(chan struct{})}
	var asked atomic.Int32
	port := fakeHelmd(t, "", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		first := asked.Add(1) == 1
		if first {
			w.Header().Set(httperr.FirstScanHeader, "1")
		}
		w.WriteHeader(http.StatusOK)
		fl := w.(http.Flusher)
		if first {
			fmt.Fprint(w, "retry: 3000\n\nevent: init\nid: e-1\ndata: {\"type\":\"init\",\"sessions\":[],\"timestamp\":1}\n\n")
			fl.Flush()
			select {
			case <-r.Context().Done(): // the --scan-wait timer cut the stream
				close(cut)
				return
			case <-tee.released:
			}
		}
		fmt.Fprint(w, `event: session-created`+"\nid: e-2\n"+`data: {"type":"session-created","sessions":[{"id":"s1","source":"claude","title":"One","status":"waiting"}],"timestamp":2}`+"\n\n")
		fl.Flush()
		<-r.Context().Done()
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdout, stderr := &out{Tee: tee}, &out{Tee: tee.ch}
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, []string{"watch", "--waiting", "--count", "--scan-wait", wait.String()}, IO{
			Env: envOf(map[string]string{"PORT": port}), Home: "/nonexistent", Stdout: stdout, Stderr: stderr})
	}()
	waitFor(t, stdout, tee.ch, "the count after the list", func(s string) bool {
		select {
		case err := <-done:
			t.Fatalf("watch ended: %v; stdout %q; want it to go on with the list it had", err, s)
		default:
		}
		return s == "0\n1\n"
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("interrupted: %v, want nil (stderr %q)", err, stderr.String())
	}
}
