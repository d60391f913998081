package api

import (
	"net/http"
	"net/url"
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
