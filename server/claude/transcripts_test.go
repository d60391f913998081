package claude

import (
	"fmt"
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
	// The path alone, as a session page asks it: the files Transcripts
	// names, none for an agent the session has not.
	for agent, want := range map[string]string{"": main, "b2": legacy, "a9497799e6978cb67": newSub, "ffff": "", "../b2": ""} {
		if path, ok := src.TranscriptPath(sidSub, agent); path != want || ok != (want != "") {
			t.Errorf("TranscriptPath(%q) = %q, %v; want %q", agent, path, ok, want)
		}
	}
	if path, ok := src.TranscriptPath("a9497799e6978cb67", ""); ok {
		t.Errorf("a subagent id names a session's transcript: %s", path)
	}
	if _, ok := src.Transcripts("a9497799e6978cb67"); ok {
		t.Error("a subagent id names a session")
	}
	if _, ok := src.Transcripts("../../etc/passwd"); ok {
		t.Error("a path names a session")
	}
}

// A session page's request finds its file: by TranscriptPath, or by
// Transcripts, which also sums every subagent's figures. A session with
// 200 subagents, the page of its last.
//
//	go test -run '^$' -bench 'PageFile' ./server/claude/
func BenchmarkPageFile(b *testing.B) {
	root := b.TempDir()
	install(b, root, projectRel("/home/dev/infra", sidSub+".jsonl"), "sub-main.jsonl")
	last := ""
	for i := range 200 {
		last = fmt.Sprintf("a%016x", i)
		install(b, root, projectRel("/home/dev/infra", sidSub+"/subagents/agent-"+last+".jsonl"), "sub-new.jsonl")
	}
	src, _ := scan(b, root, "2026-03-02T14:00:00Z")
	b.Run("TranscriptPath", func(b *testing.B) {
		for b.Loop() {
			if _, ok := src.TranscriptPath(sidSub, last); !ok {
				b.Fatal("no path")
			}
		}
	})
	b.Run("Transcripts", func(b *testing.B) {
		for b.Loop() {
			t, _ := src.Transcripts(sidSub)
			if _, ok := t.Subagent(last); !ok {
				b.Fatal("no path")
			}
		}
	})
}
