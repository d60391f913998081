package claude

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	spent "vibecraft.sh/helm/server/usage"
	"vibecraft.sh/helm/shared"
)

// TestCompactedMatchesFresh runs the resume and rewrite steps of
// TestDedupIncrementalMatchesFresh with a scan after each, so that every
// quiet transcript is compacted between steps and the next step appends
// to, re-ranks, shadows, resets or forgets a compacted one: sessions and
// their usage must stay exactly what a fresh read gives.
func TestCompactedMatchesFresh(t *testing.T) {
	const now = "2026-03-02T12:00:00Z"
	u := `{"input_tokens":1000,"output_tokens":100}`
	sidC := "0ccccccc-0000-4000-8000-00000000000c"
	resp := func(sid string, n int) string {
		return assistantLine(sid, fmt.Sprintf("2026-03-02T09:%02d:00Z", n), fmt.Sprintf("r%d", n), sonnet45, u)
	}
	root := t.TempDir()
	rel := func(sid string) string { return projectRel("/home/dev/shop", sid+".jsonl") }
	path := func(sid string) string { return filepath.Join(root, rel(sid)) }
	a := userLine(sidCostA, "2026-03-02T09:00:00Z", "a") + resp(sidCostA, 1)
	src, _ := scan(t, root, now)
	compacted := 0
	steps := []struct {
		name string
		do   func()
	}{
		{"A created", func() { writeCost(t, root, rel(sidCostA), a) }},
		{"A grows", func() { a += resp(sidCostA, 2); appendTo(t, path(sidCostA), resp(sidCostA, 2)) }},
		{"A grows by a line of a response it has", func() { appendTo(t, path(sidCostA), resp(sidCostA, 2)) }},
		{"B resumes A", func() {
			writeCost(t, root, rel(sidCostB), a+userLine(sidCostB, "2026-03-02T10:00:00Z", "b")+resp(sidCostB, 3))
		}},
		{"B grows", func() { appendTo(t, path(sidCostB), resp(sidCostB, 4)) }},
		{"C resumes B", func() {
			data, err := os.ReadFile(path(sidCostB))
			if err != nil {
				t.Fatal(err)
			}
			writeCost(t, root, rel(sidC), string(data)+userLine(sidC, "2026-03-02T11:00:00Z", "c")+resp(sidC, 5))
		}},
		{"B deleted", func() {
			if err := os.Remove(path(sidCostB)); err != nil {
				t.Fatal(err)
			}
		}},
		{"A rewritten shorter", func() {
			writeCost(t, root, rel(sidCostA), userLine(sidCostA, "2026-03-02T09:00:00Z", "a")+resp(sidCostA, 1))
		}},
		{"A deleted", func() {
			if err := os.Remove(path(sidCostA)); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, st := range steps {
		st.do()
		if _, _, err := src.Update(t.Context(), []string{filepath.Dir(path(sidCostA))}); err != nil {
			t.Fatal(err)
		}
		got := src.Sessions()
		fsrc, want := scan(t, root, now)
		if !slices.Equal(got, want) {
			t.Errorf("%s: after compaction and update\n %+v\nfresh\n %+v", st.name, got, want)
		}
		for _, s := range want {
			if g, w := usageSum(src.Usage(s.ID)), usageSum(fsrc.Usage(s.ID)); g != w {
				t.Errorf("%s: usage of %s %+v, fresh %+v", st.name, s.ID, g, w)
			}
		}
		if _, err := src.Scan(t.Context()); err != nil {
			t.Fatal(err)
		}
		for _, f := range src.reg.files {
			if f.agg.lazy != nil {
				compacted++
			}
		}
	}
	if compacted == 0 {
		t.Fatal("no transcript was ever compacted: the test tested nothing")
	}
}

func usageSum(cells []spent.Cell) spend {
	var sp spend
	for _, c := range cells {
		sp = sp.add(spend{tokens: c.Tokens, nano: c.Nano})
	}
	return sp
}

// A compacted aggregate keeps no maps, and a file that grows gets them
// back exactly: compact then materialize is the identity on the id sets.
func TestCompactRoundTrip(t *testing.T) {
	root := t.TempDir()
	install(t, root, projectRel("/home/dev/webapp", sidSplit+".jsonl"), "split.jsonl")
	src, _ := scan(t, root, "2026-03-02T12:20:00Z")
	for _, f := range src.reg.files {
		a := &f.agg
		if !a.materialize() {
			t.Fatal("materialize failed")
		}
		if responses, messages := compactRoundTrip(t, f.path, a); responses == 0 || messages == 0 {
			t.Errorf("%s: fixture without responses", f.path)
		}
	}
}

func clone[K comparable, V any](m map[K]V) map[K]V {
	out := make(map[K]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// setMap is s as a map, to compare.
func setMap(s *idSet) map[uint64]bool {
	m := map[uint64]bool{}
	s.each(func(h uint64) { m[h] = true })
	return m
}

func mapsEqual[K, V comparable](a, b map[K]V) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// A cold scan compacts each quiet transcript in the worker that read it,
// before the dedup index has seen it (compactRead): a response replayed
// into a resumed session must still be billed once, to the original, and
// stay so when the resumed session grows and its id sets come back.
func TestColdScanCompactsAndBillsOnce(t *testing.T) {
	const now = "2026-03-02T12:00:00Z"
	u := `{"input_tokens":1000,"output_tokens":100}`
	resp := func(sid string, n int) string {
		return assistantLine(sid, fmt.Sprintf("2026-03-02T09:%02d:00Z", n), fmt.Sprintf("r%d", n), sonnet45, u)
	}
	root := t.TempDir()
	a := userLine(sidCostA, "2026-03-02T09:00:00Z", "a") + resp(sidCostA, 1) + resp(sidCostA, 2)
	writeCost(t, root, projectRel("/home/dev/shop", sidCostA+".jsonl"), a)
	pathB := writeCost(t, root, projectRel("/home/dev/shop", sidCostB+".jsonl"),
		a+userLine(sidCostB, "2026-03-02T10:00:00Z", "b")+resp(sidCostB, 3))

	src, out := scan(t, root, now)
	if f := src.reg.get(filepath.Join(root, projectRel("/home/dev/shop", sidCostA+".jsonl"))); f == nil || f.agg.lazy == nil {
		t.Fatal("the original transcript, quiet and billing all it holds, was not compacted by the scan")
	}
	check := func(what string, out []shared.Session, wantB int) {
		t.Helper()
		got := byID(out)
		if in := got[sidCostA].Tokens.Input; in != 2000 {
			t.Errorf("%s: A bills %d input tokens, want 2000 (its two responses)", what, in)
		}
		if in := got[sidCostB].Tokens.Input; in != wantB {
			t.Errorf("%s: B bills %d input tokens, want %d (its own responses only)", what, in, wantB)
		}
		if d := got[sidCostA].CostUSD*float64(wantB) - got[sidCostB].CostUSD*2000; d > 1e-9 || d < -1e-9 {
			t.Errorf("%s: costs A %v, B %v: not in the ratio of their own responses", what, got[sidCostA].CostUSD, got[sidCostB].CostUSD)
		}
	}
	check("cold scan", out, 1000)

	appendTo(t, pathB, resp(sidCostB, 4))
	if _, _, err := src.Update(t.Context(), []string{pathB}); err != nil {
		t.Fatal(err)
	}
	check("B grown", src.Sessions(), 2000)
}

// A scan worker lends each quiet transcript the same id maps, cleared in
// between (spareMaps): nothing one file read may count in the next.
// Every file here reuses the same message ids with its own request ids,
// so a map that kept a file's ids would make the next files' responses
// look like repeats (fewer messages, usage replaced instead of added).
func TestScanWorkersShareNoIDsBetweenFiles(t *testing.T) {
	const now = "2026-03-02T12:00:00Z"
	u := `{"input_tokens":1000,"output_tokens":100}`
	root := t.TempDir()
	// One worker reads every file in turn, so each file after the first
	// gets the maps the one before used, whatever the machine's cores.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	const n = 12
	for i := range n {
		sid := fmt.Sprintf("%08d-0000-4000-8000-000000000000", i+1)
		lines := userLine(sid, "2026-03-02T09:00:00Z", "go")
		for m := range 3 {
			// msg_m<m>, req_<i>-<m>: the same message ids in every file
			line := assistantLine(sid, fmt.Sprintf("2026-03-02T09:0%d:00Z", m+1), fmt.Sprintf("m%d", m), sonnet45, u)
			lines += strings.Replace(line, fmt.Sprintf(`"requestId":"req_m%d"`, m), fmt.Sprintf(`"requestId":"req_%d-%d"`, i, m), 1)
		}
		writeCost(t, root, projectRel("/home/dev/shop", sid+".jsonl"), lines)
	}
	_, out := scan(t, root, now)
	if len(out) != n {
		t.Fatalf("%d sessions, want %d", len(out), n)
	}
	for _, s := range out {
		if s.MessageCount != 1+3 || s.Tokens.Input != 3000 {
			t.Errorf("session %s: %d messages, %d input tokens; want 4 and 3000 (its prompt and three responses)", s.ID, s.MessageCount, s.Tokens.Input)
		}
	}
}

// The message ids a compacted file keeps as references to its response
// keys come back exactly, with the ones that cannot be: an id with no
// usage, one holding a 0 byte, one that is the prefix of another, and a
// message of several requests.
func TestCompactMessageIDs(t *testing.T) {
	a := newAggregate()
	a.maps()
	a.models = []string{"m"}
	for i, k := range [][2]string{{"msg_a", "req_1"}, {"msg_a", "req_2"}, {"msg_ab", "req_3"}, {"msg\x00x", "req_4"}, {"msg_c", "req_5"}, {"", "req_6"}} {
		a.responses[keyOf([]byte(k[0]), []byte(k[1]))] = &response{model: 1, nano: int64(i), tokens: [5]uint32{1, 2, 3, 4, 5}, at: 7}
	}
	for _, m := range []string{"msg_a", "msg_ab", "msg\x00x", "msg_nousage", "", "msg_b"} {
		a.messages.add(idHash([]byte(m)))
	}
	a.pending["toolu_1"] = 1234
	a.pending["toolu_2"] = 0
	a.pending["toolu_3"] = ^int64(0) // running, its line at offset 0 (callAt)
	a.pending["toolu_4"] = ^int64(1 << 40)
	compactRoundTrip(t, "ids", &a)
}

// compactRoundTrip compacts a, materializes it again and checks that its
// id sets came back as they were; it returns how many responses and
// messages they held.
func compactRoundTrip(t *testing.T, name string, a *aggregate) (responses, messages int) {
	t.Helper()
	wantResponses := map[rkey]response{}
	for k, r := range a.responses {
		wantResponses[k] = *r
	}
	wantMessages, wantPending := setMap(a.messages), clone(a.pending)
	var scratch []byte
	if !a.compact(&scratch, nil) || a.lazy == nil || a.idState != nil {
		t.Fatalf("%s: not compacted", name)
	}
	if a.messageCount() != len(wantMessages) {
		t.Errorf("%s: message count %d compacted, %d before", name, a.messageCount(), len(wantMessages))
	}
	if !a.materialize() {
		t.Fatalf("%s: materialize after compact failed", name)
	}
	got := map[rkey]response{}
	for k, r := range a.responses {
		got[k] = *r
	}
	if !mapsEqual(got, wantResponses) || !mapsEqual(setMap(a.messages), wantMessages) || !mapsEqual(a.pending, wantPending) {
		t.Errorf("%s: id sets changed by compact and materialize:\nresponses %v, want %v\nmessages %v, want %v\npending %v, want %v",
			name, got, wantResponses, setMap(a.messages), wantMessages, a.pending, wantPending)
	}
	return len(wantResponses), len(wantMessages)
}
