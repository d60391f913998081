package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
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

// A transcript rewritten in place passes through a moment when it holds
// no complete line, and the list leaves out a session whose transcript
// has none (claude: build). When the list read the file then, the
// session page's requests answered 404 "no such session" until the list
// read it again, though helmd had the file and the page stream had just
// sent its reset, which asks the page to load the last page again: the
// page said the session was gone, or, opened then, that helmd had no
// such session. Each case has the list read the file at one moment of
// the rewrite, then asks as a page would before the list reads it again.
func TestRewriteWhileTheListLeftTheSessionOut(t *testing.T) {
	for _, tc := range []struct {
		name string
		// now is what the file holds when the page asks: its first line
		// (old[:n] of the old content, n < 0 for the whole first line)
		// and then the new rest, or nothing.
		head int
		rest bool
		want []string // the last page's texts (the tool's summary for a call)
	}{
		{name: "cut to nothing", head: 0, want: nil},
		{name: "its first line half written", head: 40, want: nil},
		{name: "its first line written", head: -1, want: []string{"<script>alert(1)</script> fix it"}},
		{name: "rewritten whole", head: -1, rest: true,
			want: []string{"<script>alert(1)</script> fix it", "look around the code base", "Shall I push?\nIt is ready."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTranscriptServer(t)
			base := "/api/sessions/claude/" + testSID
			old, err := os.ReadFile(ts.main)
			if err != nil {
				t.Fatal(err)
			}
			first := old[:bytes.IndexByte(old, '\n')+1]
			rest := bytes.ReplaceAll(old[len(first):], []byte(`"look around"`), []byte(`"look around the code base"`))
			var last shared.MessagePage
			if code, body := getPage(t, ts.srv, base+"/messages", &last); code != 200 || len(last.Messages) != 3 {
				t.Fatalf("the last page before: %d %.300s", code, body)
			}
			f, err := os.OpenFile(ts.main, os.O_WRONLY|os.O_TRUNC, 0) // in place: the same inode
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			ts.relist(t, ts.main) // the list reads the file cut to nothing
			if _, ok := ts.ix.Get("claude:" + testSID); ok {
				t.Fatal("the list still has the session, its transcript cut to nothing: this test no longer tests what it says")
			}
			now := first
			if tc.head >= 0 {
				now = first[:tc.head]
			}
			if tc.rest {
				now = append(append([]byte{}, first...), rest...)
			}
			if _, err := f.Write(now); err != nil {
				t.Fatal(err)
			}

			var page shared.MessagePage
			code, body := getPage(t, ts.srv, base+"/messages", &page)
			if code != 200 {
				t.Fatalf("the last page, the list not having read the rewrite yet: %d %.300s; want 200", code, body)
			}
			var got []string
			for _, m := range page.Messages {
				for _, b := range m.Blocks {
					switch {
					case b.Tool != nil:
						got = append(got, b.Tool.Summary)
					case b.Text != "":
						got = append(got, b.Text)
					}
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("the last page: %q, want %q", got, tc.want)
			}
			// The page's stream opens too (the page asks for it after its
			// last page), and its find answers.
			if status, typ, data := firstEvent(t, ts.srv.URL, url.Values{"after": {page.After}}); status != 200 || typ != "messages" {
				t.Errorf("the stream after the last page: %d %q %.200s", status, typ, data)
			}
			if code, body := getPage(t, ts.srv, base+"/find?q=fix", nil); code != 200 {
				t.Errorf("find: %d %.200s", code, body)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if run, err := ts.f.Follow(ctx, "claude:"+testSID); err != nil {
				t.Errorf("the socket's follow: %v", err)
			} else {
				cancel()
				run(func(string, string, []byte) error { return nil })
			}
		})
	}
}

// A session page opened while the list leaves its session out (a link
// followed, a reload): its transcript rewritten in place and read by the
// list cut to nothing, or a new session's first line not written whole.
// Its header's detail answered 404 "no such session" then, and the page,
// its messages loaded, said the session was deleted or moved. It answers
// what helmd knows, marked unlisted, and the whole header once the list
// reads the file again; an id helmd has no transcript for stays a 404.
func TestDetailWhileTheListLeftTheSessionOut(t *testing.T) {
	ts := newTranscriptServer(t)
	base := "/api/sessions/claude/" + testSID
	old, err := os.ReadFile(ts.main)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(ts.main, nil, 0o600); err != nil { // in place: the same inode
		t.Fatal(err)
	}
	ts.relist(t, ts.main)
	if _, ok := ts.ix.Get("claude:" + testSID); ok {
		t.Fatal("the list still has the session, its transcript cut to nothing: this test no longer tests what it says")
	}
	var d shared.SessionDetail
	if code, body := getPage(t, ts.srv, base, &d); code != 200 {
		t.Fatalf("the detail, the list leaving the session out: %d %.300s; want 200", code, body)
	}
	if !d.Unlisted || d.ID != testSID || d.Source != shared.SourceClaude || d.Title != "" ||
		len(d.Transcripts) != 2 || d.Transcripts[0] != ts.main || len(d.Subagents) != 1 || d.Subagents[0].ID != "a1b2" ||
		d.ResumeCommand != "claude --resume "+testSID {
		t.Errorf("the detail, unlisted: %+v; want it marked unlisted, with its id, files and subagent, and no title", d)
	}
	var sub shared.SessionDetail
	if code, body := getPage(t, ts.srv, base+"?agent=a1b2", &sub); code != 200 || sub.Agent == nil || sub.Agent.Type != "Explore" {
		t.Errorf("a subagent's header, its session unlisted: %d %.300s", code, body)
	}

	if err := os.WriteFile(ts.main, old, 0o600); err != nil {
		t.Fatal(err)
	}
	ts.relist(t, ts.main)
	d = shared.SessionDetail{}
	if code, body := getPage(t, ts.srv, base, &d); code != 200 || d.Unlisted || d.Title == "" || d.ProjectPath == "" {
		t.Errorf("the detail, the list having read the file again: %d %.300s; want the whole header", code, body)
	}

	// A new session, its first line half written: not listed, its page
	// opens all the same.
	const fresh = "0c9e4b1a-2d3f-4e5a-8b6c-7d8e9f0a1b2c"
	path := filepath.Join(filepath.Dir(ts.main), fresh+".jsonl")
	if err := os.WriteFile(path, old[:40], 0o600); err != nil {
		t.Fatal(err)
	}
	ts.relist(t, path)
	d = shared.SessionDetail{}
	if code, body := getPage(t, ts.srv, "/api/sessions/claude/"+fresh, &d); code != 200 || !d.Unlisted || d.ID != fresh ||
		len(d.Transcripts) != 1 || d.Transcripts[0] != path {
		t.Errorf("a new session's detail, its first line half written: %d %.300s", code, body)
	}

	const none = "9d9e4b1a-2d3f-4e5a-8b6c-7d8e9f0a1b2c" // no transcript
	if code, body := getPage(t, ts.srv, "/api/sessions/claude/"+none, nil); code != http.StatusNotFound ||
		!strings.Contains(body, "no such session") {
		t.Errorf("an id helmd has no transcript for: %d %.200s, want 404 no such session", code, body)
	}
}
