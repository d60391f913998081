package claude

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/corpus"
	"vibecraft.sh/helm/server/internal/cputime"
	"vibecraft.sh/helm/server/internal/fixture"
)

// BenchmarkScan measures a cold scan (a new Source each time, so every
// byte is read and parsed) of a generated corpus, in MB/s of transcript.
// The page cache is warm after the first iteration, as in the target.
//
//	go test -run '^$' -bench BenchmarkScan -benchtime 10x ./server/claude/
func BenchmarkScan(b *testing.B) {
	dir := b.TempDir()
	st, err := corpus.Generate(dir, 96<<20, 60, 0, 1)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(st.Bytes)
	b.ResetTimer()
	for b.Loop() {
		src := New(Options{Roots: []string{dir}})
		out, err := src.Scan(context.Background())
		if err != nil || len(out) != st.Sessions {
			b.Fatalf("scan: %d sessions, %v", len(out), err)
		}
	}
}

// BenchmarkParseLine measures the extractor alone on a typical split
// assistant line and a tool result line.
func BenchmarkParseLine(b *testing.B) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	lines := []byte(fixture.Assistant(sidStatus, "/home/dev/webapp", "msg_01", "end_turn", t0) + toolResultLine("t1", t0) + promptLine("please fix the tests", t0))
	var p parser
	var r record
	b.SetBytes(int64(len(lines)))
	for b.Loop() {
		rest := lines
		for len(rest) > 0 {
			i := bytes.IndexByte(rest, '\n')
			if !p.parseLine(&r, rest[:i+1], nil) {
				b.Fatal("bad line")
			}
			rest = rest[i+1:]
		}
	}
}

// BenchmarkUpdateAppend measures one line appended to a 64 MB transcript
// and read by Update: the cost must not depend on what came before.
func BenchmarkUpdateAppend(b *testing.B) {
	root := b.TempDir()
	const cwd = "/home/dev/big"
	path := fixture.Path(root, cwd, sidStatus)
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	filler := make([]byte, 10_000)
	for i := range filler {
		filler[i] = 'x'
	}
	var chunk string
	for i := range 100 {
		chunk += fixture.User(sidStatus, cwd, string(filler), t0) + fixture.Assistant(sidStatus, cwd, fmt.Sprintf("msg_%d", i), "end_turn", t0)
	}
	for n := 0; n < 64<<20; n += len(chunk) {
		fixture.Append(b, path, chunk)
	}
	src := New(Options{Roots: []string{root}})
	if _, err := src.Scan(context.Background()); err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		i++
		fixture.Append(b, path, fixture.Assistant(sidStatus, cwd, fmt.Sprintf("msg_new_%d", i), "end_turn", t0))
		changed, _, err := src.Update(context.Background(), []string{path})
		if err != nil || len(changed) != 1 {
			b.Fatalf("update: %v %v", changed, err)
		}
	}
}

// BenchmarkScanSmallRecords measures a cold scan of a corpus of many
// small records (1–4 KB lines, the shape of real transcripts), where the
// cost is per line rather than per byte: issue 19's scan target. Besides
// wall time it reports the CPU seconds of a scan and of a plain read of
// the same files (best of three), since the target compares the two and
// a shared machine makes wall time say more about the neighbours.
// HELM_SCAN_CORPUS names a corpus to use instead of a generated 64 MB one
// (helmbench's corpus-small, say).
//
//	go test -run '^$' -bench BenchmarkScanSmallRecords -benchtime 10x ./server/claude/
func BenchmarkScanSmallRecords(b *testing.B) {
	dir := os.Getenv("HELM_SCAN_CORPUS")
	sessions := -1
	if dir == "" {
		dir = b.TempDir()
		st, err := corpus.GenerateSmallRecords(dir, 64<<20, 100, 0, 1)
		if err != nil {
			b.Fatal(err)
		}
		sessions = st.Sessions
	}
	size, read := plainRead(b, dir)
	for range 2 {
		_, r := plainRead(b, dir)
		read = min(read, r)
	}
	b.SetBytes(size)
	b.ResetTimer()
	cpu0, n := cputime.Process(), 0
	for b.Loop() {
		n++
		src := New(Options{Roots: []string{dir}})
		out, err := src.Scan(context.Background())
		if sessions < 0 {
			sessions = len(out)
		}
		if err != nil || len(out) != sessions || sessions == 0 {
			b.Fatalf("scan: %d sessions, want %d, %v", len(out), sessions, err)
		}
	}
	b.ReportMetric((cputime.Process()-cpu0)/float64(n), "cpu-s/op")
	b.ReportMetric(read, "read-cpu-s")
}

// plainRead reads every file under dir to its end, as helmbench's plain
// read does (one goroutine, reads of the scanner's buffer size), and
// returns the bytes read and the CPU seconds it took.
func plainRead(b *testing.B, dir string) (int64, float64) {
	cpu0 := cputime.Process()
	n, err := corpus.ReadAll(dir)
	if err != nil {
		b.Fatal(err)
	}
	return n, cputime.Process() - cpu0
}

// The plain read a scan is measured against must read as the scanner
// does, or the comparison says more about read sizes than about parsing.
func TestPlainReadUsesTheScannerBuffer(t *testing.T) {
	if corpus.ReadBufSize != readBufSize {
		t.Fatalf("corpus.ReadBufSize = %d, the scanner reads %d at a time", corpus.ReadBufSize, readBufSize)
	}
}
