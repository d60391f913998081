package api

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/stream"
	"vibecraft.sh/helm/shared"
	"vibecraft.sh/helm/shared/snapshot"
)

// getSnapshot GETs the compact snapshot and decodes it.
func getSnapshot(t *testing.T, url string) ([]shared.Session, string) {
	t.Helper()
	resp, body := get(t, url)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s %s", url, resp.Status, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != snapshot.ContentType {
		t.Errorf("Content-Type %q", ct)
	}
	sessions, err := snapshot.Decode([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	return sessions, resp.Header.Get(EventIDHeader)
}

func getList(t *testing.T, url string) ([]shared.Session, string) {
	t.Helper()
	resp, body := get(t, url)
	var ss []shared.Session
	if err := json.Unmarshal([]byte(body), &ss); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return ss, resp.Header.Get(EventIDHeader)
}

// The snapshot is the JSON list, field for field, named by the same id;
// the stream resumed from that id, applied to it, gives the server's
// list after changes of every kind.
func TestSnapshotThenStreamIsTheList(t *testing.T) {
	srv, hub := pagedServer(t, 50, stream.Options{})
	hub.Publish(shared.EventSessionUpdated, []shared.Session{{ID: "c3", Source: shared.SourceClaude, Title: "a <b>hostile</b> \xff title " + strings.Repeat("x", 100_000),
		FirstPrompt: "\u2028", UpdatedAt: 4000, Status: shared.StatusWaiting, Question: "Proceed?", Tokens: shared.Tokens{Input: 5, CacheRead: 9}, CostUSD: 0.25}})
	snap, id := getSnapshot(t, srv.URL+"/api/sessions/snapshot")
	list, listID := getList(t, srv.URL+"/api/sessions")
	if id == "" || id != listID {
		t.Fatalf("snapshot id %q, list id %q", id, listID)
	}
	if !reflect.DeepEqual(snap, list) {
		t.Fatalf("the snapshot is not the list (%d and %d sessions)", len(snap), len(list))
	}

	hub.Publish(shared.EventSessionUpdated, []shared.Session{{ID: "c5", Source: shared.SourceClaude, Title: "session 5", ProjectPath: "/w/p2", UpdatedAt: 5000, CreatedAt: 5, MessageCount: 6}})
	hub.Publish(shared.EventSessionCreated, []shared.Session{{ID: "new", Source: shared.SourceOpenCode, UpdatedAt: 6000}})
	hub.Publish(shared.EventSessionDeleted, []shared.Session{{ID: "c8", Source: shared.SourceClaude, UpdatedAt: 992}})
	byKey := map[string]shared.Session{}
	for _, s := range snap {
		byKey[s.Key()] = s
	}
	base := func(key string) (shared.Session, bool) { s, ok := byKey[key]; return s, ok }
	for _, ev := range resumed(t, srv.URL+"/api/sessions/stream?lastEventId="+id, 3, base) {
		for _, s := range ev.Sessions {
			if ev.Type == shared.EventSessionDeleted {
				delete(byKey, s.Key())
			} else {
				byKey[s.Key()] = s
			}
		}
	}
	var got []shared.Session
	for _, s := range byKey {
		got = append(got, s)
	}
	shared.SortNewestFirst(got)
	want, _ := getList(t, srv.URL+"/api/sessions")
	if !reflect.DeepEqual(got, want) {
		for i := range min(len(got), len(want)) {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Errorf("row %d: snapshot + stream has %s (%d messages), the list %s (%d messages)", i, got[i].ID, got[i].MessageCount, want[i].ID, want[i].MessageCount)
			}
		}
		t.Fatalf("snapshot + stream: %d sessions, the list %d", len(got), len(want))
	}
}

// resumed reads n events of a stream that must resume (no init), each
// decoded against what the snapshot and the events before it made.
func resumed(t *testing.T, url string, n int, base func(string) (shared.Session, bool)) []shared.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	var evs []shared.Event
	var typ string
	for len(evs) < n {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("stream ended after %d events: %v", len(evs), err)
		}
		line = strings.TrimSuffix(line, "\n")
		switch {
		case strings.HasPrefix(line, "event: "):
			typ = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: ") && typ != string(shared.EventKeepalive):
			if typ == string(shared.EventInit) {
				t.Fatal("the stream sent an init: it did not resume from the snapshot's id")
			}
			ev, err := shared.DecodeEventStrict(shared.EventType(typ), []byte(strings.TrimPrefix(line, "data: ")), base)
			if err != nil {
				t.Fatal(err)
			}
			evs = append(evs, ev)
		}
	}
	return evs
}

func TestSnapshotRefusesParameters(t *testing.T) {
	srv, _ := pagedServer(t, 3, stream.Options{})
	for _, q := range []string{"q=login", "limit=10", "cursor=x", "%zz=1", strings.Repeat("k", 5000) + "=1"} {
		resp, body := get(t, srv.URL+"/api/sessions/snapshot?"+q)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "error") || len(body) > 300 {
			t.Errorf("?%.20s: %s %.100q", q, resp.Status, body)
		}
	}
	// The page's instance is every request's, not a query.
	if got, _ := getSnapshot(t, srv.URL+"/api/sessions/snapshot?instance=abc"); len(got) != 3 {
		t.Errorf("with ?instance=: %d sessions", len(got))
	}
}
