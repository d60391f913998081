package claude

import (
	"fmt"
	"testing"

	"vibecraft.sh/helm/shared"
)

// promptAt is a prompt of session sid in /srv/app, written at ts.
func promptAt(sid, text, ts string) string {
	return fmt.Sprintf(`{"cwd":"/srv/app","sessionId":%q,"version":"2.1.90","type":"user","message":{"role":"user","content":%q},"uuid":"u-%s","timestamp":%q}`+"\n",
		sid, text, ts, ts)
}

// A record stamped in the future (a corrupt line, a clock set ahead)
// must not pin its session to the top of the list: the session takes
// its time from its other records. A little ahead (a clock stepped back)
// still counts.
func TestFutureTimestampDoesNotPinTheSession(t *testing.T) {
	const (
		skewed = "aaaaaaaa-0000-4000-8000-000000000001"
		recent = "aaaaaaaa-0000-4000-8000-000000000002"
		ahead  = "aaaaaaaa-0000-4000-8000-000000000003"
	)
	root := t.TempDir()
	write(t, root, projectRel("/srv/app", skewed+".jsonl"),
		promptAt(skewed, "first", "2026-03-02T09:00:00Z")+
			promptAt(skewed, "from the future", "2099-01-01T00:00:00Z")+
			promptAt(skewed, "last", "2026-03-02T09:05:00Z"))
	write(t, root, projectRel("/srv/app", recent+".jsonl"), promptAt(recent, "recent", "2026-03-02T09:30:00Z"))
	write(t, root, projectRel("/srv/app", ahead+".jsonl"), promptAt(ahead, "ahead", "2026-03-02T10:04:00Z"))
	_, out := scan(t, root, "2026-03-02T10:00:00Z")

	by := map[string]shared.Session{}
	for _, s := range out {
		by[s.ID] = s
	}
	if got, want := by[skewed].UpdatedAt, ms("2026-03-02T09:05:00Z"); got != want {
		t.Errorf("session with a record in 2099: UpdatedAt %d, want its latest believable record's %d", got, want)
	}
	if got, want := by[skewed].CreatedAt, ms("2026-03-02T09:00:00Z"); got != want {
		t.Errorf("CreatedAt %d, want %d", got, want)
	}
	if by[skewed].MessageCount != 3 {
		t.Errorf("the future record's prompt is still a prompt: %d messages, want 3", by[skewed].MessageCount)
	}
	if got, want := by[ahead].UpdatedAt, ms("2026-03-02T10:04:00Z"); got != want {
		t.Errorf("a record 4 min ahead: UpdatedAt %d, want %d", got, want)
	}
	if !shared.Newer(by[recent], by[skewed]) {
		t.Errorf("the session updated at 09:30 sorts after the one with a record in 2099")
	}
}
