package claude

import (
	"slices"
	"testing"
)

func TestTranscriptsOfSession(t *testing.T) {
	root := t.TempDir()
	main := install(t, root, projectRel("/home/dev/infra", sidSub+".jsonl"), "sub-main.jsonl")
	newSub := install(t, root, projectRel("/home/dev/infra", sidSub+"/subagents/agent-a9497799e6978cb67.jsonl"), "sub-new.jsonl")
	legacy := install(t, root, projectRel("/home/dev/infra", "agent-b2.jsonl"), "sub-legacy.jsonl")
	src, _ := scan(t, root, "2026-03-02T14:00:00Z")

	got, ok := src.Transcripts(sidSub)
	if !ok || got.Main != main {
		t.Fatalf("Transcripts = %+v, %v; want main %s", got, ok, main)
	}
	var ids, paths []string
	for _, s := range got.Subagents {
		ids, paths = append(ids, s.ID), append(paths, s.Path)
	}
	if !slices.Equal(ids, []string{"b2", "a9497799e6978cb67"}) || !slices.Equal(paths, []string{legacy, newSub}) {
		t.Errorf("subagents = %q at %q: want both layouts, by path", ids, paths)
	}
	if want := []string{"claude-haiku-4-5-20251001", "claude-sonnet-4-5-20250929"}; !slices.Equal(got.Models, want) {
		t.Errorf("models = %q, want the main's and the subagents', sorted: %q", got.Models, want)
	}
	if _, ok := src.Transcripts("a9497799e6978cb67"); ok {
		t.Error("a subagent id names a session")
	}
	if _, ok := src.Transcripts("../../etc/passwd"); ok {
		t.Error("a path names a session")
	}
}
