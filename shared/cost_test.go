package shared

import "testing"

func TestCostText(t *testing.T) {
	tests := []struct {
		usd  float64
		want string
	}{
		{0, "$0"},
		{-1, "$0"},
		{0.004, "<$0.01"},
		{0.006, "<$0.01"}, // not "$0.01": less than a cent was spent
		{0.0099, "<$0.01"},
		{0.01, "$0.01"},
		{1.234, "$1.23"},
		{99.99, "$99.99"},
		{99.996, "$100"}, // not "$100.00", as every other cost from $100 up reads
		{100.4, "$100"},
		{112.25, "$112"},
		{1234.5, "$1,235"},
		// An exact half cent up, as the usage report rounds it.
		{0.125, "$0.13"},
		{0.015, "$0.02"},
		{2.675, "$2.68"},
	}
	for _, tc := range tests {
		if got := CostText(tc.usd); got != tc.want {
			t.Errorf("CostText(%v) = %q, want %q", tc.usd, got, tc.want)
		}
	}
	// Below $100, the list's cost of a figure is the usage report's.
	for c := int64(1); c < 100_00; c += 7 {
		for _, nano := range []int64{c*1e7 - 5e6, c*1e7 - 5e6 + 1, c * 1e7, c*1e7 + 4_999_999} {
			usd := NanoUSD(nano)
			if got, want := CostText(usd), CentsText(USDCents(usd), true); usd >= 0.01 && got != want {
				t.Fatalf("CostText(%v) = %q, the usage report's %q", usd, got, want)
			}
		}
	}
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -1000: "-1,000"} {
		if got := Grouped(n); got != want {
			t.Errorf("Grouped(%d) = %q, want %q", n, got, want)
		}
	}
}
