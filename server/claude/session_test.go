package claude

import (
	"strings"
	"testing"

	"vibecraft.sh/helm/shared"
)

const (
	sidBasic  = "3f2c1a9e-7b4d-4c1e-9a55-0d6e2f8b1c77"
	sidTitles = "5a0c8d6e-1111-4abc-8def-000000000002"
	sidSplit  = "9b9b9b9b-5555-4555-8555-000000000005"
	sidSub    = "c6c6c6c6-6666-4666-8666-000000000006"
	sidBad    = "d7d7d7d7-7777-4777-8777-000000000007"
)

// TestSessionRules runs each DESIGN §2 rule over a fixture transcript and
// compares the whole session.
func TestSessionRules(t *testing.T) {
	type file struct{ rel, fixture, content string }
	titled := func(title string) shared.Session {
		return shared.Session{
			ID: sidTitles, Source: shared.SourceClaude, ProjectPath: "/srv/api", ProjectName: "api",
			Title: title, FirstPrompt: "Add pagination to /users", GitBranch: "main", MessageCount: 1,
			Status: shared.StatusIdle, CreatedAt: ms("2026-03-02T10:00:00Z"), UpdatedAt: ms("2026-03-02T10:00:00Z"),
			Version: "2.1.90",
		}
	}
	longPrompt := "Écris " + strings.Repeat("ü", 293) + "…" // cut to 300 runes, and says so
	tests := []struct {
		name  string
		files []file
		now   string
		want  shared.Session
	}{{
		name:  "basic: cwd with _ . space and non-ASCII, summary title, dedup, waiting",
		files: []file{{rel: projectRel("/home/dev/my_app.v2/données client", sidBasic+".jsonl"), fixture: "basic.jsonl"}},
		now:   "2026-03-02T09:20:00Z",
		want: shared.Session{
			ID: sidBasic, Source: shared.SourceClaude,
			ProjectPath: "/home/dev/my_app.v2/données client", ProjectName: "données client",
			Title: "Flaky login test fix", FirstPrompt: "Fix the flaky login test",
			GitBranch: "fix/login", Model: "claude-sonnet-4-5-20250929", MessageCount: 3,
			Tokens:  shared.Tokens{Input: 10, Output: 128, CacheRead: 28600, CacheWrite: 512},
			CostUSD: (10*3 + 128*15 + 512*3.75 + 28600*0.3) / 1e6,
			Status:  shared.StatusWaiting, Question: "Fixed: the test waited on a timer.", CreatedAt: ms("2026-03-02T09:15:01.120Z"),
			UpdatedAt: ms("2026-03-02T09:15:12.500Z"), WorkMs: 11380, Version: "2.1.90",
			WaitingFor: "input needed", WaitingSince: ms("2026-03-02T09:15:12.500Z"),
		},
	}, {
		name:  "ai-title then custom-title: the custom title wins",
		files: []file{{rel: projectRel("/srv/api", sidTitles+".jsonl"), fixture: "title-ai-then-custom.jsonl"}},
		now:   "2026-03-02T12:00:00Z",
		want:  titled("users paging"),
	}, {
		name:  "custom-title then ai-title: the last custom title still wins",
		files: []file{{rel: projectRel("/srv/api", sidTitles+".jsonl"), fixture: "title-custom-then-ai.jsonl"}},
		now:   "2026-03-02T12:00:00Z",
		want:  titled("users paging"),
	}, {
		name: "a custom title that shows nothing (zero-width spaces) gives way to the ai-title",
		files: []file{{rel: projectRel("/srv/api", sidTitles+".jsonl"), content: `{"parentUuid":null,"isSidechain":false,"userType":"external","cwd":"/srv/api","sessionId":"` + sidTitles + `","version":"2.1.90","gitBranch":"main","type":"user","message":{"role":"user","content":"Add pagination to /users"},"uuid":"u1","timestamp":"2026-03-02T10:00:00.000Z"}
{"type":"ai-title","aiTitle":"Paginate the users endpoint","sessionId":"` + sidTitles + `"}
{"type":"custom-title","customTitle":"\u200b\u200b \ufeff","sessionId":"` + sidTitles + `"}
`}},
		now:  "2026-03-02T12:00:00Z",
		want: titled("Paginate the users endpoint"),
	}, {
		name:  "the last ai-title beats a summary",
		files: []file{{rel: projectRel("/srv/api", sidTitles+".jsonl"), fixture: "title-ai-only.jsonl"}},
		now:   "2026-03-02T12:00:00Z",
		want:  titled("Paginate the users endpoint"),
	}, {
		name:  "first prompt skips caveat, commands, Warmup, meta, sidechain and reminders; prompt without reply is working",
		files: []file{{rel: projectRel("/srv/api", sidTitles+".jsonl"), fixture: "first-prompt.jsonl"}},
		now:   "2026-03-02T11:01:00Z",
		want: shared.Session{
			ID: sidTitles, Source: shared.SourceClaude, ProjectPath: "/srv/api", ProjectName: "api",
			Title: longPrompt, FirstPrompt: longPrompt, GitBranch: "main",
			// Warmup, the image prompt and the second prompt; the caveat,
			// command, its output and the reminder are CLI artefacts.
			MessageCount: 3, Status: shared.StatusWorking, Active: true,
			CreatedAt: ms("2026-03-02T11:00:00Z"), UpdatedAt: ms("2026-03-02T11:00:02Z"), Version: "2.1.90",
		},
	}, {
		name:  "untitled, no cwd, no timestamps: mtime dates it",
		files: []file{{rel: "projects/-x/" + sidTitles + ".jsonl", fixture: "untitled.jsonl"}},
		now:   "2026-03-02T12:00:00Z",
		want: shared.Session{
			ID: sidTitles, Source: shared.SourceClaude, Title: "Untitled session", Status: shared.StatusIdle,
			CreatedAt: old.UnixMilli(), UpdatedAt: old.UnixMilli(),
		},
	}, {
		name: "sessions-index.json gives the project path when no record has a cwd",
		files: []file{
			{rel: "projects/-x/" + sidTitles + ".jsonl", fixture: "untitled.jsonl"},
			{rel: "projects/-x/sessions-index.json", content: `{"version":1,"entries":[{"sessionId":"other","projectPath":"/nope"},{"sessionId":"` + sidTitles + `","projectPath":"/home/dev/hinted"}],"originalPath":"/home/dev/orig"}`},
		},
		now: "2026-03-02T12:00:00Z",
		want: shared.Session{
			ID: sidTitles, Source: shared.SourceClaude, ProjectPath: "/home/dev/hinted", ProjectName: "hinted",
			Title: "Untitled session", Status: shared.StatusIdle, CreatedAt: old.UnixMilli(), UpdatedAt: old.UnixMilli(),
		},
	}, {
		name: "an invalid sessions-index.json breaks nothing",
		files: []file{
			{rel: projectRel("/srv/api", sidTitles+".jsonl"), fixture: "title-ai-only.jsonl"},
			{rel: projectRel("/srv/api", "sessions-index.json"), content: `{"version":1,"entries":[{"sessionId":`},
		},
		now:  "2026-03-02T12:00:00Z",
		want: titled("Paginate the users endpoint"),
	}, {
		name:  "split responses counted once, last usage wins, per-model cost, synthetic model skipped",
		files: []file{{rel: projectRel("/home/dev/webapp", sidSplit+".jsonl"), fixture: "split.jsonl"}},
		now:   "2026-03-02T12:20:00Z",
		want: shared.Session{
			ID: sidSplit, Source: shared.SourceClaude, ProjectPath: "/home/dev/webapp", ProjectName: "webapp",
			Title: "Refactor the parser", FirstPrompt: "Refactor the parser", GitBranch: "main",
			// 2 prompts, 3 responses: the failed call's record (msg_D,
			// isApiErrorMessage) is a system notice on the page.
			Model: "claude-opus-4-5-20251101", MessageCount: 2 + 3,
			Tokens: shared.Tokens{Input: 130, Output: 422, CacheRead: 11400, CacheWrite: 1300},
			CostUSD: (30*3+222*15+1000*3.75+11000*0.3)/1e6 + // Sonnet 4.5
				(100*5+200*25+300*6.25+400*0.5)/1e6, // Opus 4.5
			Status: shared.StatusWaiting, Question: "API Error", CreatedAt: ms("2026-03-02T12:00:00Z"),
			UpdatedAt: ms("2026-03-02T12:01:03Z"), Version: "2.1.90",
			WaitingFor: "input needed", WaitingSince: ms("2026-03-02T12:01:03Z"),
		},
	}, {
		name: "both subagent layouts add tokens, not messages; a working subagent keeps the parent working",
		files: []file{
			{rel: projectRel("/home/dev/infra", sidSub+".jsonl"), fixture: "sub-main.jsonl"},
			{rel: projectRel("/home/dev/infra", sidSub+"/subagents/agent-a9497799e6978cb67.jsonl"), fixture: "sub-new.jsonl"},
			{rel: projectRel("/home/dev/infra", "agent-b2.jsonl"), fixture: "sub-legacy.jsonl"},
			{rel: projectRel("/home/dev/infra", sidSub+"/subagents/agent-a9497799e6978cb67.meta.json"), content: `{"agentType":"Explore"}`},
			{rel: projectRel("/home/dev/infra", sidSub+"/tool-results/toolu_x.txt"), content: "big output"},
			{rel: projectRel("/home/dev/infra", sidSub+"/tool-results/x.jsonl"), content: "{}\n"},
		},
		now: "2026-03-02T13:02:05Z",
		want: shared.Session{
			ID: sidSub, Source: shared.SourceClaude, ProjectPath: "/home/dev/infra", ProjectName: "infra",
			Title: "Explore the repo", FirstPrompt: "Explore the repo", GitBranch: "main",
			Model: "claude-sonnet-4-5-20250929", MessageCount: 2,
			Tokens: shared.Tokens{Input: 5 + 1 + 2, Output: 50 + 30 + 7, CacheRead: 1000 + 100 + 50, CacheWrite: 100 + 10},
			CostUSD: (7*3+57*15+100*3.75+1050*0.3)/1e6 + // Sonnet: main and legacy agent
				(1*1+30*5+10*1.25+100*0.1)/1e6, // Haiku 4.5: the new subagent
			Status: shared.StatusWorking, Active: true, CreatedAt: ms("2026-03-02T13:00:00Z"),
			UpdatedAt: ms("2026-03-02T13:00:01Z"), Version: "2.1.90",
		},
	}, {
		name:  "malformed lines and unknown types are skipped",
		files: []file{{rel: projectRel("/tmp/x", sidBad+".jsonl"), fixture: "malformed.jsonl"}},
		now:   "2026-03-02T14:10:00Z",
		want: shared.Session{
			ID: sidBad, Source: shared.SourceClaude, ProjectPath: "/tmp/x", ProjectName: "x",
			Title: "hello", FirstPrompt: "hello", GitBranch: "main", Model: "claude-sonnet-4-5-20250929",
			MessageCount: 3, Tokens: shared.Tokens{Input: 1, Output: 2, CacheRead: 4, CacheWrite: 3},
			CostUSD: (1*3 + 2*15 + 3*3.75 + 4*0.3) / 1e6, Status: shared.StatusWaiting, Question: "hi",
			CreatedAt: ms("2026-03-02T14:00:00Z"), UpdatedAt: ms("2026-03-02T14:00:02Z"), Version: "2.1.90",
			WaitingFor: "input needed", WaitingSince: ms("2026-03-02T14:00:02Z"),
		},
	}, {
		name:  "a last line without newline is not read",
		files: []file{{rel: projectRel("/tmp/x", sidBad+".jsonl"), fixture: "partial.jsonl"}},
		now:   "2026-03-02T14:00:30Z",
		want: shared.Session{
			ID: sidBad, Source: shared.SourceClaude, ProjectPath: "/tmp/x", ProjectName: "x",
			Title: "hello", FirstPrompt: "hello", GitBranch: "main", MessageCount: 1,
			Status: shared.StatusWorking, Active: true,
			CreatedAt: ms("2026-03-02T14:00:00Z"), UpdatedAt: ms("2026-03-02T14:00:00Z"), Version: "2.1.90",
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			for _, f := range tc.files {
				if f.fixture != "" {
					install(t, root, f.rel, f.fixture)
				} else {
					write(t, root, f.rel, f.content)
				}
			}
			src, out := scan(t, root, tc.now)
			sameSession(t, one(t, out), tc.want)
			// Sessions recomputes the same thing from memory.
			sameSession(t, one(t, src.Sessions()), tc.want)
		})
	}
}

// TestNewerRecordTypesAreKnown reads a transcript as Claude Code wrote
// them in September 2026 (anthropics/claude-code#92735): metadata
// records of types added since (atis-latch, frame-link, the artifact
// ones, and the state records of 2.1.266's writer: relocated, ended,
// worktree-state, cost-state…) are known, not counted as unknown in
// helmd status and the metrics, and change nothing of the session; the
// envelope's cwd and sessionId come after the message.
func TestNewerRecordTypesAreKnown(t *testing.T) {
	const sid = "e9e9e9e9-9999-4999-8999-000000000009"
	root := t.TempDir()
	install(t, root, projectRel("/home/dev/loader", sid+".jsonl"), "records-2026-09.jsonl")
	src, out := scan(t, root, "2026-09-14T09:10:00Z")
	sameSession(t, one(t, out), shared.Session{
		ID: sid, Source: shared.SourceClaude, ProjectPath: "/home/dev/loader", ProjectName: "loader",
		Title: "loader rename", FirstPrompt: "rename the config loader", GitBranch: "rename",
		Model: "claude-sonnet-4-5-20250929", MessageCount: 2,
		Tokens:  shared.Tokens{Input: 10, Output: 20, CacheRead: 100},
		CostUSD: (10*3 + 20*15 + 100*0.3) / 1e6, Status: shared.StatusWaiting,
		Question:  "Renamed. Shall I update the docs too?",
		CreatedAt: ms("2026-09-14T09:00:00Z"), UpdatedAt: ms("2026-09-14T09:00:05Z"), Version: "2.3.4",
		WaitingFor: "input needed", WaitingSince: ms("2026-09-14T09:00:05Z"),
	})
	if st := src.Stats(); st.UnknownTypes != 0 || st.UnknownRecords != 0 || st.LinesSkipped != 0 || st.MalformedLines != 0 || st.Lines != 24 {
		t.Errorf("stats = %+v, want 24 lines, none unknown or skipped", st)
	}
}

func TestMalformedCounted(t *testing.T) {
	root := t.TempDir()
	install(t, root, projectRel("/tmp/x", sidBad+".jsonl"), "malformed.jsonl")
	src, _ := scan(t, root, "2026-03-02T14:10:00Z")
	st := src.Stats()
	// Not JSON, cut, a stray '}', a top-level array; the blank line is
	// not a line at all.
	if st.LinesSkipped != 4 || st.UnknownTypes != 1 || st.Lines != 8 || st.FilesRead != 1 || st.Files != 1 || st.Sessions != 1 {
		t.Errorf("stats = %+v, want 4 skipped, 1 unknown, 8 lines, 1 file read", st)
	}
}
