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

// WaitLabel is why a session waits, in the words of its row's pill:
// WaitReason's, "input needed" for a finished turn.
func WaitLabel(reason string) string {
	if r := WaitReason(StatusWaiting, reason); r != "" {
		return r
	}
	return "input needed"
}

// WaitNotice is what a notification that a session waits says under its
// title, the page's and a Web Push alike: the machine it runs on (a
// fleet hub's remote session; "" for this machine's own), why it waits
// in the row's words (WaitLabel) and what it asked (one line, made safe
// by the caller): "beta · needs approval: Run the migration?".
func WaitNotice(host, reason, question string) string {
	body := WaitLabel(reason)
	if host != "" {
		body = host + " · " + body
	}
	if question != "" {
		body += ": " + question
	}
	return body
}
