package demo

import (
	"context"
	"testing"
	"time"

	"vibecraft.sh/helm/server/claude"
	"vibecraft.sh/helm/shared"
)

// TestBackgroundAgentTopic: the demo's session whose model starts an
// agent in the background shows, as Helm reads it, working from its
// prompt through the agent's calls and report to the model's answer,
// which is the one wait for its user; the agent's transcript is its
// subagent's, its report a notice on the page, and a second turn does
// it all again.
func TestBackgroundAgentTopic(t *testing.T) {
	root := t.TempDir()
	w := &world{root: root}
	i := 0
	for prompts[i].tool != "Agent" {
		i++
	}
	s, err := w.start(i)
	if err != nil {
		t.Fatal(err)
	}
	for turn := range 2 {
		for step := range s.topic.steps() {
			if err := s.advance(time.Now()); err != nil {
				t.Fatal(err)
			}
			sessions, err := claude.New(claude.Options{Roots: []string{root}}).Scan(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(sessions) != 1 {
				t.Fatalf("turn %d, step %d: %d sessions listed, want 1 (the agent's transcript is its subagent's)", turn, step, len(sessions))
			}
			got, last := sessions[0], step == s.topic.steps()-1
			if want := map[bool]shared.Status{false: shared.StatusWorking, true: shared.StatusWaiting}[last]; got.Status != want {
				t.Errorf("turn %d, step %d (phase %d): %s %q, want %s", turn, step, s.phase, got.Status, got.WaitingFor, want)
			}
			// The prompt, the call, "I'll wait" and the answer: the
			// report is no prompt.
			if last && (got.MessageCount != 4*(turn+1) || got.Title != s.topic.title) {
				t.Errorf("turn %d done: %d messages, title %q; want %d, %q", turn, got.MessageCount, got.Title, 4*(turn+1), s.topic.title)
			}
		}
	}
}
