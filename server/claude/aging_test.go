package claude

import (
	"fmt"
	"os"
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
				// A window includes its end; the change comes the step after.
				want := t0.Add(st.at + agingStep)
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
	if got, want := src.NextChange(), now.Add(DefaultActiveWindow+agingStep); !got.Equal(want) {
		t.Errorf("after a reply: NextChange = %v, want %v", got, want)
	}
}

// Sessions that change within one agingStep of each other change in one
// wake-up: a thousand transcripts written a millisecond apart (a restored
// backup) cost one Aged, not a thousand.
func TestAgingBatchesNearbyChanges(t *testing.T) {
	t0 := at("2026-03-02T15:00:00Z")
	root := t.TempDir()
	const n = 200
	for i := range n {
		sid := fmt.Sprintf("b0b0b0b0-0000-4000-8000-%012d", i)
		write(t, root, projectRel("/w", sid+".jsonl"), promptLine("hi", t0.Add(time.Duration(i)*time.Millisecond)))
	}
	now := t0.Add(time.Second)
	src := New(Options{Roots: []string{root}, Now: func() time.Time { return now }})
	if _, err := src.Scan(t.Context()); err != nil {
		t.Fatal(err)
	}
	want := t0.Add(DefaultActiveWindow + agingStep)
	if got := src.NextChange(); !got.Equal(want) {
		t.Fatalf("NextChange = %v, want %v", got, want)
	}
	now = want
	if changed, _ := src.Aged(); len(changed) != n {
		t.Fatalf("one wake-up aged %d sessions, want all %d", len(changed), n)
	}
	if got := src.NextChange(); !got.IsZero() {
		t.Errorf("after they all went idle: NextChange = %v, want none", got)
	}
}

// A transcript dated in the future (its writer's clock is ahead of ours)
// counts as written at its mtime, which this machine's clock set: it
// works or waits from then like any other, and is never due again until
// it changes. It must not stay "working" until its date, nor turn, with
// every other future-dated transcript, 2 minutes after helmd read them.
func TestFutureDatedSessionAgesFromItsMtime(t *testing.T) {
	now := at("2026-03-02T15:00:00Z")
	ahead := now.Add(365 * 24 * time.Hour)
	written := now.Add(-30 * time.Second)
	prompt, ended := promptLine("hi", ahead), promptLine("hi", ahead)+replyLine("r", `"end_turn"`, ahead)
	cases := []struct {
		name       string
		lines      string
		mtime      time.Time
		first      shared.Status
		firstUntil time.Duration // from mtime; 0: no change due
		then       shared.Status
		thenUntil  time.Duration
	}{
		{"prompt", prompt, written, shared.StatusWorking, DefaultActiveWindow, shared.StatusIdle, 0},
		{"ended turn", ended, written, shared.StatusWaiting, DefaultActiveWindow, shared.StatusWaiting, DefaultWaitingWindow},
		{"copied long ago", ended, old, shared.StatusIdle, 0, "", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			path := write(t, root, projectRel("/w", sidStatus+".jsonl"), tc.lines)
			if err := os.Chtimes(path, tc.mtime, tc.mtime); err != nil {
				t.Fatal(err)
			}
			clock := now
			src := New(Options{Roots: []string{root}, Now: func() time.Time { return clock }})
			out, err := src.Scan(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if len(out) != 1 || out[0].Status != tc.first {
				t.Fatalf("just read: %+v, want one session, %s", out, tc.first)
			}
			if tc.firstUntil == 0 {
				if next := src.NextChange(); !next.IsZero() {
					t.Fatalf("NextChange = %v, want none until the file changes", next)
				}
				return
			}
			want := tc.mtime.Add(tc.firstUntil + agingStep)
			if got := src.NextChange(); !got.Equal(want) {
				t.Fatalf("NextChange = %v, want %v (from its mtime, not from its date nor the read)", got, want)
			}
			clock = want
			changed, _ := src.Aged()
			if len(changed) != 1 || changed[0].Status != tc.then || changed[0].Active {
				t.Fatalf("after the active window: %+v, want %s and not active", changed, tc.then)
			}
			next := src.NextChange()
			if tc.thenUntil == 0 {
				if !next.IsZero() {
					t.Fatalf("NextChange = %v, want none until the file changes", next)
				}
				return
			}
			if want := tc.mtime.Add(tc.thenUntil + agingStep); !next.Equal(want) {
				t.Fatalf("NextChange = %v, want %v", next, want)
			}
		})
	}
}
