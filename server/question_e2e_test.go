package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/fixture"
	"vibecraft.sh/helm/shared"
)

// answer is an assistant line ending its turn with text.
func answer(t *testing.T, sid, cwd, msgID, text string, at time.Time) string {
	t.Helper()
	content, err := json.Marshal([]map[string]string{{"type": "text", "text": text}})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf(`{"isSidechain":false,"cwd":%q,"sessionId":%q,"version":"2.1.90","type":"assistant","message":{"id":%q,"role":"assistant","model":"claude-sonnet-4-5-20250929","content":%s,"stop_reason":"end_turn","usage":{"input_tokens":1,"output_tokens":2}},"requestId":"req_%s","uuid":"a-%d","timestamp":%q}`+"\n",
		cwd, sid, msgID, content, msgID, at.UnixNano(), at.UTC().Format("2006-01-02T15:04:05.000Z"))
}

// sessionNamed finds a session in the REST list.
func (s *testServer) session(t *testing.T, key string) (shared.Session, bool) {
	t.Helper()
	for _, x := range s.sessions(t) {
		if x.Key() == key {
			return x, true
		}
	}
	return shared.Session{}, false
}

// TestClaudeQuestion: a session that ends its turn with text shows that
// text's first line as its question, as text and cut; the user's next
// prompt takes it away.
func TestClaudeQuestion(t *testing.T) {
	root := t.TempDir()
	cwd := "/home/dev/webapp"
	long := strings.Repeat("w", 1000)
	cases := []struct {
		name, text, want string
	}{
		{"a question", "Shall I also fix the retry?\n\nIt fails the same way.", "Shall I also fix the retry?"},
		{"markup and an RTL override", "\u202E<img src=x onerror=alert(1)> <b>ok</b>?", "<img src=x onerror=alert(1)> <b>ok</b>?"},
		{"a very long line", long, long[:shared.MaxQuestion-1] + "…"},
	}
	srv := startHelmd(t, root, "--debounce", "20ms")
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sid := fmt.Sprintf("9e55a0e0-0000-4000-8000-0000000000%02d", i)
			path := fixture.Path(root, cwd, sid)
			now := time.Now()
			fixture.Append(t, path, fixture.User(sid, cwd, "fix the login test", now))
			fixture.Append(t, path, answer(t, sid, cwd, "msg_q"+fmt.Sprint(i), tc.text, now))
			var got shared.Session
			waitFor(t, "the waiting session", func() bool {
				got, _ = srv.session(t, "claude:"+sid)
				return got.Status == shared.StatusWaiting
			})
			if got.Question != tc.want {
				t.Fatalf("question %q, want %q", got.Question, tc.want)
			}
			fixture.Append(t, path, fixture.User(sid, cwd, "yes, please", now.Add(time.Second)))
			waitFor(t, "the answered session", func() bool {
				got, _ = srv.session(t, "claude:"+sid)
				return got.Status == shared.StatusWorking
			})
			if got.Question != "" {
				t.Fatalf("after the prompt: question %q", got.Question)
			}
		})
	}
}

// TestOpenCodeQuestion: an OpenCode session whose newest message is a
// finished answer shows the first line of that answer's last text; a new
// prompt takes it away.
func TestOpenCodeQuestion(t *testing.T) {
	xdg := t.TempDir()
	t.Setenv("XDG_DATA_HOME", xdg)
	db := openWriter(t, filepath.Join(xdg, "opencode"))
	now := time.Now().UnixMilli()
	const sid = "ses_6a1f0e2d3c4bAbCdEfGhIjKlQq"
	sqlExec(t, db, `INSERT INTO session (id, project_id, slug, directory, title, version, time_created, time_updated) VALUES (?, 'prj_1', 's', '/home/dev/webapp', 'OC', '1.2.3', ?, ?)`, sid, now, now)
	msg := func(id, role, extra string, at int64) {
		sqlExec(t, db, `INSERT INTO message (id, session_id, time_created, time_updated, data) VALUES (?, ?, ?, ?, ?)`, id, sid, at, at,
			fmt.Sprintf(`{"role":%q,"time":{"created":%d%s}}`, role, at, extra))
	}
	part := func(id, msgID, text string, at int64) {
		sqlExec(t, db, `INSERT INTO part (id, message_id, session_id, time_created, time_updated, data) VALUES (?, ?, ?, ?, ?, json_object('type', 'text', 'text', ?))`, id, msgID, sid, at, at, text)
	}
	msg("msg_01", "user", "", now)
	part("prt_01", "msg_01", "deploy it", now)
	msg("msg_02", "assistant", fmt.Sprintf(`,"completed":%d},"finish":"stop","x":{"y":1`, now+1), now+1)
	part("prt_02", "msg_02", "Built and tested.", now+1)
	part("prt_03", "msg_02", "\n\u202EDeploy to <b>production</b> now?\nOr wait for review.", now+1)
	srv := startOpenCodeHelmd(t, t.TempDir(), filepath.Join(xdg, "opencode"), "--debounce", "20ms")

	var got shared.Session
	waitFor(t, "the waiting OpenCode session", func() bool {
		got, _ = srv.session(t, "opencode:"+sid)
		return got.Status == shared.StatusWaiting
	})
	if want := "Deploy to <b>production</b> now?"; got.Question != want {
		t.Fatalf("question %q, want %q", got.Question, want)
	}
	msg("msg_03", "user", "", now+2)
	part("prt_04", "msg_03", "yes", now+2)
	waitFor(t, "the answered OpenCode session", func() bool {
		got, _ = srv.session(t, "opencode:"+sid)
		return got.Status == shared.StatusWorking
	})
	if got.Question != "" {
		t.Fatalf("after the prompt: question %q", got.Question)
	}
}

// TestHookQuestionAndPlan: Claude Code runs the PermissionRequest hook
// for a question to the user (AskUserQuestion) and for a plan to approve
// (ExitPlanMode). Through `helmd hook`, the list and the session's page
// say "question" with the question asked, "plan to approve" with the
// plan's first line, as text, where they said "permission:
// AskUserQuestion" with the assistant's last text; the permission_prompt
// Notification of the same dialog keeps both, and the wait's start.
func TestHookQuestionAndPlan(t *testing.T) {
	root := t.TempDir()
	cwd := "/home/dev/cache"
	srv := startHelmd(t, root, "--debounce", "20ms")
	args := []string{"--port", portOf(t, srv.URL), "--auth", "none"}
	hookRun := func(sid, event, extra string) {
		t.Helper()
		if err := runHook(t.Context(), args, strings.NewReader(hookPayload(sid, event, extra)), t.TempDir(), io.Discard); err != nil {
			t.Fatalf("helmd hook: %v", err)
		}
	}
	for i, tc := range []struct {
		name, tool, input, reason, question string
	}{
		{"a question", "AskUserQuestion",
			`{"questions":[{"question":"Which store should the <b>cache</b> use?\u202e","header":"Cache","options":[{"label":"Redis","description":"fast"}],"multiSelect":false}]}`,
			"question", "Which store should the <b>cache</b> use?"},
		{"a plan", "ExitPlanMode", `{"plan":"# Cache the sessions in Redis\n\n1. Add the client"}`, "plan to approve", "Cache the sessions in Redis"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sid := fmt.Sprintf("9e55a0e1-0000-4000-8000-0000000000%02d", i)
			path := fixture.Path(root, cwd, sid)
			now := time.Now()
			fixture.Append(t, path, fixture.User(sid, cwd, "cache the sessions", now.Add(-time.Second)))
			fixture.Append(t, path, fixture.Assistant(sid, cwd, "msg_c"+fmt.Sprint(i), "tool_use", now.Add(-time.Second)))
			waitFor(t, "the session", func() bool { _, ok := srv.session(t, "claude:"+sid); return ok })
			hookRun(sid, "PermissionRequest", `,"tool_name":"`+tc.tool+`","tool_input":`+tc.input)
			var asked shared.Session
			waitFor(t, "the wait", func() bool {
				asked, _ = srv.session(t, "claude:"+sid)
				return asked.Status == shared.StatusWaiting
			})
			if asked.WaitingFor != tc.reason || asked.Question != tc.question {
				t.Errorf("waits for %q asking %q; want %q asking %q", asked.WaitingFor, asked.Question, tc.reason, tc.question)
			}
			var d shared.SessionDetail
			getJSON(t, srv.URL+"/api/sessions/claude/"+sid, &d)
			if d.Question != tc.question {
				t.Errorf("the session's page asks %q, want %q", d.Question, tc.question)
			}
			hookRun(sid, "Notification", `,"notification_type":"permission_prompt","message":"Claude needs your permission"`)
			// A clear, which helmd applies after the hooks before it: once
			// it shows, the Notification was taken.
			if got := post(t, srv.URL+"/api/sessions/claude/"+sid+"/clear", nil); got != http.StatusAccepted {
				t.Fatalf("clear: %d", got)
			}
			var again shared.Session
			waitFor(t, "the clear", func() bool {
				again, _ = srv.session(t, "claude:"+sid)
				return again.ClearedAt > 0
			})
			if again.WaitingFor != tc.reason || again.Question != tc.question || again.WaitingSince != asked.WaitingSince {
				t.Errorf("told again: waits for %q asking %q since %d; want %q asking %q since %d",
					again.WaitingFor, again.Question, again.WaitingSince, tc.reason, tc.question, asked.WaitingSince)
			}
		})
	}
}

// TestHookQuestionToldOnlyByNotification: a question whose only hook is
// the permission_prompt Notification (a Claude Code that runs no
// PermissionRequest hook) still reads "question" with what it asks,
// taken from the transcript's pending AskUserQuestion call, as text: in
// the list and on the session's page. Its answer (the call's result)
// ends the wait; a command's prompt told so stays a permission to give.
func TestHookQuestionToldOnlyByNotification(t *testing.T) {
	root := t.TempDir()
	cwd := "/home/dev/cache"
	srv := startHelmd(t, root, "--debounce", "20ms")
	args := []string{"--port", portOf(t, srv.URL), "--auth", "none"}
	call := func(sid, id, tool, input string, at time.Time) string {
		return fmt.Sprintf(`{"isSidechain":false,"cwd":%q,"sessionId":%q,"version":"2.1.90","type":"assistant","message":{"id":"msg_%s","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[{"type":"tool_use","id":%q,"name":%q,"input":%s}],"stop_reason":"tool_use","usage":{"input_tokens":1,"output_tokens":2}},"requestId":"req_%s","uuid":"a-%d","timestamp":%q}`+"\n",
			cwd, sid, id, id, tool, input, id, at.UnixNano(), at.UTC().Format("2006-01-02T15:04:05.000Z"))
	}
	for i, tc := range []struct {
		name, tool, input, reason, question string
	}{
		{"a question", "AskUserQuestion",
			`{"questions":[{"question":"Which store should the <script>alert(1)</script> cache use?\u202e","options":[{"label":"Redis"}]}]}`,
			"question", "Which store should the <script>alert(1)</script> cache use?"},
		{"a command", "Bash", `{"command":"rm -rf build"}`, "permission prompt", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sid := fmt.Sprintf("9e55a0e2-0000-4000-8000-0000000000%02d", i)
			id := fmt.Sprintf("toolu_n%d", i)
			path := fixture.Path(root, cwd, sid)
			now := time.Now()
			fixture.Append(t, path, fixture.User(sid, cwd, "cache the sessions", now.Add(-time.Second)))
			fixture.Append(t, path, call(sid, id, tc.tool, tc.input, now.Add(-time.Second)))
			waitFor(t, "the session", func() bool { _, ok := srv.session(t, "claude:"+sid); return ok })
			payload := hookPayload(sid, "Notification", `,"notification_type":"permission_prompt","message":"Claude needs your permission"`)
			if err := runHook(t.Context(), args, strings.NewReader(payload), t.TempDir(), io.Discard); err != nil {
				t.Fatalf("helmd hook: %v", err)
			}
			var asked shared.Session
			waitFor(t, "the wait", func() bool {
				asked, _ = srv.session(t, "claude:"+sid)
				return asked.Status == shared.StatusWaiting
			})
			if asked.WaitingFor != tc.reason || tc.question != "" && asked.Question != tc.question {
				t.Errorf("waits for %q asking %q; want %q asking %q", asked.WaitingFor, asked.Question, tc.reason, tc.question)
			}
			var d shared.SessionDetail
			getJSON(t, srv.URL+"/api/sessions/claude/"+sid, &d)
			if d.WaitingFor != tc.reason || tc.question != "" && d.Question != tc.question {
				t.Errorf("the session's page waits for %q asking %q, want %q asking %q", d.WaitingFor, d.Question, tc.reason, tc.question)
			}
			// The answer a millisecond on at least: the records' times
			// hold milliseconds, and a record of the hook's own
			// millisecond does not tell it came after (as a user's
			// answer, seconds later, does).
			answered := time.Now().Add(time.Millisecond)
			fixture.Append(t, path, fmt.Sprintf(`{"isSidechain":false,"cwd":%q,"sessionId":%q,"version":"2.1.90","type":"user","message":{"role":"user","content":[{"type":"tool_result","tool_use_id":%q,"content":"Redis"}]},"uuid":"u-%d","timestamp":%q}`+"\n",
				cwd, sid, id, answered.UnixNano(), answered.UTC().Format("2006-01-02T15:04:05.000Z")))
			waitFor(t, "the answer", func() bool {
				s, _ := srv.session(t, "claude:"+sid)
				return s.Status == shared.StatusWorking
			})
		})
	}
}
