package claude

import (
	"testing"
	"time"

	"vibecraft.sh/helm/shared"
)

// Each session notes when its status next changes; Aged, called then,
// rebuilds that session alone, and once nothing can change by time alone
// NextChange is zero: an idle workspace costs no work.
func TestAgingWakesAtEachChangeOnly(t *testing.T) {
	t0 := at("2026-03-02T15:00:00Z")
	const quiet = "a9a9a9a9-9999-4999-8999-000000000009"
	cases := []struct {
		name  string
		lines string
		steps []struct {
			at     time.Duration
			status shared.Status
			active bool
		}
	}{
		{"unanswered prompt", promptLine("hi", t0), []struct {
			at     time.Duration
			status shared.Status
			active bool
		}{{2 * time.Minute, shared.StatusIdle, false}}},
		{"ended turn", promptLine("hi", t0) + replyLine("r", `"end_turn"`, t0), []struct {
			at     time.Duration
			status shared.Status
			active bool
		}{{2 * time.Minute, shared.StatusWaiting, false}, {12 * time.Hour, shared.StatusIdle, false}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			write(t, root, projectRel("/w", sidStatus+".jsonl"), tc.lines)
			// An old session beside it: never due, never rebuilt.
			write(t, root, projectRel("/w", quiet+".jsonl"),
				`{"type":"user","cwd":"/w","sessionId":"`+quiet+`","message":{"role":"user","content":"old"},"timestamp":"2026-01-01T00:00:00Z"}`+"\n")
			now := t0
			src := New(Options{Roots: []string{root}, Now: func() time.Time { return now }})
			if _, err := src.Scan(t.Context()); err != nil {
				t.Fatal(err)
			}
			for _, st := range tc.steps {
				want := t0.Add(st.at + time.Millisecond) // a window includes its end
				if got := src.NextChange(); !got.Equal(want) {
					t.Fatalf("NextChange = %v, want %v", got, want)
				}
				now = want.Add(-time.Millisecond)
				if changed, removed := src.Aged(); len(changed)+len(removed) != 0 {
					t.Fatalf("Aged before the moment rebuilt %d, removed %d", len(changed), len(removed))
				}
				now = want
				changed, removed := src.Aged()
				if len(changed) != 1 || len(removed) != 0 || changed[0].ID != sidStatus {
					t.Fatalf("Aged at +%v: changed %+v, removed %v; want only %s", st.at, changed, removed, sidStatus)
				}
				if got := changed[0]; got.Status != st.status || got.Active != st.active {
					t.Errorf("at +%v: %s, %v; want %s, %v", st.at, got.Status, got.Active, st.status, st.active)
				}
			}
			if got := src.NextChange(); !got.IsZero() {
				t.Errorf("NextChange after the last change = %v, want none", got)
			}
			if changed, removed := src.Aged(); len(changed)+len(removed) != 0 {
				t.Errorf("Aged with nothing due rebuilt %d, removed %d", len(changed), len(removed))
			}
		})
	}
}

// A new record moves the deadline: a session written again is due again.
func TestAgingFollowsUpdates(t *testing.T) {
	t0 := at("2026-03-02T15:00:00Z")
	root := t.TempDir()
	path := write(t, root, projectRel("/w", sidStatus+".jsonl"), promptLine("hi", t0))
	now := t0.Add(time.Hour)
	src := New(Options{Roots: []string{root}, Now: func() time.Time { return now }})
	if _, err := src.Scan(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := src.NextChange(); !got.IsZero() {
		t.Fatalf("an hour-old prompt: NextChange = %v, want none", got)
	}
	appendTo(t, path, replyLine("r", `"end_turn"`, now))
	if _, _, err := src.Update(t.Context(), []string{path}); err != nil {
		t.Fatal(err)
	}
	if got, want := src.NextChange(), now.Add(DefaultActiveWindow+time.Millisecond); !got.Equal(want) {
		t.Errorf("after a reply: NextChange = %v, want %v", got, want)
	}
}
