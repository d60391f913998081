package ui

import (
	"encoding/json"
	"fmt"
	"testing"

	"vibecraft.sh/helm/app/list"
	"vibecraft.sh/helm/shared"
)

// The cache is exact: what is saved with an id comes back as the same
// sessions with the same id, so resuming the stream from that id onto it
// gives the server's list. A list saved by an older client has no id and
// starts fresh.
func TestCacheKeepsTheListWithItsID(t *testing.T) {
	s := shared.Session{
		ID: "a", Source: shared.SourceClaude, Title: "\"</script>\u2028", CostUSD: 0.1 + 0.2,
		Tokens: shared.Tokens{Input: 1, CacheWrite: 1 << 40}, Status: shared.StatusWaiting, Active: true,
		CreatedAt: 1763900000000, UpdatedAt: 1763990000001, ParentID: "ses_p",
	}
	tests := []struct {
		name   string
		stored string
		want   cached
	}{
		{"saved with an id", mustJSON(t, cached{Snapshot: list.New([]shared.Session{s}).Snapshot(7, []string{"/w"}), EventID: "3-41"}),
			cached{Snapshot: list.Snapshot{Sessions: []shared.Session{s}, SavedAt: 7, Watched: []string{"/w"}}, EventID: "3-41"}},
		{"saved by a client without ids", `{"sessions":[{"id":"a","source":"claude"}],"savedAt":7}`,
			cached{Snapshot: list.Snapshot{Sessions: []shared.Session{{ID: "a", Source: shared.SourceClaude}}, SavedAt: 7}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got cached
			if err := json.Unmarshal([]byte(tc.stored), &got); err != nil {
				t.Fatal(err)
			}
			if got.EventID != tc.want.EventID || got.SavedAt != tc.want.SavedAt || len(got.Sessions) != len(tc.want.Sessions) {
				t.Fatalf("restored %+v, want %+v", got, tc.want)
			}
			for i := range got.Sessions {
				if got.Sessions[i] != tc.want.Sessions[i] {
					t.Fatalf("session %d: %+v, want %+v", i, got.Sessions[i], tc.want.Sessions[i])
				}
			}
			h := NewHome(Seed{})
			h.restoreFrom(got)
			if h.cursor != tc.want.EventID {
				t.Fatalf("cursor %q, want %q", h.cursor, tc.want.EventID)
			}
		})
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
	var back cached
	if err := json.Unmarshal([]byte(mustJSON(t, c)), &back); err != nil {
		t.Fatal(err)
	}
	h := NewHome(Seed{})
	h.restoreFrom(back)
	if h.cursor != "" || h.total != cacheMax+500 || h.sessions.Len() != cacheMax {
		t.Fatalf("restored: cursor %q, total %d, %d sessions", h.cursor, h.total, h.sessions.Len())
	}
	if small := cacheOf(list.New(ss[:10]), 7, nil, "3-41", ""); small.Total != 0 || small.EventID != "3-41" || len(small.Sessions) != 10 {
		t.Fatalf("a small list: %d sessions of %d, id %q", len(small.Sessions), small.Total, small.EventID)
	}
}
