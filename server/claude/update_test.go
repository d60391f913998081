package claude

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"vibecraft.sh/helm/shared"
)

func ids(sessions []shared.Session) []string {
	var out []string
	for _, s := range sessions {
		out = append(out, s.ID)
	}
	slices.Sort(out)
	return out
}

func TestUpdate(t *testing.T) {
	const now = "2026-03-02T14:10:00Z"
	root := t.TempDir()
	basic := install(t, root, projectRel("/home/dev/my_app.v2/données client", sidBasic+".jsonl"), "basic.jsonl")
	subMain := install(t, root, projectRel("/home/dev/infra", sidSub+".jsonl"), "sub-main.jsonl")
	src, out := scan(t, root, now)
	if got := ids(out); !slices.Equal(got, []string{sidBasic, sidSub}) {
		t.Fatalf("scan: %v", got)
	}
	update := func(paths ...string) (changed, removed []string, byID map[string]shared.Session) {
		t.Helper()
		ch, rm, err := src.Update(t.Context(), paths)
		if err != nil {
			t.Fatal(err)
		}
		byID = map[string]shared.Session{}
		for _, s := range ch {
			byID[s.ID] = s
		}
		return ids(ch), rm, byID
	}

	// A new transcript in a new project folder, hinted by its folder.
	newPath := install(t, root, projectRel("/tmp/x", sidBad+".jsonl"), "malformed.jsonl")
	if ch, rm, _ := update(filepath.Dir(newPath)); !slices.Equal(ch, []string{sidBad}) || len(rm) != 0 {
		t.Errorf("new file: changed %v removed %v", ch, rm)
	}

	// A subagent file appears, then grows: the parent changes.
	sub := install(t, root, projectRel("/home/dev/infra", sidSub+"/subagents/agent-a9497799e6978cb67.jsonl"), "sub-new.jsonl")
	ch, rm, byID := update(filepath.Dir(sub))
	if !slices.Equal(ch, []string{sidSub}) || len(rm) != 0 || byID[sidSub].Tokens.Output != 50+30 {
		t.Errorf("new subagent: changed %v removed %v tokens %+v", ch, rm, byID[sidSub].Tokens)
	}
	data, _ := os.ReadFile(filepath.Join("testdata", "sub-legacy.jsonl"))
	legacy := write(t, root, projectRel("/home/dev/infra", "agent-b2.jsonl"), string(data))
	ch, _, byID = update(legacy)
	if !slices.Equal(ch, []string{sidSub}) || byID[sidSub].Tokens.Output != 50+30+7 || byID[sidSub].MessageCount != 2 {
		t.Errorf("legacy subagent: changed %v session %+v", ch, byID[sidSub])
	}
	// Removing the subagent takes its tokens away again.
	if err := os.Remove(sub); err != nil {
		t.Fatal(err)
	}
	ch, _, byID = update(sub)
	if !slices.Equal(ch, []string{sidSub}) || byID[sidSub].Tokens.Output != 50+7 {
		t.Errorf("subagent removed: changed %v tokens %+v", ch, byID[sidSub].Tokens)
	}

	// Irrelevant paths change nothing.
	write(t, root, "history.jsonl", "{}\n")
	write(t, root, projectRel("/home/dev/infra", sidSub+"/tool-results/x.txt"), "out")
	if ch, rm, _ := update(filepath.Join(root, "history.jsonl"), filepath.Join(root, projectRel("/home/dev/infra", sidSub+"/tool-results/x.txt")), "/elsewhere/a.jsonl", ""); len(ch)+len(rm) != 0 {
		t.Errorf("irrelevant paths: changed %v removed %v", ch, rm)
	}

	// A deleted transcript is removed.
	if err := os.Remove(basic); err != nil {
		t.Fatal(err)
	}
	if ch, rm, _ := update(basic); len(ch) != 0 || !slices.Equal(rm, []string{sidBasic}) {
		t.Errorf("deleted file: changed %v removed %v", ch, rm)
	}
	// A deleted project folder, hinted by the folder alone.
	if err := os.RemoveAll(filepath.Dir(subMain)); err != nil {
		t.Fatal(err)
	}
	if ch, rm, _ := update(filepath.Dir(subMain)); len(ch) != 0 || !slices.Equal(rm, []string{sidSub}) {
		t.Errorf("deleted folder: changed %v removed %v", ch, rm)
	}
	if got := ids(src.Sessions()); !slices.Equal(got, []string{sidBad}) {
		t.Errorf("left: %v", got)
	}
	// A root hint rescans everything; a second Scan forgets what vanished.
	if err := os.RemoveAll(filepath.Join(root, "projects")); err != nil {
		t.Fatal(err)
	}
	if ch, rm, _ := update(root); len(ch) != 0 || !slices.Equal(rm, []string{sidBad}) {
		t.Errorf("root: changed %v removed %v", ch, rm)
	}
	if st := src.Stats(); st.Files != 0 || st.Sessions != 0 {
		t.Errorf("stats after everything went: %+v", st)
	}
}

func TestScanForgetsVanished(t *testing.T) {
	root := t.TempDir()
	path := install(t, root, projectRel("/srv/api", sidTitles+".jsonl"), "title-ai-only.jsonl")
	install(t, root, projectRel("/tmp/x", sidBad+".jsonl"), "malformed.jsonl")
	src, out := scan(t, root, "2026-03-02T12:00:00Z")
	if len(out) != 2 {
		t.Fatalf("scan: %d sessions", len(out))
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	before := src.Stats().BytesRead
	out, err := src.Scan(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(out); !slices.Equal(got, []string{sidBad}) {
		t.Errorf("rescan: %v", got)
	}
	if read := src.Stats().BytesRead - before; read != 0 {
		t.Errorf("rescan of unchanged files read %d bytes", read)
	}
}

func TestScanMissingRoot(t *testing.T) {
	src := New(Options{Roots: []string{filepath.Join(t.TempDir(), "nope")}})
	out, err := src.Scan(t.Context())
	if err != nil || len(out) != 0 {
		t.Errorf("Scan of a missing root = %v, %v", out, err)
	}
}
