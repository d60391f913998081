package claude

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"vibecraft.sh/helm/shared"
)

const sidStatus = "e8e8e8e8-8888-4888-8888-000000000008"

// lines of a transcript for the status cases, all stamped at t0.
func promptLine(text string, t time.Time) string {
	return fmt.Sprintf(`{"type":"user","cwd":"/w","sessionId":%q,"message":{"role":"user","content":%q},"timestamp":%q}`+"\n",
		sidStatus, text, t.Format(time.RFC3339Nano))
}

func toolUseLine(id string, t time.Time) string {
	return fmt.Sprintf(`{"type":"assistant","cwd":"/w","sessionId":%q,"requestId":"req_%s","message":{"id":"msg_%s","model":"claude-sonnet-4-5","content":[{"type":"tool_use","id":%q,"name":"Bash","input":{}}],"stop_reason":"tool_use","usage":{"input_tokens":1,"output_tokens":1}},"timestamp":%q}`+"\n",
		sidStatus, id, id, id, t.Format(time.RFC3339Nano))
}

func toolResultLine(id string, t time.Time) string {
	return fmt.Sprintf(`{"type":"user","cwd":"/w","sessionId":%q,"message":{"role":"user","content":[{"type":"tool_result","tool_use_id":%q,"content":"ok"}]},"timestamp":%q}`+"\n",
		sidStatus, id, t.Format(time.RFC3339Nano))
}

func replyLine(id, stop string, t time.Time) string {
	return fmt.Sprintf(`{"type":"assistant","cwd":"/w","sessionId":%q,"requestId":"req_%s","message":{"id":"msg_%s","model":"claude-sonnet-4-5","content":[{"type":"text","text":"done"}],"stop_reason":%s,"usage":{"input_tokens":1,"output_tokens":1}},"timestamp":%q}`+"\n",
		sidStatus, id, id, stop, t.Format(time.RFC3339Nano))
}

func turnDurationLine(t time.Time) string {
	return fmt.Sprintf(`{"type":"system","subtype":"turn_duration","durationMs":1000,"cwd":"/w","sessionId":%q,"timestamp":%q}`+"\n", sidStatus, t.Format(time.RFC3339Nano))
}

// deadPID returns the pid of a process that has exited.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if path, err := exec.LookPath("true"); err == nil {
		cmd = exec.Command(path) // starts faster than the test binary
	}
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	if alive(pid) {
		t.Fatalf("pid %d still alive after exit", pid)
	}
	return pid
}

func TestStatus(t *testing.T) {
	t0 := at("2026-03-02T15:00:00Z")
	dead := deadPID(t)
	pidFile := func(pid int, status string) string {
		return fmt.Sprintf(`{"pid":%d,"sessionId":%q,"cwd":"/w","startedAt":1,"status":%q,"updatedAt":%d,"name":"x"}`, pid, sidStatus, status, t0.UnixMilli())
	}
	answered := promptLine("run it", t0) + toolUseLine("t1", t0) + toolResultLine("t1", t0) + replyLine("r1", `"end_turn"`, t0)
	tests := []struct {
		name       string
		transcript string
		pid        string // sessions/<pid>.json content, "" for none
		after      time.Duration
		status     shared.Status
		active     bool
	}{
		{"unanswered tool_use, recent", promptLine("run it", t0) + toolUseLine("t1", t0), "", time.Minute, shared.StatusWorking, true},
		{"unanswered tool_use, 3 min old", promptLine("run it", t0) + toolUseLine("t1", t0), "", 3 * time.Minute, shared.StatusIdle, false},
		{"tool result not yet answered", promptLine("run it", t0) + toolUseLine("t1", t0) + toolResultLine("t1", t0), "", time.Minute, shared.StatusWorking, true},
		{"prompt without reply", promptLine("hello", t0), "", 90 * time.Second, shared.StatusWorking, true},
		{"split response still streaming (stop_reason null)", promptLine("hello", t0) + replyLine("r1", "null", t0), "", time.Minute, shared.StatusWorking, true},
		{"end_turn, recent", answered, "", time.Minute, shared.StatusWaiting, true},
		{"end_turn, 10 min old", answered, "", 10 * time.Minute, shared.StatusWaiting, false},
		{"end_turn, 40 min old: still waiting", answered, "", 40 * time.Minute, shared.StatusWaiting, false},
		{"end_turn, past the 12 h waiting TTL", answered, "", 12*time.Hour + time.Minute, shared.StatusIdle, false},
		{"turn_duration ends a turn whose lines all have stop_reason null", promptLine("hello", t0) + replyLine("r1", "null", t0) + turnDurationLine(t0), "", time.Minute, shared.StatusWaiting, true},
		{"an interrupted tool call is not pending after the next prompt", promptLine("a", t0) + toolUseLine("t1", t0) + promptLine("b", t0) + replyLine("r2", `"end_turn"`, t0), "", time.Minute, shared.StatusWaiting, true},
		{"a killed tool call is not pending after a later response", promptLine("a", t0) + toolUseLine("t1", t0) + replyLine("r2", `"end_turn"`, t0), "", time.Minute, shared.StatusWaiting, true},
		{"live process busy, quiet transcript", answered, pidFile(os.Getpid(), "busy"), time.Hour, shared.StatusWorking, true},
		{"live process waiting", promptLine("hello", t0), pidFile(os.Getpid(), "waiting"), time.Hour, shared.StatusWaiting, true},
		{"live process idle", promptLine("hello", t0), pidFile(os.Getpid(), "idle"), time.Minute, shared.StatusIdle, true},
		// Idle at its prompt after the turn ended: its answer waits for
		// the user, however long ago (within the waiting window), as
		// without a registry; "shell" is idle with a shell running.
		{"live process idle, its turn ended", answered, pidFile(os.Getpid(), "idle"), time.Hour, shared.StatusWaiting, true},
		{"live process shell, its turn ended", answered, pidFile(os.Getpid(), "shell"), time.Minute, shared.StatusWaiting, true},
		{"live process shell, no turn ended", promptLine("hello", t0), pidFile(os.Getpid(), "shell"), time.Minute, shared.StatusIdle, true},
		{"live process idle, its turn ended past the waiting window", answered, pidFile(os.Getpid(), "idle"), 13 * time.Hour, shared.StatusIdle, true},
		{"live process busy, its turn ended: the registry is newer", answered, pidFile(os.Getpid(), "busy"), time.Minute, shared.StatusWorking, true},
		{"live process, unknown status: transcript decides, still active", answered, pidFile(os.Getpid(), "thinking"), time.Hour, shared.StatusWaiting, true},
		{"dead process: transcript decides", answered, pidFile(dead, "busy"), time.Hour, shared.StatusIdle, false},
		{"dead process, unanswered prompt: nobody is there to reply", promptLine("hello", t0), pidFile(dead, "idle"), time.Minute, shared.StatusIdle, true},
		{"dead process, unanswered call: it never ends", promptLine("run it", t0) + toolUseLine("t1", t0), pidFile(dead, "busy"), time.Minute, shared.StatusIdle, true},
		{"dead process, ended turn: nobody is there to answer", answered, pidFile(dead, "waiting"), time.Minute, shared.StatusIdle, true},
		{"registry entry that is not JSON", answered, `{"pid":`, time.Hour, shared.StatusWaiting, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			write(t, root, projectRel("/w", sidStatus+".jsonl"), tc.transcript)
			if tc.pid != "" {
				write(t, root, "sessions/12345.json", tc.pid)
			}
			src := New(Options{Roots: []string{root}, Now: clock(t0.Add(tc.after).Format(time.RFC3339Nano))})
			out, err := src.Scan(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			got := one(t, out)
			if got.Status != tc.status || got.Active != tc.active {
				t.Errorf("status, active = %s, %v; want %s, %v", got.Status, got.Active, tc.status, tc.active)
			}
		})
	}
}

// A session whose process is killed mid-call (kill -9, a closed
// terminal: no record, no SessionEnd, its registry entry left behind)
// shows idle at the next check of live processes, not working for the
// rest of the active window; a write after that is another process's (a
// resume), and the transcript decides again.
func TestKilledMidCall(t *testing.T) {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Fatalf("no sleep to stand for a Claude Code process: %v", err)
	}
	proc := exec.Command(sleep, "600")
	if err := proc.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = proc.Process.Kill(); _ = proc.Wait() })

	t0 := time.Now().Truncate(time.Second)
	root := t.TempDir()
	path := write(t, root, projectRel("/w", sidStatus+".jsonl"), promptLine("run it", t0)+toolUseLine("t1", t0))
	if err := os.Chtimes(path, t0, t0); err != nil {
		t.Fatal(err)
	}
	write(t, root, "sessions/4242.json", fmt.Sprintf(`{"pid":%d,"sessionId":%q,"status":"busy","updatedAt":%d}`,
		proc.Process.Pid, sidStatus, t0.UnixMilli()))
	now := t0.Add(5 * time.Second)
	src := New(Options{Roots: []string{root}, Now: func() time.Time { return now }})
	out, err := src.Scan(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got := one(t, out); got.Status != shared.StatusWorking {
		t.Fatalf("its process alive and busy: %s; want working", got.Status)
	}

	if err := proc.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = proc.Wait()
	now = src.NextChange() // the next check of live processes
	if now.IsZero() || now.After(t0.Add(time.Minute)) {
		t.Fatalf("next check at %v; want one within the active window", now)
	}
	changed, _ := src.Aged()
	if got := one(t, changed); got.Status != shared.StatusIdle {
		t.Errorf("killed mid-call, at the next check: %s; want idle", got.Status)
	}

	resumed := now.Add(time.Second)
	appendTo(t, path, toolResultLine("t1", resumed))
	if err := os.Chtimes(path, resumed, resumed); err != nil {
		t.Fatal(err)
	}
	now = resumed
	changed, _, err = src.Update(t.Context(), []string{filepath.Dir(path)})
	if err != nil {
		t.Fatal(err)
	}
	if got := one(t, changed); got.Status != shared.StatusWorking {
		t.Errorf("written after its process was seen gone: %s; want working (another process goes on)", got.Status)
	}

	// The entry read again unchanged (an event in the registry's folder, a
	// rescan) still dates the process's end from its first sight.
	now = resumed.Add(time.Second)
	reg := filepath.Join(root, "sessions", "4242.json")
	if _, _, err := src.Update(t.Context(), []string{reg}); err != nil {
		t.Fatal(err)
	}
	if got := one(t, src.Sessions()); got.Status != shared.StatusWorking {
		t.Errorf("its registry entry read again: %s; want working", got.Status)
	}
	out, err = src.Scan(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got := one(t, out); got.Status != shared.StatusWorking {
		t.Errorf("rescanned: %s; want working", got.Status)
	}
}

// TestStatusAges checks that Sessions recomputes status as time passes,
// without any file event, and that mtime counts as a write.
func TestStatusAges(t *testing.T) {
	t0 := at("2026-03-02T15:00:00Z")
	root := t.TempDir()
	path := write(t, root, projectRel("/w", sidStatus+".jsonl"), promptLine("hi", t0)+replyLine("r", `"end_turn"`, t0))
	now := t0
	src := New(Options{Roots: []string{root}, Now: func() time.Time { return now }})
	if _, err := src.Scan(t.Context()); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		at     time.Duration
		status shared.Status
		active bool
	}{{0, shared.StatusWaiting, true}, {3 * time.Minute, shared.StatusWaiting, false}, {31 * time.Minute, shared.StatusWaiting, false},
		{12 * time.Hour, shared.StatusWaiting, false}, {12*time.Hour + time.Second, shared.StatusIdle, false}}
	for _, st := range steps {
		now = t0.Add(st.at)
		got := one(t, src.Sessions())
		if got.Status != st.status || got.Active != st.active {
			t.Errorf("at +%v: %s, %v; want %s, %v", st.at, got.Status, got.Active, st.status, st.active)
		}
	}
	// A touch long after the last record (a copy, a restore, a sync) is
	// not the session's write: a session that ended does not wait for
	// its user again.
	if err := os.Chtimes(path, now, now); err != nil {
		t.Fatal(err)
	}
	changed, _, err := src.Update(t.Context(), []string{filepath.Dir(path)})
	if err != nil {
		t.Fatal(err)
	}
	if got := one(t, changed); got.Status != shared.StatusIdle || got.Active {
		t.Errorf("touched 12 h after its last record: %s, %v; want idle, not active", got.Status, got.Active)
	}

	// A write without a newer dated record soon after the last one (a
	// line being written, a title) is: active again, waiting since then.
	wrote := t0.Add(10 * time.Minute)
	if err := os.Chtimes(path, wrote, wrote); err != nil {
		t.Fatal(err)
	}
	now = wrote.Add(time.Minute)
	out, err := New(Options{Roots: []string{root}, Now: func() time.Time { return now }}).Scan(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got := one(t, out); got.Status != shared.StatusWaiting || !got.Active || got.WaitingSince != wrote.UnixMilli() {
		t.Errorf("written 10 min after its last record: %s, %v, waiting since %d; want waiting, active, since %d",
			got.Status, got.Active, got.WaitingSince, wrote.UnixMilli())
	}
}

// A transcript copied or restored long after its session ended (its
// mtime the copy's) is read by its records' times: idle, not waiting for
// its user since the copy, and not in Needs you.
func TestCopiedTranscriptDoesNotWait(t *testing.T) {
	t0 := at("2025-01-10T09:00:00Z")
	root := t.TempDir()
	path := write(t, root, projectRel("/w", sidStatus+".jsonl"), promptLine("hi", t0)+replyLine("r", `"end_turn"`, t0))
	copied := at("2026-03-02T15:00:00Z")
	if err := os.Chtimes(path, copied, copied); err != nil {
		t.Fatal(err)
	}
	src := New(Options{Roots: []string{root}, Now: clock("2026-03-02T15:30:00Z")})
	out, err := src.Scan(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	got := one(t, out)
	if got.Status != shared.StatusIdle || got.Active || got.WaitingSince != 0 || got.UpdatedAt != t0.UnixMilli() {
		t.Errorf("copied 14 months later: %s, active %v, waiting since %d, updated %d; want idle, not active, no wait, updated %d",
			got.Status, got.Active, got.WaitingSince, got.UpdatedAt, t0.UnixMilli())
	}
}

func TestPIDFileUpdate(t *testing.T) {
	t0 := at("2026-03-02T15:00:00Z")
	root := t.TempDir()
	write(t, root, projectRel("/w", sidStatus+".jsonl"), promptLine("hi", t0)+replyLine("r", `"end_turn"`, t0))
	src := New(Options{Roots: []string{root}, Now: clock("2026-03-03T04:00:00Z")}) // past the waiting TTL
	out, err := src.Scan(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got := one(t, out); got.Status != shared.StatusIdle || got.Active {
		t.Fatalf("before: %s, %v", got.Status, got.Active)
	}
	pidPath := write(t, root, "sessions/777.json", fmt.Sprintf(`{"pid":%d,"sessionId":%q,"status":"busy","updatedAt":1}`, os.Getpid(), sidStatus))
	changed, removed, err := src.Update(t.Context(), []string{pidPath})
	if err != nil || len(removed) != 0 {
		t.Fatal(err, removed)
	}
	if got := one(t, changed); got.Status != shared.StatusWorking || !got.Active {
		t.Errorf("after the registry appeared: %s, %v; want working, active", got.Status, got.Active)
	}
	if err := os.Remove(pidPath); err != nil {
		t.Fatal(err)
	}
	changed, _, err = src.Update(t.Context(), []string{filepath.Dir(pidPath)})
	if err != nil {
		t.Fatal(err)
	}
	if got := one(t, changed); got.Status != shared.StatusIdle || got.Active {
		t.Errorf("after the registry went: %s, %v; want idle, inactive", got.Status, got.Active)
	}
}

func recapLine(t time.Time) string {
	return fmt.Sprintf(`{"type":"system","subtype":"away_summary","content":"Goal: run it. Done. Next: nothing. (disable recaps in /config)","cwd":"/w","sessionId":%q,"timestamp":%q}`+"\n",
		sidStatus, t.Format(time.RFC3339Nano))
}

// A recap (the summary Claude Code writes into a session left idle for
// some minutes) is no activity: a session waiting for its user still
// waits from its turn's end, is not active, and its last activity stays
// the turn's, whether the file is read or restored from the scan cache,
// and with a title written after the recap. A prompt after it is.
func TestRecapIsNoActivity(t *testing.T) {
	t0 := at("2026-09-14T09:00:00Z")
	end := t0.Add(2 * time.Second)
	recap := t0.Add(6 * time.Minute)
	root, cache := t.TempDir(), filepath.Join(t.TempDir(), "scan.cache")
	path := write(t, root, projectRel("/w", sidStatus+".jsonl"),
		promptLine("run it", t0)+replyLine("r1", `"end_turn"`, end)+turnDurationLine(end)+recapLine(recap))
	touch := func(at time.Time) {
		t.Helper()
		if err := os.Chtimes(path, at, at); err != nil {
			t.Fatal(err)
		}
	}
	touch(recap) // as Claude Code left it: written at the recap
	waits := func(what string, src *Source) {
		t.Helper()
		got := one(t, src.Sessions())
		if got.Status != shared.StatusWaiting || got.Active || got.WaitingSince != end.UnixMilli() || got.UpdatedAt != end.UnixMilli() || got.MessageCount != 2 {
			t.Errorf("%s: %s, active %v, waiting since %d, updated %d, %d messages; want waiting since the turn's end %d, not active, updated then, 2 messages",
				what, got.Status, got.Active, got.WaitingSince, got.UpdatedAt, got.MessageCount, end.UnixMilli())
		}
	}
	now := recap.Add(30 * time.Second)
	src := scannedWith(t, root, cache, func() time.Time { return now })
	waits("read", src)
	waits("restored from the scan cache", restarted(t, src, root, cache, func() time.Time { return now }))

	appendTo(t, path, `{"type":"ai-title","aiTitle":"Run it","sessionId":"`+sidStatus+`"}`+"\n")
	touch(recap.Add(time.Second))
	rescan(t, src)
	waits("a title after the recap", src)

	back := recap.Add(time.Minute)
	appendTo(t, path, promptLine("and again", back))
	touch(back)
	now = back.Add(10 * time.Second)
	rescan(t, src)
	if got := one(t, src.Sessions()); got.Status != shared.StatusWorking || !got.Active || got.UpdatedAt != back.UnixMilli() {
		t.Errorf("a prompt after the recap: %s, active %v, updated %d; want working, active, updated %d", got.Status, got.Active, got.UpdatedAt, back.UnixMilli())
	}
}

func queuedLine(prompt, mode, origin string, t time.Time) string {
	att := map[string]any{"type": "queued_command", "prompt": prompt}
	if mode != "" {
		att["commandMode"] = mode
	}
	if origin != "" {
		att["origin"] = map[string]any{"kind": origin}
	}
	b, err := json.Marshal(map[string]any{"type": "attachment", "attachment": att, "cwd": "/w", "sessionId": sidStatus, "timestamp": t.Format(time.RFC3339Nano)})
	if err != nil {
		panic(err)
	}
	return string(b) + "\n"
}

// A prompt the user typed while the session worked is a queued_command
// attachment, never a user record (Claude Code 2.1, 2026): it counts as
// a message, as the page's "You" row, and is the first prompt when none
// came before; the call it was typed during still runs. A task's
// notification, a bash-mode input and other attachments are not
// prompts.
func TestQueuedPromptsCount(t *testing.T) {
	t0 := at("2026-10-06T20:00:00Z")
	root := t.TempDir()
	write(t, root, projectRel("/w", sidStatus+".jsonl"),
		queuedLine("  ", "prompt", "human", t0)+ // nothing typed: no prompt
			queuedLine("<task-notification>\n<task-id>b1</task-id>\n</task-notification>", "prompt", "human", t0)+
			promptLine("run the tests", t0)+
			toolUseLine("t1", t0)+
			queuedLine("and the linter too", "prompt", "human", t0)+
			queuedLine("<task-notification>\n<task-id>b2</task-id>\n</task-notification>", "task-notification", "task-notification", t0)+
			queuedLine("ls", "bash", "human", t0)+
			queuedLine("an older build's", "prompt", "", t0)+
			`{"type":"attachment","attachment":{"type":"todo","prompt":"not a prompt"},"sessionId":"`+sidStatus+`"}`+"\n")
	src, out := scan(t, root, "2026-10-06T20:00:30Z")
	got := one(t, out)
	// run the tests, and the linter too, an older build's; the response
	if got.MessageCount != 4 || got.FirstPrompt != "run the tests" || got.Status != shared.StatusWorking {
		t.Errorf("%d messages, first prompt %q, %s; want 4, %q, working (the call runs)", got.MessageCount, got.FirstPrompt, got.Status, "run the tests")
	}
	if st := src.Stats(); st.UnknownTypes != 0 || st.LinesSkipped != 0 {
		t.Errorf("stats %+v: want every line read", st)
	}

	only := t.TempDir()
	write(t, only, projectRel("/w", sidStatus+".jsonl"), queuedLine("typed while it started", "prompt", "human", t0))
	if got := one(t, func() []shared.Session { _, out := scan(t, only, "2026-10-06T20:00:30Z"); return out }()); got.FirstPrompt != "typed while it started" || got.MessageCount != 1 || got.Status != shared.StatusWorking {
		t.Errorf("a session of a queued prompt alone: first prompt %q, %d messages, %s; want it, 1, working", got.FirstPrompt, got.MessageCount, got.Status)
	}

	// Typed as the turn ended: the next turn starts with it.
	after := t.TempDir()
	write(t, after, projectRel("/w", sidStatus+".jsonl"), promptLine("run it", t0)+replyLine("r1", `"end_turn"`, t0)+turnDurationLine(t0)+
		queuedLine("and again", "prompt", "human", t0.Add(time.Second)))
	if got := one(t, func() []shared.Session { _, out := scan(t, after, "2026-10-06T20:00:30Z"); return out }()); got.Status != shared.StatusWorking || got.MessageCount != 3 || got.WaitingFor != "" {
		t.Errorf("a queued prompt after the turn's end: %s %q, %d messages; want working, 3", got.Status, got.WaitingFor, got.MessageCount)
	}
}

// A session begun with pasted text, which Claude Code (2.1, 2026) writes
// between lines that mark it, is named by the text, not by the mark.
func TestPastedPromptTitle(t *testing.T) {
	t0 := at("2026-09-26T23:38:00Z")
	root := t.TempDir()
	write(t, root, projectRel("/w", sidStatus+".jsonl"),
		promptLine("<pasted_content id=\"d65e\">\nTask: extend search_deals with filters.\n\nContext: …\n</pasted_content id=\"d65e\">", t0))
	if got := one(t, func() []shared.Session { _, out := scan(t, root, "2026-09-26T23:38:10Z"); return out }()); got.Title != "Task: extend search_deals with filters.\n\nContext: …" || got.FirstPrompt != got.Title {
		t.Errorf("title %q, first prompt %q; want the pasted text without its marks", got.Title, got.FirstPrompt)
	}
}
