package ui

import (
	"encoding/base64"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"vibecraft.sh/helm/shared"
)

// The server's page carries only its first screen of sessions: the count
// says how many there are until the stream's init brings them all.
func TestPartialSeedCountsEverySession(t *testing.T) {
	seed := Seed{Sessions: sample(), Total: 12345, At: ms(0), Now: now}
	out := render(t, NewHome(seed))
	if countIn(out) != "12,345 sessions" {
		t.Fatalf("a partial seed's count: %s", between(out, `id="count"`, "</span>"))
	}
	if !strings.Contains(out, `&#34;total&#34;:12345`) && !strings.Contains(out, `&quot;total&quot;:12345`) {
		t.Errorf("the page's seed does not pass the total on")
	}
	h := NewHome(seed)
	h.apply(shared.Event{Type: shared.EventInit, Sessions: sample()[:1]})
	if out := render(t, h); countIn(out) != "1 session" {
		t.Fatalf("after init the count is the list's: %s", between(out, `id="count"`, "</span>"))
	}
}

func between(s, from, to string) string {
	_, after, _ := strings.Cut(s, from)
	in, _, _ := strings.Cut(after, to)
	return in
}

// The page carries its seed in the snapshot's compact form: the client
// reads back every session and every field of the seed, hostile text
// included, and the page is lighter than with the sessions as JSON.
func TestSeedPageFormKeepsEverySession(t *testing.T) {
	sessions := append(sample(), shared.Session{
		ID: "hostile", Source: shared.SourceClaude, Title: `"><img src=x onerror=alert(1)> </script> \u2028 ` + "\x00\xff", ProjectPath: `/w/"q"&<p>`,
		Status: shared.StatusWaiting, WaitingFor: "input needed", Question: strings.Repeat("why? ", 40), CostUSD: 0.1 + 0.2,
	})
	in := Seed{Sessions: sessions, Watched: []string{"/home/dev/.claude"}, At: ms(0), EventID: "e-42", Total: 12345,
		Host: "build-7", Demo: true, Instance: "abcd"}
	page, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out Seed
	if err := json.Unmarshal(page, &out); err != nil {
		t.Fatalf("the page's seed does not decode: %v", err)
	}
	// The snapshot, like JSON, carries text as UTF-8: the invalid byte
	// becomes U+FFFD (and the NUL stays).
	want := slices.Clone(sessions)
	want[2].Title = strings.ToValidUTF8(want[2].Title, "\uFFFD")
	if !reflect.DeepEqual(out.Sessions, want) {
		t.Errorf("sessions read back:\n%+v\nwant\n%+v", out.Sessions, want)
	}
	out.Sessions, in.Sessions = nil, nil
	if !reflect.DeepEqual(out, in) {
		t.Errorf("seed read back %+v, want %+v", out, in)
	}
	asJSON, err := json.Marshal(sessions)
	if err != nil {
		t.Fatal(err)
	}
	if len(page) >= len(asJSON) {
		t.Errorf("the seed takes %d bytes, the sessions' JSON alone %d", len(page), len(asJSON))
	}
	if strings.Contains(string(page), `"title"`) || strings.Contains(string(page), "onerror") {
		t.Errorf("the seed carries the sessions as JSON text: %s", page)
	}
}

// A seed whose sessions do not decode is refused whole (the client then
// starts without one), never half read.
func TestSeedPageFormRefusesBrokenSessions(t *testing.T) {
	good, err := json.Marshal(Seed{Sessions: sample(), At: ms(0), Total: 9})
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		List map[string]any `json:"list"`
	}
	if err := json.Unmarshal(good, &f); err != nil {
		t.Fatal(err)
	}
	snap, _ := f.List["snapshot"].(string)
	if snap == "" {
		t.Fatalf("no snapshot in %s", good)
	}
	for name, bad := range map[string]string{
		"cut short":     snap[:len(snap)/2],
		"not base64":    "!!" + snap,
		"not snapshots": base64.StdEncoding.EncodeToString([]byte("HLS9 something else")),
		"a huge count":  base64.StdEncoding.EncodeToString(append([]byte("HLS1"), 0xff, 0xff, 0xff, 0xff, 0x0f)),
	} {
		f.List["snapshot"] = bad
		b, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		var s Seed
		if err := json.Unmarshal(b, &s); err == nil {
			t.Errorf("%s: decoded, to %d sessions of total %d", name, len(s.Sessions), s.Total)
		}
	}
}

// Across an upgrade, the previous client may read this page (the page
// comes from the network, the client from the worker's cache), and this
// client a page of the previous form: either finds no list, and starts
// from the stream, rather than resume it from an id with no sessions.
func TestSeedPageFormAcrossAnUpgrade(t *testing.T) {
	// The previous form: the sessions as JSON, beside their time and id.
	type previous struct {
		Sessions []shared.Session `json:"sessions"`
		At       int64            `json:"at"`
		EventID  string           `json:"eventId,omitempty"`
		Total    int              `json:"total,omitempty"`
		Host     string           `json:"host,omitempty"`
	}
	var old previous
	if err := json.Unmarshal([]byte(mustJSON(t, Seed{Sessions: sample(), At: ms(0), EventID: "e-7", Host: "build-7"})), &old); err != nil {
		t.Fatal(err)
	}
	if len(old.Sessions) != 0 || old.At != 0 || old.EventID != "" || old.Total != 0 || old.Host != "build-7" {
		t.Errorf("the previous client reads this page as %+v: want no list, the host", old)
	}

	var s Seed
	if err := json.Unmarshal([]byte(mustJSON(t, previous{Sessions: sample(), At: ms(0), EventID: "e-7", Host: "build-7"})), &s); err != nil {
		t.Fatal(err)
	}
	if len(s.Sessions) != 0 || s.At != 0 || s.EventID != "" || s.Host != "build-7" {
		t.Errorf("this client reads the previous page as %+v: want no list, the host", s)
	}
}
