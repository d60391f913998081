package api

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"vibecraft.sh/helm/server/stream"
	"vibecraft.sh/helm/shared"
)

func encodeRaw(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

type pageReply struct {
	Sessions []shared.Session `json:"sessions"`
	Total    int              `json:"total"`
	EventID  string           `json:"eventId"`
	Next     string           `json:"next"`
}

// pagedServer serves the API over a hub that has published n sessions,
// c0 the newest.
func pagedServer(t *testing.T, n int, opts stream.Options) (*httptest.Server, *stream.Hub) {
	t.Helper()
	hub := stream.NewHub(opts)
	var ss []shared.Session
	for i := range n {
		ss = append(ss, shared.Session{ID: fmt.Sprintf("c%d", i), Source: shared.SourceClaude, Title: fmt.Sprintf("session %d", i),
			ProjectPath: fmt.Sprintf("/w/p%d", i%3), UpdatedAt: int64(1000 - i), CreatedAt: int64(i), MessageCount: i % 7})
	}
	hub.Publish(shared.EventRefresh, ss)
	mux := http.NewServeMux()
	New(Deps{Refresh: &fakeRefresher{}, Stream: hub, Status: func() any { return nil }}).Install(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	t.Cleanup(hub.Close)
	return srv, hub
}

func getListPage(t *testing.T, srv *httptest.Server, query string) (int, pageReply, string) {
	t.Helper()
	resp, body := get(t, srv.URL+"/api/sessions?"+query)
	var p pageReply
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal([]byte(body), &p); err != nil {
			t.Fatalf("%s: not a page: %v\n%s", query, err, body)
		}
		if h := resp.Header.Get(EventIDHeader); h != p.EventID {
			t.Errorf("%s: header id %q, body id %q", query, h, p.EventID)
		}
	}
	return resp.StatusCode, p, body
}

// walk follows next from the first page of query and returns the IDs.
func walk(t *testing.T, srv *httptest.Server, query string, between func(page int)) ([]string, string) {
	t.Helper()
	var got []string
	q := query
	var first string
	for page := 0; ; page++ {
		code, p, body := getListPage(t, srv, q)
		if code != http.StatusOK {
			t.Fatalf("page %d (%s): %d %s", page, q, code, body)
		}
		if page == 0 {
			first = p.EventID
		} else if p.EventID != first {
			t.Fatalf("page %d is of state %s, the walk started at %s", page, p.EventID, first)
		}
		for _, s := range p.Sessions {
			got = append(got, s.ID)
		}
		if p.Next == "" {
			return got, first
		}
		if page > 100 {
			t.Fatal("no end to the pages")
		}
		if between != nil {
			between(page)
		}
		q = query + "&cursor=" + url.QueryEscape(p.Next)
	}
}

func seq(from, to int) string {
	var s []string
	for i := from; i < to; i++ {
		s = append(s, fmt.Sprintf("c%d", i))
	}
	return strings.Join(s, ",")
}

func TestPagesAtEveryLimit(t *testing.T) {
	srv, _ := pagedServer(t, 10, stream.Options{})
	for _, tc := range []struct {
		query string
		want  string
	}{
		{"limit=1", seq(0, 10)},
		{"limit=3", seq(0, 10)},
		{"limit=10", seq(0, 10)},
		{"limit=5000", seq(0, 10)},
		{"limit=4&sort=created", "c9,c8,c7,c6,c5,c4,c3,c2,c1,c0"},
		{"limit=2&project=%2Fw%2Fp1", "c1,c4,c7"},
		{"limit=2&q=nothing+matches", ""},
	} {
		got, _ := walk(t, srv, tc.query, nil)
		if g := strings.Join(got, ","); g != tc.want {
			t.Errorf("%s: %s, want %s", tc.query, g, tc.want)
		}
	}
	// The first page says how many there are and that more follow.
	_, p, _ := getListPage(t, srv, "limit=4")
	if p.Total != 10 || p.Next == "" || len(p.Sessions) != 4 {
		t.Errorf("first page: total %d, next %q, %d sessions; want 10, a cursor, 4", p.Total, p.Next, len(p.Sessions))
	}
}

func TestPageRefusesBadInput(t *testing.T) {
	srv, _ := pagedServer(t, 5, stream.Options{})
	_, p, _ := getListPage(t, srv, "limit=2")
	forged := func(v map[string]any) string {
		b, _ := json.Marshal(v)
		return url.QueryEscape(encodeRaw(b))
	}
	for _, tc := range []struct {
		query string
		want  int
	}{
		{"limit=0", 400},
		{"limit=-1", 400},
		{"limit=5001", 400},
		{"limit=ten", 400},
		{"limit=", 400},
		{"cursor=", 400},
		{"cursor=%%%", 400},
		{"cursor=" + strings.Repeat("A", 5000), 400},
		{"cursor=bm90IGpzb24", 400},                               // "not json"
		{"limit=2&q=docs&cursor=" + url.QueryEscape(p.Next), 400}, // another query
		{"cursor=" + forged(map[string]any{"e": "otherepoch-1", "i": "c1", "q": queryHash(shared.Query{})}), 409},  // another run of helmd
		{"cursor=" + forged(map[string]any{"e": p.EventID + "9", "i": "c1", "q": queryHash(shared.Query{})}), 409}, // a state not yet published
	} {
		code, _, body := getListPage(t, srv, tc.query)
		if code != tc.want {
			t.Errorf("%.60s: %d %s, want %d", tc.query, code, body, tc.want)
		}
		if code >= 400 && !strings.Contains(body, `"error"`) {
			t.Errorf("%.60s: error body %q has no error message", tc.query, body)
		}
	}
	// A cursor past the end (the last session) gives an empty last page.
	code, last, _ := getListPage(t, srv, "cursor="+forged(map[string]any{"e": p.EventID, "i": "c4", "u": 996, "s": "claude", "q": queryHash(shared.Query{})}))
	if code != 200 || len(last.Sessions) != 0 || last.Next != "" {
		t.Errorf("cursor past the end: %d, %d sessions, next %q; want 200, none, none", code, len(last.Sessions), last.Next)
	}
}

// Changes between pages do not move the walk: it sees the list as it was
// at the first page, which the stream, resumed from that id, then brings
// up to date.
func TestPagesAreSnapshotConsistent(t *testing.T) {
	srv, hub := pagedServer(t, 10, stream.Options{})
	got, _ := walk(t, srv, "limit=3", func(page int) {
		switch page {
		case 0: // c5 becomes the newest: it would move onto the page already read
			hub.Publish(shared.EventSessionUpdated, []shared.Session{{ID: "c5", Source: shared.SourceClaude, UpdatedAt: 5000}})
		case 1:
			hub.Publish(shared.EventSessionCreated, []shared.Session{{ID: "new", Source: shared.SourceClaude, UpdatedAt: 6000}})
			hub.Publish(shared.EventSessionDeleted, []shared.Session{{ID: "c8", Source: shared.SourceClaude, UpdatedAt: 992}})
		}
	})
	if g := strings.Join(got, ","); g != seq(0, 10) {
		t.Errorf("walk across changes: %s, want the first page's state %s", g, seq(0, 10))
	}
	// A new walk sees the changes.
	now, _ := walk(t, srv, "limit=4", nil)
	if g := strings.Join(now, ","); g != "new,c5,c0,c1,c2,c3,c4,c6,c7,c9" {
		t.Errorf("new walk: %s", g)
	}
}

// A refresh, or a history that no longer reaches back, cannot be undone:
// the next page says so with 409 instead of mixing two states.
func TestPageAfterTheStateIsGone(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(hub *stream.Hub)
	}{
		{"refresh", func(hub *stream.Hub) {
			hub.Publish(shared.EventRefresh, []shared.Session{{ID: "x", Source: shared.SourceClaude}})
		}},
		{"history overrun", func(hub *stream.Hub) {
			for i := range 5 {
				hub.Publish(shared.EventSessionUpdated, []shared.Session{{ID: "c1", Source: shared.SourceClaude, UpdatedAt: int64(2000 + i)}})
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, hub := pagedServer(t, 6, stream.Options{HistoryCount: 2})
			_, p, _ := getListPage(t, srv, "limit=2")
			tc.change(hub)
			code, _, body := getListPage(t, srv, "limit=2&cursor="+url.QueryEscape(p.Next))
			if code != http.StatusConflict {
				t.Errorf("%d %s, want 409", code, body)
			}
		})
	}
}

// Without limit or cursor the reply stays the bare array.
func TestUnpagedListIsTheArray(t *testing.T) {
	srv, _ := pagedServer(t, 3, stream.Options{})
	_, body := get(t, srv.URL+"/api/sessions")
	if got := ids(t, body); got != "c0,c1,c2" {
		t.Errorf("unpaged: %s", got)
	}
}

func FuzzParseCursor(f *testing.F) {
	f.Add(newCursor("abc-1", 7, &shared.Session{ID: "x", Source: shared.SourceClaude, UpdatedAt: 3}).encode())
	f.Add("")
	f.Add("eyJlIjoiIn0")
	// Raw "<" in its JSON, which encoding/json writes again as \u003c:
	// six times as long, past the bound, though the cursor given is within.
	f.Add(encodeRaw([]byte(`{"e":"1","i":"` + strings.Repeat("<", 3000) + `"}`)))
	f.Fuzz(func(t *testing.T, s string) {
		c, err := parseCursor(s)
		if err != nil {
			return
		}
		if c.EventID == "" || c.ID == "" {
			t.Fatalf("accepted a cursor without state or position: %+v", c)
		}
		if again, err := parseCursor(c.encode()); err != nil || again.last != c.last {
			t.Fatalf("round trip: %+v, %v", again, err)
		}
	})
}

// projectMatch keeps the sessions of a project as helmd ls --project
// names it (shared.MatchProject): its name in any case, or its path with
// or without a slash at its end, paged or not; ls then asks for those
// sessions only, not every page of the list. project is still the path
// alone: a name there matches nothing, as it did.
func TestProjectMatchNamesAProjectByNameOrPath(t *testing.T) {
	hub := stream.NewHub(stream.Options{})
	t.Cleanup(hub.Close)
	hub.Publish(shared.EventRefresh, []shared.Session{
		{ID: "a", Source: shared.SourceClaude, ProjectName: "webapp", ProjectPath: "/w/webapp", UpdatedAt: 50},
		{ID: "b", Source: shared.SourceClaude, ProjectName: "site", ProjectPath: "/w/site", UpdatedAt: 40},
		{ID: "c", Source: shared.SourceOpenCode, ProjectName: "WebApp", ProjectPath: "/old/WebApp", UpdatedAt: 30},
		{ID: "d", Source: shared.SourceClaude, ProjectName: "webapp", ProjectPath: "/w/webapp", UpdatedAt: 20},
		{ID: "e", Source: shared.SourceClaude, ProjectName: "webapp2", ProjectPath: "/w/webapp2", UpdatedAt: 10},
	})
	mux := http.NewServeMux()
	New(Deps{Refresh: &fakeRefresher{}, Stream: hub, Status: func() any { return nil }}).Install(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	for _, tc := range []struct{ query, want string }{
		{"limit=1&projectMatch=webapp", "a,c,d"},
		{"limit=2&projectMatch=WEBAPP", "a,c,d"},
		{"limit=5000&projectMatch=%2Fw%2Fwebapp%2F", "a,d"},
		{"limit=5000&projectMatch=%2Fw%2Fwebapp", "a,d"},
		{"limit=5000&projectMatch=web", ""},
		{"limit=5000&project=webapp", ""},
		{"limit=5000&project=%2Fw%2Fwebapp", "a,d"},
	} {
		got, _ := walk(t, srv, tc.query, nil)
		if g := strings.Join(got, ","); g != tc.want {
			t.Errorf("%s: %s, want %s", tc.query, g, tc.want)
		}
	}
	if _, body := get(t, srv.URL+"/api/sessions?projectMatch=Site"); ids(t, body) != "b" {
		t.Errorf("the whole list, projectMatch=Site: %s, want b", body)
	}
}

// A hub's list holds other machines' sessions, whose keys name their
// machine (claude:<id>@<host>), the same id on two machines among them:
// a walk at every limit gives each once, whatever session a page ends
// on, and a cursor naming a long machine name is taken. (The cursor kept
// no machine: a page that ended on a remote session began the next with
// it again.)
func TestPagesOfAFleet(t *testing.T) {
	hub := stream.NewHub(stream.Options{})
	t.Cleanup(hub.Close)
	ss := []shared.Session{
		{ID: "a", Source: shared.SourceClaude, UpdatedAt: 900},
		{ID: "a", Source: shared.SourceClaude, Host: "beta", Remote: true, UpdatedAt: 900},
		{ID: "a", Source: shared.SourceClaude, Host: "alpha", Remote: true, UpdatedAt: 900},
		{ID: "b", Source: shared.SourceClaude, Host: "beta", Remote: true, UpdatedAt: 800, CreatedAt: 5},
		{ID: "c", Source: shared.SourceClaude, Host: "alpha", Remote: true, UpdatedAt: 700, CreatedAt: 5},
		{ID: "d", Source: shared.SourceClaude, UpdatedAt: 600, CreatedAt: 5},
		// A long, hostile name, escaped in the cursor: the cursor still fits.
		{ID: "e", Source: shared.SourceClaude, Host: strings.Repeat(`<"é>`, 60), Remote: true, UpdatedAt: 600, CreatedAt: 5},
		// Machines whose clocks are off: ordered on the hub's clock, at
		// the times of others (ListTime 800 and 700).
		{ID: "f", Source: shared.SourceClaude, Host: "slow", Remote: true, UpdatedAt: 500, CreatedAt: 5, HostClockAheadMs: -300},
		{ID: "g", Source: shared.SourceClaude, Host: "fast", Remote: true, UpdatedAt: 1000, CreatedAt: 5, HostClockAheadMs: 300},
	}
	hub.Publish(shared.EventRefresh, ss)
	mux := http.NewServeMux()
	New(Deps{Refresh: &fakeRefresher{}, Stream: hub, Status: func() any { return nil }}).Install(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	for _, query := range []string{"limit=1", "limit=2", "limit=4", "limit=1&sort=created"} {
		var keys []string
		q := query
		for range len(ss) + 2 {
			code, p, body := getListPage(t, srv, q)
			if code != http.StatusOK {
				t.Fatalf("%s: %d %s", q, code, body)
			}
			for _, s := range p.Sessions {
				keys = append(keys, s.Key())
			}
			if p.Next == "" {
				break
			}
			q = query + "&cursor=" + url.QueryEscape(p.Next)
		}
		seen := map[string]bool{}
		for _, k := range keys {
			seen[k] = true
		}
		if len(keys) != len(ss) || len(seen) != len(ss) {
			t.Errorf("%s: %d sessions listed, %d of them distinct, want the %d each once: %v", query, len(keys), len(seen), len(ss), keys)
		}
		if query == "limit=1" {
			want := "claude:a claude:a@alpha claude:a@beta claude:b@beta claude:f@slow claude:c@alpha claude:g@fast claude:d claude:e@" + ss[6].Host
			if got := strings.Join(keys, " "); got != want {
				t.Errorf("%s: order %s\nwant %s", query, got, want)
			}
		}
	}
}
