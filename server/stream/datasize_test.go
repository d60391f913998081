package stream

import (
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/shared"
)

// TestDataSizeFits: the buffer encodeData starts with holds a list as
// the sources make it without growing (growing a 100 MB list by doubling
// allocates 200 MB more), and is not much larger than what it holds. Text
// that encoding/json escapes a lot (< as \u003c) may still grow it: the
// estimate is for the common case, the encoding right in every case.
func TestDataSizeFits(t *testing.T) {
	odd := realistic(1)
	odd.Title = strings.Repeat("é, \"quoted\" ", 20) // a few escapes
	odd.Remote, odd.Host, odd.HostOffline, odd.ParentID = true, "box", true, "p"
	for _, tc := range []struct {
		name     string
		sessions []shared.Session
	}{
		{"none", nil},
		{"empty sessions", make([]shared.Session, 100)},
		{"realistic", func() []shared.Session {
			s := make([]shared.Session, 1000)
			for i := range s {
				s[i] = realistic(i)
			}
			return s
		}()},
		{"escapes and optional fields", []shared.Session{odd, odd, odd}},
	} {
		data, err := encodeData(shared.EventInit, tc.sessions, nil, time.UnixMilli(1763990000000))
		if err != nil {
			t.Fatal(err)
		}
		if est := dataSize(tc.sessions, nil); est < len(data) || est > len(data)*3/2+64 {
			t.Errorf("%s: estimated %d bytes for %d", tc.name, est, len(data))
		}
	}
}
