package browser

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// Another helmd refuses a request that names the page's instance with a
// 409 that names its own; the page's helmd answers 409 too, to a stale
// cursor, naming the page's. Only the first is another Helm: the second
// means "load the last page again".
func TestOtherHelm(t *testing.T) {
	const page = "aaaa"
	for _, tc := range []struct {
		name     string
		err      error
		instance string
		want     bool
	}{
		{"another helmd's 409", &HTTPError{Status: 409, Instance: "bbbb"}, page, true},
		{"wrapped", fmt.Errorf("loading: %w", &HTTPError{Status: 409, Instance: "bbbb"}), page, true},
		{"the page's helmd: a stale cursor", &HTTPError{Status: 409, Instance: page}, page, false},
		{"a 409 naming no helmd", &HTTPError{Status: 409}, page, false},
		{"another helmd's 404", &HTTPError{Status: 404, Instance: "bbbb"}, page, false},
		{"a page that knows no instance", &HTTPError{Status: 409, Instance: "bbbb"}, "", false},
		{"no answer", &JSError{Name: "TypeError", Message: "Failed to fetch"}, page, false},
		{"no error", nil, page, false},
		{"another error", errors.New("bad JSON"), page, false},
	} {
		if got := OtherHelm(tc.err, tc.instance); got != tc.want {
			t.Errorf("%s: OtherHelm = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// helmd's words for a 5xx are shown on the page: a long one is cut, at a
// character's start, so that the page shows a notice and valid text.
func TestCutMessage(t *testing.T) {
	if got := cutMessage(`machine "beta" is not answering`); got != `machine "beta" is not answering` {
		t.Errorf("a short message changed: %q", got)
	}
	long := strings.Repeat("é", 400) // 800 bytes
	got := cutMessage(long)
	if len(got) > maxMessage+len("…") || !utf8.ValidString(got) || !strings.HasSuffix(got, "…") || !strings.HasPrefix(long, strings.TrimSuffix(got, "…")) {
		t.Errorf("cut to %d bytes (valid UTF-8: %v): %q", len(got), utf8.ValidString(got), got)
	}
}
