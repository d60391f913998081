package claude

import (
	"path/filepath"
	"testing"
	"time"

	"vibecraft.sh/helm/shared"
)

// workflowRel is where Claude Code's Workflow tool writes the transcript
// of one of a run's agents: a folder per run under subagents/workflows/.
func workflowRel(run, name string) string {
	return projectRel("/w", sidStatus+"/subagents/workflows/"+run+"/"+name)
}

// The agents of a Workflow run are the session's subagents: their tokens
// and cost are its own, and their writes keep it working while the run
// goes on and its transcript is quiet (the Workflow call waits). Before,
// helmd read only subagents/ itself: a run's spend was missing from the
// session, the list and the usage, and a session waiting on a long run
// went idle two minutes after its last own line. A run's other files
// are not transcripts.
func TestWorkflowAgentsAreSubagents(t *testing.T) {
	t0 := at("2026-03-02T15:00:00Z")
	sec := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Second) }
	root := t.TempDir()
	write(t, root, projectRel("/w", sidStatus+".jsonl"), promptLine("review the repo", t0)+toolUseLine("toolu_wf", sec(1)))
	write(t, root, agentRel("a1"), agentWorkLine("s1", sec(2)))
	write(t, root, workflowRel("wf-1", "agent-b2.jsonl"), agentWorkLine("w1", sec(60))+agentWorkLine("w2", sec(290)))
	write(t, root, workflowRel("wf-1", "agent-b2.meta.json"), `{"agentType":"reviewer"}`)
	write(t, root, workflowRel("wf-1", "journal.jsonl"), `{"type":"started","agentId":"b2"}`+"\n")
	src, out := scan(t, root, sec(300).Format(time.RFC3339Nano))
	got := one(t, out)
	if got.Tokens.Input != 4 || got.Status != shared.StatusWorking {
		t.Errorf("session: %d input tokens, %s; want 4 (the prompt's call, a1's, the run's two), working (the run wrote 10 s ago)", got.Tokens.Input, got.Status)
	}
	if st := src.Stats(); st.UnknownRecords != 0 || st.Files != 3 {
		t.Errorf("stats %+v: want 3 transcripts, the journal not one of them", st)
	}

	// A run started after the scan: its folder's change reads it, as
	// the watcher reports it (a folder created, then its files).
	path := write(t, root, workflowRel("wf-2", "agent-c3.jsonl"), agentWorkLine("c1", sec(305)))
	for i, changed := range []string{filepath.Dir(filepath.Dir(path)), filepath.Dir(path), path} {
		out, _, err := src.Update(t.Context(), []string{changed})
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case i == 0 && (len(out) != 1 || out[0].Tokens.Input != 5):
			t.Errorf("after workflows/ changed: %+v, want the session with 5 input tokens", out)
		case i > 0 && len(out) != 0:
			t.Errorf("after %s changed, nothing new: %+v", changed, out)
		}
	}
	// The agent writes on: its file's change reads its new line.
	appendTo(t, path, agentWorkLine("c2", sec(306)))
	if out, _, err := src.Update(t.Context(), []string{path}); err != nil || len(out) != 1 || out[0].Tokens.Input != 6 {
		t.Errorf("after the agent's line: %+v, %v; want the session with 6 input tokens", out, err)
	}
	if _, out = scan(t, root, sec(310).Format(time.RFC3339Nano)); one(t, out).Tokens.Input != 6 {
		t.Errorf("a new scan: %d input tokens, want 6", one(t, out).Tokens.Input)
	}

	// A restart from the scan cache keeps them, reading no transcript.
	cache := filepath.Join(t.TempDir(), "claude-scan.cache")
	for i := range 2 {
		src := New(Options{Roots: []string{root}, Now: clock(sec(310).Format(time.RFC3339Nano)), CacheFile: cache})
		out, err := src.Scan(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if one(t, out).Tokens.Input != 6 || i == 1 && src.Stats().BytesRead != 0 {
			t.Errorf("scan %d with the cache: %d input tokens, %d bytes read; want 6, and none read the second time", i, one(t, out).Tokens.Input, src.Stats().BytesRead)
		}
		if err := src.Save(); err != nil {
			t.Fatal(err)
		}
	}
}
