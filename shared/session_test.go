package shared

import "testing"

// AppendKey is how the index and the hub compare keys without building
// them: it must spell exactly what Key does, for a remote session too.
func TestAppendKeyIsKey(t *testing.T) {
	for _, s := range []Session{
		{Source: SourceClaude, ID: "5c1f0b2e"},
		{Source: SourceOpenCode, ID: "ses_1"},
		{Source: SourceClaude, ID: "5c1f0b2e", Remote: true, Host: "build-box"},
		{Source: SourceClaude, ID: "", Host: "ignored when not remote"},
	} {
		if got := string(AppendKey([]byte("x"), &s)); got != "x"+s.Key() {
			t.Errorf("AppendKey(%+v) = %q, want %q", s, got, "x"+s.Key())
		}
	}
}

// The list sorts by the hub's clock: a session of a machine 10 min behind
// that changed a moment ago comes before one of this machine that changed
// 5 min ago, as its row's "just now" says; with no offset, by UpdatedAt.
func TestNewerOnTheHubsClock(t *testing.T) {
	const now = int64(1_800_000_000_000)
	here := Session{ID: "here", Source: SourceClaude, UpdatedAt: now - 5*60_000}
	late := Session{ID: "late", Source: SourceClaude, Host: "late", Remote: true,
		UpdatedAt: now - 10*60_000 - 1_000, HostClockAheadMs: -10 * 60_000}
	if !Newer(late, here) || Newer(here, late) {
		t.Errorf("a change 1 s ago on a machine 10 min behind sorts after one 5 min ago here")
	}
	if late.ListTime() != now-1_000 || here.ListTime() != here.UpdatedAt || (&Session{}).ListTime() != 0 {
		t.Errorf("ListTime: %d, %d, %d", late.ListTime(), here.ListTime(), (&Session{}).ListTime())
	}
	late.HostClockAheadMs = 0
	if Newer(late, here) {
		t.Errorf("without its offset, the older UpdatedAt sorts first")
	}
}
