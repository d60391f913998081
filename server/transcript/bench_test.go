package transcript

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/corpus"
	"vibecraft.sh/helm/server/internal/cputime"
)

// BenchmarkLastPage measures the last 50 messages of a 1 MB and a 500 MB
// transcript that end with the same 1 MB of turns, so the two differ only
// in what lies before the page. It reports the three budgets:
//
//   - p50-ms, the median server time of one page with the index warm
//     (budget 20 ms), and cpu-ms, the CPU time of one page (user and
//     system, the collector's included), steadier on a shared machine;
//   - x1MB (500MB only), its p50 over the 1 MB file's (budget 1.5; with
//     -count, over the 1 MB file's last run, which Go runs first), and
//     cpu-x1MB the same of cpu-ms;
//   - B/op, everything one page allocates, an upper bound of the extra
//     memory serving it needs (budget 16 MB); index-bytes, the offsets
//     kept for the file between pages; index-alloc-B, everything the
//     first page allocates, the one pass that builds the index included.
//
// index-ms is that first page. The files are written to the benchmark's
// temp dir and removed after.
//
//	go test -run '^$' -bench BenchmarkLastPage -benchmem -benchtime 20x -count 3 ./server/transcript/
func BenchmarkLastPage(b *testing.B) {
	var small pageFigures // of the 1 MB file, for the 500 MB file's ratios
	for _, size := range []struct {
		name   string
		filler int64 // bytes of older turns with multi-MB tool results
	}{{"1MB", 0}, {"500MB", 499 << 20}} {
		b.Run(size.name, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "s.jsonl")
			writeBench(b, path, size.filler)
			f := benchPage(b, path)
			if size.filler == 0 {
				small = f
				return
			}
			if small.p50 > 0 && small.cpu > 0 {
				// Only when the 1 MB file ran in this same run.
				b.ReportMetric(f.p50/small.p50, "x1MB")
				b.ReportMetric(f.cpu/small.cpu, "cpu-x1MB")
			}
		})
	}
}

// BenchmarkFirstPage is the first page of a 500 MB transcript of
// ordinary turns (245,000 lines of 0.2 to 8 KB): the one request that
// builds the line index, as the first open of a long session after a
// start does. Each run starts with no index.
//
//	go test -run '^$' -bench BenchmarkFirstPage -benchtime 5x ./server/transcript/
func BenchmarkFirstPage(b *testing.B) {
	path := filepath.Join(b.TempDir(), "s.jsonl")
	writeTurns(b, path, 0, 500<<20)
	var lines int
	for b.Loop() {
		files := NewFiles(0)
		page, err := files.Page(path, Query{Limit: 50})
		if err != nil || len(page.Messages) != 50 {
			b.Fatalf("%d messages, %v", len(page.Messages), err)
		}
		lines = len(files.index(path).offs)
	}
	b.ReportMetric(float64(lines), "lines-shown")
}

// BenchmarkLastPageCorpus is the same on the generated corpus of
// server/internal/corpus: one 500 MB session whose tool results reach
// 5 MB up to its end, so its last page holds many cut results.
func BenchmarkLastPageCorpus(b *testing.B) {
	dir := b.TempDir()
	if _, err := corpus.Generate(dir, 500<<20, 1, 1, 7); err != nil {
		b.Fatal(err)
	}
	all, _ := filepath.Glob(filepath.Join(dir, "projects", "*", "*.jsonl"))
	for _, p := range all {
		if !strings.HasPrefix(filepath.Base(p), "agent-") {
			benchPage(b, p)
			return
		}
	}
	b.Fatal("no transcript generated")
}

// pageFigures are what benchPage measured of one warm page, in ms.
type pageFigures struct{ p50, cpu float64 }

func benchPage(b *testing.B, path string) pageFigures {
	files := NewFiles(0)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	if _, err := files.Page(path, Query{Limit: 50}); err != nil {
		b.Fatal(err)
	}
	first := time.Since(start)
	runtime.ReadMemStats(&after)
	var times []time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cputime.Process()
	for b.Loop() {
		t0 := time.Now()
		page, err := files.Page(path, Query{Limit: 50})
		times = append(times, time.Since(t0))
		if err != nil || len(page.Messages) != 50 {
			b.Fatalf("%d messages, %v", len(page.Messages), err)
		}
	}
	cpu := (cputime.Process() - cpu0) * 1000 / float64(len(times))
	slices.Sort(times)
	f := pageFigures{p50: float64(times[len(times)/2].Microseconds()) / 1000, cpu: cpu}
	b.ReportMetric(f.p50, "p50-ms")
	b.ReportMetric(f.cpu, "cpu-ms")
	b.ReportMetric(float64(first.Microseconds())/1000, "index-ms")
	b.ReportMetric(float64(8*len(files.index(path).offs)), "index-bytes")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc), "index-alloc-B")
	return f
}

// writeBench writes filler bytes of turns with 2 to 5 MB results, then
// 1 MB of ordinary turns (results of 1 to 8 KB).
func writeBench(b *testing.B, path string, filler int64) { writeTurns(b, path, filler, 1<<20) }

// writeTurns writes filler bytes of turns with 2 to 5 MB results, then
// ordinary bytes of turns whose results are 1 to 8 KB, in the order of
// keys Claude Code writes (a line's type first).
func writeTurns(b *testing.B, path string, filler, ordinary int64) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	var n int64
	turn := 0
	words := strings.Repeat("the quick brown fox jumps over the lazy dog, then writes a test. ", 1<<17) // 8 MB
	write := func(s string) {
		w.WriteString(s)
		n += int64(len(s))
	}
	oneTurn := func(result int) {
		turn++
		ts := fmt.Sprintf("2026-03-02T09:%02d:%02d.000Z", turn/60%60, turn%60)
		env := fmt.Sprintf(`"sessionId":"s","cwd":"/home/dev/app","timestamp":%q,"uuid":"u%d`, ts, turn)
		write(fmt.Sprintf(`{"type":"user",%s-p","message":{"role":"user","content":%q}}`+"\n", env, words[:200]))
		for i, block := range []string{
			fmt.Sprintf(`{"type":"thinking","thinking":%q,"signature":"sig"}`, words[:1000]),
			fmt.Sprintf(`{"type":"text","text":%q}`, words[:500]),
			fmt.Sprintf(`{"type":"tool_use","id":"toolu_%d","name":"Bash","input":{"command":"go test ./..."}}`, turn),
		} {
			write(fmt.Sprintf(`{"type":"assistant",%s-a%d","requestId":"r%d","message":{"id":"msg_%d","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[%s],"usage":{"input_tokens":4,"output_tokens":90}}}`+"\n",
				env, i, turn, turn, block))
		}
		out := fmt.Sprintf("%q", words[:result])
		write(fmt.Sprintf(`{"type":"user",%s-r","message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_%d","content":%s}]},"toolUseResult":{"stdout":%s,"stderr":""}}`+"\n",
			env, turn, out, out))
		write(fmt.Sprintf(`{"type":"assistant",%s-e","requestId":"re%d","message":{"id":"msg_e%d","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[{"type":"text","text":%q}],"stop_reason":"end_turn"}}`+"\n",
			env, turn, turn, words[:300]))
	}
	for n < filler {
		oneTurn(2<<20 + turn%4<<20)
	}
	for end := n + ordinary; n < end; {
		oneTurn(1024 + turn%8*1024)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkPageAboveKilledCall is one repeated request for the first
// page of a 64 MB transcript whose first call never got a result (its
// process was killed): the page looks below itself for that result
// (later.go). The file is written to the benchmark's temp dir.
//
//	go test -run '^$' -bench BenchmarkPageAboveKilledCall -benchtime 20x ./server/transcript/
func BenchmarkPageAboveKilledCall(b *testing.B) {
	dir := b.TempDir()
	rest := filepath.Join(dir, "rest.jsonl")
	writeBench(b, rest, 63<<20)
	var r rec
	head := jsonl(b, r.prompt("run the tests"), r.assistant("msg_K", toolUse("toolu_killed", "Bash", map[string]any{"command": "make"})))
	path := filepath.Join(dir, "s.jsonl")
	writeFile(b, path, head)
	data, err := os.ReadFile(rest)
	if err != nil {
		b.Fatal(err)
	}
	appendFile(b, path, data)
	data = nil
	files := NewFiles(0)
	q := Query{Start: true, Limit: 2}
	if _, err := files.Page(path, q); err != nil { // the index, built once
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		page, err := files.Page(path, q)
		if err != nil {
			b.Fatal(err)
		}
		if c := callsOf(page.Messages)["toolu_killed"]; !stoppedCall(c) {
			b.Fatalf("the killed call = %+v, want it ended without a result", c)
		}
	}
}
