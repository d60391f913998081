package demo

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"vibecraft.sh/helm/server/opencode"
	"vibecraft.sh/helm/shared"
)

// TestOpenCodeSessionsLive: the simulated OpenCode tree is read by
// Helm's own OpenCode source as real sessions (titles, prompts, tokens,
// cost, projects), and as the simulation moves on they change: new
// messages, working while an answer streams, waiting once it is done.
func TestOpenCodeSessionsLive(t *testing.T) {
	dir := t.TempDir()
	w := newOCWorld(dir)
	if err := w.seed(3); err != nil {
		t.Fatal(err)
	}
	src := opencode.New(opencode.Options{DataDir: dir})
	defer src.Close()
	scan := func() map[string]shared.Session {
		t.Helper()
		list, err := src.Scan(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]shared.Session{}
		for _, s := range list {
			out[s.ID] = s
		}
		return out
	}
	first := scan()
	if len(first) != 3 {
		t.Fatalf("%d OpenCode sessions read, want 3", len(first))
	}
	if st := src.Status(); st.Skipped != 0 || st.SessionsFromJSON != 3 {
		t.Errorf("status %+v: want 3 sessions from JSON, nothing skipped", st)
	}
	for _, s := range first {
		if s.Source != shared.SourceOpenCode || s.Tokens.Total() == 0 || s.CostUSD <= 0 || s.MessageCount < 2 ||
			s.FirstPrompt == "" || strings.HasPrefix(s.Title, "New session") || s.ProjectName == "" || s.Model == "" {
			t.Errorf("session read incompletely: %+v", s)
		}
	}

	seen := map[shared.Status]bool{}
	grew := 0
	for n := range 30 {
		if err := w.step(n); err != nil {
			t.Fatal(err)
		}
		for id, s := range scan() {
			seen[s.Status] = true
			if s.MessageCount > first[id].MessageCount {
				grew++
			}
		}
	}
	if !seen[shared.StatusWorking] || !seen[shared.StatusWaiting] {
		t.Errorf("statuses seen %v: want working and waiting", seen)
	}
	if grew == 0 {
		t.Error("no session gained a message")
	}
	if tmp, _ := filepath.Glob(filepath.Join(dir, "storage", "*", "*", ".oc-*")); len(tmp) != 0 {
		t.Errorf("temp files left behind: %v", tmp)
	}
}

// Start returns once the first sessions of both tools are written, so a
// scan that follows it (helmd's first) lists them all: Helm's own sources
// read 5 Claude Code sessions and 3 OpenCode ones, with no write since.
func TestStartWritesTheFirstSessionsOfBothTools(t *testing.T) {
	dir := t.TempDir()
	claudeRoot, openCodeDir, err := Layout(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Start(claudeRoot, Options{OpenCodeDir: openCodeDir}); err != nil {
		t.Fatal(err)
	}
	if got := len(transcripts(t, claudeRoot)); got != 5 {
		t.Errorf("%d Claude Code transcripts after Start, want 5", got)
	}
	src := opencode.New(opencode.Options{DataDir: openCodeDir})
	defer src.Close()
	list, err := src.Scan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 {
		t.Errorf("%d OpenCode sessions after Start, want 3", len(list))
	}
}
