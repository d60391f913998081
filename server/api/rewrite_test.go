package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"testing"

	"vibecraft.sh/helm/shared"
)

// A transcript rewritten in place from its own first line, a call's
// input longer, while a page holds the cursor of the last message: the
// page's requests from it answer 409 (load the last page again), and
// its stream, reconnecting with its last event's id, opens with a reset
// naming the new end. Before, the cursor landed mid-line in the new
// content and was refused as malformed (400): the page's stream ended
// and every reconnect was refused again.
func TestRewriteKeepingFirstLineOverHTTP(t *testing.T) {
	srv, main := transcriptServer(t)
	base := "/api/sessions/claude/" + testSID
	var last shared.MessagePage
	if code, body := getPage(t, srv, base+"/messages?limit=2", &last); code != 200 || last.Before == "" {
		t.Fatalf("last page: %d %.300s", code, body)
	}
	old, err := os.ReadFile(main)
	if err != nil {
		t.Fatal(err)
	}
	first := old[:bytes.IndexByte(old, '\n')+1]
	rest := bytes.ReplaceAll(old[len(first):], []byte(`"look around"`), []byte(`"look around the code base"`))
	f, err := os.OpenFile(main, os.O_WRONLY|os.O_TRUNC, 0) // in place: the same inode
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(append(first, rest...)); err != nil {
		t.Fatal(err)
	}
	f.Close()

	for _, q := range []string{"before=" + url.QueryEscape(last.After), "after=" + url.QueryEscape(last.After)} {
		if code, body := getPage(t, srv, base+"/messages?"+q, nil); code != http.StatusConflict {
			t.Errorf("?%.40s… after the rewrite: %d %.200s, want 409", q, code, body)
		}
		if code, body := getPage(t, srv, base+"/find?q=push&"+q, nil); code != http.StatusConflict {
			t.Errorf("find ?%.40s… after the rewrite: %d %.200s, want 409", q, code, body)
		}
	}
	status, typ, data := firstEvent(t, srv.URL, url.Values{"lastEventId": {last.After}})
	var reset resetData
	if status != http.StatusOK || typ != "reset" || json.Unmarshal([]byte(data), &reset) != nil || reset.After == "" {
		t.Fatalf("stream resumed from the old cursor: %d, first event %q %.200s; want a reset", status, typ, data)
	}
	var fresh shared.MessagePage
	if code, body := getPage(t, srv, base+"/messages?limit=2", &fresh); code != 200 || fresh.After != reset.After ||
		fresh.Messages[0].Blocks[0].Tool == nil || fresh.Messages[0].Blocks[0].Tool.Summary != "look around the code base" {
		t.Fatalf("the reloaded last page: %d %.300s; want the new text, ending at the reset's cursor", code, body)
	}
}
