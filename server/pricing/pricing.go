// Package pricing holds an embedded, dated table of Anthropic model prices
// and computes what a number of tokens cost.
//
// The table is a snapshot (see PricesAsOf), not fetched at run time: Helm
// works offline and must give the same figure for the same transcript.
// Models the table does not know cost 0, and Cost says so with known=false,
// so a caller can tell "free" from "unpriced".
package pricing

import (
	"strings"

	"vibecraft.sh/helm/shared"
)

// PricesAsOf is the date the table below was last checked against
// Anthropic's published prices.
const PricesAsOf = "2026-08-01"

// Price is what a model charges, in US dollars per million tokens.
type Price struct {
	Input      float64 // uncached input tokens
	Output     float64 // output tokens (thinking included)
	CacheWrite float64 // cache_creation_input_tokens (5-minute cache writes)
	CacheRead  float64 // cache_read_input_tokens
}

var (
	opus45   = Price{Input: 5, Output: 25, CacheWrite: 6.25, CacheRead: 0.5}
	opus4    = Price{Input: 15, Output: 75, CacheWrite: 18.75, CacheRead: 1.5}
	sonnet   = Price{Input: 3, Output: 15, CacheWrite: 3.75, CacheRead: 0.3}
	haiku45  = Price{Input: 1, Output: 5, CacheWrite: 1.25, CacheRead: 0.1}
	haiku35  = Price{Input: 0.8, Output: 4, CacheWrite: 1, CacheRead: 0.08}
	haiku3   = Price{Input: 0.25, Output: 1.25, CacheWrite: 0.3, CacheRead: 0.03}
	opus3    = Price{Input: 15, Output: 75, CacheWrite: 18.75, CacheRead: 1.5}
	families = []struct {
		prefix string // matched against the normalised name, longest first
		price  Price
	}{
		// Claude 4 names: claude-<family>-<major>[-<minor>].
		{"claude-opus-4-1", opus4},
		{"claude-opus-4-0", opus4},
		{"claude-opus-4-", opus45}, // 4.5, 4.6 and later minors
		{"claude-opus-4", opus4},   // claude-opus-4 itself
		{"claude-sonnet-4", sonnet},
		{"claude-haiku-4", haiku45},
		// Claude 3 names: claude-<major>[-<minor>]-<family>.
		{"claude-3-7-sonnet", sonnet},
		{"claude-3-5-sonnet", sonnet},
		{"claude-3-sonnet", sonnet},
		{"claude-3-5-haiku", haiku35},
		{"claude-3-haiku", haiku3},
		{"claude-3-opus", opus3},
	}
)

// Lookup returns the price of model, after Normalize. The second result
// is false for a model the table does not know (including "<synthetic>").
func Lookup(model string) (Price, bool) {
	m := Normalize(model)
	if m == "" {
		return Price{}, false
	}
	for _, f := range families {
		if m == f.prefix || strings.HasPrefix(m, f.prefix) && boundary(m, f.prefix) {
			return f.price, true
		}
	}
	return Price{}, false
}

// boundary reports whether prefix ends at a name boundary of m, so that
// "claude-opus-4" does not match a hypothetical "claude-opus-40".
func boundary(m, prefix string) bool {
	if strings.HasSuffix(prefix, "-") || len(m) == len(prefix) {
		return true
	}
	return m[len(prefix)] == '-'
}

// Normalize lowercases a model name and strips what does not change its
// price: a provider prefix ("anthropic/", "us.anthropic."), a date suffix
// ("-20250929"), a version suffix ("-v1:0") and a context tag ("[1m]").
func Normalize(model string) string {
	m := strings.ToLower(strings.TrimSpace(model))
	if i := strings.LastIndexByte(m, '/'); i >= 0 {
		m = m[i+1:]
	}
	if i := strings.Index(m, "claude-"); i > 0 {
		m = m[i:] // "us.anthropic.claude-…", "anthropic.claude-…"
	}
	if i := strings.IndexByte(m, '['); i >= 0 {
		m = m[:i]
	}
	if i := strings.Index(m, "-v"); i >= 0 && strings.Contains(m[i:], ":") {
		m = m[:i] // Bedrock "-v1:0"
	}
	if i := strings.Index(m, "@"); i >= 0 {
		m = m[:i] // Vertex "claude-sonnet-4-5@20250929"
	}
	if i := strings.LastIndexByte(m, '-'); i >= 0 && isDate(m[i+1:]) {
		m = m[:i]
	}
	return strings.TrimSuffix(m, "-latest")
}

func isDate(s string) bool {
	if len(s) != 8 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Cost is what t cost on model, in US dollars. An unknown model costs 0
// and known is false.
func Cost(model string, t shared.Tokens) (usd float64, known bool) {
	p, ok := Lookup(model)
	if !ok {
		return 0, false
	}
	return p.Cost(t), true
}

// Cost is what t costs at p, in US dollars.
func (p Price) Cost(t shared.Tokens) float64 {
	return (float64(t.Input)*p.Input +
		float64(t.Output)*p.Output +
		float64(t.CacheWrite)*p.CacheWrite +
		float64(t.CacheRead)*p.CacheRead) / 1e6
}
