package main

import (
	"testing"
	"time"

	"vibecraft.sh/helm/server/claude"
	"vibecraft.sh/helm/server/internal/fixture"
	"vibecraft.sh/helm/shared"
)

// On a fleet hub, a push for another machine's waiting session asks what
// that session asked, as its machine read it: never the hub's own
// session that happens to have the same id, and not nothing because the
// hub holds no transcript of it.
func TestPushQuestionOfARemoteSession(t *testing.T) {
	const same, cwd = "9a5e0000-0000-4000-8000-000000000001", "/home/dev/push"
	root := t.TempDir()
	at := time.Now().Add(-time.Minute)
	path := fixture.Path(root, cwd, same)
	fixture.Append(t, path, fixture.User(same, cwd, "go", at))
	fixture.Append(t, path, fixture.Assistant(same, cwd, "msg_1", "end_turn", at.Add(time.Second))) // answers "ok"
	src := claude.New(claude.Options{Roots: []string{root}})
	if _, err := src.Scan(t.Context()); err != nil {
		t.Fatal(err)
	}
	question := pushQuestion(src, nil)
	own := shared.Session{ID: same, Source: shared.SourceClaude, Status: shared.StatusWaiting}
	if got := question(t.Context(), own); got != "ok" {
		t.Fatalf("the hub's own session asks %q, want its last answer %q", got, "ok")
	}
	for _, tc := range []struct{ name, id string }{
		{"the same id as a session of the hub's own", same},
		{"an id only its machine has", "9a5e0000-0000-4000-8000-0000000000b2"},
	} {
		remote := shared.Session{ID: tc.id, Source: shared.SourceClaude, Status: shared.StatusWaiting,
			Host: "beta", Remote: true, Question: "Deploy beta to production?"}
		if got := question(t.Context(), remote); got != remote.Question {
			t.Errorf("%s: the push asks %q, want beta's question %q", tc.name, got, remote.Question)
		}
	}
}
