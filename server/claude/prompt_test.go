package claude

import (
	"os"
	"testing"
	"time"

	"vibecraft.sh/helm/shared"
)

func TestUserText(t *testing.T) {
	tests := []struct {
		text string
		want textKind
	}{
		{"Fix the login test", textPrompt},
		{"[Request interrupted by user]", textInterrupt},
		{"[Request interrupted by user for tool use]", textInterrupt},
		{"<command-name>/model</command-name>", textCommand},
		{"<local-command-stdout>Set model</local-command-stdout>", textArtefact},
		{"<local-command-caveat>Caveat</local-command-caveat>", textArtefact},
		{"<system-reminder>x</system-reminder>", textArtefact},
		{"<task-notification><status>completed</status></task-notification>", textArtefact},
		{"<bash-input>git status</bash-input>", textCommand},
		{"<bash-stdout>On branch main</bash-stdout><bash-stderr></bash-stderr>", textArtefact},
		{"<bash-stderr>fatal: not a git repository</bash-stderr>", textArtefact},
		{"Why does <bash-input> show?", textPrompt},
		{"<ide_opened_file>a.go</ide_opened_file>", textEmpty},
		{"<ide_opened_file>a.go</ide_opened_file>\n\nrename it", textPrompt},
		{"<ide_selection>s</ide_selection>[Request interrupted by user]", textInterrupt},
		{"Why does [Request interrupted by user] appear?", textPrompt},
	}
	for _, tc := range tests {
		c := content{}
		c.text.raw, c.text.ok, c.text.full = []byte(tc.text), true, true
		if got := userText(&c); got != tc.want {
			t.Errorf("userText(%q) = %d, want %d", tc.text, got, tc.want)
		}
	}
}

// TestPromptRules runs each user-record rule over a real transcript.
func TestPromptRules(t *testing.T) {
	const sid = "66666666-0000-4000-8000-000000000006"
	const now = "2026-03-02T09:01:00Z"
	user := func(ts, content string) string {
		return `{"type":"user","sessionId":"` + sid + `","cwd":"/w","timestamp":"` + ts + `","message":{"role":"user","content":` + content + `}}` + "\n"
	}
	toolUse := `{"type":"assistant","sessionId":"` + sid + `","cwd":"/w","timestamp":"2026-03-02T09:00:10Z","requestId":"r1","message":{"id":"m1","role":"assistant","content":[{"type":"tool_use","id":"t1","name":"Bash","input":{}}],"stop_reason":"tool_use"}}` + "\n"
	answer := `{"type":"assistant","sessionId":"` + sid + `","cwd":"/w","timestamp":"2026-03-02T09:00:04Z","requestId":"r2","message":{"id":"m2","role":"assistant","content":[{"type":"text","text":"Done."}],"stop_reason":"end_turn"}}` + "\n"
	ide := `[{"type":"text","text":"<ide_opened_file>The user opened /w/a.go in the IDE.</ide_opened_file>"},{"type":"text","text":"Rename the handler"}]`
	tests := []struct {
		name   string
		lines  string
		title  string
		count  int
		status shared.Status
	}{{
		name:  "IDE context before the prompt: the prompt is the title",
		lines: user("2026-03-02T09:00:00Z", ide),
		title: "Rename the handler", count: 1, status: shared.StatusWorking,
	}, {
		name:  "IDE context inline in a string prompt",
		lines: user("2026-03-02T09:00:00Z", `"<ide_selection>func a()</ide_selection>\nexplain this"`),
		title: "explain this", count: 1, status: shared.StatusWorking,
	}, {
		name: "an interrupt is never the title and ends the turn",
		lines: user("2026-03-02T09:00:00Z", `[{"type":"text","text":"[Request interrupted by user]"}]`) +
			user("2026-03-02T09:00:05Z", `"Run the tests"`) + toolUse +
			user("2026-03-02T09:00:20Z", `[{"type":"tool_result","tool_use_id":"t1","content":"stopped"},{"type":"text","text":"[Request interrupted by user for tool use]"}]`),
		title: "Run the tests", count: 2, status: shared.StatusWaiting,
	}, {
		name: "slash command echoes and their output are not prompts",
		lines: user("2026-03-02T09:00:00Z", `"<command-name>/model</command-name>\n<command-message>model</command-message>"`) +
			user("2026-03-02T09:00:01Z", `"<local-command-stdout>Set model to opus</local-command-stdout>"`) +
			user("2026-03-02T09:00:02Z", `"Hello"`),
		title: "Hello", count: 1, status: shared.StatusWorking,
	}, {
		// Bash mode: the user typed "!git status". Taken for prompts,
		// the tags were the title and first prompt, and counted.
		name: "a session opened with bash mode: its input and output are not prompts",
		lines: user("2026-03-02T09:00:00Z", `"<bash-input>git status</bash-input>"`) +
			user("2026-03-02T09:00:01Z", `"<bash-stdout>On branch main\nnothing to commit</bash-stdout><bash-stderr></bash-stderr>"`) +
			user("2026-03-02T09:00:02Z", `"Fix the build"`) + answer,
		title: "Fix the build", count: 2, status: shared.StatusWaiting,
	}, {
		// Bash mode gets no answer: taken for a prompt, it left the
		// session working, as if waiting on one.
		name: "bash mode after an answer leaves the session waiting",
		lines: user("2026-03-02T09:00:00Z", `"Fix the build"`) + answer +
			user("2026-03-02T09:00:05Z", `"<bash-input>git status</bash-input>"`) +
			user("2026-03-02T09:00:06Z", `"<bash-stdout></bash-stdout><bash-stderr>fatal: not a git repository</bash-stderr>"`),
		title: "Fix the build", count: 2, status: shared.StatusWaiting,
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			write(t, root, projectRel("/w", sid+".jsonl"), tc.lines)
			_, out := scan(t, root, now)
			got := one(t, out)
			if got.Title != tc.title || got.FirstPrompt != tc.title || got.MessageCount != tc.count || got.Status != tc.status {
				t.Errorf("title %q prompt %q count %d status %s; want %q, %d, %s",
					got.Title, got.FirstPrompt, got.MessageCount, got.Status, tc.title, tc.count, tc.status)
			}
		})
	}
}

// TestFinalLineWithoutNewline: a last line that is a whole record is
// consumed once the file has been quiet for a second, by Scan or by the
// age tick (Sessions), and an append after it continues from there.
func TestFinalLineWithoutNewline(t *testing.T) {
	const sid = "77777777-0000-4000-8000-000000000007"
	u := `{"input_tokens":1000,"output_tokens":100}` // $0.0045 on Sonnet 4.5
	first := userLine(sid, "2026-03-02T09:00:00Z", "hi")
	last := assistantLine(sid, "2026-03-02T09:00:01Z", "t1", sonnet45, u)
	last = last[:len(last)-1] // no '\n'

	t.Run("quiet file, read at start", func(t *testing.T) {
		root := t.TempDir()
		write(t, root, projectRel("/home/dev/shop", sid+".jsonl"), first+last) // mtime long ago
		_, out := scan(t, root, "2026-03-02T12:00:00Z")
		sameSpend(t, "tail", one(t, out), oneResponse, 4_500_000)
	})

	t.Run("recent file: on the tick after a second, then appended to", func(t *testing.T) {
		root := t.TempDir()
		path := write(t, root, projectRel("/home/dev/shop", sid+".jsonl"), first+last)
		written := time.Date(2026, 3, 2, 9, 0, 2, 0, time.UTC)
		setTime(t, path, written)
		now := written.Add(500 * time.Millisecond)
		src := New(Options{Roots: []string{root}, Now: func() time.Time { return now }})
		out, err := src.Scan(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		sameSpend(t, "before a second", one(t, out), shared.Tokens{}, 0)
		now = written.Add(1500 * time.Millisecond)
		sameSpend(t, "after a second", one(t, src.Sessions()), oneResponse, 4_500_000)
		if st := src.Stats(); st.Lines != 2 || st.LinesSkipped != 0 {
			t.Errorf("stats %+v, want 2 lines", st)
		}

		// The writer finishes the line and adds another response.
		appendTo(t, path, "\n"+assistantLine(sid, "2026-03-02T09:00:03Z", "t2", sonnet45, u))
		changed, _, err := src.Update(t.Context(), []string{path})
		if err != nil {
			t.Fatal(err)
		}
		sameSpend(t, "after the append", one(t, changed), times(oneResponse, 2), 2*4_500_000)
		if st := src.Stats(); st.Resets != 0 || st.Lines != 3 {
			t.Errorf("stats %+v, want 3 lines and no re-read", st)
		}
	})

	t.Run("a cut record is never consumed", func(t *testing.T) {
		root := t.TempDir()
		write(t, root, projectRel("/home/dev/shop", sid+".jsonl"), first+last[:len(last)-5])
		src, out := scan(t, root, "2026-03-02T12:00:00Z")
		sameSpend(t, "cut", one(t, out), shared.Tokens{}, 0)
		src.Sessions()
		if st := src.Stats(); st.FilesRead != 1 || st.Lines != 1 {
			t.Errorf("stats %+v: the cut line was read again or counted", st)
		}
	})
}

func setTime(t *testing.T, path string, tm time.Time) {
	t.Helper()
	if err := os.Chtimes(path, tm, tm); err != nil {
		t.Fatal(err)
	}
}
