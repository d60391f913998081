package claude

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"vibecraft.sh/helm/server/internal/corpus"
	"vibecraft.sh/helm/server/internal/cputime"
)

// The benchmarks here split a cold scan of many small records into its
// parts, on the lines of HELM_SCAN_CORPUS (helmbench's corpus-small, say)
// or of a generated 32 MB corpus, held in memory so that no read is
// measured. Each reports CPU nanoseconds per line besides wall time:
// on a shared machine the CPU figure is the one to compare.
//
//	HELM_SCAN_CORPUS=<helmbench -work>/corpus-small go test -run '^$' -bench 'Corpus$|QuoteWalk' ./server/claude/

// corpusLines returns up to max bytes of whole lines of the corpus.
func corpusLines(b *testing.B, max int) (lines [][]byte, size int64) {
	b.Helper()
	dir := corpusDir(b)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(p) != ".jsonl" || size >= int64(max) {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for size < int64(max) {
			i := bytes.IndexByte(data, '\n')
			if i < 0 {
				break
			}
			lines = append(lines, data[:i+1])
			size += int64(i + 1)
			data = data[i+1:]
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if len(lines) == 0 {
		b.Fatal("no lines in the corpus")
	}
	return lines, size
}

// corpusDir is HELM_SCAN_CORPUS, or a 32 MB corpus generated for the
// benchmark.
func corpusDir(b *testing.B) string {
	b.Helper()
	dir := os.Getenv("HELM_SCAN_CORPUS")
	if dir == "" {
		dir = b.TempDir()
		if _, err := corpus.GenerateSmallRecords(dir, 32<<20, 50, 0, 1); err != nil {
			b.Fatal(err)
		}
	}
	return dir
}

// perLine reports the CPU time per line since cpu0.
func perLine(b *testing.B, cpu0 float64, lines int) {
	b.ReportMetric((cputime.Process()-cpu0)*1e9/float64(b.N*lines), "cpu-ns/line")
}

// BenchmarkParseCorpus measures the line parser alone.
func BenchmarkParseCorpus(b *testing.B) { benchParse(b, 64<<20) }

// benchParse parses up to max bytes of the corpus's lines each round.
func benchParse(b *testing.B, max int) {
	lines, size := corpusLines(b, max)
	var p parser
	var r record
	b.SetBytes(size)
	b.ReportAllocs()
	cpu0 := cputime.Process()
	for b.Loop() {
		for _, l := range lines {
			if !p.parseLine(&r, l, nil) {
				b.Fatalf("bad line %.200q", l)
			}
		}
	}
	perLine(b, cpu0, len(lines))
}

// BenchmarkApplyCorpus measures parsing and aggregating the same lines
// into one aggregate, a fresh one each round.
func BenchmarkApplyCorpus(b *testing.B) {
	lines, size := corpusLines(b, 64<<20)
	var p parser
	var r record
	b.SetBytes(size)
	b.ReportAllocs()
	cpu0 := cputime.Process()
	for b.Loop() {
		a := newAggregate()
		a.maps() // as a read does before its first line
		applyLines(b, &p, &r, &a, lines)
	}
	perLine(b, cpu0, len(lines))
}

// applyLines parses lines into a as one read of a main transcript, as
// reader.lines does, and fails b when no assistant message was counted.
func applyLines(b *testing.B, p *parser, r *record, a *aggregate, lines [][]byte) {
	r.forgetLast(true) // as reader.lines: these lines are one read
	for _, l := range lines {
		if !p.parseLine(r, l, nil) {
			b.Fatalf("bad line %.200q", l)
		}
		a.apply(r, true)
	}
	r.forgetLast(false) // as reader.lines at the end of a read
	if a.messageCount() == 0 {
		b.Fatal("no assistant message counted")
	}
}

// BenchmarkQuoteWalk finds every '"' of the same lines with
// bytes.IndexByte and does nothing else: the floor under a parser that
// finds the end of each string that way, as the scanner does. Set
// against BenchmarkParseCorpus it says how much of a line's cost is the
// parser's own.
func BenchmarkQuoteWalk(b *testing.B) {
	lines, size := corpusLines(b, 64<<20)
	b.SetBytes(size)
	quotes := 0
	cpu0 := cputime.Process()
	for b.Loop() {
		quotes = 0
		for _, l := range lines {
			for {
				i := bytes.IndexByte(l, '"')
				if i < 0 {
					break
				}
				quotes++
				l = l[i+1:]
			}
		}
	}
	perLine(b, cpu0, len(lines))
	b.ReportMetric(float64(quotes)/float64(len(lines)), "quotes/line")
}

// warmBytes is how much of the corpus the Warm benchmarks read: little
// enough to stay in the CPU's caches, so that their figures depend much
// less on the memory traffic of the machine's other tenants than those
// of the 64 MB benchmarks above. Compare two builds with them.
const warmBytes = 4 << 20

// BenchmarkParseCorpusWarm is BenchmarkParseCorpus over warmBytes of
// lines.
func BenchmarkParseCorpusWarm(b *testing.B) { benchParse(b, warmBytes) }

// BenchmarkApplyCorpusWarm is BenchmarkApplyCorpus over warmBytes of
// lines, with the id maps and lists a scan worker lends a quiet file it
// reads cold (spareMaps), as most files of a cold scan are read: the
// maps then hold their room from round to round, and the figure is the
// lines' own cost, not that of growing maps from nothing.
func BenchmarkApplyCorpusWarm(b *testing.B) {
	lines, size := corpusLines(b, warmBytes)
	var p parser
	var r record
	var spare spareMaps
	b.SetBytes(size)
	b.ReportAllocs()
	cpu0 := cputime.Process()
	for b.Loop() {
		a := newAggregate()
		spare.lend(&a)
		spare.lendLists(&r)
		applyLines(b, &p, &r, &a, lines)
		// As compactRead leaves a quiet file: its maps encoded, the
		// lent ones free to be cleared for the next.
		spare.read(&a)
		a.idState = nil
		spare.reclaim(&a)
	}
	perLine(b, cpu0, len(lines))
}
