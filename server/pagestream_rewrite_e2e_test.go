package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"slices"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/fixture"
	"vibecraft.sh/helm/shared"
)

// TestPageStreamRewriteKeepingFirstLine: a transcript rewritten in place
// (the same inode) from its own first line, under an open page stream,
// gives a reset, and the stream goes on from the new end. Before, the
// stream's cursor landed mid-line in the new content: the stream ended,
// and each reconnect with its cursor was refused (400), so the page
// stopped following its session for good.
func TestPageStreamRewriteKeepingFirstLine(t *testing.T) {
	root := t.TempDir()
	const sid = "5e55a0e0-0000-4000-8000-0000000000b7"
	cwd := "/home/dev/webapp"
	path := fixture.Path(root, cwd, sid)
	now := time.Now()
	first := fixture.User(sid, cwd, "the first prompt", now)
	fixture.Append(t, path, first+fixture.Assistant(sid, cwd, "msg_w1", "end_turn", now)+fixture.User(sid, cwd, "a second prompt", now))
	srv := startHelmd(t, root)

	c, _ := followFromLastPage(t, srv.URL, sid)
	pageEvent(t, c)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		t.Fatal(err)
	}
	later := now.Add(time.Second)
	if _, err := f.WriteString(first + fixture.Assistant(sid, cwd, "msg_w2", "end_turn", later) +
		fixture.User(sid, cwd, "another second prompt, written by the rewrite", later)); err != nil {
		t.Fatal(err)
	}
	f.Close()
	ev, _ := pageEvent(t, c)
	var reset struct{ After string }
	if err := json.Unmarshal([]byte(ev.Raw), &reset); ev.Type != "reset" || err != nil || reset.After == "" {
		t.Fatalf("after the rewrite: %q %s; want a reset", ev.Type, ev.Raw)
	}
	fixture.Append(t, path, fixture.Assistant(sid, cwd, "msg_w3", "end_turn", later.Add(time.Second)))
	// The stream goes on past the reset up to the append. Where the reset
	// stands depends on when the watcher saw the rewrite: the file cut to
	// nothing (the rewritten lines then come as messages too, and a
	// second reset may follow) or rewritten whole. A message may come
	// again (the stream sends the last one again with what follows it, in
	// case it grew): the page puts it in its place. Either way the
	// messages after the last reset end with the append.
	var ids []string
	for len(ids) == 0 || ids[len(ids)-1] != "msg_w3" {
		ev, got := pageEvent(t, c)
		switch ev.Type {
		case "reset":
			ids = nil
		case "messages":
			for _, m := range got.Messages {
				if i := slices.Index(ids, m.ID); i >= 0 && i != len(ids)-1 {
					t.Fatalf("after the reset, %s came again after others: %q", m.ID, ids)
				} else if i < 0 {
					ids = append(ids, m.ID)
				}
			}
		default:
			t.Fatalf("after the reset: %q %s", ev.Type, ev.Raw)
		}
	}
	// The last page as a page opened now reads it. Once, in a clean-clone
	// run, it came back empty right after the stream had sent the append:
	// a 404, which getJSON then decoded as a page of nothing. The list had read
	// the file cut to nothing and left the session out, and the page's
	// endpoints answered from the list; they read the transcript itself
	// now (api: pageSession).
	resp, err := http.Get(srv.URL + "/api/sessions/claude/" + sid + "/messages")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var page shared.MessagePage
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("the last page: %d, %v", resp.StatusCode, err)
	}
	var texts [][]byte
	for _, m := range page.Messages {
		b, _ := json.Marshal(m.Blocks)
		texts = append(texts, b)
	}
	if len(page.Messages) != 4 || !bytes.Contains(texts[2], []byte("written by the rewrite")) {
		t.Fatalf("the last page: %s", bytes.Join(texts, []byte("\n")))
	}
}
