package ui

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"vibecraft.sh/helm/app/list"
	"vibecraft.sh/helm/shared"
)

// The cache is exact: what is saved with an id comes back, through
// browser storage's text, as the same sessions with the same id, so
// resuming the stream from that id onto it gives the server's list.
func TestCacheKeepsTheListWithItsID(t *testing.T) {
	s := shared.Session{
		ID: "a", Source: shared.SourceClaude, Title: "\"</script>\u2028", CostUSD: 0.1 + 0.2,
		Tokens: shared.Tokens{Input: 1, CacheWrite: 1 << 40}, Status: shared.StatusWaiting, Active: true,
		CreatedAt: 1763900000000, UpdatedAt: 1763990000001, ParentID: "ses_p", Question: "why?",
	}
	in := cached{Snapshot: list.New([]shared.Session{s}).Snapshot(7, []string{"/w"}), EventID: "3-41", Instance: "inst"}
	got := throughStorage(t, in)
	if !reflect.DeepEqual(got, in) {
		t.Fatalf("restored %+v, want %+v", got, in)
	}
	h := NewHome(Seed{})
	h.restoreFrom(got)
	if h.cursor != "3-41" || h.sessions.Len() != 1 {
		t.Fatalf("cursor %q, %d sessions; want 3-41, 1", h.cursor, h.sessions.Len())
	}
}

// throughStorage is c saved and read back as browser storage would hold
// it (go-app's LocalStorage encodes a value with encoding/json).
func throughStorage(t *testing.T, c cached) cached {
	t.Helper()
	st, err := storedOf(c)
	if err != nil {
		t.Fatal(err)
	}
	var back stored
	if err := json.Unmarshal([]byte(mustJSON(t, st)), &back); err != nil {
		t.Fatal(err)
	}
	got, err := back.cached()
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// What the previous client kept, or a stored list cut or altered, is no
// list: the page starts as with nothing saved, never from part of one.
func TestCacheRefusesWhatIsNoList(t *testing.T) {
	for name, text := range map[string]string{
		"the previous client's JSON": `{"sessions":[{"id":"a","source":"claude"}],"savedAt":7,"eventId":"3-41"}`,
		"a cut snapshot":             `{"snapshot":"SExTMQUB","savedAt":7,"eventId":"3-41"}`,
		"not a snapshot":             `{"snapshot":"bm90IGEgc25hcHNob3Q=","savedAt":7}`,
		"nothing saved":              `{}`,
	} {
		var st stored
		if err := json.Unmarshal([]byte(text), &st); err != nil {
			continue // refused by the JSON decoder: no list either
		}
		if c, err := st.cached(); err == nil {
			t.Errorf("%s: read as %d sessions, id %q", name, len(c.Sessions), c.EventID)
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A list too big for browser storage keeps its newest sessions and its
// count, without an id: shown at once on the next start, it is no base
// for the stream, which then starts from a snapshot.
func TestCacheOfABigListIsItsNewest(t *testing.T) {
	var ss []shared.Session
	for i := range cacheMax + 500 {
		ss = append(ss, shared.Session{ID: fmt.Sprint(i), Source: shared.SourceClaude, UpdatedAt: int64(i)})
	}
	c := cacheOf(list.New(ss), 7, nil, "3-41", "inst")
	if len(c.Sessions) != cacheMax || c.Total != cacheMax+500 || c.EventID != "" {
		t.Fatalf("cached %d sessions of %d, id %q", len(c.Sessions), c.Total, c.EventID)
	}
	if c.Sessions[0].ID != fmt.Sprint(cacheMax+499) || c.Sessions[cacheMax-1].ID != "500" {
		t.Fatalf("not the newest: %s … %s", c.Sessions[0].ID, c.Sessions[cacheMax-1].ID)
	}
	back := throughStorage(t, c)
	h := NewHome(Seed{})
	h.restoreFrom(back)
	if h.cursor != "" || h.total != cacheMax+500 || h.sessions.Len() != cacheMax {
		t.Fatalf("restored: cursor %q, total %d, %d sessions", h.cursor, h.total, h.sessions.Len())
	}
	if small := cacheOf(list.New(ss[:10]), 7, nil, "3-41", ""); small.Total != 0 || small.EventID != "3-41" || len(small.Sessions) != 10 {
		t.Fatalf("a small list: %d sessions of %d, id %q", len(small.Sessions), small.Total, small.EventID)
	}
}
