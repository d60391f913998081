package claude

import (
	"strings"
	"time"

	"vibecraft.sh/helm/shared"
)

// DefaultWaitingWindow is how long after its last write a session whose
// assistant ended its turn still shows "waiting", when no live process
// tells. Waiting for the user is a lasting state: a session must still
// count as waiting when its user is back from lunch or a meeting, so it
// lasts a working day (--waiting-ttl), unless its process is known to
// have ended.
const DefaultWaitingWindow = 12 * time.Hour

// reasonInput is the reason of a session whose assistant ended its turn.
const reasonInput = "input needed"

// activity is what a session's transcripts tell of its status: where
// its conversation stands, when it was last written (its subagents'
// writes included), and when an agent it started in the background, not
// reported yet, last wrote its transcript (0: none).
type activity struct {
	turn       turn
	lastWrite  int64
	background int64
}

// setStatus sets sess's status, reason, statusAt and active flag from
// its transcripts' activity and pe, its registry entry (zero when none),
// and its title from a live entry's name. custom is the transcript's
// last custom-title.
func (s *Source) setStatus(sess *shared.Session, act activity, pe pidEntry, custom string, now time.Time) {
	isLive := pe.PID > 0 && !pe.ended
	lastWrite := act.lastWrite
	s.aging.noteDue(sess.ID, s.deadline(act, now))
	sess.Status, sess.Active = s.status(act, pe, isLive, now)
	switch {
	case isLive:
		if pe.Name != "" && (custom == "" || userNamed(pe.NameSource)) {
			sess.Title = pe.Name
		}
	case pe.ended && sess.Status == shared.StatusWaiting:
		// Its process is gone: nobody is there to answer.
		sess.Status = shared.StatusIdle
	case pe.ended && sess.Status == shared.StatusWorking && lastWrite <= pe.goneAt:
		// Killed mid-turn (kill -9, a closed terminal): the call or the
		// reply it was at never comes, and the transcript would say
		// working for the whole active window. A write since the
		// process was seen gone is another's (a resume), which works.
		sess.Status = shared.StatusIdle
	}
	sess.WaitingFor, sess.WaitingSince = "", 0
	if sess.Status == shared.StatusWaiting {
		sess.WaitingFor, sess.WaitingSince = reasonInput, lastWrite
		if isLive && pe.Status == "waiting" {
			sess.WaitingSince = pe.statusAt()
			if pe.WaitingFor != "" {
				sess.WaitingFor = pe.WaitingFor
			}
		}
	}
}

// DefaultActiveWindow is DESIGN §2's "written within the last 2 minutes".
const DefaultActiveWindow = 2 * time.Minute

// status derives a session's status and active flag. A live process
// registry entry wins, but an idle one whose transcript ended its turn:
// that turn's end decides, as below. Otherwise the transcript's tail
// decides:
//
//   - a prompt without a reply, tool results the model has not answered, a
//     response still streaming or a tool_use without its result, written
//     within the active window: working;
//   - an assistant turn ended (stop_reason end_turn or another final
//     reason, or a turn_duration/stop_hook_summary system record) while
//     an agent it started in the background works on (its transcript
//     written within the active window): working;
//   - an assistant turn ended otherwise, written within the waiting
//     window: waiting;
//   - anything else: idle.
//
// act.lastWrite is the later of the last record's time and the mtime,
// over the transcript and its subagents (a subagent at work keeps its
// parent working while the parent file is quiet). active: a live
// process, or a write within the active window.
func (s *Source) status(act activity, live pidEntry, isLive bool, now time.Time) (shared.Status, bool) {
	ms := now.UnixMilli()
	age := time.Duration(ms-act.lastWrite) * time.Millisecond
	recent := age <= s.activeWindow
	if isLive {
		st, ok := liveStatus(live.Status)
		switch {
		case ok && st != shared.StatusIdle:
			return st, true
		case ok && act.turn != turnEnded:
			return st, true
		}
		// An idle process whose turn ended: Claude Code reports a
		// session that has answered and waits for its user as "idle"
		// (2.1.220, anthropics/claude-code#85192), which says it does
		// not work, not that nobody is asked anything. The transcript
		// tells, as it does without a registry: its answer waits for
		// the user, or its agents work in the background.
	}
	active := recent || isLive
	switch act.turn {
	case turnPrompt, turnToolResult, turnResponding:
		if recent {
			return shared.StatusWorking, active
		}
	case turnEnded:
		if act.background > 0 && time.Duration(ms-act.background)*time.Millisecond <= s.activeWindow {
			// The turn ended with "I'll wait for the agents": nothing
			// is asked of the user until they report, and the model
			// answers them by itself.
			return shared.StatusWorking, active
		}
		if age <= s.waitingWindow {
			return shared.StatusWaiting, active
		}
	}
	return shared.StatusIdle, active
}

// userNamed reports whether a registry name was given by the user (a
// /rename): such a name is the session's current title, newer than any
// record. The values of nameSource are not documented; an absent one is
// taken as the user's, since name is documented as the /rename title,
// and any other (a generated name, say) yields to a custom-title.
func userNamed(source string) bool {
	switch strings.ToLower(source) {
	case "", "user", "rename", "custom", "manual":
		return true
	}
	return false
}
