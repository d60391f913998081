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

// BenchmarkEncodeIDSets measures what compact spends encoding the id
// sets of each file a cold scan reads (encoder.idSets), on the first 200
// transcripts of HELM_SCAN_CORPUS (or of a generated corpus), read into
// one aggregate each beforehand. It reports CPU nanoseconds per file.
//
//	HELM_SCAN_CORPUS=<helmbench -work>/corpus-small go test -run '^$' -bench EncodeIDSets ./server/claude/
func BenchmarkEncodeIDSets(b *testing.B) {
	dir := os.Getenv("HELM_SCAN_CORPUS")
	if dir == "" {
		dir = b.TempDir()
		if _, err := corpus.GenerateSmallRecords(dir, 32<<20, 50, 0, 1); err != nil {
			b.Fatal(err)
		}
	}
	var aggs []*aggregate
	var p parser
	var r record
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".jsonl" || len(aggs) >= 200 {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		a := newAggregate()
		a.maps()
		r.forgetLast(true)
		for _, l := range bytes.SplitAfter(data, []byte("\n")) {
			if len(l) > 1 && p.parseLine(&r, l, nil) {
				a.apply(&r, true)
			}
		}
		r.forgetLast(false)
		aggs = append(aggs, &a)
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if len(aggs) == 0 {
		b.Fatal("no transcripts in the corpus")
	}
	var resps []encodedResponse
	var e encoder
	cpu0 := cputime.Process()
	for b.Loop() {
		for _, a := range aggs {
			resps = resps[:0]
			for k, r := range a.responses {
				resps = append(resps, encodedResponse{k, uint64(r.model), r.spent(), r.at})
			}
			e.b = e.b[:0]
			e.idSets(resps, a)
		}
	}
	b.ReportMetric((cputime.Process()-cpu0)*1e9/float64(b.N*len(aggs)), "cpu-ns/file")
}
