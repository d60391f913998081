package attn

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/calldigest"
	"vibecraft.sh/helm/shared"
)

// TestHintsKeptAcrossARestart: a listed session's hint is back after a
// restart with its reason, its expiry and the start of its wait (one
// told again keeps the first start); one of a session no source lists
// is not kept; one whose session the first scan does not find is
// dropped from the file.
func TestHintsKeptAcrossARestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "helm", "hints.json")
	o := NewOverlay(time.Hour, nil)
	o.KeepHints(path, nil, t0)
	cur := sess(shared.StatusWorking, -time.Second)
	asked := Hint{Source: shared.SourceClaude, ID: id, Event: "PermissionRequest", Status: shared.StatusWaiting, WaitingFor: "permission: Bash", Active: true, At: t0}
	cur, _, _ = o.Add(asked, cur, true)
	told := asked
	told.Event, told.WaitingFor, told.At = "Notification", "permission prompt", t0.Add(6*time.Second)
	cur, _, _ = o.Add(told, cur, true)
	gone := sess(shared.StatusWorking, -time.Second)
	gone.ID = "gone"
	o.Add(Hint{Source: shared.SourceClaude, ID: "gone", Status: shared.StatusWaiting, Active: true, At: t0}, gone, true)
	o.Add(Hint{Source: shared.SourceClaude, ID: "unlisted", Status: shared.StatusWaiting, Active: true, At: t0}, shared.Session{}, false)
	if err := o.Flush(t0); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("%v %v: want a 0600 file", st, err)
	}

	restart := func(at time.Time) *Overlay {
		o := NewOverlay(time.Hour, nil)
		o.KeepHints(path, nil, at)
		return o
	}
	o = restart(t0.Add(time.Minute))
	s := []shared.Session{sess(shared.StatusWorking, -time.Second)}
	o.Apply(s, t0.Add(time.Minute), nil)
	// The Notification's "permission prompt" told of the same wait as the
	// PermissionRequest's "permission: Bash", more vaguely: the hint keeps
	// the tool's name (TestVaguerReasonKeepsTheTool), and so does the file.
	if s[0].Status != shared.StatusWaiting || s[0].WaitingFor != "permission: Bash" || s[0].WaitingSince != cur.WaitingSince || cur.WaitingSince != t0.UnixMilli() {
		t.Fatalf("after a restart: %s %q since %d; want waiting %q since %d", s[0].Status, s[0].WaitingFor, s[0].WaitingSince, "permission: Bash", t0.UnixMilli())
	}
	o.Prune(func(k string) bool { return k == s[0].Key() }) // the first full scan: "gone" not found
	if o.Len() != 1 {
		t.Errorf("%d hints held after the first scan, want 1", o.Len())
	}
	if err := o.Flush(t0); err != nil {
		t.Fatal(err)
	}
	o = restart(t0.Add(2 * time.Minute))
	if len(o.kept) != 1 || o.kept[s[0].Key()] == nil {
		t.Errorf("kept after the second restart: %v, want only %s", o.kept, s[0].Key())
	}

	// Past its expiry (from the hint, not from the restart) it is gone.
	o = restart(t0.Add(6*time.Second + time.Hour))
	if len(o.kept) != 0 {
		t.Errorf("expired hint loaded: %v", o.kept)
	}
}

// TestHintsNotRewrittenPerHook: hooks told again of what the list shows
// already (a subagent's stop while the session works) do not rewrite the
// hints file, which holds every listed session's hint; a change a
// restart needs is written at once, then at most once a second; and a
// restart after shutdown finds the last state, the last hook's time
// included.
func TestHintsNotRewrittenPerHook(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hints.json")
	o := NewOverlay(0, nil)
	o.KeepHints(path, nil, t0)
	hook := func(event string, status shared.Status, reason string, at time.Duration) Hint {
		return Hint{Source: shared.SourceClaude, ID: id, Event: event, Status: status, WaitingFor: reason, Active: true, At: t0.Add(at)}
	}
	var last os.FileInfo
	save := func(at time.Duration) (rewritten bool) {
		t.Helper()
		if err := o.Save(t0.Add(at)); err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(path)
		if err != nil {
			t.Fatalf("after a save at %v: %v", at, err)
		}
		rewritten = last == nil || !os.SameFile(last, st) // each write renames a new file over the old
		last = st
		return rewritten
	}

	cur := sess(shared.StatusIdle, -time.Minute)
	cur, _, _ = o.Add(hook("UserPromptSubmit", shared.StatusWorking, "", 0), cur, true)
	if !save(0) {
		t.Fatal("the prompt's hint not written")
	}
	for _, at := range []time.Duration{2 * time.Second, 4 * time.Second} {
		cur, _, _ = o.Add(hook("SubagentStop", shared.StatusWorking, "", at), cur, true)
		if save(at) {
			t.Errorf("rewritten at %v for a hook that changed nothing a restart shows", at)
		}
	}
	// The prompt's records are read: the hint is outdated, and a restart
	// would find the same from the files; a subagent's stop then says
	// what they say.
	read := []shared.Session{sess(shared.StatusWorking, 4200*time.Millisecond)}
	o.Apply(read, t0.Add(4300*time.Millisecond), nil)
	if save(4300 * time.Millisecond) {
		t.Error("rewritten for a hint the records outdate")
	}
	cur, _, _ = o.Add(hook("SubagentStop", shared.StatusWorking, "", 4500*time.Millisecond), read[0], true)
	if save(4500 * time.Millisecond) {
		t.Error("rewritten for a hook that says what the records say")
	}
	if due := o.SaveDue(); !due.Equal(t0.Add(lazyGap)) {
		t.Errorf("the told-again hints are due at %v, want %v", due, t0.Add(lazyGap))
	}
	cur, _, _ = o.Add(hook("Stop", shared.StatusWaiting, "input needed", 5*time.Second), cur, true)
	if !save(5 * time.Second) {
		t.Error("a new wait not written at once")
	}
	o.Add(hook("PermissionRequest", shared.StatusWaiting, "permission: Bash", 5500*time.Millisecond), cur, true)
	if save(5500 * time.Millisecond) {
		t.Error("a second change within a second written at once")
	}
	if due := o.SaveDue(); !due.Equal(t0.Add(6 * time.Second)) {
		t.Errorf("the permission prompt is due at %v, want a second after the last write", due)
	}
	if err := o.Flush(t0.Add(5600 * time.Millisecond)); err != nil { // shutdown
		t.Fatal(err)
	}
	o = NewOverlay(0, nil)
	o.KeepHints(path, nil, t0.Add(time.Minute))
	s := []shared.Session{sess(shared.StatusIdle, -time.Minute)}
	o.Apply(s, t0.Add(time.Minute), nil)
	if s[0].Status != shared.StatusWaiting || s[0].WaitingFor != "permission: Bash" {
		t.Errorf("after a restart: %s %q, want the permission prompt", s[0].Status, s[0].WaitingFor)
	}
}

// TestSameAskToldAgainNotUrgent: one permission prompt told again with
// another reason ("permission prompt", as the registry or a Notification
// says it, then the PermissionRequest's "permission: Bash"; the other way
// round the tool's name is kept: TestVaguerReasonKeepsTheTool) asks the
// same of the user, and rides the batched write; a wait of another kind (the user answered, the turn ended:
// "input needed") is written at once. Shutdown writes the last reason.
func TestSameAskToldAgainNotUrgent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hints.json")
	o := NewOverlay(0, nil)
	o.KeepHints(path, nil, t0)
	hook := func(event, reason string, at time.Duration) Hint {
		return Hint{Source: shared.SourceClaude, ID: id, Event: event, Status: shared.StatusWaiting, WaitingFor: reason, Active: true, At: t0.Add(at)}
	}
	written := func(at time.Duration) bool {
		t.Helper()
		before, _ := os.Stat(path)
		if err := o.Save(t0.Add(at)); err != nil {
			t.Fatal(err)
		}
		after, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return before == nil || !os.SameFile(before, after) // each write renames a new file over the old
	}
	cur, _, _ := o.Add(hook("Notification", "permission prompt", 0), sess(shared.StatusWorking, -time.Second), true)
	if !written(0) {
		t.Fatal("the permission prompt not written at once")
	}
	cur, _, _ = o.Add(hook("PermissionRequest", "permission: Bash", 6*time.Second), cur, true)
	if written(6 * time.Second) {
		t.Error("written at once for the same permission prompt told again with another reason")
	}
	if due := o.SaveDue(); !due.Equal(t0.Add(lazyGap)) {
		t.Errorf("due at %v, want with the batch at %v", due, t0.Add(lazyGap))
	}
	if err := o.Flush(t0.Add(7 * time.Second)); err != nil { // shutdown
		t.Fatal(err)
	}
	restarted := NewOverlay(0, nil)
	restarted.KeepHints(path, nil, t0.Add(8*time.Second))
	if h := restarted.kept[cur.Key()]; h == nil || h.WaitingFor != "permission: Bash" {
		t.Errorf("after a shutdown the file holds %+v, want the last reason", h)
	}

	o.Add(hook("Stop", "input needed", 10*time.Second), cur, true)
	if !written(10 * time.Second) {
		t.Error("a wait of another kind not written at once")
	}
}

// TestHintsFileAtItsBound: the hints file holding maxHints permission
// prompts, as a fleet of sessions would leave it (each named by its
// hook's digest), is written whole on every urgent change: it holds only
// what a restart needs. Its size is
// logged (go test -run TestHintsFileAtItsBound -v ./server/attn/).
func TestHintsFileAtItsBound(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hints.json")
	o := NewOverlay(0, nil)
	o.KeepHints(path, nil, t0)
	for i := range maxHints {
		cur := sess(shared.StatusWorking, -time.Second)
		cur.ID = fmt.Sprintf("%08x-0000-4000-8000-000000000001", i)
		o.Add(Hint{Source: shared.SourceClaude, ID: cur.ID, Event: "PermissionRequest", Status: shared.StatusWaiting,
			WaitingFor: "permission: Bash", Active: true, Prompt: fmt.Sprintf("%032x", i), At: t0.Add(time.Duration(i) * time.Millisecond)}, cur, true)
	}
	if err := o.Flush(t0.Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d hints: %d bytes", maxHints, st.Size())
	if limit := int64(maxHints * 200); st.Size() > limit {
		t.Errorf("%d hints take %d bytes, want at most %d", maxHints, st.Size(), limit)
	}
	o = NewOverlay(0, nil)
	o.KeepHints(path, nil, t0.Add(time.Minute))
	if len(o.kept) != maxHints {
		t.Errorf("%d hints back after a restart, want %d", len(o.kept), maxHints)
	}
}

// TestHintsFileUnwritable: a hints file that cannot be written is tried
// again a second later, not at once: Run's save timer, armed at SaveDue,
// would otherwise spin.
func TestHintsFileUnwritable(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "file"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	o := NewOverlay(0, nil)
	o.KeepHints(filepath.Join(dir, "file", "hints.json"), slog.New(slog.DiscardHandler), t0) // under a file: never written
	o.Add(Hint{Source: shared.SourceClaude, ID: id, Status: shared.StatusWaiting, Active: true, At: t0}, sess(shared.StatusWorking, -time.Second), true)
	if err := o.Save(t0); err == nil {
		t.Fatal("saved under a file")
	}
	if due := o.SaveDue(); !due.After(t0) {
		t.Errorf("after a failed write the hints are due at %v, want after it (%v)", due, t0)
	}
}

// TestKeptHintSupersededIsForgotten: a kept hint that the session's newer
// records outdate after a restart leaves the file, so a later restart
// does not bring it back.
func TestKeptHintSupersededIsForgotten(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hints.json")
	o := NewOverlay(0, nil)
	o.KeepHints(path, nil, t0)
	o.Add(Hint{Source: shared.SourceClaude, ID: id, Status: shared.StatusWaiting, WaitingFor: "dialog open", Active: true, At: t0}, sess(shared.StatusWorking, -time.Second), true)
	if err := o.Flush(t0); err != nil {
		t.Fatal(err)
	}
	o = NewOverlay(0, nil)
	o.KeepHints(path, nil, t0.Add(time.Minute))
	s := []shared.Session{sess(shared.StatusWorking, 30*time.Second)} // a record after the hint
	o.Apply(s, t0.Add(time.Minute), nil)
	if s[0].Status != shared.StatusWorking {
		t.Fatalf("a newer record: %s, want working", s[0].Status)
	}
	if err := o.Flush(t0); err != nil {
		t.Fatal(err)
	}
	o = NewOverlay(0, nil)
	o.KeepHints(path, nil, t0.Add(2*time.Minute))
	if len(o.kept) != 0 {
		t.Errorf("an outdated hint kept: %v", o.kept)
	}
}

// TestHintsFileHostile: a damaged, foreign or huge file is not trusted
// and does not stop helmd; entries no hook could make are dropped, and
// none is made to last past the TTL.
func TestHintsFileHostile(t *testing.T) {
	now := t0.Add(time.Minute)
	entry := func(f string) string {
		return fmt.Sprintf(`{"version":1,"hints":[{"source":"claude","id":"ok","status":"waiting","waitingFor":"input needed","active":true,"at":%d,"expires":%d%s}]}`,
			t0.UnixMilli(), t0.Add(time.Hour).UnixMilli(), f)
	}
	for name, content := range map[string]string{
		"not JSON":        `{"hints":`,
		"wrong type":      `{"hints":{"a":1}}`,
		"bad id":          strings.Replace(entry(""), `"id":"ok"`, `"id":"../../x"`, 1),
		"bad source":      strings.Replace(entry(""), `"claude"`, `"codex"`, 1),
		"bad status":      strings.Replace(entry(""), `"waiting",`, `"asleep",`, 1),
		"control in text": strings.Replace(entry(""), `input needed`, `input\u0007needed`, 1),
		"long text":       strings.Replace(entry(""), `input needed`, strings.Repeat("a", maxText+1), 1),
		"from the future": strings.Replace(entry(""), fmt.Sprint(t0.UnixMilli()), fmt.Sprint(now.Add(time.Hour).UnixMilli()), 1),
		"expired":         strings.Replace(entry(""), fmt.Sprint(t0.UnixMilli()), fmt.Sprint(now.Add(-DefaultWaitingTTL).UnixMilli()), 1),
		"huge":            `{"hints":[],"pad":"` + strings.Repeat(" ", maxHintsFile) + `"}`,
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "hints.json")
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			o := NewOverlay(0, nil)
			o.KeepHints(path, nil, now)
			if len(o.kept) != 0 {
				t.Errorf("%d entries trusted", len(o.kept))
			}
		})
	}
	// An expiry years ahead (files before kept one): the TTL in force.
	path := filepath.Join(t.TempDir(), "hints.json")
	long := strings.Replace(entry(""), fmt.Sprint(t0.Add(time.Hour).UnixMilli()), fmt.Sprint(t0.AddDate(10, 0, 0).UnixMilli()), 1)
	if err := os.WriteFile(path, []byte(long), 0o600); err != nil {
		t.Fatal(err)
	}
	o := NewOverlay(2*time.Hour, nil)
	o.KeepHints(path, nil, now)
	if h := o.kept["claude:ok"]; h == nil || !h.expires.Equal(t0.Add(2*time.Hour)) {
		t.Errorf("kept %+v, want it to expire at the TTL", h)
	}
}

// FuzzHintsFile: no file content crashes the loader, and whatever it
// keeps is a valid session's hint that holds now and ends within the TTL.
func FuzzHintsFile(f *testing.F) {
	f.Add([]byte(fmt.Sprintf(`{"version":1,"hints":[{"source":"claude","id":"abc","status":"waiting","at":%d,"since":1,"expires":%d}]}`, t0.UnixMilli(), t0.Add(time.Hour).UnixMilli())))
	f.Add([]byte(`{"hints":[{"source":"opencode","id":"x","status":"idle","at":1,"expires":9e18}]}`))
	f.Add([]byte(`[`))
	f.Add([]byte(fmt.Sprintf(`{"hints":[{"source":"claude","id":"abc","status":"waiting","waitingFor":"permission: Bash","at":%d,"dialog":"0123456789ABCDEF0123456789abcdef"}]}`, t0.UnixMilli())))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "hints.json")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		now := t0.Add(time.Minute)
		o := NewOverlay(time.Hour, nil)
		o.KeepHints(path, nil, now)
		for k, h := range o.kept {
			if k != h.Key() || !ValidID(h.ID) || !h.expires.After(now) || h.expires.After(h.At.Add(time.Hour)) || h.since > h.At.UnixMilli() {
				t.Fatalf("kept %q: %+v", k, h)
			}
			if d, ok := calldigest.Parse(h.dialog); h.dialog != "" && h.dialog != unnamed && (!ok || d.String() != h.dialog || h.Status != shared.StatusWaiting) {
				t.Fatalf("kept %q with dialog %q", k, h.dialog)
			}
		}
	})
}

// TestDialogKeptAcrossARestart: a permission dialog's wait, named by its
// hook, is kept with its dialog: after a restart a newer record (another
// parallel call's result) does not end it while its call is pending, and
// the same dialog told again keeps its start where another dialog has
// its own. A file without the dialog (an older helmd's) or with one that
// is no digest loads as before: the wait ends at the next record.
func TestDialogKeptAcrossARestart(t *testing.T) {
	const dialog = "0123456789abcdef0123456789abcdef"
	asked := Hint{Source: shared.SourceClaude, ID: id, Event: "PermissionRequest", Status: shared.StatusWaiting,
		WaitingFor: "permission: WebFetch", Active: true, Prompt: dialog, At: t0}
	saved := filepath.Join(t.TempDir(), "hints.json")
	o := NewOverlay(0, nil)
	o.KeepHints(saved, nil, t0)
	o.Add(asked, sess(shared.StatusWorking, -time.Second), true)
	if err := o.Flush(t0); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(saved)
	if err != nil {
		t.Fatal(err)
	}
	restart := func(t *testing.T, path string) *Overlay {
		o := NewOverlay(0, nil)
		o.KeepHints(path, nil, t0.Add(time.Minute))
		o.AskCalls(func(_ *shared.Session, d string) bool { return d == dialog }) // its call still pending
		return o
	}
	after := t0.Add(time.Minute)

	t.Run("a newer record", func(t *testing.T) {
		o := restart(t, saved)
		s := []shared.Session{sess(shared.StatusWorking, 2*time.Second)} // the other call's result
		o.Apply(s, after, nil)
		if s[0].Status != shared.StatusWaiting || s[0].WaitingFor != "permission: WebFetch" || s[0].WaitingSince != ms(0) {
			t.Errorf("after a restart and a newer record: %s %q since %d; want waiting %q since %d",
				s[0].Status, s[0].WaitingFor, s[0].WaitingSince, "permission: WebFetch", ms(0))
		}
	})
	t.Run("the same dialog told again", func(t *testing.T) {
		o := restart(t, saved)
		s := []shared.Session{sess(shared.StatusWorking, -time.Second)}
		o.Apply(s, after, nil)
		again := asked
		again.At = after
		if cur, _, _ := o.Add(again, s[0], true); cur.WaitingSince != ms(0) {
			t.Errorf("the same dialog told again after a restart: waiting since %d, want its start %d", cur.WaitingSince, ms(0))
		}
		other := asked
		other.Prompt, other.At = "fedcba9876543210fedcba9876543210", after.Add(time.Second)
		if cur, _, _ := o.Add(other, s[0], true); cur.WaitingSince != other.At.UnixMilli() {
			t.Errorf("another dialog after a restart: waiting since %d, want its own start %d", cur.WaitingSince, other.At.UnixMilli())
		}
	})
	for name, edit := range map[string]func(string) string{
		"an older file":    func(s string) string { return strings.Replace(s, `,"dialog":"`+dialog+`"`, "", 1) },
		"not a digest":     func(s string) string { return strings.Replace(s, dialog, "../../etc/passwd", 1) },
		"an older digest":  func(s string) string { return strings.Replace(s, dialog, dialog[:16], 1) },
		"not a string":     func(s string) string { return strings.Replace(s, `"`+dialog+`"`, "[1,2]", 1) },
		"unnamed, written": func(s string) string { return strings.Replace(s, dialog, unnamed, 1) },
	} {
		t.Run(name, func(t *testing.T) {
			content := edit(string(data))
			if content == string(data) {
				t.Fatalf("the file holds no dialog to edit: %s", data)
			}
			path := filepath.Join(t.TempDir(), "hints.json")
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			o := restart(t, path)
			if h := o.kept[asked.Key()]; h == nil || h.dialog != unnamed {
				t.Fatalf("loaded %+v, want the wait, its dialog unnamed", h)
			}
			s := []shared.Session{sess(shared.StatusWorking, 2*time.Second)}
			o.Apply(s, after, nil)
			if s[0].Status != shared.StatusWorking {
				t.Errorf("a newer record: %s %q, want working: the wait of a dialog named by no digest ends", s[0].Status, s[0].WaitingFor)
			}
		})
	}
}
