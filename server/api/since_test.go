package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/ssetest"
	"vibecraft.sh/helm/shared"
)

// listHeld reads the whole list as a client holds it, with its id.
func listHeld(t *testing.T, base string) (ssetest.List, string) {
	t.Helper()
	resp, body := get(t, base+"/api/sessions")
	var ss []shared.Session
	if err := json.Unmarshal([]byte(body), &ss); err != nil {
		t.Fatalf("the list: %v", err)
	}
	l := ssetest.List{}
	for _, s := range ss {
		l[s.Key()] = s
	}
	return l, resp.Header.Get(EventIDHeader)
}

// A poll that names the list it holds gets what changed since, not the
// list: nothing (304) while nothing changes, the stream's events after a
// change, which applied in order give the server's list; an id the
// stream could not resume from gets the whole list, as before.
func TestListSince(t *testing.T) {
	srv, _, hub := newTestServer(t)
	// A list of some size: a few changes weigh less than it.
	list := hub.Snapshot()
	for i := range 20 {
		list = append(list, shared.Session{ID: fmt.Sprintf("old%d", i), Source: shared.SourceClaude, Title: "Older work", UpdatedAt: int64(i)})
	}
	hub.Publish(shared.EventRefresh, list)
	held, id := listHeld(t, srv.URL)
	since := func(id string) (*http.Response, string) {
		return get(t, srv.URL+"/api/sessions?since="+url.QueryEscape(id))
	}

	resp, body := since(id)
	if resp.StatusCode != http.StatusNotModified || body != "" || resp.Header.Get(EventIDHeader) != id {
		t.Fatalf("nothing changed: status %d, %s %q, body %.80q; want 304, the same id, no body", resp.StatusCode, EventIDHeader, resp.Header.Get(EventIDHeader), body)
	}

	hub.Publish(shared.EventSessionUpdated, []shared.Session{{ID: "c1", Source: shared.SourceClaude, Title: "Fix login, again", ProjectPath: "/w/app", UpdatedAt: 40, Status: shared.StatusWorking}})
	hub.Publish(shared.EventSessionDeleted, []shared.Session{{ID: "ses_1", Source: shared.SourceOpenCode}})
	hub.Publish(shared.EventSessionCreated, []shared.Session{{ID: "c3", Source: shared.SourceClaude, Title: "New", UpdatedAt: 50}})
	want, wantID := listHeld(t, srv.URL)

	resp, body = since(id)
	if resp.StatusCode != http.StatusOK || resp.Header.Get(EventIDHeader) != wantID {
		t.Fatalf("after 3 changes: status %d, %s %q; want 200 and %q: %.200s", resp.StatusCode, EventIDHeader, resp.Header.Get(EventIDHeader), wantID, body)
	}
	var got struct {
		Events []struct {
			Event, ID string
			Data      json.RawMessage
		}
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil || len(got.Events) != 3 {
		t.Fatalf("want {\"events\":[3 events]}: %v\n%.300s", err, body)
	}
	var types []string
	for _, ev := range got.Events {
		if _, err := held.Apply(shared.EventType(ev.Event), ev.Data); err != nil {
			t.Fatalf("event %s %s does not apply: %v", ev.Event, ev.ID, err)
		}
		types = append(types, ev.Event)
	}
	if s := strings.Join(types, ","); s != "session-updated,session-deleted,session-created" || got.Events[2].ID != wantID {
		t.Errorf("events %s, last id %s; want the three changes in order, the last %s", s, got.Events[2].ID, wantID)
	}
	if !reflect.DeepEqual(held, want) {
		t.Errorf("the events applied to the list held give\n%v\nwant the server's\n%v", held, want)
	}

	// The same events as the stream replays from that id, same ids, same data.
	stream := ssetest.Connect(t, srv.URL+"/api/sessions/stream", id)
	for i := range got.Events {
		ev := stream.Next(t, 5*time.Second)
		if ev.ID != got.Events[i].ID || ev.Raw != string(got.Events[i].Data) {
			t.Errorf("event %d: stream %s %.80s, list %s %.80s", i, ev.ID, ev.Raw, got.Events[i].ID, got.Events[i].Data)
		}
	}

	epoch, _, _ := strings.Cut(wantID, "-")
	for _, stale := range []string{"0123456789abcdef-3", epoch + "-999", "nonsense", ""} {
		resp, body := since(stale)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(body, "[") || resp.Header.Get(EventIDHeader) != wantID {
			t.Errorf("since=%q: status %d, %s %q, body %.40q; want the whole list, as without since", stale, resp.StatusCode, EventIDHeader, resp.Header.Get(EventIDHeader), body)
		}
	}

	for _, q := range []string{"&source=claude", "&limit=2"} {
		if resp, body := get(t, srv.URL+"/api/sessions?since="+url.QueryEscape(id)+q); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("since with %s: status %d, want 400: %.100s", q, resp.StatusCode, body)
		}
	}

	// Events that weigh more than the list are not worth it: the whole
	// list comes instead.
	_, id = listHeld(t, srv.URL)
	for i := range 40 {
		hub.Publish(shared.EventSessionUpdated, []shared.Session{{ID: "c2", Source: shared.SourceClaude, Title: strings.Repeat(fmt.Sprint(i), 300), UpdatedAt: int64(100 + i)}})
	}
	if resp, body := since(id); resp.StatusCode != http.StatusOK || !strings.HasPrefix(body, "[") {
		t.Errorf("after changes larger than the list: status %d, %.100q; want the whole list", resp.StatusCode, body)
	}
}
