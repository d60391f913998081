package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/fixture"
)

// The slow-reader figures of the hardening review: 30 connections that
// ask for the page or the whole list at 10k sessions and never read the
// answer. Before the fix they held RSS at 2.2 GB.
const (
	slowSessions = 10000
	slowConns    = 30
	// rssBound is generous (the page and list encoders hold a few MB per
	// connection at most); the unbounded server held gigabytes.
	rssBound = 512 << 20
)

func TestSlowReadersStayBounded(t *testing.T) {
	beside(t)
	if runtime.GOOS != "linux" {
		t.Skip("reads RSS from /proc")
	}
	if testing.Short() {
		t.Skip("generates 10k sessions")
	}
	claude := writeSmallSessions(t, slowSessions)
	const writeTimeout = 10 * time.Second // generous: the renders wait their turn under load
	p := startBinary(t, t.TempDir(), "--port", "0", "--claude-dir", claude, "--no-opencode",
		"--write-timeout", writeTimeout.String())
	waitUntil(t, 2*time.Minute, "10k sessions indexed", func() bool {
		var st struct{ Sessions int }
		resp, err := http.Get(p.URL + "/api/status")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		_ = json.NewDecoder(resp.Body).Decode(&st)
		return st.Sessions == slowSessions
	})
	pid := p.cmd.Process.Pid
	before := procKB(t, pid, "VmRSS")

	conns := make([]*slowConn, slowConns)
	for i := range conns {
		path := "/"
		if i%2 == 1 {
			path = "/api/sessions"
		}
		conns[i] = dialSlow(t, p.URL, path)
	}
	// Each answer has begun (its status line is in): the server holds
	// whatever it holds for a client that does not read.
	for _, c := range conns {
		if code := c.status(t, 30*time.Second); code != http.StatusOK && code != http.StatusServiceUnavailable {
			t.Fatalf("%s: status %d, want 200 or 503 (busy)", c.path, code)
		}
	}
	held := procKB(t, pid, "VmRSS")

	// A new client is still answered while they hang on.
	resp, body := get(t, p.URL+"/api/sessions")
	if resp.StatusCode != http.StatusOK || len(body) < slowSessions*100 {
		t.Fatalf("/api/sessions for a new client: %d, %d bytes", resp.StatusCode, len(body))
	}

	// The server gives up on those still not read once the write deadline
	// passes: none of them is still being served (a page may have fitted
	// in the socket buffers and finished; the list does not fit).
	waitUntil(t, writeTimeout+20*time.Second, "no slow request still served", func() bool {
		var st struct {
			Connections struct{ Open, Idle int }
		}
		resp, err := http.Get(p.URL + "/api/status")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		_ = json.NewDecoder(resp.Body).Decode(&st)
		return st.Connections.Open > 0 && st.Connections.Open-st.Connections.Idle <= 1 // this request
	})
	peak := procKB(t, pid, "VmHWM")
	t.Logf("RSS: %d MB idle, %d MB with %d slow readers, peak %d MB (list: %d bytes)",
		before>>10, held>>10, slowConns, peak>>10, len(body))
	if peak<<10 > rssBound {
		t.Errorf("peak RSS %d MB with %d slow readers, want under %d MB", peak>>10, slowConns, rssBound>>20)
	}
}

// writeSmallSessions writes n sessions of one short turn each, titled,
// over n/30 projects: the list and the page are as long as with full
// transcripts (each row carries its title, prompt, model and tokens),
// which is what a slow reader makes the server hold, without writing
// the 170 MB of a realistic corpus of that many sessions (50 s of the
// test under the race detector, for nothing it asserts).
func writeSmallSessions(t *testing.T, n int) string {
	t.Helper()
	claude := t.TempDir()
	at := time.Now().Add(-time.Hour)
	words := strings.Fields("the a function test build error fix add remove refactor handler session stream server client index parser token cost model file line read write watch event")
	text := func(i, n int) string {
		var b strings.Builder
		for j := 0; b.Len() < n; j++ {
			b.WriteString(words[(i*7+j*j)%len(words)])
			b.WriteByte(' ')
		}
		return strings.TrimSpace(b.String())
	}
	for i := range n {
		sid := fmt.Sprintf("5104e000-0000-4000-8000-%012d", i)
		cwd := fmt.Sprintf("/home/dev/code/project-%d", i%max(1, n/30))
		msg := fmt.Sprintf("msg_%08d", i)
		fixture.Append(t, fixture.Path(claude, cwd, sid), fixture.User(sid, cwd, text(i, 100+i%600), at)+
			fixture.Assistant(sid, cwd, msg, "end_turn", at.Add(time.Second))+
			fmt.Sprintf(`{"type":"ai-title","aiTitle":%q,"sessionId":%q}`+"\n", text(i+1, 40), sid)+
			fmt.Sprintf(`{"type":"last-prompt","lastPrompt":%q,"sessionId":%q}`+"\n", text(i+2, 60), sid))
	}
	return claude
}

// slowConn is a client that sends one request and reads nothing more
// than the status line (a small receive buffer, so the kernel does not
// read for it).
type slowConn struct {
	path string
	c    *net.TCPConn
	r    *bufio.Reader
}

func dialSlow(t *testing.T, base, path string) *slowConn {
	t.Helper()
	host := strings.TrimPrefix(base, "http://")
	nc, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	c := nc.(*net.TCPConn)
	t.Cleanup(func() { c.Close() })
	if err := c.SetReadBuffer(4 << 10); err != nil {
		t.Fatal(err)
	}
	if _, err := fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nAccept-Encoding: identity\r\n\r\n", path, host, e2eToken); err != nil {
		t.Fatal(err)
	}
	return &slowConn{path: path, c: c, r: bufio.NewReaderSize(c, 64)}
}

func (s *slowConn) status(t *testing.T, within time.Duration) int {
	t.Helper()
	_ = s.c.SetReadDeadline(time.Now().Add(within))
	line, err := s.r.ReadString('\n')
	if err != nil {
		t.Fatalf("%s: no status line: %v", s.path, err)
	}
	f := strings.Fields(line)
	if len(f) < 2 {
		t.Fatalf("%s: status line %q", s.path, line)
	}
	code, _ := strconv.Atoi(f[1])
	return code
}

// procKB reads a "Vm…: N kB" line of /proc/<pid>/status.
func procKB(t *testing.T, pid int, field string) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				t.Fatalf("%s: %q", field, line)
			}
			return n
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}
