package api

import (
	"net/http"
	"net/url"
	"os"
	"testing"

	"vibecraft.sh/helm/shared"
)

// Every path of the session page is behind the guard: a token, a
// loopback or configured Host, and no cross-site reads.
func TestEveryPagePathIsGuarded(t *testing.T) {
	srv, _ := transcriptServer(t)
	base := "/api/sessions/claude/" + testSID
	var page shared.MessagePage
	if code, body := getPage(t, srv, base+"/messages?limit=1000", &page); code != 200 {
		t.Fatalf("messages: %d %.300s", code, body)
	}
	ref := page.Messages[1].Blocks[0].Tool.Result.Cut.Ref
	paths := []string{
		base,
		base + "/messages",
		base + "/messages?before=" + url.QueryEscape(page.Before) + "&agent=a1b2",
		base + "/messages/" + url.PathEscape(ref) + "/full",
		base + "/messages/stream?after=" + url.QueryEscape(page.After),
		base + "/messages?at=start",
		base + "/find?q=push",
		base + "/find?q=found&agent=a1b2",
		base + "/find?q=push&at=end",
		base + "/find?q=push&before=" + url.QueryEscape(page.Messages[1].Cursor),
	}
	bearer := "Bearer " + testToken
	for _, tc := range []struct {
		name   string
		header map[string]string
		host   string
		want   int
	}{
		{"no token", nil, "", http.StatusUnauthorized},
		{"a wrong token", map[string]string{"Authorization": "Bearer wrong"}, "", http.StatusUnauthorized},
		{"a rebinding Host", map[string]string{"Authorization": bearer}, "evil.example", http.StatusMisdirectedRequest},
		{"a cross-site read", map[string]string{"Authorization": bearer, "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "cors", "Origin": "https://evil.example"}, "", http.StatusForbidden},
	} {
		for _, path := range paths {
			req, err := http.NewRequest("GET", srv.URL+path, nil)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			if tc.host != "" {
				req.Host = tc.host
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("%s: %s answered %d, want %d", tc.name, path, resp.StatusCode, tc.want)
			}
		}
	}
}

// Cursors at the edges, as a client meets them over HTTP: a transcript
// truncated to nothing while it is paged (its cursors 409, a fresh page
// is empty), then one line written (reached from the empty page's after
// cursor), then rewritten in place (409 again).
func TestCursorEdgesOverHTTP(t *testing.T) {
	srv, main := transcriptServer(t)
	base := "/api/sessions/claude/" + testSID + "/messages"
	var first shared.MessagePage
	if code, body := getPage(t, srv, base+"?limit=1", &first); code != 200 || first.Before == "" {
		t.Fatalf("last page: %d %.300s", code, body)
	}
	stale := func(what string, cursors ...string) {
		t.Helper()
		for _, q := range cursors {
			if code, body := getPage(t, srv, base+"?"+q, nil); code != http.StatusConflict {
				t.Errorf("%s: ?%.60s answered %d %.200s, want 409", what, q, code, body)
			}
		}
	}

	if err := os.Truncate(main, 0); err != nil {
		t.Fatal(err)
	}
	stale("truncated", "before="+url.QueryEscape(first.Before), "after="+url.QueryEscape(first.After))
	var empty shared.MessagePage
	if code, body := getPage(t, srv, base, &empty); code != 200 || len(empty.Messages) != 0 || empty.Before != "" || empty.After == "" || empty.More {
		t.Fatalf("empty transcript: %d %.300s; want no messages, no before, an after", code, body)
	}

	if err := os.WriteFile(main, []byte(claudeLine("user", "u7", map[string]any{"role": "user", "content": "the only line"}, "")), 0o600); err != nil {
		t.Fatal(err)
	}
	var one shared.MessagePage
	if code, body := getPage(t, srv, base+"?after="+url.QueryEscape(empty.After), &one); code != 200 || len(one.Messages) != 1 {
		t.Fatalf("after the empty page's cursor: %d %.300s; want the one line", code, body)
	}
	if code, body := getPage(t, srv, base, &one); code != 200 || len(one.Messages) != 1 || one.Before != "" {
		t.Fatalf("one line: %d %.300s; want it, with no before", code, body)
	}

	f, err := os.OpenFile(main, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(claudeLine("user", "u8", map[string]any{"role": "user", "content": "another first line, longer than the last"}, "") +
		claudeLine("user", "u9", map[string]any{"role": "user", "content": "and more"}, "")); err != nil {
		t.Fatal(err)
	}
	f.Close()
	stale("rewritten in place", "after="+url.QueryEscape(one.After))
	var fresh shared.MessagePage
	if code, body := getPage(t, srv, base, &fresh); code != 200 || len(fresh.Messages) != 2 {
		t.Fatalf("fresh page of the rewritten file: %d %.300s", code, body)
	}
}
