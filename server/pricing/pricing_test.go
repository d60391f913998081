package pricing

import (
	"testing"
	"time"

	"vibecraft.sh/helm/shared"
)

func TestLookup(t *testing.T) {
	sonnet45 := Model{Base: sonnet, Long: &sonnetLong, LongAbove: 200_000}
	tests := []struct {
		model string
		want  Model
		known bool
	}{
		{"claude-opus-4-5-20251101", Model{Base: opus45}, true},
		{"claude-opus-4-6", Model{Base: opus45, Fast: 6}, true},
		{"claude-opus-4-7", Model{Base: opus45}, true},
		{"claude-opus-4-8", Model{Base: opus45}, true},
		{"claude-opus-4-1-20250805", Model{Base: opus4}, true},
		{"claude-opus-4-20250514", Model{Base: opus4}, true},
		{"claude-opus-4", Model{Base: opus4}, true},
		{"claude-opus-5", Model{Base: opus45, Fast: 2}, true},
		{"claude-opus-5-5", Model{Base: opus55, Fast: 2}, true},
		{"claude-opus-5-5[1m]", Model{Base: opus55, Fast: 2}, true},
		{"claude-fable-5-1", Model{Base: fable51}, true},
		{"claude-mythos-5", Model{Base: fable5}, true},
		{"claude-sonnet-5", Model{Base: sonnet5}, true},
		{"claude-sonnet-5-5", Model{Base: sonnet55}, true},
		{"claude-haiku-5-5", Model{Base: haiku55, Long: &haiku55Long, LongAbove: 100_000}, true},
		{"claude-sonnet-4-6", Model{Base: sonnet}, true},
		{"claude-sonnet-4-5-20250929", sonnet45, true},
		{"claude-sonnet-4-5", sonnet45, true},
		{"claude-sonnet-4-20250514", sonnet45, true},
		{"claude-3-7-sonnet-20250219", Model{Base: sonnet}, true},
		{"claude-3-5-sonnet-20241022", Model{Base: sonnet}, true},
		{"claude-3-5-sonnet-latest", Model{Base: sonnet}, true},
		{"claude-haiku-4-5-20251001", Model{Base: haiku45}, true},
		{"claude-3-5-haiku-20241022", Model{Base: haiku35}, true},
		{"claude-3-haiku-20240307", Model{Base: haiku3}, true},
		{"claude-3-opus-20240229", Model{Base: opus4}, true},
		{"Claude-Sonnet-4-5-20250929", sonnet45, true},
		{"anthropic/claude-sonnet-4-5", sonnet45, true},
		{"us.anthropic.claude-opus-4-1-20250805-v1:0", Model{Base: opus4}, true},
		{"claude-sonnet-4-5@20250929", sonnet45, true},
		{"anthropic/claude-sonnet-4.5", sonnet45, true}, // OpenRouter's name
		{"<synthetic>", Model{}, true},
		{"", Model{}, false},
		{"gpt-5", Model{}, false},
		{"claude-opus-40", Model{}, false},
		{"claude-2.1", Model{}, false},
	}
	for _, tc := range tests {
		got, known := Lookup(tc.model)
		if got != tc.want || known != tc.known {
			t.Errorf("Lookup(%q) = %+v, %v; want %+v, %v", tc.model, got, known, tc.want, tc.known)
		}
	}
}

func TestNormalize(t *testing.T) {
	tests := map[string]string{
		"claude-sonnet-4-5-20250929": "claude-sonnet-4-5",
		"claude-3-5-sonnet-20241022": "claude-3-5-sonnet",
		"claude-opus-4-6":            "claude-opus-4-6",
		" CLAUDE-HAIKU-4-5 ":         "claude-haiku-4-5",
		"<synthetic>":                "<synthetic>",
	}
	for in, want := range tests {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestCostNano checks each billing rule against figures worked out by
// hand from the published rates (in the comments, $/MTok × tokens).
func TestCostNano(t *testing.T) {
	tok := func(in, out, write, write1h, read int) shared.Tokens {
		return shared.Tokens{Input: in, Output: out, CacheWrite: write, CacheWrite1h: write1h, CacheRead: read}
	}
	tests := []struct {
		name  string
		model string
		u     Usage
		want  int64
		known bool
	}{
		// 1000×3 + 2000×15 + 6000×3.75 (5m) + 4000×6 (1h) + 50000×0.3
		{"1h writes at 2x", "claude-sonnet-4-5-20250929", Usage{Tokens: tok(1000, 2000, 10_000, 4000, 50_000)}, 94_500_000, true},
		// no split: all 10000 at 3.75
		{"no split is 5m", "claude-sonnet-4-5", Usage{Tokens: tok(0, 0, 10_000, 0, 0)}, 37_500_000, true},
		// the 1h part cannot exceed the total: 100×6
		{"1h clamped", "claude-sonnet-4-5", Usage{Tokens: tok(0, 0, 100, 500, 0)}, 600_000, true},
		// input 200,000 exactly: 190000×0.3 + 10000×3.75 + 1000×15
		{"long context at 200k", "claude-sonnet-4-5", Usage{Tokens: tok(0, 1000, 10_000, 0, 190_000)}, 109_500_000, true},
		// 200,010 > 200k, whole request at LC: 10×6 + 190000×0.6 + 10000×7.5 + 1000×22.5
		{"long context above 200k", "claude-sonnet-4-5", Usage{Tokens: tok(10, 1000, 10_000, 0, 190_000)}, 211_560_000, true},
		// Sonnet 4 has the tier too: 300000×6 (LC input)
		{"long context sonnet 4", "claude-sonnet-4-20250514", Usage{Tokens: tok(300_000, 0, 0, 0, 0)}, 1_800_000_000, true},
		// Sonnet 4.6 does not: 300000×3
		{"no long context sonnet 4.6", "claude-sonnet-4-6", Usage{Tokens: tok(300_000, 0, 0, 0, 0)}, 900_000_000, true},
		// (100×5 + 1000×25 + 20000×0.5) × 6
		{"fast opus 4.6", "claude-opus-4-6", Usage{Tokens: tok(100, 1000, 0, 0, 20_000), Fast: true}, 213_000_000, true},
		// same usage, standard speed
		{"standard opus 4.6", "claude-opus-4-6", Usage{Tokens: tok(100, 1000, 0, 0, 20_000)}, 35_500_000, true},
		// a model without fast mode bills standard rates
		{"fast ignored on sonnet", "claude-sonnet-4-5", Usage{Tokens: tok(100, 100, 0, 0, 0), Fast: true}, 1_800_000, true},
		// (100×5 + 1000×25 + 20000×0.5) × 1.1
		{"US-only inference", "claude-opus-4-6", Usage{Tokens: tok(100, 1000, 0, 0, 20_000), USOnly: true}, 39_050_000, true},
		// fast and US-only stack: 35.5M × 6 × 1.1
		{"fast and US-only", "claude-opus-4-6", Usage{Tokens: tok(100, 1000, 0, 0, 20_000), Fast: true, USOnly: true}, 234_300_000, true},
		// 1 Haiku 5.5 read at 0.01 = 10 nano, × 1.1 = 11
		{"US-only rounds per response", "claude-haiku-5-5", Usage{Tokens: tok(0, 0, 0, 0, 1), USOnly: true}, 11, true},
		// 100×3 + 100×15 + 3 × $0.01
		{"web search", "claude-sonnet-4-5", Usage{Tokens: tok(100, 100, 0, 0, 0), WebSearches: 3}, 31_800_000, true},
		// prompt 100,001 > 100k: 100001×0.5 + 10×2.5
		{"haiku 5.5 long prompt", "claude-haiku-5-5", Usage{Tokens: tok(100_001, 10, 0, 0, 0)}, 50_025_500, true},
		// 1000×0.1 + 1000×0.01 (hits) + 1000×0.2 (1h)
		{"haiku 5.5 short prompt", "claude-haiku-5-5", Usage{Tokens: tok(1000, 0, 1000, 1000, 1000)}, 310_000, true},
		// Fable 5.1 hits at 0.25: 1e6 × 0.25
		{"fable 5.1 hits", "claude-fable-5-1", Usage{Tokens: tok(0, 0, 0, 0, 1_000_000)}, 250_000_000, true},
		{"synthetic is free", "<synthetic>", Usage{Tokens: tok(10, 10, 10, 0, 10), WebSearches: 1}, 0, true},
		{"unknown", "gpt-5", Usage{Tokens: tok(10, 10, 10, 0, 10)}, 0, false},
		{"negative counts bill nothing", "claude-sonnet-4-5", Usage{Tokens: tok(0, 0, -5, -5, 0), WebSearches: -1}, 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, known := CostNano(tc.model, tc.u)
			if got != tc.want || known != tc.known {
				t.Errorf("CostNano(%q, %+v) = %d, %v; want %d, %v", tc.model, tc.u, got, known, tc.want, tc.known)
			}
		})
	}
}

// TestRatesAreExact guards the integer sums: every rate must be a whole
// number of nano-dollars per token.
func TestRatesAreExact(t *testing.T) {
	for _, e := range table {
		rates := []Rates{e.model.Base}
		if e.model.Long != nil {
			rates = append(rates, *e.model.Long)
		}
		for _, r := range rates {
			for _, v := range []float64{r.Input, r.Output, r.CacheWrite5m, r.CacheWrite1h, r.CacheRead} {
				if float64(nanoPerToken(v)) != v*1000 || v <= 0 {
					t.Errorf("%s: rate %v is not a positive whole number of nano-dollars per token", e.prefix, v)
				}
			}
			if r.CacheWrite1h != 2*r.Input {
				t.Errorf("%s: 1h write %v, want 2 × input %v", e.prefix, r.CacheWrite1h, r.Input)
			}
		}
	}
}

func TestPricesAsOfIsADate(t *testing.T) {
	if _, err := time.Parse(time.DateOnly, PricesAsOf); err != nil || PricesAsOf[:4] != "2026" {
		t.Errorf("PricesAsOf = %q, want 2026-MM-DD", PricesAsOf)
	}
}
