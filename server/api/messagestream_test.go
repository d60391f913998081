package api

import (
	"bufio"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/shared"
)

// firstEvent opens the page stream with the given query and returns its
// status and, on a 200, the type and data of its first event.
func firstEvent(t testing.TB, base string, q url.Values) (status int, typ, data string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/api/sessions/claude/"+testSID+"/messages/stream?"+q.Encode(), nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, "", ""
	}
	br := bufio.NewReader(resp.Body)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("stream ended before its first event: %v", err)
		}
		line = strings.TrimSuffix(line, "\n")
		switch {
		case strings.HasPrefix(line, "event: "):
			typ = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data = strings.TrimPrefix(line, "data: ")
		case line == "" && typ != "":
			return resp.StatusCode, typ, data
		}
	}
}

// FuzzPageStreamCursor: whatever a client puts in after= or lastEventId=
// (forged, truncated, another file's, another kind's), the stream answers
// 400 or opens with a messages or reset event; it never crashes or reads
// from a position helmd did not make.
func FuzzPageStreamCursor(f *testing.F) {
	srv, _ := transcriptServer(f)
	var page shared.MessagePage
	if status, _ := getPage(f, srv, "/api/sessions/claude/"+testSID+"/messages?limit=2", &page); status != http.StatusOK {
		f.Fatalf("page: %d", status)
	}
	for _, s := range []string{"", page.After, page.Before, page.After[:len(page.After)-1], "AQ", "AWxAAAAAAAAAAAAAAAAA", "<script>", "\n\nevent: x"} {
		f.Add(s, "")
		f.Add("", s)
	}
	f.Fuzz(func(t *testing.T, after, last string) {
		q := url.Values{}
		if after != "" {
			q.Set("after", after)
		}
		if last != "" {
			q.Set("lastEventId", last)
		}
		status, typ, data := firstEvent(t, srv.URL, q)
		switch {
		case status == http.StatusBadRequest:
		case status == http.StatusOK && (typ == "messages" || typ == "reset") && strings.HasPrefix(data, "{"):
		default:
			t.Fatalf("after=%q lastEventId=%q: %d, first event %q %.200s", after, last, status, typ, data)
		}
	})
}
