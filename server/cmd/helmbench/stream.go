package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"vibecraft.sh/helm/server/internal/fixture"
	"vibecraft.sh/helm/shared"
	"vibecraft.sh/helm/shared/sse"
)

// rawClient is a minimal stream reader over a plain TCP connection, light
// enough to hold ten thousand of in one process.
type rawClient struct {
	conn net.Conn
	// seen gets the arrival time of each data line containing the marker
	// currently set (nil: none).
	marker atomic.Pointer[string]
	seen   chan time.Time
	bytes  atomic.Int64 // bytes of the last complete event that matched
}

// dialStream asks in HTTP/1.0 so the stream is not chunked: an event's
// size on the wire is its size in the stream (sse.Event.Size).
func dialStream(addr string) (*rawClient, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	if _, err := fmt.Fprintf(conn, "GET /api/sessions/stream HTTP/1.0\r\nHost: %s\r\nAccept: text/event-stream\r\n\r\n", addr); err != nil {
		conn.Close()
		return nil, err
	}
	c := &rawClient{conn: conn, seen: make(chan time.Time, 16)}
	go c.read()
	return c, nil
}

func (c *rawClient) read() {
	resp, err := http.ReadResponse(bufio.NewReaderSize(c.conn, 4096), nil)
	if err != nil {
		return
	}
	defer resp.Body.Close()
	_ = sse.Parse(resp.Body, sse.Options{}, func(e sse.Event) error {
		if m := c.marker.Load(); m != nil && e.HasData && strings.Contains(e.Data, *m) {
			c.bytes.Store(int64(e.Size))
			select {
			case c.seen <- time.Now():
			default:
			}
		}
		return nil
	})
}

// latency measures isolated appends → event read, over 200 appends
// rotating over 10 sessions (each session quiet for a whole debounce
// window, as an isolated append is), and the wire size of one update.
func (b *bench) latency() ([]row, error) {
	root := filepath.Join(b.work, "latency")
	os.RemoveAll(root)
	const n = 10
	paths := make([]string, n)
	sids := make([]string, n)
	// Realistic sessions, so the wire size is a real one: a project path, a
	// branch, a prompt of typical length (median prompts are well under the
	// 300-character cut) and a generated title.
	const prompt = "The login test is flaky on CI since we moved to the new runner; find out why it times out and fix it without raising the timeout."
	for i := range n {
		sids[i] = fmt.Sprintf("1a7e0c1e-0000-4000-8000-%012d", i)
		cwd := fmt.Sprintf("/home/dev/code/payments-api-%d", i%3)
		paths[i] = fixture.Path(root, cwd, sids[i])
		title := fmt.Sprintf(`{"type":"ai-title","aiTitle":"Fix flaky login test on the new CI runner","sessionId":%q}`+"\n", sids[i])
		if err := fixture.AppendErr(paths[i], fixture.User(sids[i], cwd, prompt, time.Now())+title); err != nil {
			return nil, err
		}
	}
	srv, err := b.startHelmd(root)
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	c, err := dialStream(srv.addr)
	if err != nil {
		return nil, err
	}
	defer c.conn.Close()
	time.Sleep(200 * time.Millisecond) // let the stream open before the first probe

	var took []time.Duration
	var updateBytes int64
	for i := range 200 {
		k := i % n
		marker := sids[k]
		c.marker.Store(&marker)
		drain(c.seen)
		start := time.Now()
		if err := fixture.AppendErr(paths[k], fixture.Assistant(sids[k], "/home/dev/code/payments-api", fmt.Sprintf("msg_%d", i), "end_turn", start)); err != nil {
			return nil, err
		}
		select {
		case at := <-c.seen:
			took = append(took, at.Sub(start))
		case <-time.After(3 * time.Second):
			return nil, fmt.Errorf("append %d: no event within 3 s", i)
		}
		time.Sleep(100 * time.Millisecond) // spacing between isolated appends
		updateBytes = c.bytes.Load()
	}
	slices.Sort(took)
	p50, p99 := took[len(took)/2], took[len(took)*99/100]

	// A burst: 50 sessions × 20 appends as fast as the disk takes them.
	burstEvents, burstTime, err := burst(srv, root)
	if err != nil {
		return nil, err
	}
	return []row{
		{what: "append on disk → event read by a client (200 isolated appends)", measured: fmt.Sprintf("p50 %v, p99 %v", p50.Round(10*time.Microsecond), p99.Round(10*time.Microsecond)),
			target: "p50 ≤ 50 ms, p99 ≤ 150 ms", pass: p50 <= 50*time.Millisecond && p99 <= 150*time.Millisecond},
		{what: "one single-session session-updated event on the wire", measured: fmt.Sprintf("%d bytes", updateBytes), target: "≤ 600 bytes", pass: updateBytes > 0 && updateBytes <= 600,
			note: "event:, id: and data: lines"},
		{what: "burst: 1,000 appends over 50 sessions", measured: fmt.Sprintf("%d events in %v (%.0f events/s)", burstEvents, burstTime.Round(time.Millisecond), float64(burstEvents)/burstTime.Seconds()),
			target: "coalesced, final state delivered", pass: burstEvents > 0, note: "default 500 ms debounce"},
	}, nil
}

func drain(ch chan time.Time) {
	for {
		select {
		case <-ch:
		default:
			return
		}
	}
}

// burst appends 20 lines to each of 50 sessions as fast as possible and
// counts the events one client gets until every session's final state
// has arrived.
func burst(srv *server, root string) (int, time.Duration, error) {
	conn, err := net.Dial("tcp", srv.addr)
	if err != nil {
		return 0, 0, err
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /api/sessions/stream HTTP/1.0\r\nHost: %s\r\n\r\n", srv.addr)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events := streamEvents(ctx, conn)
	if _, ok := <-events; !ok { // init
		return 0, 0, errors.New("burst: the stream ended before init")
	}
	const sessions, appends = 50, 20
	final := fmt.Sprintf(`"messageCount":%d`, appends+1)
	start := time.Now()
	for j := range appends {
		for i := range sessions {
			sid := fmt.Sprintf("b0b0b0b0-0000-4000-8000-%012d", i)
			line := fixture.User(sid, "/home/dev/burst", fmt.Sprintf("prompt %d", j), time.Now())
			if j == 0 {
				line += fixture.User(sid, "/home/dev/burst", "first", time.Now())
			}
			if err := fixture.AppendErr(fixture.Path(root, "/home/dev/burst", sid), line); err != nil {
				return 0, 0, err
			}
		}
	}
	done := map[string]bool{}
	n := 0
	conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	for len(done) < sessions {
		e, ok := <-events
		if !ok {
			return n, time.Since(start), fmt.Errorf("burst: the stream ended (%d/%d final; REST: %s)", len(done), sessions, restCounts(srv, done))
		}
		if e.Type == string(shared.EventKeepalive) {
			continue
		}
		n++
		for _, part := range strings.Split(e.Data, `{"id":"`)[1:] {
			if strings.Contains(part[:min(len(part), 2000)], final) {
				done[part[:36]] = true
			}
		}
	}
	return n, time.Since(start), nil
}

// streamEvents reads the HTTP/1.0 answer of a stream request on conn and
// sends its events (those with data) on the channel it returns, which is
// closed when the stream ends; closing conn or cancelling ctx ends it.
func streamEvents(ctx context.Context, conn net.Conn) <-chan sse.Event {
	out := make(chan sse.Event, 1024)
	go func() {
		defer close(out)
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			return
		}
		defer resp.Body.Close()
		_ = sse.Parse(resp.Body, sse.Options{}, func(e sse.Event) error {
			if !e.HasData {
				return nil
			}
			select {
			case out <- e:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()
	return out
}

// restCounts lists the message counts REST gives for the burst sessions
// the stream did not finish, to tell a lost event from an unread line.
func restCounts(srv *server, done map[string]bool) string {
	resp, err := http.Get(srv.url + "/api/sessions")
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	var ss []shared.Session
	json.NewDecoder(resp.Body).Decode(&ss)
	var out []string
	for _, s := range ss {
		if strings.HasPrefix(s.ID, "b0b0b0b0") && !done[s.ID] {
			out = append(out, fmt.Sprintf("%s=%d", s.ID[24:], s.MessageCount))
		}
	}
	return strings.Join(out, " ")
}

// connections holds N idle streams, measures helmd's memory per
// connection, then times one event's fan-out to all of them.
func (b *bench) connections() ([]row, error) {
	root := filepath.Join(b.work, "fanout")
	os.RemoveAll(root)
	const sid = "fa000000-0000-4000-8000-000000000001"
	path := fixture.Path(root, "/home/dev/fanout", sid)
	if err := fixture.AppendErr(path, fixture.User(sid, "/home/dev/fanout", "start", time.Now())); err != nil {
		return nil, err
	}
	srv, err := b.startHelmd(root, "--max-clients", fmt.Sprint(b.clients+100))
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	before, err := srv.rss()
	if err != nil {
		return nil, err
	}
	clients := make([]*rawClient, 0, b.clients)
	defer func() {
		for _, c := range clients {
			c.conn.Close()
		}
	}()
	for range b.clients {
		c, err := dialStream(srv.addr)
		if err != nil {
			return nil, fmt.Errorf("after %d clients: %w", len(clients), err)
		}
		c.marker.Store(new(string)) // matches nothing until the probe
		clients = append(clients, c)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		st, err := srv.status()
		if err == nil && st.Stream.Clients >= b.clients {
			break
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("only %d of %d clients connected", st.Stream.Clients, b.clients)
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(time.Second) // let the server's per-connection state settle
	after, err := srv.rss()
	if err != nil {
		return nil, err
	}
	perConn := float64(after-before) / float64(b.clients)

	// Fan-out: one append, every client's arrival time.
	marker := sid
	for _, c := range clients {
		c.marker.Store(&marker)
		drain(c.seen)
	}
	start := time.Now()
	if err := fixture.AppendErr(path, fixture.Assistant(sid, "/home/dev/fanout", "msg_probe", "end_turn", start)); err != nil {
		return nil, err
	}
	took := make([]time.Duration, len(clients))
	var wg sync.WaitGroup
	var missing atomic.Int64
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case at := <-c.seen:
				took[i] = at.Sub(start)
			case <-time.After(10 * time.Second):
				missing.Add(1)
				took[i] = 10 * time.Second
			}
		}()
	}
	wg.Wait()
	slices.Sort(took)
	p50, p99 := took[len(took)/2], took[len(took)*99/100]
	return []row{
		{what: fmt.Sprintf("idle stream connections held: %d", b.clients), measured: fmt.Sprintf("%.1f KiB RSS each (%.0f → %.0f MB)", perConn/1024, float64(before)/1e6, float64(after)/1e6),
			target: "10,000 held, ≤ 16 KiB each", pass: b.clients >= 10000 && perConn <= 16*1024},
		{what: fmt.Sprintf("one event fanned out to %d clients", b.clients), measured: fmt.Sprintf("p50 %v, p99 %v, %d missed", p50.Round(time.Millisecond), p99.Round(time.Millisecond), missing.Load()),
			target: "p99 ≤ 500 ms", pass: p99 <= 500*time.Millisecond && missing.Load() == 0, note: "append on disk → read by each client"},
	}, nil
}

// indexRSS measures helmd's memory with 10,000 sessions indexed.
func (b *bench) indexRSS() ([]row, error) {
	dir, _, err := b.corpusDir("corpus-10k", "400MB", 10000)
	if err != nil {
		return nil, err
	}
	srv, err := b.startHelmd(dir)
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	st, err := srv.status()
	if err != nil {
		return nil, err
	}
	rss, err := srv.rss()
	if err != nil {
		return nil, err
	}
	return []row{{what: fmt.Sprintf("server RSS with %d sessions indexed", st.Sessions), measured: fmt.Sprintf("%.0f MB", float64(rss)/1e6),
		target: "≤ 150 MB", pass: st.Sessions >= 10000 && rss <= 150e6}}, nil
}

// wasm reports the client's transferred size.
func (b *bench) wasm() ([]row, error) {
	var sizes []string
	var br int64
	for _, ext := range []string{"", ".gz", ".br"} {
		st, err := os.Stat(filepath.Join(filepath.Dir(filepath.Dir(b.bin)), "web", "app.wasm"+ext))
		if err != nil {
			return nil, fmt.Errorf("run make build first: %w", err)
		}
		sizes = append(sizes, fmt.Sprintf("%s %.2f MB", strings.TrimPrefix(ext, ".")+map[bool]string{true: "raw"}[ext == ""], float64(st.Size())/1e6))
		if ext == ".br" {
			br = st.Size()
		}
	}
	return []row{{what: "app.wasm transferred (brotli)", measured: fmt.Sprintf("%.2f MB", float64(br)/1e6), target: "≤ 1.8 MB", pass: br <= 1_800_000, note: strings.Join(sizes, ", ")}}, nil
}
