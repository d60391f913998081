package written

import (
	"testing"
	"time"
)

func TestBelieved(t *testing.T) {
	read := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	limit := NotAfter(read)
	for _, tc := range []struct {
		at   time.Time
		want bool
	}{
		{read.Add(-time.Hour), true},
		{read, true},
		{read.Add(Slack), true},
		{read.Add(Slack + time.Millisecond), false},
		{time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC), false},
	} {
		ms := tc.at.UnixMilli()
		if got := Believed(ms, limit) == ms; got != tc.want {
			t.Errorf("%v read at %v: believed %v, want %v", tc.at, read, got, tc.want)
		}
	}
	if far := time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli(); Believed(far, 0) != far {
		t.Error("with no bound, a time was not believed")
	}
}
