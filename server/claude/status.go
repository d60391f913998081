package claude

import (
	"time"

	"vibecraft.sh/helm/shared"
)

// DefaultWaitingWindow is how long after its last write a session whose
// assistant ended its turn still shows "waiting". It is longer than the
// active window because waiting for the user is a lasting state: a user
// who steps away for ten minutes comes back to a session that still
// waits; after half an hour it is more likely abandoned and shows idle.
const DefaultWaitingWindow = 30 * time.Minute

// DefaultActiveWindow is DESIGN §2's "written within the last 2 minutes".
const DefaultActiveWindow = 2 * time.Minute

// status derives a session's status and active flag. A live process
// registry entry wins. Otherwise the transcript's tail decides:
//
//   - a prompt without a reply, tool results the model has not answered, a
//     response still streaming or a tool_use without its result, written
//     within the active window: working;
//   - an assistant turn ended (stop_reason end_turn or another final
//     reason, or a turn_duration/stop_hook_summary system record), written
//     within the waiting window: waiting;
//   - anything else: idle.
//
// lastWrite is the later of the last record's time and the mtime, over
// the transcript and its subagents (a subagent at work keeps its parent
// working while the parent file is quiet). active: a live process, or a
// write within the active window.
func (s *Source) status(t turn, lastWrite int64, live pidEntry, isLive bool, now time.Time) (shared.Status, bool) {
	age := time.Duration(now.UnixMilli()-lastWrite) * time.Millisecond
	recent := age <= s.activeWindow
	if isLive {
		if st, ok := liveStatus(live.Status); ok {
			return st, true
		}
	}
	active := recent || isLive
	switch t {
	case turnPrompt, turnToolResult, turnResponding:
		if recent {
			return shared.StatusWorking, active
		}
	case turnEnded:
		if age <= s.waitingWindow {
			return shared.StatusWaiting, active
		}
	}
	return shared.StatusIdle, active
}
