package shared

import "strings"

// ModelKey is the name a model is counted and filtered under: lowercased,
// without what names one model several ways, a provider prefix
// ("anthropic/", Bedrock's "us.anthropic."), a release date
// ("-20251001", Vertex's "@20251001"), Bedrock's version ("-v1:0"), a
// context tag ("[1m]") or "-latest". claude-haiku-4-5,
// claude-haiku-4-5-20251001 and us.anthropic.claude-haiku-4-5-20251001-v1:0
// are one model: one price, one row of the usage by model, one filter of
// the list. It lives here, not in server/pricing, because the client
// filters the list by it as the server groups usage by it.
func ModelKey(model string) string {
	// Cut until nothing more is cut, so that a key is its own key: the
	// usage page links a model's key to the list filtered by it, which
	// must then keep every session counted under it ("x-20250101-20250102"
	// loses one date per pass). Every pass but the last shortens m.
	m := strings.ToLower(model)
	for {
		next := modelKeyPass(m)
		if next == m {
			return m
		}
		m = next
	}
}

func modelKeyPass(m string) string {
	m = strings.TrimSpace(m)
	if i := strings.LastIndexByte(m, '/'); i >= 0 {
		m = m[i+1:]
	}
	if i := strings.Index(m, "claude-"); i > 0 {
		m = m[i:] // "us.anthropic.claude-…", "anthropic.claude-…"
	}
	if i := strings.IndexByte(m, '['); i >= 0 {
		m = m[:i]
	}
	if strings.HasPrefix(m, "claude-") {
		m = dashedVersion(m)
	}
	m = trimBedrockVersion(m)
	if i := strings.IndexByte(m, '@'); i >= 0 {
		m = m[:i] // Vertex "claude-sonnet-4-5@20250929"
	}
	return strings.TrimSuffix(trimDate(m), "-latest")
}

// trimBedrockVersion cuts Bedrock's "-v1:0" from the end of m, and only
// that: "deepseek-v3:free" (OpenRouter) is not deepseek.
func trimBedrockVersion(m string) string {
	i := strings.LastIndex(m, "-v")
	if i < 0 {
		return m
	}
	major, minor, ok := strings.Cut(m[i+2:], ":")
	if !ok || !allDigits(major) || !allDigits(minor) {
		return m
	}
	return m[:i]
}

// dashedVersion writes a Claude model's version as Anthropic does,
// "claude-sonnet-4-5", where OpenRouter (and so OpenCode through it)
// writes "claude-sonnet-4.5": a dot between two digits becomes a dash.
func dashedVersion(m string) string {
	if !strings.Contains(m, ".") {
		return m
	}
	b := []byte(m)
	for i := 1; i+1 < len(b); i++ {
		if b[i] == '.' && isDigit(b[i-1]) && isDigit(b[i+1]) {
			b[i] = '-'
		}
	}
	return string(b)
}

// trimDate cuts a release date ("-20250929") from the end of a model's
// name.
func trimDate(m string) string {
	if i := strings.LastIndexByte(m, '-'); i >= 0 && len(m)-i-1 == 8 && allDigits(m[i+1:]) {
		return m[:i]
	}
	return m
}
