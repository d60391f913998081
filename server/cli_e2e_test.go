package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"vibecraft.sh/helm/server/internal/logbuf"

	"vibecraft.sh/helm/server/internal/fixture"
	"vibecraft.sh/helm/shared"
)

// These tests run the client commands (helmd ls, watch, usage, status)
// through run, as the binary does, against a real helmd in this process.

// syncBuffer is a writer a test reads while a command writes to it.
type syncBuffer = logbuf.Buffer

// exitCode is what main exits with for err.
func exitCode(err error) int {
	if err == nil {
		return 0
	}
	return fail(io.Discard, err) // main's own choice of code
}

func portOf(t testing.TB, url string) string {
	t.Helper()
	_, port, err := net.SplitHostPort(strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// helmdCmd runs `helmd <args> --port <port>` with no token file, and
// returns its output and exit code.
func helmdCmd(t testing.TB, ctx context.Context, port string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut syncBuffer
	full := append(args, "--port", port, "--token-file", filepath.Join(t.TempDir(), "none"))
	err := run(ctx, full, &out, &errOut)
	stderr = errOut.String()
	if err != nil {
		stderr += "helmd: " + err.Error() + "\n" // as main prints it
	}
	return out.String(), stderr, exitCode(err)
}

const (
	sidCalm    = "0f4b1c2d-1111-4c1e-9a55-0d6e2f8b1c01"
	sidHostile = "0f4b1c2d-2222-4c1e-9a55-0d6e2f8b1c02"
)

// hostileTitle would clear the screen, set the window title, move the
// cursor and break the columns if printed as it is.
const hostileTitle = "\x1b[2J\x1b]0;pwned\x07evil\ttitle\r\n\x1b[10;1Hmoved\u202eesrever\u009b31mred\xff"

func seedSessions(t *testing.T, root string) {
	now := time.Now()
	calm := fixture.Path(root, "/work/calm", sidCalm)
	fixture.Append(t, calm, fixture.User(sidCalm, "/work/calm", "Refactor the parser", now.Add(-time.Minute)))
	fixture.Append(t, calm, fixture.Assistant(sidCalm, "/work/calm", "msg_1", "end_turn", now))
	hostile := fixture.Path(root, "/work/bad", sidHostile)
	fixture.Append(t, hostile, fixture.User(sidHostile, "/work/bad", "hello", now.Add(-2*time.Hour)))
	title, _ := json.Marshal(hostileTitle)
	fixture.Append(t, hostile, `{"type":"custom-title","customTitle":`+string(title)+`,"sessionId":"`+sidHostile+`"}`+"\n")
}

func TestCLILs(t *testing.T) {
	root := t.TempDir()
	seedSessions(t, root)
	srv := startHelmd(t, root)
	port := portOf(t, srv.URL)
	ctx := context.Background()
	waitFor(t, "both sessions", func() bool { return len(srv.sessions(t)) == 2 })

	out, stderr, code := helmdCmd(t, ctx, port, "ls")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "STATUS") {
		t.Fatalf("want a header and 2 rows:\n%s", out)
	}
	for _, bad := range []string{"\x1b", "\x07", "\r", "\t", "\u202e", "\u009b", "pwned", "31m"} {
		if strings.Contains(out, bad) {
			t.Errorf("output holds %q:\n%q", bad, out)
		}
	}
	// Columns line up: the project column starts at the same place on
	// every line, hostile title or not.
	col := strings.Index(lines[0], "PROJECT") // ASCII: bytes are characters
	for _, l := range lines[1:] {
		r := []rune(l)
		if rest := string(r[col:]); !strings.HasPrefix(rest, "calm") && !strings.HasPrefix(rest, "bad") {
			t.Errorf("project column misaligned at %d:\n%s", col, out)
		}
	}
	if !strings.Contains(out, "evil title") || !strings.Contains(out, "Refactor the parser") || !strings.Contains(out, "waiting") {
		t.Errorf("rows:\n%s", out)
	}
	// Which assistant each session is of: two may share a title.
	tool := strings.Index(lines[0], "TOOL")
	for _, l := range lines[1:] {
		if tool < 0 || !strings.HasPrefix(string([]rune(l)[tool:]), "Claude Code ") {
			t.Errorf("no TOOL column saying Claude Code:\n%s", out)
		}
	}

	tests := []struct {
		args []string
		ids  []string
		code int
	}{
		{[]string{"ls", "--json"}, []string{sidCalm, sidHostile}, 0},
		{[]string{"ls", "--json", "--status", "waiting"}, []string{sidCalm}, 0},
		{[]string{"ls", "--project", "BAD", "--json"}, []string{sidHostile}, 0},
		{[]string{"ls", "--project", "/work/calm", "--json"}, []string{sidCalm}, 0},
		{[]string{"ls", "--project", "nowhere", "--json"}, nil, 0},
		{[]string{"ls", "--status", "sleeping"}, nil, 1},
	}
	for _, tc := range tests {
		out, stderr, code := helmdCmd(t, ctx, port, tc.args...)
		if code != tc.code {
			t.Errorf("%v: exit %d, want %d (%s)", tc.args, code, tc.code, stderr)
			continue
		}
		if code != 0 {
			continue
		}
		var got []shared.Session
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("%v: not JSON: %v\n%s", tc.args, err, out)
		}
		var ids []string
		for _, s := range got {
			ids = append(ids, s.ID)
		}
		if strings.Join(ids, ",") != strings.Join(tc.ids, ",") {
			t.Errorf("%v: sessions %v, want %v", tc.args, ids, tc.ids)
		}
	}
}

func TestCLIStatus(t *testing.T) {
	root := t.TempDir()
	seedSessions(t, root)
	srv := startHelmd(t, root)
	port := portOf(t, srv.URL)
	waitFor(t, "both sessions", func() bool { return len(srv.sessions(t)) == 2 })

	out, stderr, code := helmdCmd(t, context.Background(), port, "status")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"is running on", "Sessions: 2", root, "fsnotify", "OpenCode: not read.", "Health: ok"} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
	out, _, code = helmdCmd(t, context.Background(), port, "status", "--json")
	var doc struct{ Sessions int }
	if code != 0 || json.Unmarshal([]byte(out), &doc) != nil || doc.Sessions != 2 {
		t.Errorf("status --json: exit %d, %s", code, out)
	}
}

// helmd usage reads GET /api/usage of a real helmd: the table and
// --json agree with the seeded response (10 in, 20 out on Sonnet 4.5).
func TestCLIUsage(t *testing.T) {
	root := t.TempDir()
	seedSessions(t, root)
	srv := startHelmd(t, root)
	port := portOf(t, srv.URL)
	waitFor(t, "both sessions", func() bool { return len(srv.sessions(t)) == 2 })
	out, stderr, code := helmdCmd(t, context.Background(), port, "usage", "--since", "30d", "--by", "project")
	if code != 0 || !strings.Contains(out, "/work/calm") || !strings.Contains(out, "TOTAL") {
		t.Fatalf("exit %d: %s%s", code, out, stderr)
	}
	out, stderr, code = helmdCmd(t, context.Background(), port, "usage", "--since", "30d", "--by", "model", "--tz", "Asia/Kolkata", "--json")
	var rep struct {
		By      string
		Buckets []struct{ Key string }
		Total   struct {
			CostUSD float64
			Tokens  shared.Tokens
		}
	}
	if code != 0 || json.Unmarshal([]byte(out), &rep) != nil {
		t.Fatalf("exit %d: %s%s", code, out, stderr)
	}
	if rep.By != "model" || len(rep.Buckets) != 1 || rep.Buckets[0].Key != "claude-sonnet-4-5" || // the model's key (shared.ModelKey)
		rep.Total.Tokens.Input != 10 || rep.Total.Tokens.Output != 20 {
		t.Errorf("usage --json: %s", out)
	}
}

// With nothing listening, every command exits 2 and says helmd is not
// running.
func TestCLIWhenHelmdIsDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := portOf(t, "http://"+ln.Addr().String())
	ln.Close()
	for _, args := range [][]string{{"ls"}, {"ls", "--json"}, {"watch"}, {"watch", "--waiting", "--count"}, {"usage"}, {"status"}} {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, stderr, code := helmdCmd(t, ctx, port, args...)
		cancel()
		if code != 2 || !strings.Contains(stderr, "not running") {
			t.Errorf("%v: exit %d, %q; want 2, not running", args, code, stderr)
		}
	}
}

// startWatch runs `helmd watch args…` until the test ends or stop is
// called; stop returns its exit code.
func startWatch(t *testing.T, port string, args ...string) (out *syncBuffer, stop func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out = &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append(args, "--port", port, "--token-file", filepath.Join(t.TempDir(), "none")), out, io.Discard)
	}()
	var once sync.Once
	code := 0
	stop = func() int {
		once.Do(func() {
			cancel() // what SIGINT does to helmd's context
			select {
			case err := <-done:
				code = exitCode(err)
			case <-time.After(5 * time.Second):
				t.Fatal("watch did not end within 5 s of the interrupt")
			}
		})
		return code
	}
	t.Cleanup(func() { stop() })
	return out, stop
}

// ndjson decodes the complete lines of out.
func ndjson(t *testing.T, out string) []map[string]json.RawMessage {
	t.Helper()
	var lines []map[string]json.RawMessage
	for _, l := range strings.Split(out, "\n") {
		if l == "" {
			continue
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("line %q is not JSON: %v", l, err)
		}
		lines = append(lines, m)
	}
	return lines
}

func TestCLIWatchJSON(t *testing.T) {
	root := t.TempDir()
	srv := startHelmd(t, root, "--debounce", "20ms")
	out, stop := startWatch(t, portOf(t, srv.URL), "watch", "--json")
	waitFor(t, "the watcher to connect", func() bool {
		var st struct{ Stream struct{ Clients int } }
		getJSON(t, srv.URL+"/api/status", &st)
		return st.Stream.Clients == 1
	})

	const sid = "0f4b1c2d-3333-4c1e-9a55-0d6e2f8b1c03"
	path := fixture.Path(root, "/work/w", sid)
	now := time.Now()
	fixture.Append(t, path, fixture.User(sid, "/work/w", "Watch me", now))
	waitFor(t, "the created line", func() bool { return len(ndjson(t, out.String())) == 1 })
	fixture.Append(t, path, fixture.Assistant(sid, "/work/w", "msg_1", "end_turn", now.Add(time.Second)))
	waitFor(t, "the updated line", func() bool { return len(ndjson(t, out.String())) >= 2 })
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the deleted line", func() bool {
		l := ndjson(t, out.String())
		return string(l[len(l)-1]["event"]) == `"session-deleted"`
	})
	if code := stop(); code != 0 {
		t.Errorf("exit %d after the interrupt, want 0: no error (main ends by the signal)", code)
	}

	lines := ndjson(t, out.String())
	var events []string
	for i, l := range lines {
		var ev string
		var s shared.Session
		_ = json.Unmarshal(l["event"], &ev)
		if err := json.Unmarshal(l["session"], &s); err != nil || s.ID != sid || s.Title != "Watch me" {
			t.Errorf("line %d: session %+v (%v)", i, s, err)
		}
		var id string
		if json.Unmarshal(l["id"], &id) != nil || !strings.Contains(id, "-") {
			t.Errorf("line %d: id %s", i, l["id"])
		}
		// Updates are merged into whole sessions, not printed as changes.
		if ev == "session-updated" && (s.MessageCount != 2 || s.ProjectPath != "/work/w") {
			t.Errorf("update line is not a whole session: %+v", s)
		}
		events = append(events, ev)
	}
	if events[0] != "session-created" || events[len(events)-1] != "session-deleted" || !strings.Contains(strings.Join(events, ","), "session-updated") {
		t.Errorf("events %v", events)
	}
}

// watchWaitingCount starts helmd over the seeded sessions, one of them
// waiting, and helmd watch --waiting --count once it printed 1.
func watchWaitingCount(t *testing.T) (root string, srv *testServer, out *syncBuffer, stop func() int) {
	t.Helper()
	root = t.TempDir()
	seedSessions(t, root)
	srv = startHelmd(t, root, "--debounce", "20ms")
	waitFor(t, "both sessions", func() bool { return len(srv.sessions(t)) == 2 })
	out, stop = startWatch(t, portOf(t, srv.URL), "watch", "--waiting", "--count")
	waitFor(t, "the first count", func() bool { return out.String() == "1\n" })
	return root, srv, out, stop
}

func TestCLIWatchWaitingCount(t *testing.T) {
	root, _, out, stop := watchWaitingCount(t)

	const sid = "0f4b1c2d-4444-4c1e-9a55-0d6e2f8b1c04"
	path := fixture.Path(root, "/work/c", sid)
	now := time.Now()
	fixture.Append(t, path, fixture.User(sid, "/work/c", "Count me", now))
	fixture.Append(t, path, fixture.Assistant(sid, "/work/c", "msg_1", "end_turn", now.Add(time.Second)))
	waitFor(t, "the count to reach 2", func() bool { return out.String() == "1\n2\n" })
	if code := stop(); code != 0 || out.String() != "1\n2\n" {
		t.Errorf("exit %d, output %q: want the count only when it changes", code, out.String())
	}
}

// helmd watch --waiting --count counts as the page's badge does, the
// sessions of "Needs you": waiting and not cleared. It counted the
// status, so a tmux bar stayed up after every clear (10 where the page
// said 7).
func TestCLIWatchCountDropsOnAClear(t *testing.T) {
	_, srv, out, stop := watchWaitingCount(t)

	if got := post(t, srv.URL+"/api/sessions/claude/"+sidCalm+"/clear", nil); got != http.StatusAccepted {
		t.Fatalf("clear: %d, want 202", got)
	}
	waitFor(t, "the count to go down to 0", func() bool { return out.String() == "1\n0\n" })
	if code := stop(); code != 0 || out.String() != "1\n0\n" {
		t.Errorf("exit %d, output %q: want 1, then 0 once the waiting session was cleared", code, out.String())
	}
}
