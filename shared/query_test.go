package shared

import (
	"fmt"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"
	"unsafe"
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
	for _, raw := range []string{"source=cursor", "status=busy", "sort=title", "day=yesterday", "day=2026-13-01", "day=2026-03-02T00:00"} {
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
		{Model: "claude-opus-4-6", Day: "2026-03-02"},
		{ProjectMatch: "My App", Host: "beta"},
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

func TestMatchRanges(t *testing.T) {
	tests := []struct {
		text, search string
		want         [][2]int
	}{
		{"Fix the Login flake", "login", [][2]int{{8, 13}}},
		{"Fix the Login flake", "", nil},
		{"Fix the Login flake", "nope", nil},
		{"aaaa", "aa", [][2]int{{0, 2}, {2, 4}}},           // not overlapping
		{"LoginLOGIN", "login", [][2]int{{0, 5}, {5, 10}}}, // case-insensitive
		// "ß" reads "ss", as a browser's find in page reads it, and a
		// ligature its letters; a match that starts or ends inside one
		// takes the whole letter.
		{"Größe straße", "STRASSE", [][2]int{{8, 15}}},
		{"Größe straße", "grosse", [][2]int{{0, 7}}},
		{"straße", "as", [][2]int{{3, 6}}},  // ends inside ß
		{"straße", "se", [][2]int{{4, 7}}},  // starts inside ß
		{"maßstab", "ss", [][2]int{{2, 4}}}, // the one letter, once
		{"ßß", "sss", [][2]int{{0, 4}}},
		{"the ﬁle", "FILE", [][2]int{{4, 9}}},
		{"ﬃx", "fix", [][2]int{{0, 4}}},               // "ffix"
		{"Größe STRAẞE", "straße", [][2]int{{8, 16}}}, // ẞ lower-cases to ß
		{"naïve Über", "über", [][2]int{{7, 12}}},     // byte offsets of multi-byte runes
		{"ÜBER über", "ü", [][2]int{{0, 2}, {6, 8}}},
		{"x\xffy", "y", [][2]int{{2, 3}}}, // invalid UTF-8 is stepped over
		{"ab", "abc", nil},
		// What shows nothing is passed over: the text shows "zerowidth".
		{"zero\u200bwidth", "zerowidth", [][2]int{{0, 12}}},
		{"zero\u200bwidth", "ZERO\u200dWIDTH", [][2]int{{0, 12}}},
		{"co\u00adop\u200e", "coop", [][2]int{{0, 6}}}, // a soft hyphen inside; the mark after, not taken
		{"\u200bab", "ab", [][2]int{{3, 5}}},           // a match starts at a letter
		{"a\u200b", "a\u200b", [][2]int{{0, 1}}},
		// Accents are passed over, composed or not: macOS names files
		// decomposed ("e" then U+0301), keyboards type them composed.
		{"cafe\u0301 au lait", "café", [][2]int{{0, 6}}}, // the mark after the last letter, taken
		{"Café", "cafe\u0301", [][2]int{{0, 5}}},
		{"Résumé", "resume", [][2]int{{0, 8}}},
		{"Tiếng Việt", "VIET", [][2]int{{8, 14}}},    // two marks on one letter
		{"ѝ и\u0306", "й", [][2]int{{0, 2}, {3, 7}}}, // Cyrillic
		{"Ελληνικά", "ελληνικα", [][2]int{{0, 16}}},  // Greek
		{"\u0301e", "e", [][2]int{{2, 3}}},           // a match starts at a letter
		{"n\u0303a", "na", [][2]int{{0, 4}}},         // a mark inside a match
		{"ø æ", "o", nil},                            // letters of their own, not accented
	}
	for _, tc := range tests {
		got := MatchRanges(tc.text, tc.search)
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("MatchRanges(%q, %q) = %v, want %v", tc.text, tc.search, got, tc.want)
		}
		// Whatever is highlighted is what Match found.
		s := Session{Title: tc.text}
		if matched := (Query{Search: tc.search}).Match(&s); tc.search != "" && matched != (len(got) > 0) {
			t.Errorf("%q in %q: Match = %v but %d ranges", tc.search, tc.text, matched, len(got))
		}
	}
}

func TestMatchFoldedAgreesWithMatch(t *testing.T) {
	queries := []string{"", "q=login", "q=LOGIN&source=claude", "q=%2Fw%2Fweb", "q=main", "status=idle&q=docs",
		"q=" + url.QueryEscape("login\x00/w"), "q=ü", "q=feature%2Flogin", "q=opencode", "q=sonnet+4.5", "q=code+claude",
		"q=zerowidth", "q=" + url.QueryEscape("zero\u200bwidth"), "q=" + url.QueryEscape("\u200b")}
	sessions := append(sample(), Session{ID: "u", Source: SourceClaude, Title: "Über", ProjectPath: "/w/ü"},
		Session{ID: "z", Source: SourceClaude, Title: "t", FirstPrompt: "zero\u200bwidth"})
	for _, raw := range queries {
		v, _ := url.ParseQuery(raw)
		q, err := ParseQuery(v)
		if err != nil {
			t.Fatal(err)
		}
		for i := range sessions {
			s := &sessions[i]
			if a, b := q.Match(s), q.MatchFolded(s, SearchText(s)); a != b {
				t.Errorf("%q on %s: Match %v, MatchFolded %v", raw, s.ID, a, b)
			}
		}
	}
	decomposed := Session{ID: "d", Source: SourceClaude, Title: "Cafe\u0301 menu"}
	for _, search := range []string{"café", "CAFÉ", "cafe", "cafe\u0301"} {
		if q := (Query{Search: search}); !q.Match(&decomposed) || !q.MatchFolded(&decomposed, SearchText(&decomposed)) {
			t.Errorf("a title written decomposed, \"Cafe\\u0301 menu\", is not found by %q", search)
		}
	}
	if q := (Query{Search: "zerowidth"}); !q.Match(&sessions[len(sessions)-1]) {
		t.Errorf("a prompt shown as \"zerowidth\" (a zero-width space inside) is not found by it")
	}
	if got := SearchText(&Session{Title: "A", FirstPrompt: "B", ProjectPath: "/C", GitBranch: "D", Model: "claude-E-4-5", Source: SourceOpenCode}); got != "a\x00b\x00/c\x00d\x00claude-e-4-5\x00e 4.5\x00opencode" {
		t.Errorf("SearchText = %q", got)
	}
}

// TestQueryDayAndModel: the usage page's bars link to the list filtered
// to a day (sessions active that day, in the local zone) or a model.
func TestQueryDayAndModel(t *testing.T) {
	local := func(day string, h int) int64 {
		d, err := time.ParseInLocation(time.DateOnly, day, time.Local)
		if err != nil {
			t.Fatal(err)
		}
		return d.Add(time.Duration(h) * time.Hour).UnixMilli()
	}
	sessions := []Session{
		{ID: "before", Model: "m1", CreatedAt: local("2026-03-01", 9), UpdatedAt: local("2026-03-01", 23)},
		{ID: "within", Model: "m2", CreatedAt: local("2026-03-02", 9), UpdatedAt: local("2026-03-02", 10)},
		{ID: "across", Model: "m1", CreatedAt: local("2026-03-01", 22), UpdatedAt: local("2026-03-03", 1)},
		{ID: "after", Model: "m2", CreatedAt: local("2026-03-03", 0), UpdatedAt: local("2026-03-03", 5)},
		{ID: "no-created", Model: "m1", UpdatedAt: local("2026-03-02", 12)},
	}
	tests := []struct{ raw, want string }{
		{"day=2026-03-02", "within,across,no-created"},
		{"day=2026-03-01", "before,across"},
		{"model=m2", "within,after"},
		{"model=m1&day=2026-03-03", "across"},
		{"model=unknown", ""},
	}
	for _, tc := range tests {
		v, _ := url.ParseQuery(tc.raw)
		q, err := ParseQuery(v)
		if err != nil {
			t.Fatalf("%q: %v", tc.raw, err)
		}
		var got []string
		for i := range sessions {
			if q.Match(&sessions[i]) {
				got = append(got, sessions[i].ID)
			}
		}
		if strings.Join(got, ",") != tc.want {
			t.Errorf("%q: got %v, want %s", tc.raw, got, tc.want)
		}
	}
}

// The usage page counts a model's every name under its key and links
// that key to the list: the filter keeps the sessions of each name, and a
// raw id (an older link) keeps them too, but not another model's.
func TestModelFilterKeepsEveryNameOfTheModel(t *testing.T) {
	sessions := []Session{
		{ID: "plain", Model: "claude-haiku-4-5"},
		{ID: "dated", Model: "claude-haiku-4-5-20251001"},
		{ID: "bedrock", Model: "us.anthropic.claude-haiku-4-5-20251001-v1:0"},
		{ID: "vertex", Model: "claude-haiku-4-5@20251001"},
		{ID: "other", Model: "claude-sonnet-4-5-20250929"},
	}
	for _, model := range []string{"claude-haiku-4-5", "claude-haiku-4-5-20251001", "us.anthropic.claude-haiku-4-5-20251001-v1:0"} {
		q := Query{Model: model}
		var got []string
		for i := range sessions {
			if q.Match(&sessions[i]) {
				got = append(got, sessions[i].ID)
			}
		}
		if strings.Join(got, ",") != "plain,dated,bedrock,vertex" {
			t.Errorf("model=%s keeps %v, want plain,dated,bedrock,vertex", model, got)
		}
	}
}

// A search finds a session by the name of the tool that ran it and by
// its model as people say it ("sonnet 4.5"), as well as by its id.
func TestSearchByToolAndModelWords(t *testing.T) {
	sessions := []Session{
		{ID: "s45", Source: SourceClaude, Title: "one", Model: "claude-sonnet-4-5-20250929", UpdatedAt: 4},
		{ID: "o41", Source: SourceClaude, Title: "two", Model: "claude-opus-4-1", UpdatedAt: 3},
		{ID: "gpt", Source: SourceOpenCode, Title: "three", Model: "gpt-5.1-codex", UpdatedAt: 2},
		{ID: "old", Source: SourceClaude, Title: "four", Model: "claude-3-5-sonnet-20241022", UpdatedAt: 1},
	}
	for _, tc := range []struct{ search, want string }{
		{"sonnet 4.5", "s45"},
		{"4.5 SONNET", "s45"},
		{"sonnet-4-5", "s45"},
		{"opus 4.1", "o41"},
		{"opencode", "gpt"},
		{"claude code", "s45,o41,old"},
		{"gpt 5.1", "gpt"},
		{"3.5 sonnet", "old"},
		{"sonnet", "s45,old"},
	} {
		if got := idsOf((Query{Search: tc.search}).Apply(sessions)); got != tc.want {
			t.Errorf("%q: %s, want %s", tc.search, got, tc.want)
		}
	}
	for m, want := range map[string]string{
		"claude-sonnet-4-5-20250929": "sonnet 4.5", "gpt-5.1-codex": "gpt 5.1 codex", "claude-3-5-sonnet-20241022": "3.5 sonnet",
		"claude-opus-4-1": "opus 4.1", "": "", "-": " ", "4-": "4 ", "a-b-1-2-3": "a b 1.2.3",
	} {
		if got := ModelWords(m); got != want {
			t.Errorf("ModelWords(%q) = %q, want %q", m, got, want)
		}
	}
}

// A filter that keeps a few sessions of many allocates about those few:
// the result was made the size of the whole list (47 MB at 100,000
// sessions, for a search that found none).
func TestQueryApplyAllocatesWhatMatches(t *testing.T) {
	const n = 10_000
	all := make([]Session, n)
	for i := range all {
		all[i] = Session{ID: fmt.Sprint(i), Source: SourceClaude, Status: StatusIdle, UpdatedAt: int64(n - i)}
	}
	all[n/2].Status = StatusWaiting
	q := Query{Status: string(StatusWaiting)}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	got := q.Apply(all)
	runtime.ReadMemStats(&after)
	if len(got) != 1 || got[0].ID != all[n/2].ID {
		t.Fatalf("got %d sessions, want the one waiting", len(got))
	}
	list := uint64(n) * uint64(unsafe.Sizeof(Session{}))
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > list/10 {
		t.Errorf("keeping 1 session of %d allocated %d bytes (the list is %d)", n, alloc, list)
	}
}

// MatchProject is helmd ls --project's rule, which helmd applies too
// (projectMatch): a project's name in any case, or its path with or
// without a slash at its end; nothing else, a part of a name no more
// than another project's path.
func TestMatchProject(t *testing.T) {
	s := &Session{ProjectName: "Web App", ProjectPath: "/w/Web App"}
	for p, want := range map[string]bool{
		"": true, "Web App": true, "web app": true, "WEB APP": true, "/w/Web App": true, "/w/Web App/": true,
		"/w/web app": false, "Web": false, "/w": false, "/w/Web App//": false, "Web App/": false,
	} {
		if got := MatchProject(s, p); got != want {
			t.Errorf("MatchProject(%q) = %v, want %v", p, got, want)
		}
		q := Query{ProjectMatch: p}
		if got := q.Match(s) && MatchFunc(q)(s); got != want {
			t.Errorf("Query{ProjectMatch: %q} matches: %v, want %v", p, got, want)
		}
	}
}
