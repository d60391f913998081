package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/hook"
	"vibecraft.sh/helm/server/internal/fixture"
	"vibecraft.sh/helm/server/internal/ssetest"
	"vibecraft.sh/helm/server/internal/tokenproof"
	"vibecraft.sh/helm/shared"
)

func hookPayload(sid, event, extra string) string {
	return fmt.Sprintf(`{"session_id":%q,"transcript_path":"/t.jsonl","cwd":"/w","permission_mode":"default","hook_event_name":%q%s}`, sid, event, extra)
}

// TestHookEventsReachTheStream sends each hook event through `helmd hook`
// to a running helmd and checks the status and reason it means reach a
// stream client. The debounce is an hour: only a hint that bypasses it
// can arrive.
func TestHookEventsReachTheStream(t *testing.T) {
	const sid, cwd = "a77e0000-0000-4000-8000-000000000001", "/home/dev/hooks"
	root := t.TempDir()
	fixture.Append(t, fixture.Path(root, cwd, sid), fixture.User(sid, cwd, "start", time.Now().Add(-time.Minute)))
	srv := startHelmd(t, root, "--debounce", "1h")
	c := ssetest.Connect(t, srv.URL+"/api/sessions/stream", "")
	c.Next(t, 5*time.Second)
	args := []string{"--port", portOf(t, srv.URL), "--auth", "none"}

	steps := []struct {
		event, extra string
		status       shared.Status
		reason       string
		active       bool
	}{
		{"Notification", `,"notification_type":"permission_prompt","message":"Claude needs your permission to use Bash"`, shared.StatusWaiting, "permission prompt", true},
		{"UserPromptSubmit", `,"prompt":"go on"`, shared.StatusWorking, "", true},
		{"PermissionRequest", `,"tool_name":"Bash","tool_input":{"command":"rm -rf build"}`, shared.StatusWaiting, "permission: Bash", true},
		{"SubagentStop", `,"agent_id":"a1","agent_type":"Explore"`, shared.StatusWorking, "", true},
		{"Notification", `,"notification_type":"elicitation_dialog","message":"?"`, shared.StatusWaiting, "dialog open", true},
		{"SessionStart", `,"source":"resume"`, shared.StatusIdle, "", true},
		{"Stop", `,"stop_hook_active":false,"last_assistant_message":"done"`, shared.StatusWaiting, "input needed", true},
		{"SessionEnd", `,"reason":"exit"`, shared.StatusIdle, "", false},
		// Resumed: a hook after an end counts only from a process running
		// the session again.
		{"SessionStart", `,"source":"resume"`, shared.StatusIdle, "", true},
		{"Notification", `,"notification_type":"idle_prompt","message":"Claude is waiting for your input"`, shared.StatusWaiting, "input needed", true},
	}
	for _, st := range steps {
		if err := runHook(t.Context(), args, strings.NewReader(hookPayload(sid, st.event, st.extra)), t.TempDir(), io.Discard); err != nil {
			t.Fatalf("%s: helmd hook returned %v; it must never fail", st.event, err)
		}
		ev := c.Wait(t, 5*time.Second, st.event+" → "+string(st.status), ssetest.Of(shared.EventSessionUpdated, sid, func(s shared.Session) bool {
			return s.Status == st.status && s.WaitingFor == st.reason && s.Active == st.active
		}))
		s, _ := ev.Has(sid)
		if (st.status == shared.StatusWaiting) != (s.WaitingSince > 0) {
			t.Errorf("%s: waitingSince %d with status %s", st.event, s.WaitingSince, s.Status)
		}
	}
	var status struct{ Hooks struct{ Accepted int } }
	getJSON(t, srv.URL+"/api/status", &status)
	if status.Hooks.Accepted != len(steps) {
		t.Errorf("status counts %d hooks accepted, want %d", status.Hooks.Accepted, len(steps))
	}
}

// TestHookWhenHelmdIsDown: with nothing listening, `helmd hook` returns
// nil (exit 0) and what bounds it is the short timeout it is built with.
func TestHookWhenHelmdIsDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := portOf(t, "http://"+ln.Addr().String())
	ln.Close() // nothing listens there now
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("s3cret-s3cret-s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"--port", port, "--token-file", tokenFile},
		{"--port", port, "--token-file", filepath.Join(t.TempDir(), "missing")},
		{"--port", "not-a-port"},
	} {
		if err := runHook(t.Context(), args, strings.NewReader(hookPayload("a77e0000-0000-4000-8000-000000000002", "Stop", "")), t.TempDir(), io.Discard); err != nil {
			t.Errorf("%v: helmd hook returned %v, want nil", args, err)
		}
	}
	c := hook.Client("")
	if c.Timeout != hook.Timeout || hook.Timeout >= time.Second || hook.DialTimeout > hook.Timeout {
		t.Errorf("client timeout %v (dial %v): the hook must give up within 1 s", c.Timeout, hook.DialTimeout)
	}
	// And a hung helmd: accepts, never answers.
	hung, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer hung.Close()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go func() {
		for {
			conn, err := hung.Accept()
			if err != nil {
				return
			}
			go func() { <-ctx.Done(); conn.Close() }()
		}
	}()
	err = hook.Forward(t.Context(), strings.NewReader(hookPayload("a77e0000-0000-4000-8000-000000000002", "Stop", "")), "http://"+hung.Addr().String(), "")
	if err == nil || !strings.Contains(err.Error(), "Timeout") && !strings.Contains(err.Error(), "deadline") {
		t.Errorf("a hung helmd: %v, want the client's timeout", err)
	}
}

// TestHostileHookPayloads: what cannot be a hook payload gets a 4xx, an
// event Helm does not use is ignored, and each is counted.
func TestHostileHookPayloads(t *testing.T) {
	srv := startHelmd(t, "")
	tests := []struct {
		name, body string
		status     int
	}{
		{"huge", `{"session_id":"x","hook_event_name":"Stop","pad":"` + strings.Repeat("a", hook.MaxPayload) + `"}`, http.StatusRequestEntityTooLarge},
		{"not JSON", `{"session_id":`, http.StatusBadRequest},
		{"an array", `[1,2]`, http.StatusBadRequest},
		{"id with ../", hookPayload("../../etc/passwd", "Stop", ""), http.StatusBadRequest},
		{"id with NUL", `{"session_id":"a\u0000b","hook_event_name":"Stop"}`, http.StatusBadRequest},
		{"unknown event", hookPayload("a77e0000-0000-4000-8000-000000000003", "PreCompact", ""), http.StatusAccepted},
		{"auth_success notification", hookPayload("a77e0000-0000-4000-8000-000000000003", "Notification", `,"notification_type":"auth_success"`), http.StatusAccepted},
	}
	for _, tc := range tests {
		resp, err := http.Post(srv.URL+"/api/hooks", "application/json", strings.NewReader(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("%s: status %d, want %d", tc.name, resp.StatusCode, tc.status)
		}
	}
	// Huge and sent without a length (chunked): the guard's bound cuts
	// it while it is read, and that too is a 413, counted.
	huge := `{"session_id":"x","hook_event_name":"Stop","pad":"` + strings.Repeat("a", 100<<10) + `"}`
	resp, err := http.Post(srv.URL+"/api/hooks", "application/json", io.MultiReader(strings.NewReader(huge)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("huge, chunked: status %d, want 413", resp.StatusCode)
	}
	var status struct {
		Hooks struct {
			Accepted int
			Skipped  map[string]int
		}
	}
	getJSON(t, srv.URL+"/api/status", &status)
	// The huge one with a length is refused by the guard before it is read.
	want := map[string]int{hook.ErrMalformed.Error(): 2, hook.ErrBadID.Error(): 2, hook.ErrUnknown.Error(): 2, hook.ErrTooLarge.Error(): 1}
	if status.Hooks.Accepted != 0 || fmt.Sprint(status.Hooks.Skipped) != fmt.Sprint(want) {
		t.Errorf("counted %d accepted, skipped %v; want 0, %v", status.Hooks.Accepted, status.Hooks.Skipped, want)
	}
	if len(srv.sessions(t)) != 0 {
		t.Error("a refused payload made a session")
	}
}

func post(t *testing.T, url string, header map[string]string) int {
	t.Helper()
	return request(t, "POST", url, header).StatusCode
}

// TestClearPersistsUntilTheSessionChanges: a clear reaches the stream,
// survives a restart (every page and device agree), and a new change to
// the session undoes it.
func TestClearPersistsUntilTheSessionChanges(t *testing.T) {
	const sid, cwd = "c1ea0000-0000-4000-8000-000000000001", "/home/dev/clear"
	root, cache := t.TempDir(), t.TempDir()
	path := fixture.Path(root, cwd, sid)
	now := time.Now()
	fixture.Append(t, path, fixture.User(sid, cwd, "go", now.Add(-2*time.Minute)))
	fixture.Append(t, path, fixture.Assistant(sid, cwd, "msg_1", "end_turn", now.Add(-time.Minute)))
	srv := startHelmd(t, root, "--cache-dir", cache)
	c := ssetest.Connect(t, srv.URL+"/api/sessions/stream", "")
	init := c.Next(t, 5*time.Second)
	if s, ok := init.Has(sid); !ok || s.Status != shared.StatusWaiting || s.ClearedAt != 0 {
		t.Fatalf("init: %+v, want waiting, not cleared", s)
	}

	for _, tc := range []struct {
		path   string
		header map[string]string
		want   int
	}{
		{"/api/sessions/claude/" + sid + "0/clear", nil, http.StatusNotFound},
		{"/api/sessions/claude/..%2f..%2fetc/clear", nil, http.StatusBadRequest},
		{"/api/sessions/claude/-x/clear", nil, http.StatusBadRequest},
		{"/api/sessions/codex/" + sid + "/clear", nil, http.StatusBadRequest},
		{"/api/sessions/claude/" + sid + "/clear", map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
	} {
		if got := post(t, srv.URL+tc.path, tc.header); got != tc.want {
			t.Errorf("POST %s: %d, want %d", tc.path, got, tc.want)
		}
	}
	if got := post(t, srv.URL+"/api/sessions/claude/"+sid+"/clear", nil); got != http.StatusAccepted {
		t.Fatalf("clear: %d, want 202", got)
	}
	ev := c.Wait(t, 5*time.Second, "the clear", ssetest.Of(shared.EventSessionUpdated, sid, func(s shared.Session) bool { return s.ClearedAt > 0 }))
	cleared, _ := ev.Has(sid)
	if cleared.Status != shared.StatusWaiting || cleared.WaitingFor != "input needed" {
		t.Errorf("cleared session %s %q: a clear hides it from Needs you, it does not change what it does", cleared.Status, cleared.WaitingFor)
	}
	// Written after the publish, which the user waits for: by now, or soon.
	var st os.FileInfo
	waitFor(t, "cleared.json", func() bool {
		var err error
		st, err = os.Stat(filepath.Join(cache, "cleared.json"))
		return err == nil
	})
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("cleared.json: mode %v; want a 0600 file", st.Mode())
	}

	srv.stop(t)
	srv = startHelmd(t, root, "--cache-dir", cache)
	var s shared.Session
	for _, x := range srv.sessions(t) {
		if x.ID == sid {
			s = x
		}
	}
	if s.ClearedAt != cleared.ClearedAt {
		t.Fatalf("after a restart clearedAt = %d, want %d", s.ClearedAt, cleared.ClearedAt)
	}

	c = ssetest.Connect(t, srv.URL+"/api/sessions/stream", "")
	c.Next(t, 5*time.Second)
	fixture.Append(t, path, fixture.User(sid, cwd, "and now this", time.Now()))
	c.Wait(t, 5*time.Second, "the change that undoes the clear", ssetest.Of(shared.EventSessionUpdated, sid, func(s shared.Session) bool {
		return s.ClearedAt == 0 && s.Status == shared.StatusWorking
	}))
	waitFor(t, "cleared.json to drop the session", func() bool {
		var kept struct{ Cleared map[string]int64 } // fresh each time: Unmarshal merges into a map
		data, err := os.ReadFile(filepath.Join(cache, "cleared.json"))
		return err == nil && json.Unmarshal(data, &kept) == nil && len(kept.Cleared) == 0
	})
}

// TestARecapKeepsTheClear: the recap Claude Code writes into a session
// left idle (a system record, away_summary) is no change of what the
// session does: a wait the user cleared stays cleared, dated from the
// turn's end, and the session is not active. The title written with it
// is the sign the recap was read.
func TestARecapKeepsTheClear(t *testing.T) {
	const sid, cwd = "c1ea0000-0000-4000-8000-000000000002", "/home/dev/recap"
	root := t.TempDir()
	path := fixture.Path(root, cwd, sid)
	end := time.Now().Add(-3 * time.Minute) // past the active window
	fixture.Append(t, path, fixture.User(sid, cwd, "go", end.Add(-time.Minute)))
	fixture.Append(t, path, fixture.Assistant(sid, cwd, "msg_1", "end_turn", end))
	if err := os.Chtimes(path, end, end); err != nil { // as written then
		t.Fatal(err)
	}
	srv := startHelmd(t, root)
	c := ssetest.Connect(t, srv.URL+"/api/sessions/stream", "")
	init := c.Next(t, 5*time.Second)
	waiting, ok := init.Has(sid)
	if !ok || waiting.Status != shared.StatusWaiting || waiting.WaitingSince <= 0 || waiting.Active {
		t.Fatalf("init: %+v, want waiting, not active", waiting)
	}
	if got := post(t, srv.URL+"/api/sessions/claude/"+sid+"/clear", nil); got != http.StatusAccepted {
		t.Fatalf("clear: %d, want 202", got)
	}
	ev := c.Wait(t, 5*time.Second, "the clear", ssetest.Of(shared.EventSessionUpdated, sid, func(s shared.Session) bool { return s.ClearedAt > 0 }))
	cleared, _ := ev.Has(sid)

	fixture.Append(t, path, fmt.Sprintf(`{"type":"system","subtype":"away_summary","content":"Goal: go. Done. Next: nothing. (disable recaps in /config)","cwd":%q,"sessionId":%q,"timestamp":%q}`+"\n"+
		`{"type":"ai-title","aiTitle":"Recapped","sessionId":%q}`+"\n", cwd, sid, time.Now().UTC().Format(time.RFC3339Nano), sid))
	ev = c.Wait(t, 5*time.Second, "the title written with the recap", ssetest.Of(shared.EventSessionUpdated, sid, func(s shared.Session) bool { return s.Title == "Recapped" }))
	s, _ := ev.Has(sid)
	if s.ClearedAt != cleared.ClearedAt || s.Status != shared.StatusWaiting || s.WaitingSince != waiting.WaitingSince || s.UpdatedAt != waiting.UpdatedAt || s.Active {
		t.Errorf("after the recap: cleared at %d, %s since %d, updated %d, active %v; want still cleared at %d, waiting since %d, updated %d, not active",
			s.ClearedAt, s.Status, s.WaitingSince, s.UpdatedAt, s.Active, cleared.ClearedAt, waiting.WaitingSince, waiting.UpdatedAt)
	}
}

// TestHooksCommand: `helmd hooks` prints the snippet with this binary's
// absolute path; --install merges it into CLAUDE_CONFIG_DIR's
// settings.json, and a second install changes nothing.
func TestHooksCommand(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("CLAUDE_CONFIG_DIR", dir)
	var out strings.Builder
	if err := run(t.Context(), []string{"hooks", "--port", "5099"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	cmd, events := hookCommand(t, out.String(), "Stop")
	bin, _, _ := strings.Cut(cmd, " hook")
	if !filepath.IsAbs(strings.Trim(bin, "'")) || !strings.HasSuffix(cmd, " hook --host 127.0.0.1 --port 5099") || events != 7 {
		t.Errorf("snippet command %q over %d events", cmd, events)
	}
	if _, err := os.Stat(filepath.Join(dir, "settings.json")); !os.IsNotExist(err) {
		t.Fatal("printing the snippet wrote settings.json")
	}
	for i, want := range []string{"written to", "already in"} {
		out.Reset()
		if err := run(t.Context(), []string{"hooks", "--install", "--port", "5099"}, &out, io.Discard); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), want) {
			t.Errorf("install %d: %q, want %q", i+1, out.String(), want)
		}
	}
}

// hookCommand reads the settings.json snippet helmd hooks printed: the
// command it runs for event, and how many events it hooks.
func hookCommand(t *testing.T, snippet, event string) (cmd string, events int) {
	t.Helper()
	var parsed struct {
		Hooks map[string][]struct {
			Hooks []struct{ Command string }
		}
	}
	if err := json.Unmarshal([]byte(snippet), &parsed); err != nil {
		t.Fatalf("%v: %s", err, snippet)
	}
	if len(parsed.Hooks[event]) == 0 || len(parsed.Hooks[event][0].Hooks) == 0 {
		t.Fatalf("no %s hook in %s", event, snippet)
	}
	return parsed.Hooks[event][0].Hooks[0].Command, len(parsed.Hooks)
}

// TestHooksForAHelmdWithoutToken: for a helmd started with --auth none,
// which writes no token file, `helmd hooks --auth none` installs a hook
// command that says so, and that command, with no token file anywhere,
// delivers: without it the hook looked for the token file, found none,
// and sent nothing, so such a helmd never heard a permission prompt.
func TestHooksForAHelmdWithoutToken(t *testing.T) {
	const sid, cwd = "a77e0000-0000-4000-8000-000000000009", "/home/dev/notoken"
	root := t.TempDir()
	fixture.Append(t, fixture.Path(root, cwd, sid), fixture.User(sid, cwd, "start", time.Now().Add(-time.Minute)))
	srv := startHelmd(t, root, "--debounce", "1h")
	port := portOf(t, srv.URL)

	t.Setenv("CLAUDE_CONFIG_DIR", t.TempDir())
	var out strings.Builder
	if err := run(t.Context(), []string{"hooks", "--auth", "none", "--port", port}, &out, io.Discard); err != nil {
		t.Fatalf("helmd hooks --auth none: %v", err)
	}
	cmd, _ := hookCommand(t, out.String(), "PermissionRequest")
	_, args, ok := strings.Cut(cmd, " hook ")
	if !ok || args != "--host 127.0.0.1 --port "+port+" --auth none" {
		t.Fatalf("the hook command %q, want it to end with hook --host 127.0.0.1 --port %s --auth none", cmd, port)
	}
	// Run as Claude Code would, from a home with no token file.
	payload := hookPayload(sid, "PermissionRequest", `,"tool_name":"Bash","tool_input":{"command":"ls"}`)
	if err := runHook(t.Context(), strings.Fields(args), strings.NewReader(payload), t.TempDir(), io.Discard); err != nil {
		t.Fatal(err)
	}
	var status struct{ Hooks struct{ Accepted int } }
	getJSON(t, srv.URL+"/api/status", &status)
	if status.Hooks.Accepted != 1 {
		t.Errorf("hooks accepted by a helmd with --auth none: %d, want 1", status.Hooks.Accepted)
	}
}

// TestHugeHookStdin: a payload over the bound is not sent, and the hook
// still exits 0.
func TestHugeHookStdin(t *testing.T) {
	srv := startHelmd(t, "")
	huge := hookPayload("a77e0000-0000-4000-8000-000000000004", "Stop", `,"pad":"`+strings.Repeat("x", hook.MaxPayload)+`"`)
	if err := runHook(t.Context(), []string{"--port", portOf(t, srv.URL), "--auth", "none"}, strings.NewReader(huge), t.TempDir(), io.Discard); err != nil {
		t.Fatal(err)
	}
	var status struct{ Hooks struct{ Accepted int } }
	getJSON(t, srv.URL+"/api/status", &status)
	if status.Hooks.Accepted != 0 || len(srv.sessions(t)) != 0 {
		t.Errorf("a huge payload was delivered: %+v", status)
	}
}

// BenchmarkHookToStream measures the whole path a hook takes: `helmd
// hook` (in-process: read, reduce, POST) to helmd, its owner goroutine,
// and the stream, until the client has the new status. helmd's debounce
// is an hour, so only the hint's bypass can deliver.
func BenchmarkHookToStream(b *testing.B) {
	const sid, cwd = "be000000-0000-4000-8000-000000000001", "/home/dev/bench"
	root := b.TempDir()
	fixture.Append(b, fixture.Path(root, cwd, sid), fixture.User(sid, cwd, "start", time.Now().Add(-time.Minute)))
	srv := startHelmd(b, root, "--debounce", "1h")
	c := ssetest.Connect(b, srv.URL+"/api/sessions/stream", "")
	c.Next(b, 5*time.Second)
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	args := []string{"--port", port, "--auth", "none"}
	steps := []struct {
		payload string
		status  shared.Status
	}{{hookPayload(sid, "Stop", ""), shared.StatusWaiting}, {hookPayload(sid, "UserPromptSubmit", ""), shared.StatusWorking}}
	home := b.TempDir()
	b.ResetTimer()
	for i := range b.N {
		st := steps[i%2]
		_ = runHook(b.Context(), args, strings.NewReader(st.payload), home, io.Discard)
		c.Wait(b, 5*time.Second, "the hint", ssetest.Of(shared.EventSessionUpdated, sid, func(s shared.Session) bool { return s.Status == st.status }))
	}
}

// TestHookSendsTokenAndOnlyWhatHelmReads: with a token file, the hook
// authenticates to a helmd that proves it holds the token, sends the
// reduced payload (no tool input), and prints nothing on stdout, which
// Claude Code would add to the conversation. To a program on the port
// that cannot prove it (helmd down, the port taken), it sends nothing.
func TestHookSendsTokenAndOnlyWhatHelmReads(t *testing.T) {
	const token = "s3cret-s3cret-s3cret"
	type got struct{ path, auth, body string }
	serve := func(proves bool) (*httptest.Server, chan got) {
		seen := make(chan got, 4)
		return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == tokenproof.Path && proves {
				tokenproof.Serve(w, r, token)
				return
			}
			body, _ := io.ReadAll(r.Body)
			seen <- got{r.URL.Path, r.Header.Get("Authorization"), string(body)}
			w.WriteHeader(http.StatusAccepted)
		})), seen
	}
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	payload := hookPayload("a77e0000-0000-4000-8000-000000000005", "PermissionRequest", `,"tool_name":"Write","tool_input":{"content":"API_KEY=hunter2"}`)
	hookTo := func(port string) string {
		t.Helper()
		var stdout strings.Builder
		old := os.Stdin
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		os.Stdin = r
		defer func() { os.Stdin = old; r.Close() }()
		go func() { _, _ = io.WriteString(w, payload); w.Close() }()
		if err := run(t.Context(), []string{"hook", "--port", port, "--token-file", tokenFile}, &stdout, io.Discard); err != nil {
			t.Fatal(err)
		}
		return stdout.String()
	}

	helmd, seen := serve(true)
	defer helmd.Close()
	if out := hookTo(portOf(t, helmd.URL)); out != "" {
		t.Errorf("printed %q on stdout", out)
	}
	g := <-seen
	if g.auth != "Bearer "+token || g.path != hook.Path {
		t.Errorf("%s with Authorization %q", g.path, g.auth)
	}
	if strings.Contains(g.body, "hunter2") || !strings.Contains(g.body, `"tool_name":"Write"`) {
		t.Errorf("sent %s", g.body)
	}

	squatter, kept := serve(false)
	defer squatter.Close()
	hookTo(portOf(t, squatter.URL))
	squatter.Close() // every request it got is in kept
	close(kept)
	for g := range kept {
		if strings.Contains(g.auth, token) || g.path == hook.Path {
			t.Errorf("a program that did not prove the token got %s with Authorization %q", g.path, g.auth)
		}
	}
}

// TestAcceptedAnswersAreJSON: the 202s (a refresh, a hook payload used or
// ignored, a clear) say what they did as JSON, and are typed as JSON,
// like every other answer of the API.
func TestAcceptedAnswersAreJSON(t *testing.T) {
	const sid, cwd = "a77e0000-0000-4000-8000-000000000009", "/home/dev/typed"
	root := t.TempDir()
	fixture.Append(t, fixture.Path(root, cwd, sid), fixture.User(sid, cwd, "start", time.Now().Add(-time.Minute)))
	fixture.Append(t, fixture.Path(root, cwd, sid), fixture.Assistant(sid, cwd, "msg_1", "end_turn", time.Now()))
	srv := startHelmd(t, root)
	for _, tc := range []struct{ name, path, body, want string }{
		{"refresh", "/api/sessions/refresh", "", "refreshing"},
		{"original refresh", "/api/claude-sessions/refresh", "", "refreshing"},
		{"hook used", "/api/hooks", hookPayload(sid, "Stop", ""), "accepted"},
		{"hook ignored", "/api/hooks", hookPayload(sid, "PreCompact", ""), "ignored"},
		{"clear", "/api/sessions/claude/" + sid + "/clear", "", "cleared"},
	} {
		resp, err := http.Post(srv.URL+tc.path, "application/json", strings.NewReader(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		var got struct{ Status string }
		err = json.NewDecoder(resp.Body).Decode(&got)
		resp.Body.Close()
		if ct := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusAccepted || !strings.HasPrefix(ct, "application/json") || err != nil || got.Status != tc.want {
			t.Errorf("%s: %d %q %+v %v; want 202, application/json, status %q", tc.name, resp.StatusCode, ct, got, err, tc.want)
		}
	}
}
