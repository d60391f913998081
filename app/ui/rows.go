package ui

import (
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/el"
	"vibecraft.sh/helm/app/list"
	"vibecraft.sh/helm/shared"
)

// statusTip explains a status (and the Active filter) where it shows:
// "Active" and "Working" sound alike and are not.
func statusTip(status string) string {
	switch status {
	case string(shared.StatusWorking):
		return "Working: the assistant is answering or running a tool right now"
	case string(shared.StatusWaiting):
		return "Waiting: the assistant finished its turn and waits for your input"
	case string(shared.StatusIdle):
		return "Idle: nothing is happening and nothing is asked of you"
	case shared.StatusActive:
		return "Active: a live process owns the session, or it was written in the last 2 minutes (it may be working, waiting or idle)"
	}
	return "Every session"
}

// rowStatusLabel is a row's status pill. A waiting row's time says
// "waiting 3 min" (rowTimeText), so its pill says what is asked of the
// user, as Needs you does, rather than "waiting" a second time: the
// tool a permission is asked for ("permission: Bash"), "needs approval"
// when the prompt does not name it, another reason as the session page
// shows it ("dialog open"), and "input needed" for a finished turn.
func rowStatusLabel(s *shared.Session) string {
	if s.Status != shared.StatusWaiting {
		return s.Status.Label()
	}
	return shared.WaitLabel(s.WaitingFor)
}

// rowStatusTip is the tooltip of a row's status pill: statusTip, and
// for a wait that stops the assistant mid-turn, what it waits for, which
// statusTip's "finished its turn" is not.
func rowStatusTip(s *shared.Session) string {
	if s.Status != shared.StatusWaiting {
		return statusTip(string(s.Status))
	}
	if shared.WaitsForPermission(s.WaitingFor) {
		tool := shared.PermissionTool(s.WaitingFor)
		if tool == "" {
			tool = "a tool"
		}
		return "Waiting for permission: the assistant asks to use " + tool + " and is stopped until you allow or deny it"
	}
	if detail := waitDetail(s.WaitingFor); detail != "" {
		return "Waiting: the assistant is stopped until you answer (" + detail + ")"
	}
	return statusTip(string(s.Status))
}

// statusPill is a session's status in the list's words, as a row's pill
// (class "status") and a "Needs you" item's reason (class "reason") show
// it. Offline (the page cannot reach helmd), it is said to be the last
// known, as the session page says it: the session may have stopped long
// ago. The label and tooltip are text (attr), never markup.
func statusPill(class string, s *shared.Session, offline bool) app.UI {
	pill, label, tip := el.Span().Class(class), rowStatusLabel(s), rowStatusTip(s)
	if offline {
		pill, label = pill.DataSet("stale", "true"), label+" (last known)"
		tip = "The last status Helm knew: this page cannot reach helmd. " + tip
	}
	return pill.Title("%s", attr(tip)).Text(label)
}

// rowTime is the row's time, shown as text (rowTimeText). On a phone a
// waiting row's time is its badge ("waiting 3 min") and its pill is
// hidden (web/helm.css): offline, the time says "(last known)" itself,
// in a span the stylesheet shows only there (elsewhere the pill says it).
func rowTime(s *shared.Session, text string, offline bool) app.UI {
	// On the hub's clock, as text is (OnHubClock): a fleet's machine's
	// clock may be off.
	if s.Status == shared.StatusWaiting {
		since := list.WaitStart(s)
		t := el.Time().Class("time").Attr("datetime", isoTime(since)).
			Title("%s", "Waiting since "+absTime(since))
		if offline {
			return t.DataSet("stale", "true").Body(app.Text(text), el.Span().Class("stale").Text(" (last known)"))
		}
		return t.Text(text)
	}
	at := s.OnHubClock(s.UpdatedAt)
	return el.Time().Class("time").Attr("datetime", isoTime(at)).
		Title("%s", "Last activity "+absTime(at)).Text(text)
}

// rowTimeText is the text of a row's time: for a waiting session how long
// it has waited (what the user needs to know), else its last activity.
// It is the only part of a row that the clock changes.
func rowTimeText(s *shared.Session, now time.Time) string {
	if s.Status == shared.StatusWaiting {
		return waitedText(now, s)
	}
	return relTime(now, s.OnHubClock(s.UpdatedAt))
}
