package claude

import (
	"fmt"
	"strings"
	"testing"
)

// A file lent a worker's spare maps and response list that is not
// compacted once read (a read error, a reset) keeps them: the next file
// the worker reads must neither change its responses nor share them.
func TestSpareListKeptByAFileNotCompacted(t *testing.T) {
	read := func(spare *spareMaps, r *reader, a *aggregate, sid, ids string, inputs ...int) {
		t.Helper()
		if !spare.lend(a) {
			t.Fatal("a fresh aggregate was not lent the maps")
		}
		spare.lendLists(&r.rec)
		for i, in := range inputs {
			line := assistantLine(sid, fmt.Sprintf("2026-03-02T09:0%d:00Z", i+1), fmt.Sprintf("%s%d", ids, i), sonnet45,
				fmt.Sprintf(`{"input_tokens":%d,"output_tokens":1}`, in))
			if !r.p.parseLine(&r.rec, []byte(strings.TrimSuffix(line, "\n")), nil) {
				t.Fatalf("bad line %s", line)
			}
			a.apply(&r.rec, true)
		}
		r.rec.responses, r.rec.keys = nil, nil
		spare.read(a)
	}
	inputs := func(a *aggregate) (n, sum int) {
		a.eachResponse(func(_ string, sp spend, _ int64) { n, sum = n+1, sum+sp.tokens.Input })
		return n, sum
	}
	var spare spareMaps
	r := &reader{}
	kept := newAggregate()
	read(&spare, r, &kept, "00000001-0000-4000-8000-000000000000", "m", 100, 200, 300)
	spare.reclaim(&kept) // not compacted: it keeps what it was lent

	for range 3 { // the next files, compacted as a cold scan does
		next := newAggregate()
		read(&spare, r, &next, "00000002-0000-4000-8000-000000000000", "x", 7000, 8000)
		next.dirty = nil
		if !next.compact(new([]byte), nil) {
			t.Fatal("compact refused")
		}
		spare.reclaim(&next)
		if n, sum := inputs(&next); n != 2 || sum != 15000 {
			t.Errorf("the next file: %d responses, %d input tokens; want 2 and 15000", n, sum)
		}
	}
	if n, sum := inputs(&kept); n != 3 || sum != 600 {
		t.Errorf("the file that kept its maps: %d responses, %d input tokens; want 3 and 600", n, sum)
	}
	if kept.total.tokens.Input != 600 {
		t.Errorf("its total: %d input tokens, want 600", kept.total.tokens.Input)
	}
	// Its keys are intact: a later line of its first response replaces
	// that response's usage rather than adding a fourth.
	line := assistantLine("00000001-0000-4000-8000-000000000000", "2026-03-02T09:05:00Z", "m0", sonnet45,
		`{"input_tokens":1000,"output_tokens":1}`)
	if !r.p.parseLine(&r.rec, []byte(strings.TrimSuffix(line, "\n")), nil) {
		t.Fatalf("bad line %s", line)
	}
	kept.apply(&r.rec, true)
	if n, sum := inputs(&kept); n != 3 || sum != 1500 {
		t.Errorf("after a repeat of its first response: %d responses, %d input tokens; want 3 and 1500", n, sum)
	}
}
