package stream

import (
	"strconv"
	"testing"
	"time"

	"vibecraft.sh/helm/shared"
)

// BenchmarkFullListFrame measures what one list on a full-list view costs
// after a change: filtering the published state and encoding it with the
// original's fields, once per seq whatever the number of clients.
func BenchmarkFullListFrame(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run("sessions="+strconv.Itoa(n), func(b *testing.B) {
			h := NewHub(Options{})
			defer h.Close()
			all := realisticList(n)
			h.Publish(shared.EventRefresh, all)
			v := h.FullListHandler(claudeOnly, compatShape).(*view)
			s := realistic(0)
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				s.UpdatedAt = 2_000_000_000_000 + int64(i)
				h.Publish(shared.EventSessionUpdated, []shared.Session{s})
				f, _, err := v.fullFrame(shared.EventSessionUpdated)
				if err != nil {
					b.Fatal(err)
				}
				b.SetBytes(int64(len(f)))
			}
		})
	}
}

// BenchmarkInitFrame reports what encoding one init of 10,000 sessions
// allocates (B/op): the frame itself, made at its size, and nothing per
// session besides.
//
//	go test -run '^$' -bench InitFrame -benchmem ./server/stream/
func BenchmarkInitFrame(b *testing.B) {
	all := realisticList(10_000)
	b.ReportAllocs()
	for b.Loop() {
		f, err := encodeFrame(shared.EventInit, "e-1", all, nil, time.UnixMilli(1))
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(f)))
	}
}
