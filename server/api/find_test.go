package api

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"vibecraft.sh/helm/shared"
)

// Find answers the cursors of the messages that show the term, which
// ?after= opens; a subagent's with ?agent=.
func TestFindOverHTTP(t *testing.T) {
	srv, _ := transcriptServer(t)
	base := "/api/sessions/claude/" + testSID
	for _, tc := range []struct {
		q, agent string
		want     int
		first    string // a text the first match shows
	}{
		{"push", "", 1, "Shall I push?\nIt is ready."},
		{"SESSION-DELETED", "", 1, ""}, // in a tool's cut result
		{"task", "", 1, ""},            // a tool's name
		{"<script>", "", 1, "<script>alert(1)</script> fix it"},
		{"nowhere", "", 0, ""},
		{"found it", "a1b2", 1, "Found it."},
	} {
		q := url.Values{"q": {tc.q}}
		if tc.agent != "" {
			q.Set("agent", tc.agent)
		}
		var res shared.FindResult
		if code, body := getPage(t, srv, base+"/find?"+q.Encode(), &res); code != 200 {
			t.Fatalf("%q: %d %.300s", tc.q, code, body)
		}
		if len(res.Matches) != tc.want || res.More {
			t.Fatalf("%q: %d matches (more %v), want %d", tc.q, len(res.Matches), res.More, tc.want)
		}
		if tc.want == 0 {
			continue
		}
		q.Del("q")
		q.Set("after", res.Matches[0])
		var page shared.MessagePage
		if code, body := getPage(t, srv, base+"/messages?"+q.Encode(), &page); code != 200 || len(page.Messages) == 0 {
			t.Fatalf("%q: opening its match: %d %.300s", tc.q, code, body)
		}
		if m := page.Messages[0]; m.Cursor != res.Matches[0] || !shared.MessageShows(&m, tc.q) ||
			tc.first != "" && m.Blocks[0].Text != tc.first {
			t.Fatalf("%q: ?after= its match opened %+v", tc.q, m)
		}
	}
}

// ?at=start is the first page; the forms there were answer as before.
func TestStartPageOverHTTP(t *testing.T) {
	srv, _ := transcriptServer(t)
	base := "/api/sessions/claude/" + testSID + "/messages"
	var page shared.MessagePage
	if code, body := getPage(t, srv, base+"?at=start&limit=1", &page); code != 200 {
		t.Fatalf("%d %.300s", code, body)
	}
	if len(page.Messages) != 1 || page.Messages[0].Blocks[0].Text != "<script>alert(1)</script> fix it" || page.Before != "" || !page.More {
		t.Fatalf("first page: %+v", page)
	}
	var last shared.MessagePage
	if code, body := getPage(t, srv, base+"?limit=1", &last); code != 200 || len(last.Messages) != 1 || last.Messages[0].Blocks[0].Text != "Shall I push?\nIt is ready." {
		t.Fatalf("last page: %d %.300s", code, body)
	}
}

// Find and at= refuse what they cannot answer with a 400, before reading.
func TestFindRefuses(t *testing.T) {
	srv, _ := transcriptServer(t)
	base := "/api/sessions/claude/" + testSID
	for _, tc := range []struct {
		path string
		want int
	}{
		{base + "/find", 400},
		{base + "/find?q=", 400},
		{base + "/find?q=%20%20", 400},
		{base + "/find?q=" + strings.Repeat("a", shared.MaxFindTerm+1), 400},
		{base + "/find?q=%ff%fe", 400},
		{base + "/find?q=x&agent=..%2Fx", 400},
		{base + "/find?q=x&agent=zzzz", 404},
		{"/api/sessions/claude/00000000-0000-4000-8000-000000000000/find?q=x", 404},
		{"/api/sessions/opencode/not-an-id/find?q=x", 400},
		{base + "/messages?at=end", 400},
		{base + "/messages?at=start&before=AQ", 400},
		{base + "/messages?at=", 400},
		{base + "/messages/stream?at=start", 400}, // a stream follows the end
	} {
		if code, body := getPage(t, srv, tc.path, nil); code != tc.want {
			t.Errorf("%s: %d %.300s, want %d", tc.path, code, body, tc.want)
		}
	}
	if code, _ := getPage(t, srv, base+"/find?q="+strings.Repeat("a", shared.MaxFindTerm), nil); code != 200 {
		t.Errorf("a term of %d bytes: %d, want 200", shared.MaxFindTerm, code)
	}
}

// TestFindsAtOnceAreBounded: a find reads a whole transcript, so past
// maxFinds reading at once helmd answers 503 with Retry-After, and
// answers again once one ends.
func TestFindsAtOnceAreBounded(t *testing.T) {
	srv, _, f := transcriptServerOf(t)
	for range maxFinds {
		f.t.finds <- struct{}{} // finds reading
	}
	path := "/api/sessions/claude/" + testSID + "/find?q=push"
	req, _ := http.NewRequest("GET", srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("with %d finds reading: %d, Retry-After %q; want 503 and a Retry-After", maxFinds, resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	<-f.t.finds // one ends
	var res shared.FindResult
	if code, body := getPage(t, srv, path, &res); code != 200 || len(res.Matches) != 1 {
		t.Errorf("once one ended: %d %.200s, want 200 and the one message that says push", code, body)
	}
}

// A find answers the matches from a cursor on, before one, or the last,
// each with where it stands among them all.
func TestFindAroundOverHTTP(t *testing.T) {
	srv, _ := transcriptServer(t)
	base := "/api/sessions/claude/" + testSID + "/find?q=t"
	var all shared.FindResult
	if code, body := getPage(t, srv, base, &all); code != 200 || len(all.Matches) != 3 || all.Total != 3 || all.First != 0 {
		t.Fatalf("every match: %d %.300s; want the transcript's three messages", code, body)
	}
	for _, tc := range []struct {
		query string
		from  int
		n     int
		more  bool
	}{
		{"&at=end", 0, 3, false},
		{"&after=" + url.QueryEscape(all.Matches[1]), 1, 2, false},
		{"&before=" + url.QueryEscape(all.Matches[1]), 0, 1, true},
		{"&before=" + url.QueryEscape(all.Matches[0]), 0, 0, true},
	} {
		var res shared.FindResult
		if code, body := getPage(t, srv, base+tc.query, &res); code != 200 {
			t.Fatalf("%s: %d %.300s", tc.query, code, body)
		}
		if !slices.Equal(res.Matches, all.Matches[tc.from:tc.from+tc.n]) || res.First != tc.from || res.Total != 3 || res.More != tc.more {
			t.Errorf("%s: %+v, want matches %d..%d of 3 (more %v)", tc.query, res, tc.from, tc.from+tc.n, tc.more)
		}
	}
}

// Which matches to answer is refused with a 400 that says why when it
// is not one helmd can answer, before any reading; a cursor made for
// another file (the subagent's) with a 409, as pages answer it.
func TestFindRefusesWhereFrom(t *testing.T) {
	srv, _ := transcriptServer(t)
	base := "/api/sessions/claude/" + testSID + "/find?q=t"
	var sub shared.MessagePage
	if code, body := getPage(t, srv, "/api/sessions/claude/"+testSID+"/messages?agent=a1b2", &sub); code != 200 || len(sub.Messages) == 0 {
		t.Fatalf("the subagent's page: %d %.300s", code, body)
	}
	var all shared.FindResult
	if code, _ := getPage(t, srv, base, &all); code != 200 || len(all.Matches) == 0 {
		t.Fatal("no match to start from")
	}
	c := url.QueryEscape(all.Matches[0])
	for _, tc := range []struct {
		query, says string
		want        int
	}{
		{"&after=", "after: want a cursor", 400},
		{"&before=", "before: want a cursor", 400},
		{"&after=%21%21%21", "malformed cursor", 400},
		{"&before=" + strings.Repeat("A", 5000), "before: want a cursor", 400},
		{"&after=" + c + "&before=" + c, "ask for one", 400},
		{"&after=" + c + "&after=" + c, "after: give it once", 400},
		{"&at=end&after=" + c, "ask for one", 400},
		{"&at=start", "at: want end", 400},
		{"&at=", "at: want end", 400},
		{"&after=" + url.QueryEscape(sub.Messages[0].Cursor), "stale cursor", 409},
		{"&before=AW0", "malformed cursor", 400}, // an OpenCode message's kind, no id
	} {
		code, body := getPage(t, srv, base+tc.query, nil)
		if code != tc.want || !strings.Contains(body, tc.says) {
			t.Errorf("%.80s: %d %.200s, want %d saying %q", tc.query, code, body, tc.want, tc.says)
		}
	}
}

// FuzzFindQuery: whatever the query, findQuery does not panic, and what
// it accepts names one place at most, with a bounded cursor.
func FuzzFindQuery(f *testing.F) {
	for _, s := range []string{"", "at=end", "after=AQ", "before=AQ&after=AQ", "at=start", "after=&before=",
		"after=" + strings.Repeat("A", 300), "at=end&at=end", "%zz", "before=%00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		q, err := findQuery(v)
		if err != nil {
			return
		}
		set := 0
		for _, on := range []bool{q.After != "", q.Before != "", q.End} {
			if on {
				set++
			}
		}
		if set > 1 || len(q.After) > maxFindCursor || len(q.Before) > maxFindCursor || q.Max != shared.MaxFound {
			t.Fatalf("%q accepted as %+v", raw, q)
		}
	})
}
