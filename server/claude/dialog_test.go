package claude

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/shared"
)

// callLine is an assistant line asking for the calls given as
// `{"type":"tool_use",…}` blocks, in one message.
func callLine(t0 time.Time, blocks ...string) string {
	return fmt.Sprintf(`{"type":"assistant","cwd":"/w","sessionId":%q,"requestId":"req_d","message":{"id":"msg_d","model":"claude-sonnet-4-5","content":[%s],"stop_reason":"tool_use","usage":{"input_tokens":1,"output_tokens":1}},"timestamp":%q}`+"\n",
		sidStatus, strings.Join(blocks, ","), t0.Format(time.RFC3339Nano))
}

// use is a tool_use block.
func use(id, name, input string) string {
	return fmt.Sprintf(`{"type":"tool_use","id":%q,"name":%q,"input":%s}`, id, name, input)
}

// TestDialogOfAPermissionPrompt: a session whose live process says it
// waits on a "permission prompt" (as Claude Code's registry says of a
// question's dialog too) shows the dialog its transcript's first pending
// call names: a question, with what it asks, or a plan to approve, with
// its first line. Any other call, a first call that may still run
// before the dialog's, a call too long to read: the prompt stays the
// permission it was said to be. The Source's Dialog, which the hooks'
// overlay asks, says the same; a process waiting for input is not named
// by a call at all.
func TestDialogOfAPermissionPrompt(t *testing.T) {
	t0 := at("2026-03-02T15:00:00Z")
	registry := func(reason string) string {
		return fmt.Sprintf(`{"pid":%d,"sessionId":%q,"cwd":"/w","startedAt":1,"status":"waiting","waitingFor":%q,"updatedAt":%d}`,
			os.Getpid(), sidStatus, reason, t0.UnixMilli())
	}
	ask := use("toolu_q", "AskUserQuestion", `{"questions":[{"question":"Which\nport <b>should</b> it use?","options":[{"label":"8080"}]}]}`)
	plan := use("toolu_p", "ExitPlanMode", `{"plan":"Move the cache, then restart helmd.\n\n1. stop helmd"}`)
	prompt := promptLine("set it up", t0)
	for _, tc := range []struct {
		name, transcript, reason string
		wantReason, wantQuestion string
	}{
		{"a question", prompt + callLine(t0, ask), "permission prompt", shared.ReasonQuestion, "Which port <b>should</b> it use?"},
		{"a plan", prompt + callLine(t0, plan), "permission prompt", shared.ReasonPlan, "Move the cache, then restart helmd."},
		{"a question without its input", prompt + callLine(t0, `{"type":"tool_use","id":"toolu_q","name":"AskUserQuestion"}`), "permission prompt", shared.ReasonQuestion, ""},
		{"a question after a call that runs", prompt + callLine(t0, use("toolu_b", "Bash", `{"command":"npm test"}`), ask) +
			progressLine("bash_progress", "bash-progress-0", "toolu_b", t0), "permission prompt", shared.ReasonQuestion, "Which port <b>should</b> it use?"},
		{"a question after a call that may run", prompt + callLine(t0, use("toolu_r", "Read", `{"file_path":"/w/a"}`), ask), "permission prompt", "permission prompt", ""},
		{"a command to allow", prompt + callLine(t0, use("toolu_b", "Bash", `{"command":"rm -rf build"}`)), "permission prompt", "permission prompt", ""},
		{"a question answered", prompt + callLine(t0, ask) + toolResultLine("toolu_q", t0), "permission prompt", "permission prompt", ""},
		{"a question on a line too long to read", prompt + callLine(t0, use("toolu_x", "Read", `{"file_path":"`+strings.Repeat("x", maxCallLine)+`"}`),
			`{"type":"tool_use","id":"toolu_q","name":"AskUserQuestion","input":{}}`) + toolResultLine("toolu_x", t0), "permission prompt", "permission prompt", ""},
		{"a tool the registry named", prompt + callLine(t0, use("toolu_b", "Bash", `{"command":"rm -rf build"}`)), "permission: Bash", "permission: Bash", ""},
		{"a question, the registry waiting for input", prompt + callLine(t0, ask), "input needed", "input needed", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			write(t, root, projectRel("/w", sidStatus+".jsonl"), tc.transcript)
			write(t, root, "sessions/4242.json", registry(tc.reason))
			src := New(Options{Roots: []string{root}, Now: clock(t0.Add(time.Minute).Format(time.RFC3339Nano))})
			out, err := src.Scan(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			got := one(t, out)
			reason := shared.WaitReason(got.Status, got.WaitingFor)
			if want := shared.WaitReason(shared.StatusWaiting, tc.wantReason); got.Status != shared.StatusWaiting || reason != want {
				t.Fatalf("%s, %q (%q); want waiting, %q", got.Status, got.WaitingFor, reason, want)
			}
			if tc.wantQuestion != "" && got.Question != tc.wantQuestion {
				t.Errorf("question %q, want %q", got.Question, tc.wantQuestion)
			}
			if tc.reason != "permission prompt" {
				return
			}
			r, q := src.Dialog(sidStatus)
			if want := map[bool]string{true: tc.wantReason, false: ""}[tc.wantReason != "permission prompt"]; r != want || q != tc.wantQuestion {
				t.Errorf("Dialog: %q, %q; want %q, %q", r, q, want, tc.wantQuestion)
			}
		})
	}
}

// TestDialogOfAQuietCompactedFile: a question that waits longer than a
// file stays uncompacted is named from the encoded id sets, and after a
// restart from the scan cache; a file replaced since its scan (another
// inode) names nothing, rather than reading another file's line at the
// call's offset.
func TestDialogOfAQuietCompactedFile(t *testing.T) {
	t0 := at("2026-03-02T15:00:00Z")
	now := t0.Add(time.Hour)
	root, cache := t.TempDir(), t.TempDir()+"/scan.cache"
	ask := use("toolu_q", "AskUserQuestion", `{"questions":[{"question":"Ship it?"}]}`)
	path := write(t, root, projectRel("/w", sidStatus+".jsonl"), promptLine("go", t0)+callLine(t0, ask))
	src := scannedWith(t, root, cache, func() time.Time { return now })
	src.compactQuiet(now)
	compacted(t, src)
	for what, s := range map[string]*Source{"compacted": src, "restarted": restarted(t, src, root, cache, func() time.Time { return now })} {
		if r, q := s.Dialog(sidStatus); r != shared.ReasonQuestion || q != "Ship it?" {
			t.Errorf("%s: %q, %q; want a question, \"Ship it?\"", what, r, q)
		}
	}
	// Replaced under the same name, the call's line elsewhere: a
	// Source that has not read it since names no dialog.
	fresh := scannedWith(t, root, cache, func() time.Time { return now })
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	write(t, root, projectRel("/w", sidStatus+".jsonl"), strings.Repeat("x", 200)+"\n"+promptLine("go", t0)+callLine(t0, ask))
	if r, q := fresh.Dialog(sidStatus); r != "" || q != "" {
		t.Errorf("a replaced file: %q, %q; want none", r, q)
	}
}

// TestDialogOfASubagent: a subagent (a Task call of the main transcript
// that runs: its agent_progress) asks a question; Claude Code tells the
// wait as the session's "permission prompt". The question is named from
// the subagent's own transcript, both layouts; not while the Task call
// has not run (its own dialog may be the one shown), nor with two
// subagents asking at once, nor once the question is answered.
func TestDialogOfASubagent(t *testing.T) {
	t0 := at("2026-03-02T15:00:00Z")
	registry := fmt.Sprintf(`{"pid":%d,"sessionId":%q,"cwd":"/w","startedAt":1,"status":"waiting","waitingFor":"permission prompt","updatedAt":%d}`,
		os.Getpid(), sidStatus, t0.UnixMilli())
	task := callsLineOf("t", t0, toolUse("toolu_T", "Task", `{"description":"pick","prompt":"pick a port","subagent_type":"general-purpose"}`))
	running := progressLine("agent_progress", "", "toolu_T", t0.Add(time.Second))
	ask := sidechain(callsLineOf("q", t0.Add(2*time.Second), use("toolu_q", "AskUserQuestion", `{"questions":[{"question":"Which port?"}]}`)))
	other := strings.ReplaceAll(sidechain(callsLineOf("r", t0.Add(2*time.Second), use("toolu_p", "ExitPlanMode", `{"plan":"Move it."}`))), `"a1"`, `"a2"`)
	prompt := promptLine("set it up", t0)
	for _, tc := range []struct {
		name         string
		main         string
		subs         map[string]string
		wantQuestion string // "" : the prompt stays unnamed
	}{
		{"a question of the subagent", prompt + task + running, map[string]string{sidStatus + "/subagents/agent-a1.jsonl": ask}, "Which port?"},
		{"a question of a legacy agent file", prompt + task + running, map[string]string{"agent-a1.jsonl": ask}, "Which port?"},
		{"the Task call not yet running", prompt + task, map[string]string{sidStatus + "/subagents/agent-a1.jsonl": ask}, ""},
		{"two subagents asking", prompt + task + running, map[string]string{sidStatus + "/subagents/agent-a1.jsonl": ask,
			sidStatus + "/subagents/agent-a2.jsonl": other}, ""},
		{"the question answered", prompt + task + running, map[string]string{sidStatus + "/subagents/agent-a1.jsonl": ask +
			sidechain(toolResultLine("toolu_q", t0.Add(3*time.Second)))}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			write(t, root, projectRel("/w", sidStatus+".jsonl"), tc.main)
			for rel, content := range tc.subs {
				write(t, root, projectRel("/w", rel), content)
			}
			write(t, root, "sessions/4242.json", registry)
			src := New(Options{Roots: []string{root}, Now: clock(t0.Add(time.Minute).Format(time.RFC3339Nano))})
			out, err := src.Scan(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			got := one(t, out)
			wantReason, wantWaitingFor := "", "permission prompt"
			if tc.wantQuestion != "" {
				wantReason, wantWaitingFor = shared.ReasonQuestion, shared.ReasonQuestion
			}
			if got.Status != shared.StatusWaiting || got.WaitingFor != wantWaitingFor || tc.wantQuestion != "" && got.Question != tc.wantQuestion {
				t.Errorf("%s, %q, %q; want waiting, %q, %q", got.Status, got.WaitingFor, got.Question, wantWaitingFor, tc.wantQuestion)
			}
			if r, q := src.Dialog(sidStatus); r != wantReason || q != tc.wantQuestion {
				t.Errorf("Dialog: %q, %q; want %q, %q", r, q, wantReason, tc.wantQuestion)
			}
		})
	}
}
