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
	}
	for _, tc := range tests {
		if got := CostText(tc.usd); got != tc.want {
			t.Errorf("CostText(%v) = %q, want %q", tc.usd, got, tc.want)
		}
	}
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -1000: "-1,000"} {
		if got := Grouped(n); got != want {
			t.Errorf("Grouped(%d) = %q, want %q", n, got, want)
		}
	}
}
