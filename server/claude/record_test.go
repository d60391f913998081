package claude

import "testing"

// Token counts read as encoding/json would read them into an int, with
// negatives clamped to 0 and nonsense to 0, by the fast path or not.
func TestParseInt(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{"0", 0},
		{"7", 7},
		{"007", 7},
		{"95818", 95818},
		{"999999999999999999", 999999999999999999}, // 18 digits: the fast path's longest
		{"1000000000000000000", 1000000000000000000},
		{"99999999999999999999", 0}, // overflows int64, and too large a float to trust
		{"-12", 0},
		{"1.5e3", 1500},
		{"12.9", 12},
		{"1e400", 0},
		{"", 0},
		{"1-2", 0},
	} {
		if got := parseInt([]byte(tc.in)); got != tc.want {
			t.Errorf("parseInt(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}
