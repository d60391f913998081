package ui

import (
	"slices"
	"testing"

	"vibecraft.sh/helm/shared"
)

func TestMergeFound(t *testing.T) {
	msgs := func(cs ...string) []shared.Message {
		var out []shared.Message
		for _, c := range cs {
			out = append(out, shared.Message{Cursor: c})
		}
		return out
	}
	tests := []struct {
		name  string
		found []string
		msgs  []shared.Message
		local []int
		want  []string
	}{
		{"all known", []string{"a", "c", "e"}, msgs("c", "d", "e"), []int{0, 2}, []string{"a", "c", "e"}},
		{"appended since", []string{"a", "c"}, msgs("b", "c", "d", "e"), []int{1, 2, 3}, []string{"a", "c", "d", "e"}},
		{"grown above a known one", []string{"a", "e"}, msgs("d", "e"), []int{0, 1}, []string{"a", "d", "e"}},
		{"none known loaded", []string{"a", "b"}, msgs("x", "y"), []int{1}, []string{"a", "b", "y"}},
		{"nothing found", nil, msgs("x", "y"), []int{0, 1}, []string{"x", "y"}},
	}
	for _, tt := range tests {
		if got := mergeFound(tt.found, tt.msgs, tt.local); !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}
