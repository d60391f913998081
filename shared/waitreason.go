package shared

import "strings"

// The reasons of a PermissionRequest whose dialog asks for no
// permission: Claude Code runs that hook for AskUserQuestion (a
// multiple-choice question) and ExitPlanMode (a plan to approve) too,
// and "permission: AskUserQuestion" read as a tool call to allow. Words
// without "permission" in them, so that a client older than them shows
// them as another reason, whole ("dialog open" is one), and never says
// "allow or deny".
const (
	ReasonQuestion = "question"
	ReasonPlan     = "plan to approve"
)

// DialogReason is the reason for a PermissionRequest of tool when its
// dialog asks no permission (ReasonQuestion, ReasonPlan), "" for any
// other tool.
func DialogReason(tool string) string {
	switch tool {
	case "AskUserQuestion":
		return ReasonQuestion
	case "ExitPlanMode":
		return ReasonPlan
	}
	return ""
}

// AsksInDialog reports whether s waits on a dialog that shows what it
// asks (a question, a plan to approve) and carries that as its Question,
// which its hook told: the transcript's last text, which a page or a
// push reads otherwise, is what the assistant said before it asked.
func AsksInDialog(s *Session) bool {
	r := WaitReason(s.Status, s.WaitingFor)
	return s.Question != "" && (r == ReasonQuestion || r == ReasonPlan)
}

// askedFor reads a reason as this version words it: an older helmd's
// "permission: AskUserQuestion" (a fleet's other machine, a hint it
// kept) is the question it is.
func askedFor(reason string) string {
	reason = strings.TrimSpace(reason)
	if r := DialogReason(namedTool(reason)); r != "" {
		return r
	}
	return reason
}

// namedTool is the tool a reason that starts with "permission" names
// after its colon, "" when it names none or is another reason.
func namedTool(reason string) string {
	reason = strings.TrimSpace(reason)
	if !strings.HasPrefix(strings.ToLower(reason), "permission") {
		return ""
	}
	_, tool, _ := strings.Cut(reason, ":")
	return strings.TrimSpace(tool)
}

// WaitsForPermission reports whether a waiting session's reason (its
// WaitingFor) is a tool call for the user to allow ("permission
// prompt", "permission: Bash"), not an answer: a question or a plan,
// even as an older helmd named it ("permission: AskUserQuestion"), is
// not one.
func WaitsForPermission(reason string) bool {
	return strings.HasPrefix(strings.ToLower(strings.TrimSpace(reason)), "permission") &&
		DialogReason(namedTool(reason)) == ""
}

// PermissionTool is the tool a permission reason names ("Bash" of
// "permission: Bash"), "" when it names none.
func PermissionTool(reason string) string {
	if !WaitsForPermission(reason) {
		return ""
	}
	return namedTool(reason)
}

// UnnamedPermission reports whether reason asks for a permission without
// naming the tool ("permission prompt": the registry's and the
// Notification hook's), which the row reads as "needs approval": Claude
// Code says so of a question's and a plan's dialog too, which a source
// may name from the transcript instead.
func UnnamedPermission(reason string) bool {
	return WaitsForPermission(reason) && PermissionTool(reason) == ""
}

// WaitReason is what a session waiting with its assistant stopped
// mid-turn asks of its user, in the words the list's row and helmd ls
// use: the tool a permission is asked for ("permission: Bash"), "needs
// approval" for a prompt that names none, another reason as it is
// ("dialog open", "question", "plan to approve", as an older helmd's
// "permission: AskUserQuestion" too). "" for a finished turn ("input
// needed", or no reason given), which most waits are, and for a session
// that does not wait.
func WaitReason(status Status, reason string) string {
	reason = askedFor(reason)
	switch {
	case status != StatusWaiting || reason == "" || strings.EqualFold(reason, "input needed"):
		return ""
	case UnnamedPermission(reason):
		return "needs approval"
	case WaitsForPermission(reason):
		return "permission: " + PermissionTool(reason)
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
