// Command helmbench measures Helm against the targets of its performance
// issue and prints one table: measured value, target, pass or miss.
//
//	go run ./server/cmd/helmbench -work /tmp/helm-bench -bin bin/helmd
//
// It generates its corpora once into -work (kept for the next run), then
// times the scanner in-process and drives a real helmd process over
// loopback for the stream figures. `make bench` runs it.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"text/tabwriter"
)

type row struct {
	what, measured, target string
	pass                   bool
	note                   string
}

func main() {
	work := flag.String("work", filepath.Join(os.TempDir(), "helm-bench"), "folder for corpora (kept between runs)")
	bin := flag.String("bin", "bin/helmd", "the helmd binary to drive")
	size := flag.String("size", "2GB", "size of the scan corpus")
	sessions := flag.Int("sessions", 5000, "sessions in the scan corpus")
	clients := flag.Int("clients", 10000, "stream clients for the connection figures")
	only := flag.String("only", "", "comma-separated subset: scan,append,latency,clients,rss,wasm,smallscan,scale,restart (scale's restart over its scan cache and Refresh alone)")
	flag.Parse()

	b := &bench{work: *work, bin: *bin, size: *size, sessions: *sessions, clients: *clients}
	if err := os.MkdirAll(b.work, 0o755); err != nil {
		fatal(err)
	}
	steps := []struct {
		name  string
		run   func() ([]row, error)
		named bool // runs only when -only names it (a part of another step)
	}{
		{"scan", b.scan, false},
		{"append", b.appendCost, false},
		{"latency", b.latency, false},
		{"clients", b.connections, false},
		{"rss", b.indexRSS, false},
		{"wasm", b.wasm, false},
		{"smallscan", b.smallScan, false},
		{"scale", b.scale, false},
		{"restart", b.restartOnly, true},
	}
	var rows []row
	for _, s := range steps {
		if (*only != "" || s.named) && !strings.Contains(","+*only+",", ","+s.name+",") {
			continue
		}
		fmt.Fprintf(os.Stderr, "== %s\n", s.name)
		r, err := s.run()
		if err != nil {
			rows = append(rows, row{what: s.name, measured: "error", note: err.Error()})
			continue
		}
		rows = append(rows, r...)
	}
	fmt.Printf("\nHelm benchmarks — %d cores (GOMAXPROCS %d), %s\n\n", runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version())
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "what\tmeasured\ttarget\tresult\tnote")
	for _, r := range rows {
		res := "MISS"
		if r.pass {
			res = "pass"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.what, r.measured, r.target, res, r.note)
	}
	tw.Flush()
}

type bench struct {
	work, bin, size   string
	sessions, clients int
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "helmbench:", err)
	os.Exit(1)
}
