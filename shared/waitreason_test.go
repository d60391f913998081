package shared

import "testing"

// A waiting session's reason, as the list's row and helmd ls say it: what
// is asked of the user when the assistant is stopped mid-turn, nothing
// for a finished turn or a session that does not wait.
func TestWaitReason(t *testing.T) {
	for _, tc := range []struct {
		status       Status
		reason, want string
	}{
		{StatusWaiting, "permission: Bash", "permission: Bash"},
		{StatusWaiting, "  Permission:  mcp__github__merge ", "permission: mcp__github__merge"},
		{StatusWaiting, "permission prompt", "needs approval"},
		{StatusWaiting, "permission:", "needs approval"},
		{StatusWaiting, "dialog open", "dialog open"},
		{StatusWaiting, "input needed", ""},
		{StatusWaiting, "Input Needed", ""},
		{StatusWaiting, "", ""},
		{StatusWorking, "permission: Bash", ""},
		{StatusIdle, "dialog open", ""},
		// A question and a plan ask no permission, named so by this
		// helmd or, by an older one, as the tool their dialog is for.
		{StatusWaiting, "question", "question"},
		{StatusWaiting, "plan to approve", "plan to approve"},
		{StatusWaiting, "permission: AskUserQuestion", "question"},
		{StatusWaiting, " permission: ExitPlanMode", "plan to approve"},
		{StatusWorking, "question", ""},
	} {
		if got := WaitReason(tc.status, tc.reason); got != tc.want {
			t.Errorf("WaitReason(%s, %q) = %q, want %q", tc.status, tc.reason, got, tc.want)
		}
	}
}

// A question or a plan to approve is said as what it is, in the row's
// pill and a notification's text alike, never as a permission to allow,
// whichever helmd named it.
func TestWaitWordsOfADialog(t *testing.T) {
	for _, tc := range []struct {
		reason, label, notice string
		permission            bool
	}{
		{"question", "question", "beta · question: Which database?", false},
		{"permission: AskUserQuestion", "question", "beta · question: Which database?", false},
		{"plan to approve", "plan to approve", "beta · plan to approve: Which database?", false},
		{"permission: ExitPlanMode", "plan to approve", "beta · plan to approve: Which database?", false},
		{"permission: Bash", "permission: Bash", "beta · permission: Bash: Which database?", true},
		{"permission prompt", "needs approval", "beta · needs approval: Which database?", true},
	} {
		if got := WaitLabel(tc.reason); got != tc.label {
			t.Errorf("WaitLabel(%q) = %q, want %q", tc.reason, got, tc.label)
		}
		if got := WaitNotice("beta", tc.reason, "Which database?"); got != tc.notice {
			t.Errorf("WaitNotice(%q) = %q, want %q", tc.reason, got, tc.notice)
		}
		if got := WaitsForPermission(tc.reason); got != tc.permission {
			t.Errorf("WaitsForPermission(%q) = %v, want %v", tc.reason, got, tc.permission)
		}
		if tc.permission {
			continue
		}
		if got := PermissionTool(tc.reason); got != "" {
			t.Errorf("PermissionTool(%q) = %q, want none", tc.reason, got)
		}
		// The Notification that tells of the same dialog says
		// "permission prompt": the same ask, so the same wait.
		if !SameAsk(tc.reason, "permission prompt") {
			t.Errorf("SameAsk(%q, permission prompt) = false", tc.reason)
		}
	}
	if SameAsk("question", "dialog open") || SameAsk("plan to approve", "input needed") {
		t.Error("a question is the same ask as a dialog or a finished turn")
	}
}
