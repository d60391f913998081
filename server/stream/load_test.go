package stream

import (
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"vibecraft.sh/helm/shared"
)

// A client that stops reading is disconnected once its queue fills, and
// the others keep receiving every event.
func TestStalledClientIsDisconnected(t *testing.T) {
	r := newRig(t, Options{QueueSize: 2, WriteTimeout: 2 * time.Second})
	good := r.connect(t, "/all", "")
	good.opening(t)

	stalled, err := net.Dial("tcp", r.srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.Close()
	if _, err := io.WriteString(stalled, "GET /all HTTP/1.1\r\nHost: stream.test\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "the stalled client to connect", func() bool { return r.hub.Stats().Clients == 2 })

	big := sess("big", shared.SourceClaude, 0)
	epoch := r.hub.Epoch()
	var seq uint64
	// Publish in lockstep with the good client, so only the stalled one can
	// fall behind; the kernel buffers a few MB before the write blocks.
	for r.hub.Stats().SlowDisconnects == 0 {
		if seq == 200 {
			t.Fatalf("the stalled client is still connected after %d events of 256 KiB", seq)
		}
		seq++
		big.UpdatedAt = int64(seq)
		// A new prompt each time: an update carries only what changed.
		big.FirstPrompt = strings.Repeat(string(rune('a'+seq%26)), 256<<10)
		r.hub.Publish(shared.EventSessionUpdated, []shared.Session{big})
		if f := good.event(t); f.seq(t, epoch) != seq {
			t.Fatalf("good client: got %s, want seq %d", f.ID, seq)
		}
	}
	for range 3 { // and it goes on
		seq++
		r.hub.Publish(shared.EventSessionUpdated, []shared.Session{sess("small", shared.SourceClaude, int64(seq))})
		if f := good.event(t); f.seq(t, epoch) != seq {
			t.Fatalf("good client: got %s, want seq %d", f.ID, seq)
		}
	}
	t.Logf("stalled client dropped after %d events", seq-3)
	if st := r.hub.Stats(); st.SlowDisconnects != 1 || st.Clients != 1 {
		t.Errorf("stats: %+v", st)
	}
	// The server ends the stalled connection (after the write deadline
	// frees its writer): reading what was buffered ends in EOF.
	stalled.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.Copy(io.Discard, stalled); err != nil {
		t.Errorf("stalled connection not closed by the server: %v", err)
	}
}

func TestManyClientsSeeTheSameSequence(t *testing.T) {
	r := newRig(t, Options{})
	const clients, events = 200, 20
	cs := make([]*sseClient, clients)
	for i := range cs {
		path := "/all"
		if i%4 == 0 {
			path = "/claude"
		}
		cs[i] = r.connect(t, path, "")
		cs[i].opening(t)
	}
	go func() {
		for i := 1; i <= events; i++ {
			src := shared.SourceClaude
			if i%2 == 0 {
				src = shared.SourceOpenCode
			}
			r.hub.Publish(shared.EventSessionUpdated, []shared.Session{sess("s"+strconv.Itoa(i), src, int64(i))})
		}
	}()
	var wg sync.WaitGroup
	got := make([]string, clients)
	for i, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := events
			if i%4 == 0 {
				n = events / 2 // claude-only: the odd seqs
			}
			var b strings.Builder
			frames, err := c.collect(n, 10*time.Second)
			if err != nil {
				t.Errorf("client %d: %v", i, err) // not Fatal: this is not the test's goroutine
			}
			for _, f := range frames {
				b.WriteString(f.ID + "|" + f.Data + "\n")
			}
			got[i] = b.String()
		}()
	}
	wg.Wait()
	for i := range got {
		want := got[1]
		if i%4 == 0 {
			want = got[0]
		}
		if got[i] != want {
			t.Fatalf("client %d saw a different sequence:\n%s\nwant:\n%s", i, got[i], want)
		}
	}
	for i, want := range []int{events / 2, events} {
		path := map[int]string{0: "/claude", 1: "/all"}[i]
		if n := strings.Count(got[i], r.epoch(path)+"-"); n != want {
			t.Errorf("client %d: %d events, want %d", i, n, want)
		}
	}
}

func TestMaxClients(t *testing.T) {
	r := newRig(t, Options{MaxClients: 2})
	a := r.connect(t, "/all", "")
	a.opening(t)
	r.connect(t, "/claude", "").opening(t)

	resp, cancel := r.get(t, "/all", nil)
	defer cancel()
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "5" ||
		!strings.Contains(string(body), "too many") || strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("over the cap: %d Retry-After=%q %q %s", resp.StatusCode, resp.Header.Get("Retry-After"), resp.Header.Get("Content-Type"), body)
	}
	a.close()
	waitFor(t, 5*time.Second, "a slot to free", func() bool { return r.hub.Stats().Clients == 1 })
	r.connect(t, "/all", "").opening(t)
	if st := r.hub.Stats(); st.Rejected != 1 || st.Clients != 2 {
		t.Errorf("stats: %+v", st)
	}
}

func TestCloseEndsStreamsPromptly(t *testing.T) {
	r := newRig(t, Options{Keepalive: time.Hour, WriteTimeout: time.Hour})
	var cs []*sseClient
	for _, path := range []string{"/all", "/all", "/claude"} {
		c := r.connect(t, path, "")
		c.opening(t)
		cs = append(cs, c)
	}
	r.hub.Close()
	r.hub.Close() // idempotent
	for _, c := range cs {
		c.ended(t, 2*time.Second)
	}
	r.hub.Publish(shared.EventSessionCreated, []shared.Session{sess("late", shared.SourceClaude, 1)})
	resp, cancel := r.get(t, "/all", nil)
	defer cancel()
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "5" || !strings.Contains(string(body), "shutting down") {
		t.Fatalf("after Close: %d %q %s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	if st := r.hub.Stats(); st.Clients != 0 || st.Published != 0 {
		t.Errorf("stats after Close: %+v", st)
	}
}
