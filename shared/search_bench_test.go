package shared

import (
	"fmt"
	"strings"
	"testing"
)

// searchCorpus is n sessions shaped like a real list: a title and a first
// prompt of their own (a third of the prompts and one in eight titles not
// ASCII: a dash, accents, quotes, other scripts),
// a project, a branch, a model among a few, both sources.
func searchCorpus(n int) []Session {
	words := []string{"fix", "the", "login", "flake", "refactor", "parser", "add", "tests", "for", "cache",
		"update", "docs", "remove", "dead", "code", "migrate", "schema", "review", "pull", "request"}
	unicode := []string{"café", "naïve — résumé", "Straße", "“quoted”", "İstanbul", "ΣΟΦΟΣ", "日本語"}
	models := []string{"claude-opus-4-5-20251101", "claude-sonnet-4-5-20250929", "claude-haiku-4-5", "gpt-5.1-codex", ""}
	out := make([]Session, n)
	for i := range out {
		w := func(k int) string { return words[(i*7+k*13+i/3)%len(words)] }
		title := fmt.Sprintf("%s %s %s %s #%d", w(0), w(1), w(2), w(3), i)
		prompt := fmt.Sprintf("Please %s %s in the %s module, then %s the %s and %s %s; keep the %s as it is (ticket %d). "+
			"The %s %s should %s the %s first, and the %s %s must not %s anything else.",
			w(4), w(5), w(6), w(7), w(8), w(9), w(10), w(11), i, w(14), w(15), w(16), w(17), w(18), w(19), w(0))
		if i%3 == 0 { // a third of real first prompts hold a dash or a quote
			prompt = strings.Replace(prompt, ", then", " — then", 1)
		}
		if i%8 == 0 {
			title += " " + unicode[i%len(unicode)]
			prompt = unicode[(i/8)%len(unicode)] + " " + prompt
		}
		src := SourceClaude
		if i%5 == 0 {
			src = SourceOpenCode
		}
		out[i] = Session{
			ID: fmt.Sprintf("%08x", i), Source: src, Title: title, FirstPrompt: prompt,
			ProjectPath: fmt.Sprintf("/home/dev/src/project-%d", i%60), GitBranch: []string{"main", "feature/" + w(12), "fix-" + w(13)}[i%3],
			Model: models[i%len(models)], Status: StatusIdle, UpdatedAt: int64(2_000_000_000 - i),
		}
	}
	return out
}

// BenchmarkSearch100k is one search over 100,000 sessions, what GET
// /api/sessions?q= does per request: each session matched once.
// AllocsPerOp is the search's own: none per session.
func BenchmarkSearch100k(b *testing.B) {
	all := searchCorpus(100_000)
	for _, search := range []string{"flake", "Login MAIN", "sonnet 4.5", "zzz", "straße"} {
		b.Run(search, func(b *testing.B) {
			q := Query{Search: search}
			b.ReportAllocs()
			for b.Loop() {
				n := 0
				match := MatchFunc(q)
				for i := range all {
					if match(&all[i]) {
						n++
					}
				}
			}
		})
	}
}

// BenchmarkSearchText100k makes the search text of 100,000 sessions, as
// the client does over its whole list before its first search and again
// when a list comes back: one op is every session folded once.
func BenchmarkSearchText100k(b *testing.B) {
	all := searchCorpus(100_000)
	b.ReportAllocs()
	for b.Loop() {
		for i := range all {
			_ = SearchText(&all[i])
		}
	}
}
