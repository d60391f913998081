package cli

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/tokenproof"
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
// env and args, until it has printed n lines; it returns them.
func watchAt(t *testing.T, events string, n, termWidth int, env map[string]string, args ...string) []string {
	t.Helper()
	port := fakeHelmd(t, "", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, events)
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	e := envOf(with(env, "PORT", port))
	ch := make(wrote, 1)
	stdout, stderr := &out{Tee: ch}, &out{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, append([]string{"watch"}, args...), IO{Env: e, Home: "/nonexistent", Stdout: stdout, Stderr: stderr, Width: termWidth})
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
// ellipsis, then the project; piped without COLUMNS, the line is whole
// (the title was cut at 60 columns, even in 200).
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
	for _, tc := range []widthCase{{"not a terminal", 0, nil}, {"COLUMNS=200", 0, map[string]string{"COLUMNS": "200"}}} {
		lines := watchAt(t, events, 2, tc.term, tc.env)
		if !strings.Contains(lines[0], "  "+title+"  (vibecraft-website-redes…, 1234 msgs, $112)") {
			t.Errorf("%s: want the title whole:\n%s", tc.name, lines[0])
		}
	}
}

// helmd watch says why a session waits, as helmd ls does, and fits any
// terminal down to 40 columns: the reason goes whole before the title is
// cut below 24, then the figures and the project, the title last; the
// time, the verb, the status and the title's first words stay.
func TestWatchFitsNarrowTerminals(t *testing.T) {
	events := "event: init\nid: e-1\ndata: {\"type\":\"init\",\"sessions\":[],\"timestamp\":1}\n\n" +
		"event: session-created\nid: e-2\ndata: {\"type\":\"session-created\",\"sessions\":[{\"id\":\"s1\",\"source\":\"claude\"," +
		"\"title\":\"Refactor the session index so that the stream and the list agree\",\"status\":\"waiting\",\"waitingFor\":\"permission: Bash\"," +
		"\"projectName\":\"vibecraft-website-redesign-2026\",\"messageCount\":1,\"costUsd\":112.25}],\"timestamp\":2}\n\n"
	wide := watchAt(t, events, 1, 0, nil)[0]
	if !strings.Contains(wide, "  waiting (permission: Bash)  Refactor the session index") || !strings.HasSuffix(wide, "(vibecraft-website-redes…, 1 msg, $112)") {
		t.Errorf("not a terminal: the line does not say why the session waits, or its facts changed:\n%s", wide)
	}
	if l := watchAt(t, events, 1, 100, nil)[0]; width(l) > 100 || !strings.Contains(l, "waiting (permission: Bash)  Refactor the ") {
		t.Errorf("100 columns: a line of %d columns without the reason:\n%s", width(l), l)
	}
	for _, tc := range narrowColumns {
		l := watchAt(t, events, 1, tc.term, tc.env)[0]
		n := 60
		if strings.Contains(tc.name, "40") {
			n = 40
		}
		if width(l) > n || !strings.Contains(l, "  new      waiting  Refactor") || strings.Contains(l, "permission") {
			t.Errorf("%s: a line of %d columns, want at most %d, saying new, waiting and the title's start, the reason gone:\n%s", tc.name, width(l), n, l)
		}
	}
}

// watchThrough runs `helmd watch` against a helmd whose stream requests
// h answers, until stdout holds n lines, then interrupts it (no error);
// it returns the lines of stdout and of stderr, and helmd's URL.
func watchThrough(t *testing.T, h http.HandlerFunc, n int) (stdout, stderr []string, url string) {
	t.Helper()
	port := fakeHelmd(t, "", h)
	ch := make(wrote, 1)
	o, e := &out{Tee: ch}, &out{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, []string{"watch"}, IO{Env: envOf(map[string]string{"PORT": port}),
			Home: "/nonexistent", Stdout: o, Stderr: e})
	}()
	waitFor(t, o, ch, fmt.Sprintf("%d lines", n), func(s string) bool { return strings.Count(s, "\n") >= n })
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("interrupt: %v, want nil (no error: main ends by the signal)", err)
	}
	lines := func(s string) []string { return strings.Split(strings.TrimSuffix(s, "\n"), "\n") }
	return lines(o.String()), lines(e.String()), "http://127.0.0.1:" + port
}

// Stream events for the tests of a drop: a session made before it, and
// changed after it.
const (
	eventsBeforeDrop = "event: init\nid: e-1\ndata: {\"type\":\"init\",\"sessions\":[],\"timestamp\":1}\n\n" +
		"event: session-created\nid: e-2\ndata: {\"type\":\"session-created\",\"sessions\":[{\"id\":\"s1\",\"source\":\"claude\",\"title\":\"First\",\"status\":\"working\",\"projectName\":\"p\"}],\"timestamp\":2}\n\n"
	eventAfterDrop = "event: session-updated\nid: e-3\ndata: {\"type\":\"session-updated\",\"sessions\":[{\"id\":\"s1\",\"source\":\"claude\",\"status\":\"waiting\"}],\"timestamp\":3}\n\n"
)

// serveStream answers a stream request with events, and holds it open.
func serveStream(w http.ResponseWriter, r *http.Request, events string) {
	w.Header().Set("Content-Type", "text/event-stream")
	fmt.Fprint(w, events)
	w.(http.Flusher).Flush()
	<-r.Context().Done()
}

// While helmd's stream is down, helmd watch says so on stderr, and once
// more when it is back; stdout keeps only the changes, as before. Here
// the stream drops, a retry is refused (503), which is a new reason and
// said with helmd's message, and the next one resumes.
func TestWatchSaysLostAndBackOnce(t *testing.T) {
	var attempts atomic.Int32
	stdout, stderr, url := watchThrough(t, func(w http.ResponseWriter, r *http.Request) {
		switch attempts.Add(1) {
		case 1:
			w.Header().Set("Content-Type", "text/event-stream")
			fmt.Fprint(w, eventsBeforeDrop)
			return // the drop
		case 2:
			http.Error(w, `{"error":"starting"}`, http.StatusServiceUnavailable)
			return
		}
		serveStream(w, r, eventAfterDrop)
	}, 2)
	if len(stderr) != 3 || stderr[0] != "helmd watch: lost helmd at "+url+" (helmd closed the stream); reconnecting…" ||
		stderr[1] != "helmd watch: still reconnecting to helmd at "+url+", now: GET /api/sessions/stream: 503 Service Unavailable: starting" ||
		stderr[2] != "helmd watch: back in touch with helmd at "+url {
		t.Errorf("stderr, want a line on the drop, one on the 503, one when back:\n%s", strings.Join(stderr, "\n"))
	}
	if len(stdout) != 2 || !strings.Contains(stdout[0], "  new      working  First  (p, 0 msgs, $0)") ||
		!strings.Contains(stdout[1], "  updated  waiting  First  (p, 0 msgs, $0)") {
		t.Errorf("stdout, want the two changes alone:\n%s", strings.Join(stdout, "\n"))
	}
}

// When why it cannot reconnect changes while it retries, helmd watch
// says the new reason, once, and what to do about it: here helmd comes
// back but refuses the stream for want of its token (401), twice, before
// it takes it again. The retries after the first line were silent, and
// the user never learnt that the token was the trouble now.
func TestWatchSaysANewReasonOnce(t *testing.T) {
	var attempts atomic.Int32
	_, stderr, url := watchThrough(t, func(w http.ResponseWriter, r *http.Request) {
		switch attempts.Add(1) {
		case 1:
			w.Header().Set("Content-Type", "text/event-stream")
			fmt.Fprint(w, eventsBeforeDrop)
			return // the drop
		case 2, 3:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error":"this request needs Helm's access token"}`)
			return
		}
		serveStream(w, r, eventAfterDrop)
	}, 2)
	all := strings.Join(stderr, "\n")
	if len(stderr) != 3 || !strings.HasPrefix(stderr[0], "helmd watch: lost helmd at "+url+" (helmd closed the stream)") ||
		stderr[2] != "helmd watch: back in touch with helmd at "+url {
		t.Fatalf("stderr, want the drop, the 401 once, and back:\n%s", all)
	}
	// The 401 in the words every command uses for it, saying what to do.
	if want := "helmd at " + url + " wants its access token (this request needs Helm's access token): set HELM_TOKEN or --token"; !strings.HasPrefix(stderr[1], "helmd watch: ") ||
		!strings.Contains(stderr[1], want) || strings.Count(all, "wants its access token") != 1 {
		t.Errorf("stderr, want one line saying %q:\n%s", want, all)
	}
}

// An update that changes nothing the line shows (here the session's
// time, then its tokens) prints nothing: two lines alike but for the
// time (or "new" then "updated"), seconds apart, read as a fault. The
// next visible change prints, and --json, for scripts, still has every
// event.
func TestWatchSkipsLinesAlike(t *testing.T) {
	upd := func(id, fields string) string {
		return "event: session-updated\ndata: {\"type\":\"session-updated\",\"sessions\":[{\"id\":\"" + id + "\",\"source\":\"claude\"," + fields + "}],\"timestamp\":3}\n\n"
	}
	events := "event: init\nid: e-1\ndata: {\"type\":\"init\",\"sessions\":[],\"timestamp\":1}\n\n" +
		"event: session-created\ndata: {\"type\":\"session-created\",\"sessions\":[{\"id\":\"s1\",\"source\":\"claude\",\"title\":\"Upgrade\",\"status\":\"working\",\"projectName\":\"webapp\",\"messageCount\":2,\"costUsd\":0.006,\"updatedAt\":1}],\"timestamp\":2}\n\n" +
		upd("s1", "\"updatedAt\":2") +
		upd("s1", "\"updatedAt\":3,\"tokens\":{\"input\":5,\"output\":1,\"cacheRead\":0,\"cacheWrite\":0}") +
		upd("s1", "\"status\":\"waiting\",\"updatedAt\":4") +
		upd("s1", "\"updatedAt\":5") +
		"event: session-created\ndata: {\"type\":\"session-created\",\"sessions\":[{\"id\":\"s2\",\"source\":\"claude\",\"title\":\"Last\",\"status\":\"idle\",\"projectName\":\"p\"}],\"timestamp\":4}\n\n"
	lines := watchAt(t, events, 3, 0, nil)
	want := []string{"  new      working  Upgrade  (webapp, 2 msgs, <$0.01)", "  updated  waiting  Upgrade  (webapp, 2 msgs, <$0.01)", "  new      idle     Last  (p, 0 msgs, $0)"}
	ok := len(lines) == len(want)
	for i := 0; ok && i < len(want); i++ {
		ok = strings.HasSuffix(lines[i], want[i])
	}
	if !ok {
		t.Errorf("want a line per visible change:\n%s\ngot:\n%s", strings.Join(want, "\n"), strings.Join(lines, "\n"))
	}
	if js := watchAt(t, events, 6, 0, nil, "--json"); len(js) != 6 || strings.Count(strings.Join(js, "\n"), `"event":"session-updated"`) != 4 {
		t.Errorf("--json: want all 6 changes, the 4 updates too:\n%s", strings.Join(js, "\n"))
	}
}

// helmd watch follows a helmd restarted with a new token: it reads the
// token file again when what answers does not know the token it has. It
// read the file once, and reconnected to the new helmd forever, in vain.
func TestWatchFollowsANewToken(t *testing.T) {
	const first, second = "tok-first-0123456789abcdef", "tok-second-0123456789abcdef"
	file := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(file, []byte(first+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var token atomic.Value
	token.Store(first)
	var attempts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == tokenproof.Path {
			tokenproof.Serve(w, r, token.Load().(string))
			return
		}
		if r.Header.Get("Authorization") != "Bearer "+token.Load().(string) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if attempts.Add(1) == 1 {
			// helmd restarts with a new token, written to its file.
			if err := os.WriteFile(file, []byte(second+"\n"), 0o600); err != nil {
				t.Error(err)
			}
			token.Store(second)
			w.Header().Set("Content-Type", "text/event-stream")
			fmt.Fprint(w, eventsBeforeDrop)
			return // the drop
		}
		serveStream(w, r, eventAfterDrop)
	}))
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	env := map[string]string{"PORT": u.Port(), "HELM_TOKEN_FILE": file}
	ch := make(wrote, 1)
	o, e := &out{Tee: ch}, &out{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, []string{"watch"}, IO{Env: envOf(env), Home: "/nonexistent", Stdout: o, Stderr: e})
	}()
	waitFor(t, o, ch, "the change after the restart", func(s string) bool { return strings.Count(s, "\n") >= 2 })
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("interrupt: %v, want nil (no error: main ends by the signal)", err)
	}
	if lines := strings.Split(strings.TrimSpace(o.String()), "\n"); !strings.Contains(lines[1], "updated  waiting") {
		t.Errorf("stdout, want the session's change after the restart:\n%s", o.String())
	}
	if got := e.String(); strings.Contains(got, "still reconnecting") || !strings.Contains(got, "back in touch") {
		t.Errorf("stderr, want the drop and back, no failed retry:\n%s", got)
	}
}

// At 80 columns helmd watch keeps why a session waits before its
// figures ("waiting (permission: Bash)", not "waiting … 2 msgs"), and
// a session waiting for input that becomes blocked on a permission is a
// line: whether a line is new was decided on the cut facts, the same
// "waiting" at 80 columns, and nothing was printed.
func TestWatchSaysANewPermissionAt80(t *testing.T) {
	ev := func(typ, fields string) string {
		return "event: " + typ + "\ndata: {\"type\":\"" + typ + "\",\"sessions\":[{" + fields + "}],\"timestamp\":2}\n\n"
	}
	const beta = `"id":"s1","source":"claude","title":"beta working task","projectName":"proj-beta","messageCount":2,"costUsd":0.004`
	events := "event: init\nid: e-1\ndata: {\"type\":\"init\",\"sessions\":[],\"timestamp\":1}\n\n" +
		ev("session-created", beta+`,"status":"waiting","waitingFor":"input needed"`) +
		ev("session-updated", `"id":"s1","source":"claude","waitingFor":"permission: Bash"`) +
		ev("session-created", `"id":"s2","source":"claude","title":"Last","status":"idle","projectName":"p"`)
	for _, tc := range eightyColumns {
		lines := watchAt(t, events, 3, tc.term, tc.env)
		all := strings.Join(lines, "\n")
		if len(lines) != 3 || !strings.Contains(lines[0], "  new      waiting  beta working task  (proj-beta, 2 msgs, <$0.01)") ||
			!strings.Contains(lines[1], "  updated  waiting (permission: Bash)  beta working") || !strings.Contains(lines[2], "  new      idle     Last") {
			t.Errorf("%s: want the session, its new permission with the reason, then the last one:\n%s", tc.name, all)
		}
		if w := widest(lines); w > 80 {
			t.Errorf("%s: a line of %d columns:\n%s", tc.name, w, all)
		}
	}
	// Too narrow for the reason, the change is still a line.
	for _, tc := range narrowColumns {
		lines := watchAt(t, events, 3, tc.term, tc.env)
		if len(lines) != 3 || !strings.Contains(lines[1], "  updated  waiting  beta") || widest(lines) > tc.cols() {
			t.Errorf("%s: want the new permission as an update, within %d columns:\n%s", tc.name, tc.cols(), strings.Join(lines, "\n"))
		}
	}
}

// On a hub helmd watch names the machine of a change ("on beta"), and a
// machine that stops is "offline" with its name: the hub lists its
// sessions idle, and "updated  idle  beta working task" read as if the
// permission had been answered. At 80 columns the machine stays.
func TestWatchNamesMachines(t *testing.T) {
	ev := func(typ, fields string) string {
		return "event: " + typ + "\ndata: {\"type\":\"" + typ + "\",\"sessions\":[{" + fields + "}],\"timestamp\":2}\n\n"
	}
	const beta = `"id":"s1","source":"claude","host":"beta","remote":true,"title":"beta working task","projectName":"proj-beta","messageCount":2,"costUsd":0.004`
	events := "event: init\nid: e-1\ndata: {\"type\":\"init\",\"sessions\":[],\"timestamp\":1}\n\n" +
		ev("session-created", beta+`,"status":"waiting","waitingFor":"permission: Bash"`) +
		ev("session-updated", `"id":"s1","source":"claude","host":"beta","remote":true,"hostOffline":true,"status":"idle","waitingFor":""`)
	for _, tc := range append([]widthCase{{"not a terminal", 0, nil}}, eightyColumns...) {
		lines := watchAt(t, events, 2, tc.term, tc.env)
		all := strings.Join(lines, "\n")
		if len(lines) != 2 || !strings.Contains(lines[0], "  new      waiting (permission: Bash)  beta working t") || !strings.Contains(lines[0], "  (on beta") ||
			!strings.Contains(lines[1], "  updated  offline  beta working t") || !strings.Contains(lines[1], "  (on beta, proj-be") || strings.Contains(all, "idle") {
			t.Errorf("%s: want the machine named, and its going said as offline:\n%s", tc.name, all)
		}
		if tc.term+len(tc.env) > 0 && widest(lines) > 80 {
			t.Errorf("%s: a line wider than 80:\n%s", tc.name, all)
		}
	}
}
