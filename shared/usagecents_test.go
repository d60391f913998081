package shared

import (
	"math"
	"testing"
)

// A column of costs footed to the cent adds up to its total, each row
// within a cent of what it cost: $0.125 twice under a $0.25 total is
// $0.13 and $0.12, not $0.13 twice; $150.40 is $150.40, not $150.
func TestFootCents(t *testing.T) {
	for _, tc := range []struct {
		name  string
		rows  []float64
		total float64
		want  []int64
		sum   int64
	}{
		{"halves", []float64{0.125, 0.125}, 0.25, []int64{13, 12}, 25},
		{"dollars from $100", []float64{150.4, 0.125, 0.125, 0.004}, 150.654, []int64{15040, 13, 12, 0}, 15065},
		{"thirds", []float64{1.0 / 3, 1.0 / 3, 1.0 / 3}, 1, nil, 100},
		{"under a cent", []float64{0.004}, 0.004, []int64{0}, 0},
		{"nothing", []float64{0, 0}, 0, []int64{0, 0}, 0},
	} {
		total := tc.total
		if tc.name == "thirds" {
			total = 0 // the rows' sum, in nanos
			for _, r := range tc.rows {
				total += NanoUSD(USDNano(r))
			}
		}
		cents, totalCents, ok := FootCents(tc.rows, total)
		if !ok {
			t.Errorf("%s: not footed", tc.name)
			continue
		}
		var sum int64
		for i, c := range cents {
			sum += c
			if d := float64(c) - tc.rows[i]*100; math.Abs(d) >= 1 {
				t.Errorf("%s: row %d is %d cents for $%v", tc.name, i, c, tc.rows[i])
			}
			if tc.want != nil && c != tc.want[i] {
				t.Errorf("%s: row %d is %d cents, want %d", tc.name, i, c, tc.want[i])
			}
		}
		if sum != totalCents || totalCents != tc.sum {
			t.Errorf("%s: rows add up to %d, total %d, want %d", tc.name, sum, totalCents, tc.sum)
		}
	}
	if _, _, ok := FootCents([]float64{1, 2}, 4); ok {
		t.Error("rows that do not sum to the total were footed")
	}
}

func TestCentsText(t *testing.T) {
	for _, tc := range []struct {
		c        int64
		usd      float64
		unpriced int
		want     string
	}{
		{0, 0, 0, "$0.00"},
		{0, 0.004, 0, "<$0.01"},
		{15040, 150.4, 0, "$150.40"},
		{123456, 1234.56, 0, "$1,234.56"},
		{0, 0, 10, "unpriced"},
		{120, 1.2, 10, "$1.20 + unpriced"},
	} {
		if got := UsageCentsText(tc.c, tc.usd, tc.unpriced); got != tc.want {
			t.Errorf("UsageCentsText(%d, %v, %d) = %q, want %q", tc.c, tc.usd, tc.unpriced, got, tc.want)
		}
	}
}

// A day shown as $0.25 whose two models cost $0.125 each reads $0.13
// and $0.12 by model: the parts add up to the figure shown.
func TestSplitCents(t *testing.T) {
	parts, ok := SplitCents([]float64{0.125, 0.125}, 25)
	if !ok || parts[0]+parts[1] != 25 || parts[0] != 13 {
		t.Errorf("split %v (%v), want [13 12]", parts, ok)
	}
	// 27 cents cannot be two rows of $0.125 each within a cent: each is
	// rounded on its own.
	if parts, ok := SplitCents([]float64{0.125, 0.125}, 27); ok || parts[0] != 13 || parts[1] != 13 {
		t.Errorf("split of cents the rows cannot make: %v (%v), want [13 13], not ok", parts, ok)
	}
}
