package stream

import (
	"fmt"
	"strings"
	"testing"
)

func rec(seq uint64, size int) *record {
	return &record{seq: seq, frame: []byte(strings.Repeat("x", size))}
}

func seqs(rs []*record) []uint64 {
	out := []uint64{}
	for _, r := range rs {
		out = append(out, r.seq)
	}
	return out
}

func TestHistoryBounds(t *testing.T) {
	tests := []struct {
		name             string
		count, bytes     int
		sizes            []int // of records 1..n
		wantSeqs         string
		wantBytes, wantN int
	}{
		{"under both", 4, 100, []int{10, 10}, "[1 2]", 20, 2},
		{"count", 3, 1000, []int{10, 10, 10, 10, 10}, "[3 4 5]", 30, 3},
		{"bytes", 10, 25, []int{10, 10, 10, 10}, "[3 4]", 20, 2},
		{"one too big", 10, 25, []int{10, 30}, "[]", 0, 0},
		{"big then small", 10, 25, []int{30, 10}, "[2]", 10, 1},
	}
	for _, tc := range tests {
		h := newHistory(tc.count, tc.bytes)
		for i, size := range tc.sizes {
			h.push(rec(uint64(i+1), size))
		}
		current := uint64(len(tc.sizes))
		all, ok := h.after(current-uint64(h.n), current)
		if !ok || sprint(seqs(all)) != tc.wantSeqs || h.bytes != tc.wantBytes || h.n != tc.wantN {
			t.Errorf("%s: seqs %v (%v), bytes %d, n %d; want %s, %d, %d", tc.name, seqs(all), ok, h.bytes, h.n, tc.wantSeqs, tc.wantBytes, tc.wantN)
		}
	}
}

func TestHistoryAfter(t *testing.T) {
	h := newHistory(4, 1<<20)
	if recs, ok := h.after(0, 0); !ok || len(recs) != 0 {
		t.Errorf("empty history, cursor 0: %v %v", seqs(recs), ok)
	}
	for i := uint64(1); i <= 10; i++ {
		h.push(rec(i, 1)) // keeps 7..10; the ring wraps twice
	}
	tests := []struct {
		cursor uint64
		want   string // "" = not resumable
	}{
		{5, ""}, {6, "[7 8 9 10]"}, {8, "[9 10]"}, {10, "[]"}, {11, ""}, {^uint64(0), ""},
	}
	for _, tc := range tests {
		recs, ok := h.after(tc.cursor, 10)
		got := ""
		if ok {
			got = sprint(seqs(recs))
		}
		if got != tc.want {
			t.Errorf("after(%d) = %q, want %q", tc.cursor, got, tc.want)
		}
	}
}

func sprint(s []uint64) string { return fmt.Sprint(s) }
