package shared

import "testing"

func TestCountText(t *testing.T) {
	for n, want := range map[int]string{
		0: "0", 950: "950", 1000: "1k", 1234: "1.23k", 5443: "5.44k", 12_345: "12.3k", 123_456: "123k",
		338_000: "338k", 999_999: "1M", 4_500_000: "4.5M", 45_670_000: "45.7M", 2_000_000_000: "2B", -1500: "-1.5k",
	} {
		if got := CountText(n); got != want {
			t.Errorf("CountText(%d) = %q, want %q", n, got, want)
		}
	}
}
