package api

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"vibecraft.sh/helm/shared"
)

// The list is written piecewise, and reads back as exactly the sessions
// given, markup in titles escaped as before.
func TestWriteListRoundTrips(t *testing.T) {
	many := make([]shared.Session, 3000)
	for i := range many {
		many[i] = shared.Session{ID: fmt.Sprintf("s%d", i), Source: shared.SourceClaude, Title: strings.Repeat("t", i%50), UpdatedAt: int64(i)}
	}
	cases := []struct {
		name     string
		sessions []shared.Session
	}{
		{"none", []shared.Session{}},
		{"hostile text", []shared.Session{{ID: "x", Source: shared.SourceClaude, Title: "</script><b>\u2028\"", FirstPrompt: "\x00\xff"}}},
		{"more than the buffer", many},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			if err := writeList(rec, tc.sessions); err != nil {
				t.Fatal(err)
			}
			body := rec.Body.String()
			if strings.Contains(body, "<b>") || strings.Contains(body, "</script>") {
				t.Errorf("markup is not escaped: %.200s", body)
			}
			var got []shared.Session
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatalf("not a JSON array: %v", err)
			}
			want := tc.sessions
			if tc.name == "hostile text" {
				want = []shared.Session{tc.sessions[0]}
				want[0].FirstPrompt = "\x00\ufffd" // JSON carries valid UTF-8
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("read back %d sessions, want %d (or they differ)", len(got), len(want))
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
}
