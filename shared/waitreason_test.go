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
	} {
		if got := WaitReason(tc.status, tc.reason); got != tc.want {
			t.Errorf("WaitReason(%s, %q) = %q, want %q", tc.status, tc.reason, got, tc.want)
		}
	}
}
