package shared

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// SortFunc orders as slices.SortFunc does, on lists long enough for
// pdqsort's every path (insertion, partitions, the heap fallback).
func TestSortFuncOrdersAsSlices(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 2, 11, 12, 13, 50, 1000} {
		for _, spread := range []int{3, 1 << 30} {
			got := make([][2]int, n)
			for i := range got {
				got[i] = [2]int{r.IntN(spread), i}
			}
			want := slices.Clone(got)
			slices.SortFunc(want, func(a, b [2]int) int { return a[0] - b[0] })
			SortFunc(got, func(a, b *[2]int) int { return a[0] - b[0] })
			for i := range got {
				if got[i][0] != want[i][0] {
					t.Fatalf("n=%d spread=%d: at %d got %v, want %v", n, spread, i, got[i], want[i])
				}
			}
		}
	}
}
