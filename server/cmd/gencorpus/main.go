// Command gencorpus writes a realistic, seeded Claude Code tree for
// benchmarks: projects of uneven size, transcripts with split assistant
// lines, thinking blocks, tool results from 1 KB to 5 MB, subagents in
// both layouts, and metadata records.
//
//	go run ./server/cmd/gencorpus -out /tmp/corpus -size 2GB -sessions 5000 -seed 1
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"vibecraft.sh/helm/server/internal/corpus"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "gencorpus:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("gencorpus", flag.ContinueOnError)
	out := fs.String("out", "", "folder to write (a Claude config dir: <out>/projects/...)")
	size := fs.String("size", "2GB", "total bytes to write (KB, MB, GB suffixes)")
	sessions := fs.Int("sessions", 5000, "number of sessions")
	projects := fs.Int("projects", 0, "number of projects (default: sessions/30, at least 1)")
	seed := fs.Int64("seed", 1, "random seed: the same seed and -end write the same tree")
	end := fs.String("end", "", "the newest transcript's last write, RFC 3339 (default: now); the other dates count back from it")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("-out is required")
	}
	total, err := corpus.ParseSize(*size)
	if err != nil {
		return err
	}
	if *sessions <= 0 {
		return errors.New("-sessions must be > 0")
	}
	at := time.Now()
	if *end != "" {
		if at, err = time.Parse(time.RFC3339, *end); err != nil {
			return fmt.Errorf("-end: %w", err)
		}
	}
	st, err := corpus.GenerateEndingAt(at, *out, total, *sessions, *projects, *seed)
	if err != nil {
		return err
	}
	fmt.Printf("wrote %d sessions (%d subagent files), %d lines, %.1f MB, largest file %.1f MB\n",
		st.Sessions, st.Subagents, st.Lines, float64(st.Bytes)/1e6, float64(st.Largest)/1e6)
	return nil
}
