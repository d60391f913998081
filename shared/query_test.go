package shared

import (
	"net/url"
	"strings"
	"testing"
)

func sample() []Session {
	return []Session{
		{ID: "a", Source: SourceClaude, Title: "Fix the Login flake", ProjectPath: "/w/webapp", GitBranch: "main", Status: StatusWaiting, UpdatedAt: 30, CreatedAt: 1, CostUSD: 0.5, MessageCount: 9},
		{ID: "b", Source: SourceOpenCode, Title: "Refactor", FirstPrompt: "please refactor the LOGIN form", ProjectPath: "/w/webapp", Status: StatusWorking, Active: true, UpdatedAt: 20, CreatedAt: 3, CostUSD: 2, MessageCount: 4},
		{ID: "c", Source: SourceClaude, Title: "Docs", ProjectPath: "/w/site", GitBranch: "feature/login-page", Status: StatusIdle, UpdatedAt: 10, CreatedAt: 2, CostUSD: 1, MessageCount: 40},
		{ID: "d", Source: SourceClaude, Title: "Untitled session", ProjectPath: "/w/infra", Status: StatusIdle, UpdatedAt: 40, CreatedAt: 0},
	}
}

func idsOf(ss []Session) string {
	var b []string
	for _, s := range ss {
		b = append(b, s.ID)
	}
	return strings.Join(b, ",")
}

func TestQueryApply(t *testing.T) {
	tests := []struct {
		raw  string
		want string
	}{
		{"", "d,a,b,c"},
		{"source=opencode", "b"},
		{"source=claude&project=/w/webapp", "a"},
		{"status=idle", "d,c"},
		{"status=active", "b"},
		{"q=login", "a,b,c"},                  // title, first prompt, branch; case-insensitive
		{"q=%2Fw%2Fsite", "c"},                // project path
		{"q=login&sort=cost", "b,c,a"},        // highest cost first
		{"sort=messages", "c,a,b,d"},          // most messages first
		{"sort=created", "b,c,a,d"},           // newest created first
		{"q=nothing-matches", ""},             // empty, not an error
		{"q=%20%20login%20", "a,b,c"},         // trimmed
		{"status=waiting&source=claude", "a"}, // filters combine
	}
	for _, tc := range tests {
		v, _ := url.ParseQuery(tc.raw)
		q, err := ParseQuery(v)
		if err != nil {
			t.Fatalf("%q: %v", tc.raw, err)
		}
		if got := idsOf(q.Apply(sample())); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.raw, got, tc.want)
		}
	}
}

func TestQueryRejectsUnknownValues(t *testing.T) {
	for _, raw := range []string{"source=cursor", "status=busy", "sort=title"} {
		v, _ := url.ParseQuery(raw)
		if _, err := ParseQuery(v); err == nil {
			t.Errorf("%q: want an error", raw)
		}
	}
}

func TestQueryURLRoundTrip(t *testing.T) {
	queries := []Query{
		{},
		{Source: SourceClaude},
		{Project: "/home/dev/my app_v2.0/ü", Status: StatusActive, Search: "a&b=c #x", Sort: SortCost},
		{Status: "waiting", Sort: SortMessages},
	}
	for _, q := range queries {
		enc := q.Values().Encode()
		v, _ := url.ParseQuery(enc)
		back, err := ParseQuery(v)
		if err != nil {
			t.Fatalf("%q: %v", enc, err)
		}
		if back != q {
			t.Errorf("round trip of %+v via %q gave %+v", q, enc, back)
		}
	}
	if enc := (Query{Sort: SortActivity}).Values().Encode(); enc != "" {
		t.Errorf("the default sort should not appear in the URL: %q", enc)
	}
	if !(Query{Sort: SortActivity}).IsZero() || (Query{Search: "x"}).IsZero() {
		t.Error("IsZero is wrong")
	}
}
