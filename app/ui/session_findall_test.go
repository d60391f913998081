package ui

import (
	"regexp"
	"slices"
	"testing"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

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
		name      string
		found     []string
		fromStart bool
		msgs      []shared.Message
		local     []int
		want      []string
	}{
		{"all known", []string{"a", "c", "e"}, true, msgs("c", "d", "e"), []int{0, 2}, []string{"a", "c", "e"}},
		{"appended since", []string{"a", "c"}, true, msgs("b", "c", "d", "e"), []int{1, 2, 3}, []string{"a", "c", "d", "e"}},
		{"grown above a known one", []string{"a", "e"}, true, msgs("d", "e"), []int{0, 1}, []string{"a", "d", "e"}},
		{"none known loaded", []string{"a", "b"}, true, msgs("x", "y"), []int{1}, []string{"a", "b", "y"}},
		{"nothing found", nil, true, msgs("x", "y"), []int{0, 1}, []string{"x", "y"}},
		// The last matches of more: those loaded above the first known
		// were counted by helmd, before them.
		{"above the last ones", []string{"c", "e"}, false, msgs("a", "b", "c", "d", "e", "f"), []int{0, 2, 3, 4, 5}, []string{"c", "d", "e", "f"}},
		{"none from there, one written since", nil, false, msgs("x", "y"), []int{1}, []string{"y"}},
	}
	for _, tt := range tests {
		if got := mergeFound(tt.found, tt.msgs, tt.local, tt.fromStart); !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

// newSince counts what an answer short of the end did not: the matches
// after its last message, and that message's own if it grew to match.
func TestNewSince(t *testing.T) {
	msgs := []shared.Message{{Cursor: "a"}, {Cursor: "b"}, {Cursor: "c"}, {Cursor: "d"}}
	for _, tc := range []struct {
		name      string
		local     []int
		end, last string
		want      int
	}{
		{"two written since", []int{0, 2, 3}, "b", "a", 2},
		{"the end matched then", []int{1, 3}, "b", "b", 1},
		{"the end grew to match", []int{1, 3}, "b", "a", 2},
		{"its end not loaded yet", []int{0, 1}, "z", "a", 0},
		{"none since", []int{0}, "d", "a", 0},
	} {
		if got := newSince(msgs, tc.local, tc.end, tc.last); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
}

// Past helmd's 1,000, the count says where the match shown stands among
// all helmd counted, not among the 1,000 it sent.
func TestFindNumbersPastTheCap(t *testing.T) {
	p := pageFor()
	texts := map[string]string{"c1013": "a needle", "c1014": "nothing", "c1015": "a needle again"}
	p.convo.Reset(textMsgs(texts, "c1013", "c1014", "c1015"))
	p.convo.Before = "c1012" // older messages to load
	p.term = "needle"
	p.refind()
	p.match, p.curCursor = 1, "c1015" // the last, shown as it was typed
	p.foundTerm, p.foundState = p.term, findAsking
	res := shared.FindResult{First: 15, Total: 1015, Last: "c1015", End: "c1015"}
	for i := 15; i < 1016; i++ {
		if i != 1014 {
			res.Matches = append(res.Matches, "c"+itoa(i))
		}
	}
	p.tookFind(p.term, p.key(), res, nil)
	count := func() string {
		out := app.HTMLString(p.renderFind())
		m := regexp.MustCompile(`id="find-count"[^>]*>([^<]*)<`).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("no count in %s", out)
		}
		return m[1]
	}
	if got := count(); got != "1,015 of 1,015" {
		t.Errorf("at the last of 1,015 matches, find says %q", got)
	}
	p.match, p.curCursor = 0, "c1013"
	if got := count(); got != "1,014 of 1,015" {
		t.Errorf("at the one before, find says %q", got)
	}
}
