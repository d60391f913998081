package pricing

import (
	"math"
	"testing"

	"vibecraft.sh/helm/shared"
)

func TestLookup(t *testing.T) {
	tests := []struct {
		model string
		want  Price
		known bool
	}{
		{"claude-opus-4-5-20251101", opus45, true},
		{"claude-opus-4-6", opus45, true},
		{"claude-opus-4-1-20250805", opus4, true},
		{"claude-opus-4-20250514", opus4, true},
		{"claude-opus-4", opus4, true},
		{"claude-sonnet-4-5-20250929", sonnet, true},
		{"claude-sonnet-4-5", sonnet, true},
		{"claude-sonnet-4-20250514", sonnet, true},
		{"claude-3-7-sonnet-20250219", sonnet, true},
		{"claude-3-5-sonnet-20241022", sonnet, true},
		{"claude-3-5-sonnet-latest", sonnet, true},
		{"claude-haiku-4-5-20251001", haiku45, true},
		{"claude-3-5-haiku-20241022", haiku35, true},
		{"claude-3-haiku-20240307", haiku3, true},
		{"claude-3-opus-20240229", opus3, true},
		{"Claude-Sonnet-4-5-20250929", sonnet, true},
		{"anthropic/claude-sonnet-4-5", sonnet, true},
		{"us.anthropic.claude-opus-4-1-20250805-v1:0", opus4, true},
		{"claude-sonnet-4-5@20250929", sonnet, true},
		{"claude-opus-4-6[1m]", opus45, true},
		{"<synthetic>", Price{}, false},
		{"", Price{}, false},
		{"gpt-5", Price{}, false},
		{"claude-opus-40", Price{}, false},
		{"claude-2.1", Price{}, false},
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

func TestCost(t *testing.T) {
	million := shared.Tokens{Input: 1_000_000, Output: 1_000_000, CacheWrite: 1_000_000, CacheRead: 1_000_000}
	tests := []struct {
		model string
		t     shared.Tokens
		want  float64
		known bool
	}{
		{"claude-opus-4-5-20251101", million, 5 + 25 + 6.25 + 0.5, true},
		{"claude-opus-4-1", million, 15 + 75 + 18.75 + 1.5, true},
		{"claude-sonnet-4-5-20250929", million, 3 + 15 + 3.75 + 0.3, true},
		{"claude-haiku-4-5-20251001", million, 1 + 5 + 1.25 + 0.1, true},
		{"claude-3-5-haiku-20241022", million, 0.8 + 4 + 1 + 0.08, true},
		{"claude-3-haiku-20240307", million, 0.25 + 1.25 + 0.3 + 0.03, true},
		{"claude-sonnet-4-5", shared.Tokens{Input: 4, Output: 88, CacheWrite: 512, CacheRead: 14000}, (4*3 + 88*15 + 512*3.75 + 14000*0.3) / 1e6, true},
		{"unknown-model", million, 0, false},
		{"<synthetic>", million, 0, false},
	}
	for _, tc := range tests {
		got, known := Cost(tc.model, tc.t)
		if math.Abs(got-tc.want) > 1e-9 || known != tc.known {
			t.Errorf("Cost(%q, %+v) = %v, %v; want %v, %v", tc.model, tc.t, got, known, tc.want, tc.known)
		}
	}
}

func TestPricesAsOfIsADate(t *testing.T) {
	if !isDate(PricesAsOf[:4]+PricesAsOf[5:7]+PricesAsOf[8:]) || PricesAsOf[:4] != "2026" {
		t.Errorf("PricesAsOf = %q, want 2026-MM-DD", PricesAsOf)
	}
}
