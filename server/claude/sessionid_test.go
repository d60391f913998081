package claude

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"vibecraft.sh/helm/server/internal/fixture"
)

func TestIDFromName(t *testing.T) {
	cases := []struct{ name, want string }{
		{"0b7c5a1e-2f3d-4e5f-8a9b-0c1d2e3f4a5b", "0b7c5a1e-2f3d-4e5f-8a9b-0c1d2e3f4a5b"},
		{"données", "données"},
		{"a\xffb", "a%FFb"},
		{"a\xfeb", "a%FEb"},
		{"a%FFb", "a%25FFb"},             // not the same id as "a\xffb"
		{"\xc3", "%C3"},                  // a cut multi-byte sequence
		{"55555555@m1", "55555555%40m1"}, // never claude:<id>@<host>, another machine's key
		{"", ""},
	}
	for _, tc := range cases {
		if got := idFromName(tc.name); got != tc.want {
			t.Errorf("idFromName(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// Two files whose names differ only in bytes that are not UTF-8 are two
// sessions, under the real scanner, with ids that survive JSON.
func TestInvalidUTF8NamesKeepDistinctIDs(t *testing.T) {
	root := t.TempDir()
	names := []string{"a\xffb", "a\xfeb", "a%FFb"}
	for _, n := range names {
		fixture.Append(t, fixture.Path(root, "/w/p", n), fixture.User(n, "/w/p", "title of "+url.PathEscape(n), time.Now()))
	}
	_, sessions := scan(t, root, "2026-01-02T00:00:00Z")
	var got []string
	for _, s := range sessions {
		got = append(got, s.ID)
	}
	seen := map[string]bool{}
	for _, id := range got {
		b, _ := json.Marshal(id)
		var back string
		_ = json.Unmarshal(b, &back)
		if back != id {
			t.Errorf("id %q does not survive JSON (%s)", id, b)
		}
		if seen[id] {
			t.Errorf("two sessions share the id %q", id)
		}
		seen[id] = true
	}
	if len(got) != len(names) {
		t.Errorf("%d sessions %q, want %d", len(got), got, len(names))
	}
}

func FuzzIDFromName(f *testing.F) {
	for _, s := range []string{"", "abc", "a\xffb", "a%FFb", "%", "%25", "\xc3", "é", "a@b", "a%40b"} {
		f.Add(s, "a\xffb")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		ia, ib := idFromName(a), idFromName(b)
		if !utf8.ValidString(ia) {
			t.Fatalf("idFromName(%q) = %q is not UTF-8", a, ia)
		}
		if a != b && ia == ib {
			t.Fatalf("%q and %q share the id %q", a, b, ia)
		}
		if utf8.ValidString(a) && !strings.ContainsAny(a, "%@") && ia != a {
			t.Fatalf("a plain name changed: %q → %q", a, ia)
		}
		if strings.Contains(ia, "@") {
			t.Fatalf("idFromName(%q) = %q holds an '@', which joins an id to its machine in keys", a, ia)
		}
	})
}
