package shared

import "strings"

// WaitsForPermission reports whether a waiting session's reason (its
// WaitingFor) is a tool call for the user to allow ("permission
// prompt", "permission: Bash"), not an answer.
func WaitsForPermission(reason string) bool {
	return strings.HasPrefix(strings.ToLower(strings.TrimSpace(reason)), "permission")
}

// PermissionTool is the tool a permission reason names ("Bash" of
// "permission: Bash"), "" when it names none.
func PermissionTool(reason string) string {
	if !WaitsForPermission(reason) {
		return ""
	}
	_, tool, _ := strings.Cut(reason, ":")
	return strings.TrimSpace(tool)
}

// WaitReason is what a session waiting with its assistant stopped
// mid-turn asks of its user, in the words the list's row and helmd ls
// use: the tool a permission is asked for ("permission: Bash"), "needs
// approval" for a prompt that names none, another reason as it is
// ("dialog open"). "" for a finished turn ("input needed", or no reason
// given), which most waits are, and for a session that does not wait.
func WaitReason(status Status, reason string) string {
	reason = strings.TrimSpace(reason)
	switch {
	case status != StatusWaiting || reason == "" || strings.EqualFold(reason, "input needed"):
		return ""
	case WaitsForPermission(reason):
		if tool := PermissionTool(reason); tool != "" {
			return "permission: " + tool
		}
		return "needs approval"
	}
	return reason
}
