package claude

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/shared"
)

// Lines of a session whose model starts agents in the background (the
// default of Claude Code's Agent tool in 2026): the call's result comes
// back at once with toolUseResult.status "async_launched", the turn
// ends ("I'll wait for them"), the agent writes its own transcript, and
// a task notification reports it and wakes the model.

func agentCallLine(id string, t time.Time) string {
	return fmt.Sprintf(`{"type":"assistant","cwd":"/w","sessionId":%q,"requestId":"req_%s","message":{"id":"msg_%s","model":"claude-sonnet-4-5","content":[{"type":"tool_use","id":%q,"name":"Agent","input":{"description":"scan the logs","prompt":"look","run_in_background":true}}],"stop_reason":"tool_use","usage":{"input_tokens":1,"output_tokens":1}},"timestamp":%q}`+"\n",
		sidStatus, id, id, id, t.Format(time.RFC3339Nano))
}

// launchLine is the call's result; status "async_launched" for an agent
// at work in the background, "completed" for one that ran in the
// foreground and is done.
func launchLine(callID, agentID, status string, t time.Time) string {
	return fmt.Sprintf(`{"type":"user","cwd":"/w","sessionId":%q,"message":{"role":"user","content":[{"type":"tool_result","tool_use_id":%q,"content":[{"type":"text","text":"Async agent launched successfully."}]}]},"toolUseResult":{"isAsync":true,"status":%q,"agentId":%q,"outputFile":"/tmp/x.output","prompt":"look"},"timestamp":%q}`+"\n",
		sidStatus, callID, status, agentID, t.Format(time.RFC3339Nano))
}

// notifyLine is the notification as a user record, written when it wakes
// a session whose turn had ended.
func notifyLine(agentID, callID string, t time.Time) string {
	text := fmt.Sprintf("<task-notification>\n<task-id>%s</task-id>\n<tool-use-id>%s</tool-use-id>\n<status>completed</status>\n<summary>Agent \"scan the logs\" completed</summary>\n<result>Found it. <task-id>other</task-id></result>\n</task-notification>", agentID, callID)
	return fmt.Sprintf(`{"type":"user","isMeta":true,"origin":{"kind":"task-notification"},"promptSource":"system","cwd":"/w","sessionId":%q,"message":{"role":"user","content":%q},"timestamp":%q}`+"\n",
		sidStatus, text, t.Format(time.RFC3339Nano))
}

// queuedNotifyLine is the notification as Claude Code queues it while the
// session works.
func queuedNotifyLine(agentID string, t time.Time) string {
	text := fmt.Sprintf("<task-notification>\n<task-id>%s</task-id>\n<status>completed</status>\n</task-notification>", agentID)
	return fmt.Sprintf(`{"type":"attachment","cwd":"/w","sessionId":%q,"attachment":{"type":"queued_command","prompt":%q,"commandMode":"task-notification","origin":{"kind":"task-notification","producer":"session-task"}},"timestamp":%q}`+"\n",
		sidStatus, text, t.Format(time.RFC3339Nano))
}

// agentWorkLine is a line of the agent's own transcript.
func agentWorkLine(id string, t time.Time) string {
	return fmt.Sprintf(`{"type":"assistant","isSidechain":true,"cwd":"/w","sessionId":%q,"requestId":"req_%s","message":{"id":"msg_%s","model":"claude-sonnet-4-5","content":[{"type":"tool_use","id":"tu_%s","name":"Grep","input":{}}],"stop_reason":"tool_use","usage":{"input_tokens":1,"output_tokens":1}},"timestamp":%q}`+"\n",
		sidStatus, id, id, id, t.Format(time.RFC3339Nano))
}

func agentRel(agentID string) string {
	return projectRel("/w", sidStatus+"/subagents/agent-"+agentID+".jsonl")
}

// A turn that ends while an agent it started in the background works on
// asks nothing of the user: the model waits for the agent's report and
// answers it by itself. Such a session showed "waiting" (and asked for
// attention) for as long as the agent worked; it works, while the
// agent writes, until the agent is reported or goes quiet.
func TestBackgroundAgentKeepsItsSessionWorking(t *testing.T) {
	t0 := at("2026-03-02T15:00:00Z")
	sec := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Second) }
	launched := promptLine("check the logs", t0) + agentCallLine("toolu_bg", sec(1)) +
		launchLine("toolu_bg", "a1b2c3", "async_launched", sec(2)) + replyLine("r1", `"end_turn"`, sec(5)) + turnDurationLine(sec(5))
	// The model answers the report and ends its turn again.
	answered := notifyLine("a1b2c3", "toolu_bg", sec(70)) + replyLine("r2", `"end_turn"`, sec(90)) + turnDurationLine(sec(90))
	twoAgents := promptLine("check the logs", t0) + agentCallLine("toolu_bg", sec(1)) +
		launchLine("toolu_bg", "a1b2c3", "async_launched", sec(2)) + agentCallLine("toolu_b2", sec(2)) +
		launchLine("toolu_b2", "d4e5f6", "async_launched", sec(3)) + replyLine("r1", `"end_turn"`, sec(5))

	tests := []struct {
		name       string
		transcript string
		agents     map[string]string // agentId → its transcript
		after      time.Duration
		status     shared.Status
	}{
		{"the agent writes after the turn ended", launched,
			map[string]string{"a1b2c3": agentWorkLine("s1", sec(2)) + agentWorkLine("s2", sec(60))}, 90 * time.Second, shared.StatusWorking},
		{"the agent's last write is older than the turn's end, still within the window", launched,
			map[string]string{"a1b2c3": agentWorkLine("s1", sec(4))}, 100 * time.Second, shared.StatusWorking},
		{"the agent quiet past the active window: the user may want to look", launched,
			map[string]string{"a1b2c3": agentWorkLine("s1", sec(2)) + agentWorkLine("s2", sec(60))}, 60*time.Second + 2*time.Minute + time.Second, shared.StatusWaiting},
		{"no transcript of the agent yet, or none kept", launched, nil, 30 * time.Second, shared.StatusWaiting},
		{"a launch told by isAsync alone", promptLine("check the logs", t0) + agentCallLine("toolu_bg", sec(1)) +
			strings.Replace(launchLine("toolu_bg", "a1b2c3", "", sec(2)), `"status":"",`, "", 1) + replyLine("r1", `"end_turn"`, sec(5)),
			map[string]string{"a1b2c3": agentWorkLine("s1", sec(60))}, 90 * time.Second, shared.StatusWorking},
		{"an agent that ran in the foreground is done when its result comes", promptLine("check the logs", t0) + agentCallLine("toolu_fg", sec(1)) +
			launchLine("toolu_fg", "a1b2c3", "completed", sec(30)) + replyLine("r1", `"end_turn"`, sec(35)),
			map[string]string{"a1b2c3": agentWorkLine("s1", sec(2)) + agentWorkLine("s2", sec(29))}, 40 * time.Second, shared.StatusWaiting},
		{"the report wakes the model: working before its first line", launched + notifyLine("a1b2c3", "toolu_bg", sec(70)),
			map[string]string{"a1b2c3": agentWorkLine("s1", sec(2)) + agentWorkLine("s2", sec(69))}, 80 * time.Second, shared.StatusWorking},
		{"the reported agent is not at work, though it wrote within the window", launched + answered,
			map[string]string{"a1b2c3": agentWorkLine("s1", sec(2)) + agentWorkLine("s2", sec(69))}, 100 * time.Second, shared.StatusWaiting},
		{"a report queued while the session worked ends the agent too", launched + agentCallLine("toolu_x", sec(60)) + queuedNotifyLine("a1b2c3", sec(61)) +
			toolResultLine("toolu_x", sec(62)) + replyLine("r3", `"end_turn"`, sec(65)),
			map[string]string{"a1b2c3": agentWorkLine("s1", sec(2)) + agentWorkLine("s2", sec(60))}, 70 * time.Second, shared.StatusWaiting},
		{"one agent reported, the other at work", twoAgents + notifyLine("a1b2c3", "toolu_bg", sec(30)) + replyLine("r2", `"end_turn"`, sec(40)),
			map[string]string{"a1b2c3": agentWorkLine("s1", sec(29)), "d4e5f6": agentWorkLine("s2", sec(50))}, 60 * time.Second, shared.StatusWorking},
		{"an agent never reported (its process killed) does not hold later turns", launched + promptLine("next", sec(3600)) + replyLine("r4", `"end_turn"`, sec(3610)),
			map[string]string{"a1b2c3": agentWorkLine("s1", sec(10))}, 3620 * time.Second, shared.StatusWaiting},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			write(t, root, projectRel("/w", sidStatus+".jsonl"), tc.transcript)
			for id, lines := range tc.agents {
				write(t, root, agentRel(id), lines)
			}
			_, out := scan(t, root, t0.Add(tc.after).Format(time.RFC3339Nano))
			got := one(t, out)
			if got.Status != tc.status {
				t.Errorf("status = %s (%q), want %s", got.Status, got.WaitingFor, tc.status)
			}
		})
	}

	// With its process idle at its prompt (Claude Code's registry), the
	// same: the agent's writes say the session works.
	root := t.TempDir()
	write(t, root, projectRel("/w", sidStatus+".jsonl"), launched)
	write(t, root, agentRel("a1b2c3"), agentWorkLine("s1", sec(60)))
	write(t, root, "sessions/12345.json", fmt.Sprintf(`{"pid":%d,"sessionId":%q,"cwd":"/w","startedAt":1,"status":"idle","updatedAt":%d}`,
		os.Getpid(), sidStatus, sec(5).UnixMilli()))
	if _, out := scan(t, root, sec(90).Format(time.RFC3339Nano)); one(t, out).Status != shared.StatusWorking {
		t.Errorf("idle process, agent at work: status = %s, want working", one(t, out).Status)
	}

	// The notification is no prompt of the user's: the count is the
	// prompt and the two responses.
	root = t.TempDir()
	write(t, root, projectRel("/w", sidStatus+".jsonl"), launched+notifyLine("a1b2c3", "toolu_bg", sec(70)))
	if _, out := scan(t, root, sec(80).Format(time.RFC3339Nano)); one(t, out).MessageCount != 3 {
		t.Errorf("message count = %d, want 3", one(t, out).MessageCount)
	}
}

// The session's status follows the agent as it works, is reported and
// the model answers, one append at a time, as helmd sees them; and the
// agents at work survive the transcript's compaction (quiet for the
// active window while its agents work) and a restart from the scan
// cache.
func TestBackgroundAgentLive(t *testing.T) {
	t0 := at("2026-03-02T15:00:00Z")
	sec := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Second) }
	now := sec(10)
	root := t.TempDir()
	cache := filepath.Join(t.TempDir(), "claude-scan.cache")
	main := write(t, root, projectRel("/w", sidStatus+".jsonl"), promptLine("check the logs", t0)+agentCallLine("toolu_bg", sec(1))+
		launchLine("toolu_bg", "a1b2c3", "async_launched", sec(2))+replyLine("r1", `"end_turn"`, sec(5))+turnDurationLine(sec(5)))
	// The agent last wrote before the turn ended: its working ends
	// with its own window, not the session's last write's.
	agent := write(t, root, agentRel("a1b2c3"), agentWorkLine("s1", sec(4)))
	src := New(Options{Roots: []string{root}, Now: func() time.Time { return now }, CacheFile: cache})
	out, err := src.Scan(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	status := func(when string, want shared.Status, sessions []shared.Session) {
		t.Helper()
		if got := one(t, sessions); got.Status != want {
			t.Errorf("%s: status = %s, want %s", when, got.Status, want)
		}
	}
	status("the agent at work", shared.StatusWorking, out)
	if next, want := src.NextChange(), sec(125); !next.Equal(want) {
		t.Errorf("next change at %v, want %v: the agent's write plus the active window, to the second", next, want)
	}
	now = sec(125)
	changed, _ := src.Aged()
	status("the agent quiet for the active window", shared.StatusWaiting, changed)
	if err := src.Save(); err != nil {
		t.Fatal(err)
	}

	// A restart: the transcript comes from the cache, compacted.
	now = sec(200)
	appendTo(t, agent, agentWorkLine("s2", sec(190)))
	again := New(Options{Roots: []string{root}, Now: func() time.Time { return now }, CacheFile: cache})
	out, err = again.Scan(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	status("after a restart, the agent still at work", shared.StatusWorking, out)

	update := func(path, lines string, at time.Time) []shared.Session {
		t.Helper()
		appendTo(t, path, lines)
		now = at
		changed, _, err := again.Update(t.Context(), []string{path})
		if err != nil {
			t.Fatal(err)
		}
		return changed
	}
	status("reported", shared.StatusWorking, update(main, notifyLine("a1b2c3", "toolu_bg", sec(210)), sec(211)))
	status("answered", shared.StatusWaiting, update(main, replyLine("r2", `"end_turn"`, sec(220))+turnDurationLine(sec(220)), sec(221)))
}

// A transcript keeps at most maxBackground agents as at work, the
// latest: one that started more and never had them reported (its
// process killed each time) holds no more. Compacted, the blob holds
// the same ids, and gives them back when the file grows.
func TestBackgroundAgentsAreBounded(t *testing.T) {
	t0 := at("2026-03-02T15:00:00Z")
	var lines string
	for i := range maxBackground + 8 {
		lines += launchLine(fmt.Sprintf("toolu_%d", i), fmt.Sprintf("a%d", i), "async_launched", t0)
	}
	lines += launchLine("toolu_again", "a39", "async_launched", t0) // told twice, kept once
	root := t.TempDir()
	write(t, root, projectRel("/w", sidStatus+".jsonl"), promptLine("go", t0)+lines)
	src, _ := scan(t, root, t0.Add(time.Hour).Format(time.RFC3339Nano))
	var one [1]*file
	f := primary(src.reg.mainsOf(sidStatus, &one))
	if f.agg.lazy == nil {
		t.Fatal("a quiet transcript is compacted after a scan: the test wants the blob")
	}
	check := func(state string) {
		t.Helper()
		ids := f.agg.backgroundOf()
		if len(ids) != maxBackground || ids[0] != "a8" || ids[len(ids)-1] != fmt.Sprintf("a%d", maxBackground+7) {
			t.Errorf("%s: %d agents at work, %q … %q; want the latest %d", state, len(ids), ids[0], ids[len(ids)-1], maxBackground)
		}
	}
	check("compacted")
	if !f.agg.materialize() {
		t.Fatal("the blob did not decode")
	}
	check("materialized")
}
