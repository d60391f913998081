package claude

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"vibecraft.sh/helm/server/internal/cputime"
)

// corpusFiles returns the lines of whole files of HELM_SCAN_CORPUS (or
// of a generated corpus), files until max bytes are reached.
func corpusFiles(b *testing.B, max int64) (files [][][]byte, size int64, lines int) {
	b.Helper()
	dir := corpusDir(b)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(p) != ".jsonl" || size >= max {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var ls [][]byte
		for _, l := range bytes.SplitAfter(data, []byte("\n")) {
			if len(l) > 1 {
				ls = append(ls, l)
			}
		}
		files = append(files, ls)
		size += int64(len(data))
		lines += len(ls)
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if lines == 0 {
		b.Fatal("no lines in the corpus")
	}
	return files, size, lines
}

// BenchmarkApplyFiles is BenchmarkApplyCorpus as a cold scan's worker
// applies lines (refreshFound): each file to an aggregate of its own,
// lent the worker's spare maps and compacted once read. ApplyCorpus puts
// 64 MB of lines in one aggregate, whose maps grow to tens of thousands
// of ids; here they hold one file's, as in a scan. The lines are those
// of whole files of HELM_SCAN_CORPUS (or a generated corpus), up to
// 64 MB, held in memory. It reports CPU nanoseconds per line.
//
//	HELM_SCAN_CORPUS=<helmbench -work>/corpus-small go test -run '^$' -bench 'ApplyFiles|ParseCorpus' ./server/claude/
func BenchmarkApplyFiles(b *testing.B) {
	files, size, lines := corpusFiles(b, 64<<20)
	var p parser
	lens := make([]int, len(files))
	for i, ls := range files {
		lens[i] = len(ls)
	}
	benchFiles(b, size, lines, lens, func(f, i int, r *record) {
		if !p.parseLine(r, files[f][i], nil) {
			b.Fatalf("bad line %.200q", files[f][i])
		}
	})
}

// benchFiles runs a scan worker over files of lens lines, fill giving it
// line i of file f, and reports CPU nanoseconds per line.
func benchFiles(b *testing.B, size int64, lines int, lens []int, fill func(f, i int, r *record)) {
	var w fileWorker
	b.SetBytes(size)
	b.ReportAllocs()
	cpu0 := cputime.Process()
	for b.Loop() {
		messages := 0
		for f, n := range lens {
			messages += w.file(b, n, func(i int, r *record) { fill(f, i, r) })
		}
		if messages == 0 {
			b.Fatal("no assistant message counted")
		}
	}
	perLine(b, cpu0, lines)
}

// BenchmarkAggregateFiles is BenchmarkApplyFiles without the parser:
// the lines of 4 MB of whole files (few enough to stay in the cache, as
// a line just parsed is) are parsed beforehand, and each is copied into
// the one record the worker reads with before it is applied (the record
// keeps what a read carries from line to line). It measures the
// aggregation of a cold scan alone: apply, and compact once a file is
// read. It reports CPU nanoseconds per line.
func BenchmarkAggregateFiles(b *testing.B) {
	files, size, lines := corpusFiles(b, 4<<20)
	var p parser
	parsed := make([][]record, len(files))
	for i, ls := range files {
		for _, l := range ls {
			var r record
			if !p.parseLine(&r, l, nil) {
				b.Fatalf("bad line %.200q", l)
			}
			parsed[i] = append(parsed[i], r) // its own buffers: a new record per line
		}
	}
	lens := make([]int, len(parsed))
	for i, rs := range parsed {
		lens[i] = len(rs)
	}
	benchFiles(b, size, lines, lens, func(f, i int, r *record) { lineOf(r, &parsed[f][i]) })
}

// fileWorker aggregates files as a cold scan's worker does
// (refreshFound): each file to an aggregate of its own, lent the
// worker's spare maps, and compacted once read.
type fileWorker struct {
	r       record
	spare   spareMaps
	scratch []byte
}

// file aggregates one file of n lines, line filling the worker's record
// with the i-th, and returns the file's message count.
func (w *fileWorker) file(b *testing.B, n int, line func(i int, r *record)) int {
	a := newAggregate()
	if w.spare.lend(&a) {
		w.spare.lendLists(&w.r)
	}
	a.maps()
	w.r.forgetLast(true) // as reader.lines
	for i := range n {
		line(i, &w.r)
		a.apply(&w.r, true)
	}
	w.r.forgetLast(false)
	w.r.responses, w.r.keys = nil, nil
	w.spare.read(&a)
	a.dirty = nil // as compactRead
	if !a.compact(&w.scratch, nil) {
		b.Fatal("compact refused")
	}
	w.spare.reclaim(&a)
	return a.messageCount()
}

// lineOf copies into r what parseLine fills from one line, leaving what
// r carries from line to line (see record) as it is.
func lineOf(r, from *record) {
	r.typ, r.subtype, r.cwd, r.sessionID = from.typ, from.subtype, from.cwd, from.sessionID
	r.version, r.gitBranch, r.timestamp, r.requestID = from.version, from.gitBranch, from.timestamp, from.requestID
	r.customTitle, r.aiTitle, r.summary = from.customTitle, from.aiTitle, from.summary
	r.isMeta, r.isSidechain, r.isCompactSummary, r.isAPIError = from.isMeta, from.isSidechain, from.isCompactSummary, from.isAPIError
	r.durationMs, r.hasMessage = from.durationMs, from.hasMessage
	r.msgID, r.model, r.stopReason = from.msgID, from.model, from.stopReason
	r.hasUsage, r.usage, r.content = from.hasUsage, from.usage, from.content
	r.tsMS, r.tsState = 0, 0
}
