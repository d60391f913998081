package shared

import "sort"

// SortFunc sorts s as slices.SortFunc does (not stable), through
// sort.Sort. The web client links sort's one implementation anyway (its
// UI framework uses it), where each slices.SortFunc of another element
// type is a copy of pdqsort of its own, ~20 KB of wasm apiece: for the
// short lists sorted here (machines, projects, a text's match ranges),
// the adapter's few hundred bytes do.
func SortFunc[T any](s []T, cmp func(a, b *T) int) { sort.Sort(byCmp[T]{s, cmp}) }

type byCmp[T any] struct {
	s   []T
	cmp func(a, b *T) int
}

func (b byCmp[T]) Len() int           { return len(b.s) }
func (b byCmp[T]) Less(i, j int) bool { return b.cmp(&b.s[i], &b.s[j]) < 0 }
func (b byCmp[T]) Swap(i, j int)      { b.s[i], b.s[j] = b.s[j], b.s[i] }
