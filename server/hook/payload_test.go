package hook

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"vibecraft.sh/helm/server/attn"
	"vibecraft.sh/helm/server/internal/calldigest"
	"vibecraft.sh/helm/shared"
)

const sid = "5e551000-0000-4000-8000-000000000001"

func payloadOf(event, extra string) string {
	return `{"session_id":"` + sid + `","transcript_path":"/t","cwd":"/w","permission_mode":"default","hook_event_name":"` + event + `"` + extra + `}`
}

func TestParse(t *testing.T) {
	tests := []struct {
		name, in string
		status   shared.Status
		reason   string
		active   bool
		err      error
	}{
		{"permission prompt", payloadOf("Notification", `,"notification_type":"permission_prompt","message":"m"`), shared.StatusWaiting, "permission prompt", true, nil},
		{"idle prompt", payloadOf("Notification", `,"notification_type":"idle_prompt"`), shared.StatusWaiting, "input needed", true, nil},
		{"elicitation dialog", payloadOf("Notification", `,"notification_type":"elicitation_dialog"`), shared.StatusWaiting, "dialog open", true, nil},
		{"old notification without a type, by its message", payloadOf("Notification", `,"message":"Claude needs your permission to use Bash"`), shared.StatusWaiting, "permission prompt", true, nil},
		{"auth_success is not a wait", payloadOf("Notification", `,"notification_type":"auth_success"`), "", "", false, ErrUnknown},
		{"permission request names the tool", payloadOf("PermissionRequest", `,"tool_name":"mcp__github__create_issue","tool_input":{}`), shared.StatusWaiting, "permission: mcp__github__create_issue", true, nil},
		{"permission request, control characters stripped", payloadOf("PermissionRequest", `,"tool_name":"Ba\u0007sh\n"`), shared.StatusWaiting, "permission: Bash", true, nil},
		{"permission request without a tool", payloadOf("PermissionRequest", ``), shared.StatusWaiting, "permission prompt", true, nil},
		{"stop", payloadOf("Stop", `,"stop_hook_active":true`), shared.StatusWaiting, "input needed", true, nil},
		// An agent at work in the background: the model waits for its
		// report. A shell left running (a dev server), a finished agent,
		// or a list of an unknown shape ask nothing of the model.
		{"stop with an agent at work", payloadOf("Stop", `,"background_tasks":[{"id":"bsh1","type":"shell","status":"running","command":"npm run dev"},{"id":"a1b2","type":"subagent","status":"running","description":"scan"}]`), shared.StatusWorking, "", true, nil},
		{"stop with a shell running", payloadOf("Stop", `,"background_tasks":[{"id":"bsh1","type":"shell","status":"running","command":"npm run dev"}]`), shared.StatusWaiting, "input needed", true, nil},
		{"stop with a finished agent", payloadOf("Stop", `,"background_tasks":[{"id":"a1b2","type":"subagent","status":"completed"}]`), shared.StatusWaiting, "input needed", true, nil},
		{"stop with tasks of another shape", payloadOf("Stop", `,"background_tasks":{"a1b2":"running"}`), shared.StatusWaiting, "input needed", true, nil},
		{"a notification does not read tasks", payloadOf("Notification", `,"notification_type":"idle_prompt","background_tasks":[{"type":"subagent","status":"running"}]`), shared.StatusWaiting, "input needed", true, nil},
		{"subagent stop", payloadOf("SubagentStop", ``), shared.StatusWorking, "", true, nil},
		{"prompt", payloadOf("UserPromptSubmit", `,"prompt":"hi"`), shared.StatusWorking, "", true, nil},
		{"session start", payloadOf("SessionStart", ``), shared.StatusIdle, "", true, nil},
		{"session end", payloadOf("SessionEnd", ``), shared.StatusIdle, "", false, nil},
		{"unknown event", payloadOf("PreCompact", ``), "", "", false, ErrUnknown},
		{"bad JSON", `{"session_id":`, "", "", false, ErrMalformed},
		{"not an object", `"Stop"`, "", "", false, ErrMalformed},
		{"id with ../", `{"session_id":"../x","hook_event_name":"Stop"}`, "", "", false, ErrBadID},
		{"no id", `{"hook_event_name":"Stop"}`, "", "", false, ErrBadID},
		{"huge", `{"x":"` + strings.Repeat("a", MaxPayload) + `"}`, "", "", false, ErrTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sig, err := Parse([]byte(tc.in))
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if err == nil && (sig.SessionID != sid || sig.Status != tc.status || sig.WaitingFor != tc.reason || sig.Active != tc.active) {
				t.Errorf("got %+v, want %s %q active %v", sig, tc.status, tc.reason, tc.active)
			}
			// What helmd hook forwards means the same to helmd.
			if red, rerr := Reduce([]byte(tc.in), time.Time{}); rerr == nil {
				again, err := Parse(red)
				if !errors.Is(err, tc.err) || again != sig {
					t.Errorf("reduced %s parses to %+v, %v; want %+v, %v", red, again, err, sig, tc.err)
				}
			}
		})
	}
}

// TestDialogsThatAskNoPermission: Claude Code runs the PermissionRequest
// hook for a question to the user (AskUserQuestion) and a plan to
// approve (ExitPlanMode) too. The session then waits for "question" or
// "plan to approve", with what the dialog shows as its question line,
// made safe and cut as a transcript's is; what helmd hook forwards says
// the same without the rest of the input. An input of another shape
// leaves the line to the transcript, and never fails the hook.
func TestDialogsThatAskNoPermission(t *testing.T) {
	ask := func(questions string) string {
		return payloadOf("PermissionRequest", `,"tool_name":"AskUserQuestion","tool_input":{"questions":`+questions+`}`)
	}
	long := strings.Repeat("w", 5000)
	hugePlan := "# Move the sessions table to Postgres\\n\\n" + strings.Repeat("- step: copy a partition of the data\\n", 8000)
	for _, tc := range []struct {
		name, in, reason, question string
	}{
		{"a question", ask(`[{"question":"Which database should the cache use?","header":"Cache","options":[{"label":"Redis","description":"fast"},{"label":"SQLite","description":"simple"}],"multiSelect":false},{"question":"And the queue?","header":"Queue","options":[],"multiSelect":false}]`),
			"question", "Which database should the cache use?"},
		{"markup is text", ask(`[{"question":"<img src=x onerror=alert(1)> **Use** <b>Redis</b>?"}]`),
			"question", "<img src=x onerror=alert(1)> **Use** <b>Redis</b>?"},
		{"a question over two lines is one line", ask(`[{"question":"Which port should\nthe dev server use?"}]`),
			"question", "Which port should the dev server use?"},
		{"control and bidi characters dropped", ask(`[{"question":"\u202eWhich\u0007 one?\u001b[2J"}]`),
			"question", "Which one?[2J"},
		{"a long question cut", ask(`[{"question":"` + long + `"}]`), "question", long[:shared.MaxQuestion-1] + "…"},
		{"the first question that says something", ask(`[{"question":"  "},{"question":"Which port?"}]`), "question", "Which port?"},
		{"questions not an array", ask(`{"question":"Which one?"}`), "question", ""},
		{"a question not a string", ask(`[{"question":["Which one?"]}]`), "question", ""},
		{"questions of no shape", ask(`[1,"a",null]`), "question", ""},
		{"no input", payloadOf("PermissionRequest", `,"tool_name":"AskUserQuestion"`), "question", ""},
		{"a plan", payloadOf("PermissionRequest", `,"tool_name":"ExitPlanMode","tool_input":{"plan":"## Plan\n\nAdd a retry to the login test, then run it."}`),
			"plan to approve", "Add a retry to the login test, then run it."},
		{"a huge plan", payloadOf("PermissionRequest", `,"tool_name":"ExitPlanMode","tool_input":{"plan":"`+hugePlan+`"}`),
			"plan to approve", "Move the sessions table to Postgres"},
		{"a plan not a string", payloadOf("PermissionRequest", `,"tool_name":"ExitPlanMode","tool_input":{"plan":{"steps":[]}}`), "plan to approve", ""},
		{"another tool's input says nothing", payloadOf("PermissionRequest", `,"tool_name":"Bash","tool_input":{"questions":[{"question":"rm?"}],"plan":"x"}`), "permission: Bash", ""},
		{"a forwarded line of another tool", payloadOf("PermissionRequest", `,"tool_name":"Bash","helm_question":"Allow?"`), "permission: Bash", ""},
		{"a forwarded line made safe again", payloadOf("PermissionRequest", `,"tool_name":"AskUserQuestion","helm_question":"\u202eWhich\nport? `+long+`"`),
			"question", ("Which port? " + long)[:shared.MaxQuestion-1] + "…"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sig, err := Parse([]byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if sig.Status != shared.StatusWaiting || sig.WaitingFor != tc.reason || sig.Question != tc.question {
				t.Errorf("waits %s for %q asking %q; want %q asking %q", sig.Status, sig.WaitingFor, sig.Question, tc.reason, tc.question)
			}
			red, err := Reduce([]byte(tc.in), time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			if len(red) > 1024 || strings.Contains(string(red), "step: copy") || strings.Contains(string(red), "SQLite") {
				t.Errorf("reduced to %d bytes, with the input: %.300s", len(red), red)
			}
			if again, err := Parse(red); err != nil || again != sig {
				t.Errorf("reduced %s parses to %+v, %v; want %+v", red, again, err, sig)
			}
		})
	}
}

func TestReduceDropsWhatHelmdDoesNotRead(t *testing.T) {
	for _, in := range []string{
		payloadOf("PermissionRequest", `,"tool_name":"Write","tool_input":{"content":"`+strings.Repeat("secret ", 20000)+`"}`),
		payloadOf("Stop", `,"background_tasks":[`+strings.Repeat(`{"type":"subagent","status":"running","description":"secret"},`, 2000)+`{}]`),
		payloadOf("Stop", `,"background_tasks":[{"type":"shell","status":"running","command":"export TOKEN=secret"}]`),
	} {
		out, err := Reduce([]byte(in), time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if len(out) > 250 || strings.Contains(string(out), "secret") {
			t.Errorf("reduced to %d bytes: %.250s", len(out), out)
		}
	}
}

// FuzzParse: no payload crashes Parse or Reduce; whatever Parse accepts
// has a valid id and a known status, and a reason only when waiting.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		payloadOf("Notification", `,"notification_type":"permission_prompt"`),
		payloadOf("PermissionRequest", `,"tool_name":"Bash"`),
		payloadOf("PermissionRequest", `,"tool_name":"Bash","tool_input":{"command":"make"}`),
		payloadOf("PermissionRequest", `,"tool_name":"Bash","dialog":"0123456789abcdef"`),
		payloadOf("PermissionRequest", `,"tool_name":"Bash","dialog":"0123456789abcdef0123456789ABCDEF"`),
		payloadOf("PermissionRequest", `,"tool_name":"AskUserQuestion","tool_input":{"questions":[{"question":"Which?"}]}`),
		payloadOf("PermissionRequest", `,"tool_name":"ExitPlanMode","tool_input":{"plan":"# Plan\nDo it"}`),
		payloadOf("PermissionRequest", `,"tool_name":"AskUserQuestion","helm_question":"Which?"`),
		payloadOf("Stop", ``), payloadOf("SessionEnd", ``),
		payloadOf("Stop", `,"background_tasks":[{"type":"subagent","status":"running"},{"type":"shell"}]`), `{"session_id":"../a"}`, `[]`, `{`, `null`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sig, err := Parse(data)
		if red, rerr := Reduce(data, time.Time{}); rerr == nil && !json.Valid(red) {
			t.Fatalf("Reduce gave invalid JSON %q", red)
		}
		if err != nil {
			return
		}
		if !attn.ValidID(sig.SessionID) {
			t.Fatalf("accepted id %q", sig.SessionID)
		}
		if sig.Prompt != "" && (len(sig.Prompt) != 2*calldigest.Size || strings.Trim(sig.Prompt, "0123456789abcdef") != "") {
			t.Fatalf("dialog %q", sig.Prompt)
		}
		if red, rerr := Reduce(data, time.Time{}); rerr == nil {
			if again, err := Parse(red); err == nil && (again.Prompt != sig.Prompt || again.Question != sig.Question || again.Status != sig.Status) {
				t.Fatalf("reduced %q names dialog %q asking %q (%s), want %q asking %q (%s)", red, again.Prompt, again.Question, again.Status, sig.Prompt, sig.Question, sig.Status)
			}
		}
		if sig.Question != "" && (sig.Status != shared.StatusWaiting || utf8.RuneCountInString(sig.Question) > shared.MaxQuestion ||
			strings.ContainsFunc(sig.Question, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) })) {
			t.Fatalf("question %q while %s", sig.Question, sig.Status)
		}
		switch sig.Status {
		case shared.StatusWaiting:
			if sig.WaitingFor == "" || len(sig.WaitingFor) > 4*(maxTool+20) {
				t.Fatalf("reason %q", sig.WaitingFor)
			}
		case shared.StatusWorking, shared.StatusIdle:
			if sig.WaitingFor != "" {
				t.Fatalf("reason %q while %s", sig.WaitingFor, sig.Status)
			}
		default:
			t.Fatalf("status %q", sig.Status)
		}
	})
}

// TestPromptNamesTheDialog: each PermissionRequest names its dialog by
// its tool's input: two Bash calls of one message are two dialogs, one
// dialog told twice is one, however its JSON is spaced; what helmd hook
// forwards names the same dialog without the input itself, and a digest
// that is not one is dropped.
func TestPromptNamesTheDialog(t *testing.T) {
	prompt := func(in string) string {
		t.Helper()
		sig, err := Parse([]byte(in))
		if err != nil {
			t.Fatal(err)
		}
		red, err := Reduce([]byte(in), time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(red), "tool_input") || strings.Contains(string(red), "secret") {
			t.Errorf("reduced payload %s carries the tool's input", red)
		}
		again, err := Parse(red)
		if err != nil || again.Prompt != sig.Prompt {
			t.Errorf("reduced %s names %q, %v; want %q", red, again.Prompt, err, sig.Prompt)
		}
		return sig.Prompt
	}
	make1 := prompt(payloadOf("PermissionRequest", `,"tool_name":"Bash","tool_input":{"command":"make secret"}`))
	make2 := prompt(payloadOf("PermissionRequest", `,"tool_name":"Bash","tool_input":{ "command" : "make secret" }`))
	test := prompt(payloadOf("PermissionRequest", `,"tool_name":"Bash","tool_input":{"command":"make test"}`))
	if make1 == "" || make1 != make2 || make1 == test {
		t.Errorf("prompts %q, %q, %q; want the first two equal, the third another", make1, make2, test)
	}
	// The hook's keys in another order than the transcript's tool_use
	// input: the same call, by the digest the transcript parser takes.
	fetch := prompt(payloadOf("PermissionRequest", `,"tool_name":"WebFetch","tool_input":{"prompt":"sum","url":"https://a.example/"}`))
	if want, _ := calldigest.Of("WebFetch", []byte(`{"url":"https://a.example/","prompt":"sum"}`)); fetch != want.String() {
		t.Errorf("WebFetch's dialog %q, want %q, the transcript call's digest", fetch, want)
	}
	// An older helmd hook's digest (64 bits of a digest of the input's
	// bytes) is none: no transcript call is named so.
	for _, bad := range []string{`"zz23456789abcdef0123456789abcdef"`, `"0123456789abcdef"`, `"0123"`, `"../../etc/passwd"`} {
		if p := prompt(payloadOf("PermissionRequest", `,"tool_name":"Bash","dialog":`+bad)); p != "" {
			t.Errorf("dialog %s kept as %q", bad, p)
		}
	}
	if p := prompt(payloadOf("Notification", `,"notification_type":"permission_prompt","tool_input":{"a":1}`)); p != "" {
		t.Errorf("a Notification names dialog %q", p)
	}
}

// TestReduceDatesTheHook: what helmd hook forwards says when the hook
// ran, which orders a hook whose POST reached helmd late among the
// session's later hooks and records; helmd bounds it, so that a payload
// cannot date a hint in the future or long before it came.
func TestReduceDatesTheHook(t *testing.T) {
	ran := time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)
	red, err := Reduce([]byte(payloadOf("UserPromptSubmit", `,"prompt":"go on","helm_sent_ms":1`)), ran)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := Parse(red)
	if err != nil {
		t.Fatal(err)
	}
	arrived := ran.Add(3 * time.Second)
	if got := sig.SentAt(arrived); !got.Equal(ran) {
		t.Errorf("a hook run at %v, come 3 s later: sent %v", ran, got)
	}
	if got := sig.SentAt(ran.Add(-time.Second)); !got.Equal(ran.Add(-time.Second)) {
		t.Errorf("sent in the future: %v, want its arrival", got)
	}
	if got := sig.SentAt(ran.Add(time.Hour)); !got.Equal(ran.Add(time.Hour - maxLate)) {
		t.Errorf("sent an hour before it came: %v, want at most %v before", got, maxLate)
	}
	for _, in := range []string{payloadOf("Stop", ``), payloadOf("Stop", `,"helm_sent_ms":1.5e3`)} {
		if sig, err := Parse([]byte(in)); err != nil || !sig.SentAt(arrived).IsZero() {
			t.Errorf("%s: sent %v, %v; want none", in, sig.SentAt(arrived), err)
		}
	}
}
