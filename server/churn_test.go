package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/fixture"
	"vibecraft.sh/helm/server/internal/ssetest"
	"vibecraft.sh/helm/shared"
	"vibecraft.sh/helm/shared/sse"
)

// churnClient follows one stream connection: it checks that event ids
// are consecutive (no update lost or repeated) and, if it keeps state,
// applies every event to its copy of the list.
type churnClient struct {
	mu      sync.Mutex
	state   ssetest.List // nil: ids only
	lastID  string
	lastSeq uint64
	events  int
}

func (c *churnClient) run(ctx context.Context, url, resumeFrom string) error {
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	if resumeFrom != "" {
		req.Header.Set("Last-Event-ID", resumeFrom)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil // a connection cut at churn time is fine
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	var bad error // what the stream did wrong, as opposed to how it ended
	_ = sse.Parse(resp.Body, sse.Options{}, func(e sse.Event) error {
		if !e.HasData {
			return nil // the opening retry
		}
		bad = c.apply(e.Type, e.ID, e.Data)
		return bad
	})
	return bad // nil when cancelled or cut: resuming is the client's job
}

func (c *churnClient) apply(typ, id, data string) error {
	if typ == string(shared.EventKeepalive) {
		return nil
	}
	dash := strings.LastIndexByte(id, '-')
	seq, err := strconv.ParseUint(id[dash+1:], 10, 64)
	if dash < 0 || err != nil {
		return fmt.Errorf("bad id %q", id)
	}
	switch {
	case typ == string(shared.EventInit):
		// A fresh snapshot: the sequence restarts from its id.
	case c.lastID == "":
		return fmt.Errorf("first event %s is not init", typ)
	case seq != c.lastSeq+1:
		return fmt.Errorf("event %s after %s: an update was lost or repeated", id, c.lastID)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lastID, c.lastSeq = id, seq
	c.events++
	if c.state == nil {
		return nil
	}
	_, err = c.state.Apply(shared.EventType(typ), []byte(data))
	return err
}

// holds reports whether the client's list is exactly sessions.
func (c *churnClient) holds(sessions []shared.Session) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.state) != len(sessions) {
		return false
	}
	for _, s := range sessions {
		if c.state[s.Key()] != s {
			return false
		}
	}
	return true
}

func rssKB() int64 {
	data, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(rest, "kB")), 10, 64)
			return n
		}
	}
	return 0
}

// TestStreamChurn: 2,000 stream connections come and go (half of them
// resuming) while 50 sessions are appended to continuously, until the
// last one has gone (20 s at most); a client that
// stops reading is among them. Clients that stayed end with exactly the
// REST snapshot, every connection saw consecutive ids, and afterwards
// memory is back near its start (and goleak, in TestMain, finds no
// goroutine left).
func TestStreamChurn(t *testing.T) {
	if testing.Short() {
		t.Skip("churn runs for up to 20 s; skipped with -short")
	}
	duration := 20 * time.Second
	if v := os.Getenv("HELM_CHURN_SECONDS"); v != "" {
		n, _ := strconv.Atoi(v)
		duration = time.Duration(n) * time.Second
	}
	root := t.TempDir()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	heapBefore, rssBefore, goroutinesBefore := ms.HeapInuse, rssKB(), runtime.NumGoroutine()

	srv := startHelmd(t, root, "--debounce", "100ms", "--keepalive", "1s", "--max-clients", "5000")
	stream := srv.URL + "/api/sessions/stream"
	ctx, stop := context.WithTimeout(context.Background(), duration)
	defer stop()

	// A client that never reads: it must be cut without slowing the rest.
	addr := strings.TrimPrefix(srv.URL, "http://")
	stalled, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.Close()
	fmt.Fprintf(stalled, "GET /api/sessions/stream HTTP/1.1\r\nHost: %s\r\n\r\n", addr)

	var wg sync.WaitGroup
	var failures atomic.Int64
	var firstErr atomic.Value
	fail := func(err error) {
		if failures.Add(1) == 1 {
			firstErr.Store(err)
		}
	}

	// Writers: 50 sessions, appended round-robin until the churn is over.
	var appends atomic.Int64
	var writerWG sync.WaitGroup
	began := time.Now()
	writerWG.Add(1)
	go func() {
		defer writerWG.Done()
		for i := 0; ctx.Err() == nil; i++ {
			k := i % 50
			sid := fmt.Sprintf("c0c0c0c0-0000-4000-8000-%012d", k)
			cwd := fmt.Sprintf("/home/dev/churn-%d", k%7)
			line := fixture.User(sid, cwd, fmt.Sprintf("prompt %d", i), time.Now())
			if err := fixture.AppendErr(fixture.Path(root, cwd, sid), line); err != nil {
				fail(err)
				return
			}
			appends.Add(1)
			time.Sleep(2 * time.Millisecond) // the writing pace, not synchronisation
		}
	}()

	// Stayers keep their connection and their state to the end.
	stayers := make([]*churnClient, 20)
	stayCtx, stayCancel := context.WithCancel(context.Background())
	var stayWG sync.WaitGroup
	for i := range stayers {
		stayers[i] = &churnClient{state: ssetest.List{}}
		stayWG.Add(1)
		go func() {
			defer stayWG.Done()
			if err := stayers[i].run(stayCtx, stream, ""); err != nil {
				fail(fmt.Errorf("stayer %d: %w", i, err))
			}
		}()
	}

	// Churners: 2,000 connections in all, 40 at a time, each living a
	// moment; every other one resumes from where its predecessor stopped.
	const churners, parallel = 2000, 40
	var started atomic.Int64
	for w := range parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var last string
			for started.Add(1) <= churners && ctx.Err() == nil {
				c := &churnClient{}
				life := time.Duration(20+(w*37)%200) * time.Millisecond
				cctx, cancel := context.WithTimeout(ctx, life)
				resume := ""
				if started.Load()%2 == 0 {
					resume = last
				}
				if resume != "" {
					// A replay continues right after the id resumed from.
					c.lastID = resume
					c.lastSeq, _ = strconv.ParseUint(resume[strings.LastIndexByte(resume, '-')+1:], 10, 64)
				}
				if err := c.run(cctx, stream, resume); err != nil {
					fail(fmt.Errorf("churner: %w", err))
				}
				cancel()
				last = c.lastID
			}
		}()
	}
	wg.Wait() // the churners are done (or the time is up)
	stop()
	writerWG.Wait()
	churned := time.Since(began).Round(time.Second)
	if n := failures.Load(); n > 0 {
		t.Fatalf("%d failures; first: %v", n, firstErr.Load())
	}

	// Once the writes have settled, every stayer must hold exactly the REST list.
	waitFor(t, "every stayer to converge to the REST snapshot", func() bool {
		rest := srv.sessions(t)
		for _, c := range stayers {
			if !c.holds(rest) {
				return false
			}
		}
		return len(rest) == 50
	})
	stayCancel()
	stayWG.Wait()

	// The stalled client was cut.
	var st struct {
		Stream struct {
			SlowDisconnects int `json:"slowDisconnects"`
			Clients         int `json:"clients"`
		}
	}
	resp, err := http.Get(srv.URL + "/api/status")
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&st)
	resp.Body.Close()
	t.Logf("FIGURE churn: %d connections, %d appends over %v, %d events to a stayer, lost 0, slow disconnects %d",
		min(started.Load(), churners)+int64(len(stayers)), appends.Load(), churned, stayers[0].events, st.Stream.SlowDisconnects)

	stalled.Close()
	srv.stop(t)
	http.DefaultClient.CloseIdleConnections()
	debug.FreeOSMemory()
	runtime.ReadMemStats(&ms)
	t.Logf("FIGURE churn memory: heap in use %d → %d KiB, RSS %d → %d KiB, goroutines %d → %d",
		heapBefore>>10, ms.HeapInuse>>10, rssBefore, rssKB(), goroutinesBefore, runtime.NumGoroutine())
	if ms.HeapInuse > heapBefore+32<<20 {
		t.Errorf("heap in use grew from %d to %d KiB", heapBefore>>10, ms.HeapInuse>>10)
	}
}
