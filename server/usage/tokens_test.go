package usage_test

import (
	"maps"
	"testing"
)

// TestTokensByModelHandComputed: each bucket splits its tokens by model
// (what the tokens chart stacks), to the token, from the fixture's
// hand-worked figures; the parts add up to the bucket's tokens.
func TestTokensByModelHandComputed(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		by   string
		want map[string]map[string]int
	}{
		{"day", map[string]map[string]int{
			"2026-03-02": {sonnetKey: 100_000, opus46: 20_000},  // r1, r5
			"2026-03-03": {sonnetKey: 200_000, opus46: 100_000}, // r2 and the id-less cache read, r3
		}},
		{"project", map[string]map[string]int{
			shop: {sonnetKey: 300_000, opus46: 100_000},
			blog: {opus46: 20_000},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.by, func(t *testing.T) {
			_, rep := e.get(t, allTime(tc.by, "UTC"))
			got := map[string]map[string]int{}
			for _, b := range rep.Buckets {
				got[b.Key] = b.TokensByModel
				sum := 0
				for _, n := range b.TokensByModel {
					sum += n
				}
				if sum != b.Tokens.Total() {
					t.Errorf("%s: tokens by model add up to %d, the bucket has %d", b.Key, sum, b.Tokens.Total())
				}
			}
			if !maps.EqualFunc(got, tc.want, maps.Equal) {
				t.Errorf("tokens by model %v, want %v", got, tc.want)
			}
		})
	}
}
