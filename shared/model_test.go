package shared

import "testing"

func TestModelKey(t *testing.T) {
	tests := map[string]string{
		"claude-haiku-4-5":                            "claude-haiku-4-5",
		"claude-haiku-4-5-20251001":                   "claude-haiku-4-5",
		"us.anthropic.claude-haiku-4-5-20251001-v1:0": "claude-haiku-4-5",
		"claude-haiku-4-5@20251001":                   "claude-haiku-4-5",
		"anthropic/claude-sonnet-4-5":                 "claude-sonnet-4-5",
		"claude-sonnet-4-5-20250929[1m]":              "claude-sonnet-4-5",
		" CLAUDE-HAIKU-4-5 ":                          "claude-haiku-4-5",
		"claude-3-5-sonnet-latest":                    "claude-3-5-sonnet",
		"<synthetic>":                                 "<synthetic>",
		"":                                            "",
		// OpenRouter's (and OpenCode's through it) dotted versions.
		"anthropic/claude-sonnet-4.5":          "claude-sonnet-4-5",
		"anthropic/claude-3.7-sonnet":          "claude-3-7-sonnet",
		"openrouter/anthropic/claude-opus-4.1": "claude-opus-4-1",
		// Only Bedrock's -vN:M is a version: these name other models.
		"deepseek/deepseek-v3:free":   "deepseek-v3:free",
		"deepseek/deepseek-v3.1:free": "deepseek-v3.1:free",
		"gpt-5.1-codex":               "gpt-5.1-codex",
	}
	for in, want := range tests {
		if got := ModelKey(in); got != want {
			t.Errorf("ModelKey(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzModelKey checks that a key is its own key: the usage page links a
// model's key to the list filtered by ModelKey, which must keep every
// session counted under that key.
func FuzzModelKey(f *testing.F) {
	for _, s := range []string{"claude-x-20250101-20250102", "x-v1:0-v2:3", "a/b/claude-y@1", "İ-latest-latest", "claude-z -20250101"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := ModelKey(s)
		if again := ModelKey(k); again != k {
			t.Fatalf("ModelKey(%q) = %q, but ModelKey(%q) = %q", s, k, k, again)
		}
	})
}
