package attn

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"vibecraft.sh/helm/shared"
)

const id = "0ee10000-0000-4000-8000-000000000001"

var t0 = time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)

func ms(d time.Duration) int64 { return t0.Add(d).UnixMilli() }

func sess(status shared.Status, updated time.Duration) shared.Session {
	s := shared.Session{ID: id, Source: shared.SourceClaude, Status: status, UpdatedAt: ms(updated), Active: true}
	if status == shared.StatusWaiting {
		s.WaitingFor, s.WaitingSince = "input needed", ms(updated)
	}
	return s
}

// TestHintLifetime: a hint wins over what the source says until the
// source has newer evidence, the session moves to working, or the hint
// expires; a waiting hint outlives 30 minutes and ends at its TTL.
func TestHintLifetime(t *testing.T) {
	perm := Hint{Source: shared.SourceClaude, ID: id, Event: "PermissionRequest", Status: shared.StatusWaiting, WaitingFor: "permission: Bash", Active: true, At: t0}
	tests := []struct {
		name   string
		before shared.Session // the source's report when the hint came
		after  shared.Session // its next report
		at     time.Duration  // when it comes
		want   shared.Status
		reason string
	}{
		{"older transcript: the hint wins", sess(shared.StatusWorking, -time.Second), sess(shared.StatusWorking, -time.Second), time.Second, shared.StatusWaiting, "permission: Bash"},
		{"still waiting after 31 minutes", sess(shared.StatusWorking, -time.Second), sess(shared.StatusIdle, -time.Second), 31 * time.Minute, shared.StatusWaiting, "permission: Bash"},
		{"ends at the TTL", sess(shared.StatusWorking, -time.Second), sess(shared.StatusIdle, -time.Second), 12 * time.Hour, shared.StatusIdle, ""},
		{"a newer record wins", sess(shared.StatusWorking, -time.Second), sess(shared.StatusWorking, time.Second), 2 * time.Second, shared.StatusWorking, ""},
		{"the registry's newer wait wins", sess(shared.StatusWorking, -time.Second), func() shared.Session {
			s := sess(shared.StatusWaiting, -time.Second)
			s.WaitingSince, s.WaitingFor = ms(time.Second), "permission prompt"
			return s
		}(), 2 * time.Second, shared.StatusWaiting, "permission prompt"},
		{"approved: the registry says busy", sess(shared.StatusWaiting, -time.Second), sess(shared.StatusWorking, -time.Second), 2 * time.Second, shared.StatusWorking, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := NewOverlay(0, nil)
			first := []shared.Session{tc.before}
			o.Apply(first, t0.Add(-time.Second), nil)
			got, ok, _ := o.Add(perm, first[0], true)
			if !ok || got.Status != shared.StatusWaiting || got.WaitingFor != "permission: Bash" || got.WaitingSince != t0.UnixMilli() {
				t.Fatalf("hint applied: %+v", got)
			}
			next := []shared.Session{tc.after}
			o.Apply(next, t0.Add(tc.at), nil)
			if next[0].Status != tc.want || next[0].WaitingFor != tc.reason {
				t.Errorf("%s %q, want %s %q", next[0].Status, next[0].WaitingFor, tc.want, tc.reason)
			}
		})
	}
}

// TestHintBeforeTheSession: a hint for a session not yet listed applies
// when its source reports it, unless the report is newer.
func TestHintBeforeTheSession(t *testing.T) {
	o := NewOverlay(0, nil)
	if _, ok, _ := o.Add(Hint{Source: shared.SourceClaude, ID: id, Status: shared.StatusWaiting, WaitingFor: "dialog open", Active: true, At: t0}, shared.Session{}, false); ok {
		t.Fatal("applied to nothing")
	}
	s := []shared.Session{sess(shared.StatusWorking, -time.Minute)}
	o.Apply(s, t0.Add(time.Second), nil)
	if s[0].Status != shared.StatusWaiting || s[0].WaitingFor != "dialog open" {
		t.Errorf("%+v", s[0])
	}
}

// TestClearLifetime: a clear holds while the session does not change, is
// kept across a restart, and a change or a newer hint undoes it.
func TestClearLifetime(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cleared.json")
	o := NewOverlay(0, NewCleared(path, nil))
	waiting := sess(shared.StatusWaiting, -time.Minute)
	c := o.Clear(waiting, t0)
	if c.ClearedAt != t0.UnixMilli() || c.Status != shared.StatusWaiting {
		t.Fatalf("cleared: %+v", c)
	}
	if err := o.Save(t0); err != nil {
		t.Fatal(err)
	}
	// A restart: the same clear, from the file.
	o = NewOverlay(0, NewCleared(path, nil))
	s := []shared.Session{waiting}
	o.Apply(s, t0.Add(time.Hour), nil)
	if s[0].ClearedAt != t0.UnixMilli() {
		t.Fatalf("after a restart clearedAt = %d", s[0].ClearedAt)
	}
	// A hint after the clear undoes it.
	got, _, _ := o.Add(Hint{Source: shared.SourceClaude, ID: id, Status: shared.StatusWaiting, WaitingFor: "permission prompt", Active: true, At: t0.Add(2 * time.Hour)}, s[0], true)
	if got.ClearedAt != 0 {
		t.Errorf("a new wait after the clear: clearedAt %d", got.ClearedAt)
	}
	// So does a new record.
	o.Clear(got, t0.Add(3*time.Hour))
	s = []shared.Session{sess(shared.StatusWorking, 4*time.Hour)}
	o.Apply(s, t0.Add(4*time.Hour), nil)
	if s[0].ClearedAt != 0 {
		t.Errorf("changed after the clear: clearedAt %d", s[0].ClearedAt)
	}
	if _, ok := o.cleared.Get(s[0].Key()); ok {
		t.Error("an undone clear is still kept")
	}
}

// TestClearOfAWaitReadLate: a clear applied while a change is still being
// read (written before the clear, read after it, so dated before it)
// hides that change only when it tells of the wait the user saw; a new
// wait in it (a turn the user answered elsewhere) is in "Needs you". A
// restart dates the wait again from the files, later than what the user
// saw: the clear holds.
func TestClearOfAWaitReadLate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cleared.json")
	o := NewOverlay(0, NewCleared(path, nil))
	seen := sess(shared.StatusWaiting, -time.Minute)
	seen.MessageCount = 2
	shown := o.Clear(seen, t0)
	index := func(string) (shared.Session, bool) { return shown, true }

	toldAgain := sess(shared.StatusWaiting, -10*time.Millisecond) // its turn_duration line
	toldAgain.MessageCount = 2
	s := []shared.Session{toldAgain}
	o.Apply(s, t0.Add(5*time.Millisecond), index)
	if s[0].ClearedAt != t0.UnixMilli() {
		t.Fatalf("the wait seen, told again: clearedAt %d, want still cleared", s[0].ClearedAt)
	}
	shown = s[0]

	answered := sess(shared.StatusWaiting, -5*time.Millisecond) // answered, and a new turn ended
	answered.MessageCount = 4
	s = []shared.Session{answered}
	o.Apply(s, t0.Add(10*time.Millisecond), index)
	if !shared.NeedsYou(&s[0]) {
		t.Errorf("a new wait read after the clear: clearedAt %d; want it in Needs you", s[0].ClearedAt)
	}

	o = NewOverlay(0, NewCleared(path, nil))
	o.Clear(seen, t0)
	if err := o.Save(t0); err != nil {
		t.Fatal(err)
	}
	o = NewOverlay(0, NewCleared(path, nil))
	s = []shared.Session{toldAgain} // dated from its last write
	o.Apply(s, t0.Add(time.Second), nil)
	if s[0].ClearedAt != t0.UnixMilli() {
		t.Errorf("after a restart: clearedAt %d, want still cleared", s[0].ClearedAt)
	}
}

// TestClearOfAWaitReadLateAfterARestart: the rule of
// TestClearOfAWaitReadLate holds for a clear kept across a restart: a
// new wait written before the clear but first read after a restart (the
// session answered elsewhere, a new turn ended) is in "Needs you", while
// the wait the user cleared, dated anew from the files by the restart,
// stays cleared, told again or not, until a new wait is read.
func TestClearOfAWaitReadLateAfterARestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cleared.json")
	o := NewOverlay(0, NewCleared(path, nil))
	seen := sess(shared.StatusWaiting, -time.Minute)
	seen.MessageCount = 2
	o.Clear(seen, t0)
	if err := o.Save(t0); err != nil {
		t.Fatal(err)
	}
	restart := func() *Overlay { return NewOverlay(0, NewCleared(path, nil)) }

	answered := sess(shared.StatusWaiting, -5*time.Millisecond)
	answered.MessageCount = 4
	s := []shared.Session{answered}
	restart().Apply(s, t0.Add(time.Second), nil)
	if !shared.NeedsYou(&s[0]) {
		t.Errorf("a new wait first read after a restart: clearedAt %d; want it in Needs you", s[0].ClearedAt)
	}

	o = restart()
	toldAgain := sess(shared.StatusWaiting, -10*time.Millisecond) // the wait seen, dated from its last write
	toldAgain.MessageCount = 2
	s = []shared.Session{toldAgain}
	o.Apply(s, t0.Add(time.Second), nil)
	if s[0].ClearedAt != t0.UnixMilli() {
		t.Fatalf("the wait seen, after a restart: clearedAt %d, want still cleared", s[0].ClearedAt)
	}
	shown := s[0]
	index := func(string) (shared.Session, bool) { return shown, true }
	again := sess(shared.StatusWaiting, -8*time.Millisecond) // its turn_duration line
	again.MessageCount = 2
	s = []shared.Session{again}
	o.Apply(s, t0.Add(2*time.Second), index)
	if s[0].ClearedAt != t0.UnixMilli() {
		t.Fatalf("the wait seen, told again after a restart: clearedAt %d, want still cleared", s[0].ClearedAt)
	}
	s = []shared.Session{answered}
	o.Apply(s, t0.Add(3*time.Second), index)
	if !shared.NeedsYou(&s[0]) {
		t.Errorf("a new wait read later after a restart: clearedAt %d; want it in Needs you", s[0].ClearedAt)
	}
}

// TestExpireReturnsTheSourcesSession: an expired hint gives back the
// session as its source last reported it (a report under the hint
// included), and a hint for a session never reported gives nothing.
func TestExpireReturnsTheSourcesSession(t *testing.T) {
	o := NewOverlay(time.Hour, nil)
	first := []shared.Session{sess(shared.StatusWorking, -time.Second)}
	o.Apply(first, t0, nil)
	if _, ok, _ := o.Add(Hint{Source: shared.SourceClaude, ID: id, Status: shared.StatusWaiting, WaitingFor: "permission: Bash", Active: true, At: t0}, first[0], true); !ok {
		t.Fatal("hint not applied")
	}
	o.Add(Hint{Source: shared.SourceClaude, ID: "unlisted", Status: shared.StatusWaiting, At: t0}, shared.Session{}, false)
	// The source reports the session again, aged to idle, with nothing newer.
	later := sess(shared.StatusIdle, -time.Second)
	later.Active = false
	next := []shared.Session{later}
	o.Apply(next, t0.Add(30*time.Minute), nil)
	if next[0].Status != shared.StatusWaiting {
		t.Fatalf("hint lost before its TTL: %+v", next[0])
	}
	if got := o.Expire(t0.Add(59 * time.Minute)); len(got) != 0 || o.Len() != 2 {
		t.Fatalf("expired before the TTL: %+v (%d held)", got, o.Len())
	}
	got := o.Expire(t0.Add(time.Hour))
	if len(got) != 1 || got[0] != later || o.Len() != 0 {
		t.Fatalf("Expire = %+v (%d held), want the source's last report %+v alone", got, o.Len(), later)
	}
	o.Apply(got, t0.Add(time.Hour), nil)
	if got[0].Status != shared.StatusIdle || got[0].WaitingFor != "" {
		t.Errorf("after the expiry: %+v, want idle, not waiting", got[0])
	}
}

// TestSecondHintKeepsTheSourcesStatus: a hint that replaces another is
// judged against what the source said, not against the first hint: the
// source saying working, then two hooks saying waiting, then the source
// saying working again with nothing newer is no move to working, and the
// wait holds; a session the source never reported before its hint does
// not count a first report of working as a move either.
func TestSecondHintKeepsTheSourcesStatus(t *testing.T) {
	o := NewOverlay(0, nil)
	first := []shared.Session{sess(shared.StatusWorking, -time.Second)}
	o.Apply(first, t0, nil)
	cur, _, _ := o.Add(Hint{Source: shared.SourceClaude, ID: id, Status: shared.StatusWaiting, WaitingFor: "permission: Bash", Active: true, At: t0}, first[0], true)
	o.Add(Hint{Source: shared.SourceClaude, ID: id, Status: shared.StatusWaiting, WaitingFor: "permission: Edit", Active: true, At: t0.Add(time.Second)}, cur, true)
	next := []shared.Session{sess(shared.StatusWorking, -time.Second)}
	o.Apply(next, t0.Add(2*time.Second), nil)
	if next[0].Status != shared.StatusWaiting || next[0].WaitingFor != "permission: Edit" {
		t.Errorf("the source still working: %s %q, want the second hint's wait", next[0].Status, next[0].WaitingFor)
	}

	o = NewOverlay(0, nil)
	o.Add(Hint{Source: shared.SourceClaude, ID: id, Status: shared.StatusWaiting, WaitingFor: "dialog open", Active: true, At: t0}, shared.Session{}, false)
	s := []shared.Session{sess(shared.StatusWorking, -time.Minute)}
	o.Apply(s, t0.Add(time.Second), nil)
	if s[0].Status != shared.StatusWaiting {
		t.Errorf("a first report of working ended the wait: %+v", s[0])
	}
}

// TestEvictedHintLeavesNothingBehind: past maxHints the oldest hint goes,
// and its session shows its source's report again at once rather than
// the evicted wait with no end. A later hint for that session is judged
// against what the source said (working, here), not against the evicted
// hint: the source saying working again with nothing newer is no move to
// working, and the new wait holds. The test stands in for live: an index
// that publishes whatever Add returns before the next hint reads it.
func TestEvictedHintLeavesNothingBehind(t *testing.T) {
	o := NewOverlay(0, nil)
	index := map[string]shared.Session{}
	report := func(i int) shared.Session {
		s := sess(shared.StatusWorking, -time.Second)
		s.ID = fmt.Sprintf("s%05d", i)
		return s
	}
	first := make([]shared.Session, maxHints+1)
	for i := range first {
		first[i] = report(i)
	}
	o.Apply(first, t0, nil)
	for _, s := range first {
		index[s.Key()] = s
	}
	hint := func(i int, why string, at time.Time) {
		h := Hint{Source: shared.SourceClaude, ID: fmt.Sprintf("s%05d", i), Status: shared.StatusWaiting, WaitingFor: why, Active: true, At: at}
		cur, known := index[h.Key()]
		s, ok, evicted := o.Add(h, cur, known)
		for _, e := range evicted {
			index[e.Key()] = e
		}
		if ok {
			index[s.Key()] = s
		}
	}
	for i := range maxHints + 1 { // the last one evicts s00000's, the oldest
		hint(i, "permission: Bash", t0.Add(time.Duration(i)*time.Millisecond))
	}
	if o.Len() != maxHints {
		t.Fatalf("%d hints held, want the bound %d", o.Len(), maxHints)
	}
	s0 := first[0].Key()
	if got := index[s0]; got.Status != shared.StatusWorking || got.WaitingFor != "" || got.WaitingSince != 0 {
		t.Errorf("after its hint was evicted s00000 shows %s %q since %d, want its source's working", got.Status, got.WaitingFor, got.WaitingSince)
	}
	if got := index[first[1].Key()]; got.Status != shared.StatusWaiting {
		t.Fatalf("s00001 lost its hint: %+v", got)
	}

	hint(0, "permission: Edit", t0.Add(time.Minute))
	next := []shared.Session{report(0)}
	o.Apply(next, t0.Add(time.Minute+time.Second), nil)
	if next[0].Status != shared.StatusWaiting || next[0].WaitingFor != "permission: Edit" {
		t.Errorf("the source still working: %s %q, want the new hint's wait", next[0].Status, next[0].WaitingFor)
	}
}

// TestOnePromptToldTwice: Claude Code tells of one permission prompt by
// its PermissionRequest hook, then by a Notification six seconds later:
// one wait, which keeps its start and the user's clear of it.
func TestOnePromptToldTwice(t *testing.T) {
	o := NewOverlay(0, nil)
	asked := Hint{Source: shared.SourceClaude, ID: id, Event: "PermissionRequest", Status: shared.StatusWaiting, WaitingFor: "permission: Bash", Active: true, At: t0}
	got, _, _ := o.Add(asked, sess(shared.StatusWorking, -time.Second), true)
	got = o.Clear(got, t0.Add(time.Second))
	told := asked
	told.Event, told.WaitingFor, told.At = "Notification", "permission prompt", t0.Add(6*time.Second)
	again, _, _ := o.Add(told, got, true)
	if again.WaitingSince != t0.UnixMilli() || again.ClearedAt == 0 {
		t.Errorf("told again: since %d, clearedAt %d; want since %d, still cleared", again.WaitingSince, again.ClearedAt, t0.UnixMilli())
	}
}

// TestVaguerReasonKeepsTheTool: Claude Code's Notification "permission
// prompt", six seconds after the PermissionRequest's "permission: Bash"
// for the same prompt, leaves the row naming the tool; another tool's
// permission names its own, with its own start, and a wait that ended (the transcript, or a
// hook, shows the session worked) and a new one that began show the new
// one's reason and start.
func TestVaguerReasonKeepsTheTool(t *testing.T) {
	o := NewOverlay(0, nil)
	hook := func(event string, status shared.Status, reason string, at time.Duration) Hint {
		return Hint{Source: shared.SourceClaude, ID: id, Event: event, Status: status, WaitingFor: reason, Active: true, At: t0.Add(at)}
	}
	check := func(what string, s shared.Session, reason string, since time.Duration) {
		t.Helper()
		if s.Status != shared.StatusWaiting || s.WaitingFor != reason || s.WaitingSince != ms(since) {
			t.Errorf("%s: %s %q since %d; want waiting %q since %d", what, s.Status, s.WaitingFor, s.WaitingSince, reason, ms(since))
		}
	}
	cur, _, _ := o.Add(hook("PermissionRequest", shared.StatusWaiting, "permission: Bash", 0), sess(shared.StatusWorking, -time.Second), true)
	cur, _, _ = o.Add(hook("Notification", shared.StatusWaiting, "permission prompt", 6*time.Second), cur, true)
	check("the same prompt told again", cur, "permission: Bash", 0)
	read := []shared.Session{sess(shared.StatusWorking, -time.Second)} // the transcript: nothing newer
	o.Apply(read, t0.Add(7*time.Second), nil)
	check("read again", read[0], "permission: Bash", 0)
	cur, _, _ = o.Add(hook("PermissionRequest", shared.StatusWaiting, "permission: Edit", 8*time.Second), read[0], true)
	check("another tool's permission: another dialog", cur, "permission: Edit", 8*time.Second)

	// The user approved: the tool ran, its records are read; then a new
	// prompt, known from its Notification only.
	read = []shared.Session{sess(shared.StatusWorking, 10*time.Second)}
	o.Apply(read, t0.Add(11*time.Second), nil)
	cur, _, _ = o.Add(hook("Notification", shared.StatusWaiting, "permission prompt", 20*time.Second), read[0], true)
	check("a new wait after the transcript moved on", cur, "permission prompt", 20*time.Second)

	// The same, the wait ended by a hook.
	cur, _, _ = o.Add(hook("PermissionRequest", shared.StatusWaiting, "permission: Bash", 30*time.Second), sess(shared.StatusWorking, 25*time.Second), true)
	cur, _, _ = o.Add(hook("UserPromptSubmit", shared.StatusWorking, "", 40*time.Second), cur, true)
	cur, _, _ = o.Add(hook("Notification", shared.StatusWaiting, "permission prompt", 50*time.Second), cur, true)
	check("a new wait after a prompt", cur, "permission prompt", 50*time.Second)
}

// TestHookAfterTheEnd: a Stop, a notification or a prompt that arrives
// after the session's SessionEnd, with nothing written since, comes
// from the process that ended: the session stays ended rather than
// waiting for the whole TTL or working for two minutes. A SessionStart
// (a resume) is a running process again, whose hooks count; a resume
// whose SessionStart did not reach helmd writes its prompt to the
// transcript, which outdates the end.
func TestHookAfterTheEnd(t *testing.T) {
	hint := func(event string, status shared.Status, active bool, at time.Duration) Hint {
		return Hint{Source: shared.SourceClaude, ID: id, Event: event, Status: status, Active: active, At: t0.Add(at)}
	}
	for _, late := range []Hint{
		hint("Stop", shared.StatusWaiting, true, 2*time.Second),
		hint("Notification", shared.StatusWaiting, true, 2*time.Second),
		hint("PermissionRequest", shared.StatusWaiting, true, 2*time.Second),
		hint("SubagentStop", shared.StatusWorking, true, 2*time.Second),
		hint("UserPromptSubmit", shared.StatusWorking, true, 2*time.Second),
	} {
		t.Run(late.Event, func(t *testing.T) {
			o := NewOverlay(0, nil)
			end, ok, _ := o.Add(hint("SessionEnd", shared.StatusIdle, false, time.Second), sess(shared.StatusIdle, -time.Minute), true)
			if !ok || end.Active {
				t.Fatalf("SessionEnd: %+v", end)
			}
			if got, ok, _ := o.Add(late, end, true); ok {
				t.Errorf("applied after the end: %s %q, active %v", got.Status, got.WaitingFor, got.Active)
			}
			s := []shared.Session{sess(shared.StatusIdle, -time.Minute)}
			o.Apply(s, t0.Add(time.Hour), nil)
			if s[0].Status != shared.StatusIdle || s[0].Active {
				t.Errorf("an hour on: %s, active %v; want ended", s[0].Status, s[0].Active)
			}
		})
	}
	o := NewOverlay(0, nil)
	end, _, _ := o.Add(hint("SessionEnd", shared.StatusIdle, false, time.Second), sess(shared.StatusIdle, -time.Minute), true)
	start, ok, _ := o.Add(hint("SessionStart", shared.StatusIdle, true, time.Minute), end, true)
	if !ok || !start.Active {
		t.Fatalf("resumed: %+v", start)
	}
	if got, _, _ := o.Add(hint("Stop", shared.StatusWaiting, true, 2*time.Minute), start, true); got.Status != shared.StatusWaiting {
		t.Errorf("a resumed session's Stop: %s, want waiting", got.Status)
	}

	o = NewOverlay(0, nil)
	end, _, _ = o.Add(hint("SessionEnd", shared.StatusIdle, false, time.Second), sess(shared.StatusIdle, -time.Minute), true)
	o.Add(hint("UserPromptSubmit", shared.StatusWorking, true, time.Minute), end, true)
	s := []shared.Session{sess(shared.StatusWorking, time.Minute+time.Second)} // its prompt, written
	o.Apply(s, t0.Add(time.Minute+time.Second), nil)
	if s[0].Status != shared.StatusWorking || !s[0].Active {
		t.Errorf("resumed without a SessionStart, its prompt written: %s, active %v; want working", s[0].Status, s[0].Active)
	}
}

// TestLatePromptAfterAResume: the ended process's prompt hook, delivered
// late by a slow hook runner after the SessionEnd and after the resume's
// SessionStart has replaced the end's hint, does not show the session
// working: the transcript, which holds that prompt from before the end
// and nothing since, says its turn ended. The resumed process's own
// prompt shows working once its record is read.
func TestLatePromptAfterAResume(t *testing.T) {
	hint := func(event string, status shared.Status, active bool, at time.Duration) Hint {
		return Hint{Source: shared.SourceClaude, ID: id, Event: event, Status: status, Active: active, At: t0.Add(at)}
	}
	files := sess(shared.StatusWaiting, -time.Minute) // the prompt answered, the turn ended, then the end
	o := NewOverlay(0, nil)
	cur, _, _ := o.Add(hint("SessionEnd", shared.StatusIdle, false, 0), files, true)
	cur, _, _ = o.Add(hint("SessionStart", shared.StatusIdle, true, 3*time.Second), cur, true)
	for _, late := range []Hint{
		hint("UserPromptSubmit", shared.StatusWorking, true, 4*time.Second),
		hint("SubagentStop", shared.StatusWorking, true, 5*time.Second),
	} {
		if got, ok, _ := o.Add(late, cur, true); ok && got.Status == shared.StatusWorking {
			t.Errorf("the ended process's late %s after the resume: working", late.Event)
		}
	}
	s := []shared.Session{files} // read again, nothing written since
	o.Apply(s, t0.Add(10*time.Second), nil)
	if s[0].Status == shared.StatusWorking || !s[0].Active {
		t.Errorf("the resumed session, nothing written since: %s, active %v; want at its prompt, not working", s[0].Status, s[0].Active)
	}

	o.Add(hint("UserPromptSubmit", shared.StatusWorking, true, time.Minute), s[0], true)
	s = []shared.Session{sess(shared.StatusWorking, time.Minute+50*time.Millisecond)} // its prompt, written
	o.Apply(s, t0.Add(time.Minute+500*time.Millisecond), nil)
	if s[0].Status != shared.StatusWorking || !s[0].Active {
		t.Errorf("the resumed process's prompt, read: %s, active %v; want working", s[0].Status, s[0].Active)
	}
	if got, _, _ := o.Add(hint("UserPromptSubmit", shared.StatusWorking, true, 2*time.Minute), s[0], true); got.Status != shared.StatusWorking {
		t.Errorf("a prompt once the resumed process has written: %s, want working", got.Status)
	}
}

// TestPendingHintsKeepListedOnes: hints for ids no source lists, however
// many, make room among themselves: the oldest of them goes, never the
// wait of a listed session, and the later pending ones still apply when
// their session shows up.
func TestPendingHintsKeepListedOnes(t *testing.T) {
	o := NewOverlay(0, nil)
	listed := []shared.Session{sess(shared.StatusWorking, -time.Second)}
	o.Apply(listed, t0, nil)
	if _, ok, _ := o.Add(Hint{Source: shared.SourceClaude, ID: id, Status: shared.StatusWaiting, WaitingFor: "permission: Bash", Active: true, At: t0}, listed[0], true); !ok {
		t.Fatal("hint not applied")
	}
	for i := range maxHints + maxPending {
		h := Hint{Source: shared.SourceClaude, ID: fmt.Sprintf("p%05d", i), Status: shared.StatusWaiting, Active: true, At: t0.Add(time.Duration(i+1) * time.Millisecond)}
		if _, _, evicted := o.Add(h, shared.Session{}, false); len(evicted) != 0 {
			t.Fatalf("a pending hint evicted %+v", evicted)
		}
	}
	if o.Len() != 1+maxPending {
		t.Errorf("%d hints held, want the listed one and %d pending", o.Len(), maxPending)
	}
	next := []shared.Session{sess(shared.StatusWorking, -time.Second)}
	o.Apply(next, t0.Add(time.Minute), nil)
	if next[0].Status != shared.StatusWaiting || next[0].WaitingFor != "permission: Bash" {
		t.Errorf("the listed session after %d pending hints: %s %q, want its wait", maxHints+maxPending, next[0].Status, next[0].WaitingFor)
	}
	newest := sess(shared.StatusWorking, -time.Second)
	newest.ID = fmt.Sprintf("p%05d", maxHints+maxPending-1)
	oldest := newest
	oldest.ID = "p00000"
	got := []shared.Session{newest, oldest}
	o.Apply(got, t0.Add(time.Minute), nil)
	if got[0].Status != shared.StatusWaiting || got[1].Status != shared.StatusWorking {
		t.Errorf("newest pending %s, oldest %s: want the newest kept, the oldest gone", got[0].Status, got[1].Status)
	}
}

// TestEachPromptItsOwnWait: two tool calls of one assistant message
// (two Bash commands) each ask for permission, one after the other, with
// as many messages and the same kind of ask; the second's hook comes
// before the first tool's result is read. Each prompt is a wait of its
// own, with its own start, before a restart of helmd and after it: the
// user who approved the first and clears the row the page showed does
// not clear the second, which stays in "Needs you". One prompt told
// twice (the same hook installed twice) or told again by its
// Notification stays one wait.
func TestEachPromptItsOwnWait(t *testing.T) {
	for _, restart := range []bool{false, true} {
		t.Run(fmt.Sprintf("restart %v", restart), func(t *testing.T) {
			dir := t.TempDir()
			hints, cleared := filepath.Join(dir, "hints.json"), filepath.Join(dir, "cleared.json")
			start := func(now time.Time) *Overlay {
				o := NewOverlay(0, NewCleared(cleared, nil))
				o.KeepHints(hints, nil, now)
				return o
			}
			o := start(t0)
			asked := func(prompt string, at time.Duration) Hint {
				return Hint{Source: shared.SourceClaude, ID: id, Event: "PermissionRequest", Status: shared.StatusWaiting,
					WaitingFor: "permission: Bash", Active: true, Prompt: prompt, At: t0.Add(at)}
			}
			read := sess(shared.StatusWorking, -time.Second) // the tool calls, unanswered
			read.MessageCount = 2
			first := []shared.Session{read}
			o.Apply(first, t0.Add(-time.Second), nil)
			cur, _, _ := o.Add(asked("0123456789abcdef", 0), first[0], true)
			dup, _, _ := o.Add(asked("0123456789abcdef", 50*time.Millisecond), cur, true)
			if dup.WaitingSince != ms(0) {
				t.Fatalf("one prompt told twice: since %d, want %d", dup.WaitingSince, ms(0))
			}
			shown := dup // what the page shows of the first prompt
			if restart {
				if err := o.Flush(t0.Add(time.Second)); err != nil {
					t.Fatal(err)
				}
				o = start(t0.Add(2 * time.Second))
				again := []shared.Session{read}
				o.Apply(again, t0.Add(2*time.Second), nil)
				if again[0].WaitingSince != ms(0) {
					t.Fatalf("the first prompt after a restart: since %d, want %d", again[0].WaitingSince, ms(0))
				}
				dup = again[0]
			}
			// Approved at the terminal: the tool ran (its result, written at
			// 9 s, is not read yet), and the second dialog shows.
			second, _, _ := o.Add(asked("fedcba9876543210", 10*time.Second), dup, true)
			if second.Status != shared.StatusWaiting || second.WaitingSince != ms(10*time.Second) {
				t.Errorf("the second prompt: %s since %d, want waiting since %d", second.Status, second.WaitingSince, ms(10*time.Second))
			}
			told, _, _ := o.Add(Hint{Source: shared.SourceClaude, ID: id, Event: "Notification", Status: shared.StatusWaiting,
				WaitingFor: "permission prompt", Active: true, At: t0.Add(16 * time.Second)}, second, true)
			if told.WaitingSince != second.WaitingSince || told.WaitingFor != "permission: Bash" {
				t.Fatalf("the second prompt told again: %q since %d, want %q since %d", told.WaitingFor, told.WaitingSince, "permission: Bash", second.WaitingSince)
			}
			// The user clears the row the page showed, the first prompt's
			// (live.Clear applies a clear only to the wait it names).
			if told.InWaitSince(shown.WaitingSince) {
				told = o.Clear(told, t0.Add(17*time.Second))
			}
			withResult := read
			withResult.UpdatedAt = ms(9 * time.Second)
			now := []shared.Session{withResult}
			o.Apply(now, t0.Add(18*time.Second), func(string) (shared.Session, bool) { return told, true })
			if !shared.NeedsYou(&now[0]) || now[0].WaitingSince != ms(10*time.Second) {
				t.Errorf("the second prompt, the first one's result read: %s since %d, clearedAt %d; want in Needs you since %d",
					now[0].Status, now[0].WaitingSince, now[0].ClearedAt, ms(10*time.Second))
			}
		})
	}
}

// TestVaguerReasonBeforeTheFirstRead: the PermissionRequest's "permission:
// Bash" and the Notification's "permission prompt" of one prompt, both
// come before the session's first read (a new session), leave the row
// naming the tool from its first read, with the prompt's start, in
// either order.
func TestVaguerReasonBeforeTheFirstRead(t *testing.T) {
	perm := Hint{Source: shared.SourceClaude, ID: id, Event: "PermissionRequest", Status: shared.StatusWaiting, WaitingFor: "permission: Bash", Active: true}
	note := Hint{Source: shared.SourceClaude, ID: id, Event: "Notification", Status: shared.StatusWaiting, WaitingFor: "permission prompt", Active: true}
	for _, order := range [][2]Hint{{perm, note}, {note, perm}} {
		o := NewOverlay(0, nil)
		a, b := order[0], order[1]
		a.At, b.At = t0, t0.Add(6*time.Second)
		o.Add(a, shared.Session{}, false)
		o.Add(b, shared.Session{}, false)
		s := []shared.Session{sess(shared.StatusWorking, -time.Second)}
		o.Apply(s, t0.Add(7*time.Second), nil)
		if s[0].Status != shared.StatusWaiting || s[0].WaitingFor != "permission: Bash" || s[0].WaitingSince != ms(0) {
			t.Errorf("%s then %s, then the first read: %s %q since %d; want waiting %q since %d",
				a.Event, b.Event, s[0].Status, s[0].WaitingFor, s[0].WaitingSince, "permission: Bash", ms(0))
		}
	}
}

// TestLatePromptAfterItsStop: a prompt's hook (or a subagent's stop)
// whose POST reached helmd after its own turn's Stop, or after the
// transcript's end of that turn was read, does not show the session
// working for workingTTL: it waits for its user. A prompt typed right
// after the Stop shows working at once.
func TestLatePromptAfterItsStop(t *testing.T) {
	hint := func(event string, status shared.Status, sent, came time.Duration) Hint {
		h := Hint{Source: shared.SourceClaude, ID: id, Event: event, Status: status, Active: true, Sent: t0.Add(sent), At: t0.Add(came)}
		if status == shared.StatusWaiting {
			h.WaitingFor = "input needed"
		}
		return h
	}
	ended := sess(shared.StatusWaiting, 4*time.Second) // the prompt at 0, its turn's end at 4 s
	for _, event := range []string{"UserPromptSubmit", "SubagentStop"} {
		late := hint(event, shared.StatusWorking, 0, 6*time.Second)
		t.Run(event+" after the Stop", func(t *testing.T) {
			o := NewOverlay(0, nil)
			cur, _, _ := o.Add(hint("Stop", shared.StatusWaiting, 5*time.Second, 5*time.Second), ended, true)
			if got, ok, _ := o.Add(late, cur, true); ok && got.Status == shared.StatusWorking {
				t.Errorf("the turn's own late %s after its Stop: working", event)
			}
			s := []shared.Session{ended}
			o.Apply(s, t0.Add(10*time.Second), nil)
			if s[0].Status != shared.StatusWaiting {
				t.Errorf("read again: %s, want waiting", s[0].Status)
			}
		})
		t.Run(event+" after the turn's end was read", func(t *testing.T) {
			o := NewOverlay(0, nil)
			if got, ok, _ := o.Add(late, ended, true); ok && got.Status == shared.StatusWorking {
				t.Errorf("the turn's own late %s, its end read: working", event)
			}
		})
		t.Run(event+" before its turn was read", func(t *testing.T) {
			o := NewOverlay(0, nil)
			before := sess(shared.StatusWaiting, -time.Minute) // nothing of this turn read yet
			if got, _, _ := o.Add(late, before, true); got.Status != shared.StatusWorking {
				t.Fatalf("nothing of its turn read: %s, want working", got.Status)
			}
			s := []shared.Session{ended}
			o.Apply(s, t0.Add(7*time.Second), nil)
			if s[0].Status != shared.StatusWaiting {
				t.Errorf("the turn's end read: %s, want waiting", s[0].Status)
			}
		})
	}
	o := NewOverlay(0, nil)
	cur, _, _ := o.Add(hint("Stop", shared.StatusWaiting, 5*time.Second, 5*time.Second), ended, true)
	got, ok, _ := o.Add(hint("UserPromptSubmit", shared.StatusWorking, 5500*time.Millisecond, 5600*time.Millisecond), cur, true)
	if !ok || got.Status != shared.StatusWorking {
		t.Errorf("a prompt typed right after the Stop: %s, want working at once", got.Status)
	}
	o = NewOverlay(0, nil) // from a helmd hook that does not date its hooks: by their arrival, as before
	cur, _, _ = o.Add(Hint{Source: shared.SourceClaude, ID: id, Event: "Stop", Status: shared.StatusWaiting, Active: true, At: t0.Add(5 * time.Second)}, ended, true)
	got, _, _ = o.Add(Hint{Source: shared.SourceClaude, ID: id, Event: "UserPromptSubmit", Status: shared.StatusWorking, Active: true, At: t0.Add(6 * time.Second)}, cur, true)
	if got.Status != shared.StatusWorking {
		t.Errorf("an undated prompt after the Stop: %s, want working", got.Status)
	}
}

// TestDialogOutlastsAnotherCallsResult: Claude Code asks for two WebFetch
// calls of one message in turn; the first, allowed, writes its result
// while the second dialog waits. That record, newer than the second
// dialog's hook, does not end its wait while the call the hook named is
// without a result; the call's own result, or anything that leaves it
// answered (a new prompt), does, as does the TTL. A dialog its hook did
// not name (an older helmd hook) ends at any newer record, as before.
func TestDialogOutlastsAnotherCallsResult(t *testing.T) {
	const second = "0123456789abcdef0123456789abcdef"
	for _, tc := range []struct {
		name    string
		prompt  string        // the second hook's digest
		pending bool          // the second call is still without a result
		at      time.Duration // when the files are read
		want    shared.Status
		reason  string
	}{
		{"the first call's result", second, true, 3 * time.Second, shared.StatusWaiting, "permission: WebFetch"},
		{"the second call's result, or a new prompt", second, false, 3 * time.Second, shared.StatusWorking, ""},
		{"an older hook, no digest", "", true, 3 * time.Second, shared.StatusWorking, ""},
		{"the TTL", second, true, 13 * time.Hour, shared.StatusWorking, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := NewOverlay(0, nil)
			var asked []string
			o.AskCalls(func(s *shared.Session, dialog string) bool {
				asked = append(asked, s.ID+" "+dialog)
				return tc.pending && dialog == second
			})
			calls := sess(shared.StatusWorking, -time.Second) // the two calls, unanswered
			first := []shared.Session{calls}
			o.Apply(first, t0.Add(-time.Second), nil)
			cur, _, _ := o.Add(Hint{Source: shared.SourceClaude, ID: id, Event: "PermissionRequest", Status: shared.StatusWaiting,
				WaitingFor: "permission: WebFetch", Active: true, Prompt: tc.prompt, At: t0}, first[0], true)
			if cur.Status != shared.StatusWaiting {
				t.Fatalf("the second dialog: %s", cur.Status)
			}
			read := sess(shared.StatusWorking, 2*time.Second) // a result written after the hook
			now := []shared.Session{read}
			o.Apply(now, t0.Add(tc.at), nil)
			if now[0].Status != tc.want || now[0].WaitingFor != tc.reason {
				t.Errorf("%s %q, want %s %q (asked %q)", now[0].Status, now[0].WaitingFor, tc.want, tc.reason, asked)
			}
			if tc.want == shared.StatusWaiting && now[0].WaitingSince != ms(0) {
				t.Errorf("waiting since %d, want the dialog's start %d", now[0].WaitingSince, ms(0))
			}
		})
	}
}

// TestQuestionToldTwice: Claude Code tells of a question to the user
// (AskUserQuestion) by its PermissionRequest, which says what it asks,
// and by a permission_prompt Notification: one wait, which keeps its
// start, its clear, its reason and what it asks, listed or not yet, and
// after a restart. The transcript's last text is not the question then.
func TestQuestionToldTwice(t *testing.T) {
	asked := Hint{Source: shared.SourceClaude, ID: id, Event: "PermissionRequest", Status: shared.StatusWaiting,
		WaitingFor: shared.ReasonQuestion, Question: "Which database should the cache use?", Active: true, At: t0}
	told := Hint{Source: shared.SourceClaude, ID: id, Event: "Notification", Status: shared.StatusWaiting,
		WaitingFor: "permission prompt", Active: true, At: t0.Add(6 * time.Second)}
	working := sess(shared.StatusWorking, -time.Second)
	working.Question = "Let me look at the cache first."
	check := func(what string, s shared.Session) {
		t.Helper()
		if s.Status != shared.StatusWaiting || s.WaitingFor != shared.ReasonQuestion || s.Question != asked.Question || s.WaitingSince != ms(0) {
			t.Errorf("%s: %s %q asking %q since %d; want waiting %q asking %q since %d",
				what, s.Status, s.WaitingFor, s.Question, s.WaitingSince, shared.ReasonQuestion, asked.Question, ms(0))
		}
	}

	saved := filepath.Join(t.TempDir(), "hints.json")
	o := NewOverlay(0, nil)
	o.KeepHints(saved, nil, t0)
	cur, _, _ := o.Add(asked, working, true)
	check("asked", cur)
	cur = o.Clear(cur, t0.Add(time.Second))
	cur, _, _ = o.Add(told, cur, true)
	check("told again by the Notification", cur)
	if cur.ClearedAt == 0 {
		t.Error("told again: the user's clear is undone")
	}
	read := []shared.Session{working} // nothing newer in the transcript
	o.Apply(read, t0.Add(7*time.Second), nil)
	check("read again", read[0])
	if err := o.Flush(t0.Add(7 * time.Second)); err != nil {
		t.Fatal(err)
	}
	restarted := NewOverlay(0, nil)
	restarted.KeepHints(saved, nil, t0.Add(time.Minute))
	read = []shared.Session{working}
	restarted.Apply(read, t0.Add(time.Minute), nil)
	check("after a restart", read[0])

	for _, order := range [][2]Hint{{asked, told}, {told, asked}} {
		o := NewOverlay(0, nil)
		a, b := order[0], order[1]
		a.At, b.At = t0, t0.Add(6*time.Second)
		o.Add(a, shared.Session{}, false)
		o.Add(b, shared.Session{}, false)
		s := []shared.Session{working}
		o.Apply(s, t0.Add(7*time.Second), nil)
		check(a.Event+" then "+b.Event+" before the first read", s[0])
	}

	// Answered: the session works, and the question goes with the wait.
	cur, _, _ = o.Add(Hint{Source: shared.SourceClaude, ID: id, Event: "UserPromptSubmit", Status: shared.StatusWorking, Active: true, At: t0.Add(time.Minute)}, cur, true)
	if cur.Question != "" {
		t.Errorf("working again: question %q", cur.Question)
	}
}

// TestQuestionToldOnlyAsAPermissionPrompt: a question whose
// PermissionRequest hook never came (a Claude Code without it, a hook
// installed for Notification only) is told by the Notification's
// "permission prompt" alone: the session shows the dialog its files
// name (NameDialogs), with what it asks, listed or first read after the
// hook, and its wait keeps its start when the files are read again. A
// prompt the files do not name stays one, and a wait the
// PermissionRequest named is never asked about.
func TestQuestionToldOnlyAsAPermissionPrompt(t *testing.T) {
	told := Hint{Source: shared.SourceClaude, ID: id, Event: "Notification", Status: shared.StatusWaiting,
		WaitingFor: "permission prompt", Active: true, At: t0}
	working := sess(shared.StatusWorking, -time.Second) // the question's call, unanswered
	working.Question = "Let me look at the cache first."
	for _, tc := range []struct {
		name         string
		named        string // the reason the files name: "" none
		wantReason   string
		wantQuestion string
	}{
		{"a question", shared.ReasonQuestion, shared.ReasonQuestion, "Which database should the cache use?"},
		{"a plan", shared.ReasonPlan, shared.ReasonPlan, "Which database should the cache use?"},
		{"a command to allow", "", "permission prompt", working.Question},
	} {
		t.Run(tc.name, func(t *testing.T) {
			asked := 0
			name := func(s *shared.Session) (string, string) {
				asked++
				if s.ID != id || tc.named == "" {
					return "", ""
				}
				return tc.named, "Which database should the cache use?"
			}
			check := func(what string, s shared.Session) {
				t.Helper()
				if s.Status != shared.StatusWaiting || s.WaitingFor != tc.wantReason || s.Question != tc.wantQuestion || s.WaitingSince != ms(0) {
					t.Errorf("%s: %s %q asking %q since %d; want waiting %q asking %q since %d",
						what, s.Status, s.WaitingFor, s.Question, s.WaitingSince, tc.wantReason, tc.wantQuestion, ms(0))
				}
			}
			o := NewOverlay(0, nil)
			o.NameDialogs(name)
			cur, _, _ := o.Add(told, working, true)
			check("listed", cur)
			read := []shared.Session{working}
			o.Apply(read, t0.Add(2*time.Second), nil)
			check("read again", read[0])

			o = NewOverlay(0, nil)
			o.NameDialogs(name)
			o.Add(told, shared.Session{}, false)
			read = []shared.Session{working}
			o.Apply(read, t0.Add(time.Second), nil)
			check("read after the hook", read[0])
			if asked == 0 {
				t.Error("the files were never asked")
			}
		})
	}

	o := NewOverlay(0, nil)
	o.NameDialogs(func(s *shared.Session) (string, string) {
		t.Errorf("asked of a wait its hook named: %q", s.WaitingFor)
		return "", ""
	})
	cur, _, _ := o.Add(Hint{Source: shared.SourceClaude, ID: id, Event: "PermissionRequest", Status: shared.StatusWaiting,
		WaitingFor: "permission: Bash", Active: true, At: t0}, working, true)
	if cur.WaitingFor != "permission: Bash" {
		t.Errorf("a named permission: %q", cur.WaitingFor)
	}
}
