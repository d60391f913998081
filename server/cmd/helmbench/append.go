package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"vibecraft.sh/helm/server/claude"
	"vibecraft.sh/helm/server/internal/fixture"
	"vibecraft.sh/helm/shared"
)

// bigTranscript writes (once) a transcript of about size bytes.
func (b *bench) bigTranscript(name string, size int64) (root, path string, err error) {
	root = filepath.Join(b.work, name)
	const sid = "b16b16b1-0000-4000-8000-000000000500"
	path = fixture.Path(root, "/home/dev/big", sid)
	if st, err := os.Stat(path); err == nil && st.Size() >= size {
		return root, path, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", "", err
	}
	f, err := os.Create(path)
	if err != nil {
		return "", "", err
	}
	defer f.Close()
	filler := strings.Repeat("x", 200_000)
	at := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	var n int64
	for i := 0; n < size; i++ {
		line := fixture.User(sid, "/home/dev/big", fmt.Sprintf("turn %d %s", i, filler[:1000+i%199_000]), at)
		line += fixture.Assistant(sid, "/home/dev/big", fmt.Sprintf("msg_%d", i), "end_turn", at)
		if _, err := f.WriteString(line); err != nil {
			return "", "", err
		}
		n += int64(len(line))
	}
	return root, path, f.Close()
}

// appendCost times "one line appended → index updated" on a 500 MB and
// a 10 KB transcript: the read of the new bytes, the re-aggregation and
// the index update.
func (b *bench) appendCost() ([]row, error) {
	big, err := b.timeAppend("append-500mb", 500<<20)
	if err != nil {
		return nil, err
	}
	small, err := b.timeAppend("append-10kb", 10<<10)
	if err != nil {
		return nil, err
	}
	ratio := float64(big) / float64(small)
	return []row{{
		what:     "append one line to a 500 MB transcript → index updated (median of 200)",
		measured: fmt.Sprintf("%v (10 KB file: %v, ratio %.2f)", big, small, ratio),
		target:   "≤ 2 ms and ≤ 1.5× the 10 KB time",
		pass:     big <= 2*time.Millisecond && ratio <= 1.5,
	}}, nil
}

func (b *bench) timeAppend(name string, size int64) (time.Duration, error) {
	root, path, err := b.bigTranscript(name, size)
	if err != nil {
		return 0, err
	}
	ctx := context.Background()
	src := claude.New(claude.Options{Roots: []string{root}})
	sessions, err := src.Scan(ctx)
	if err != nil {
		return 0, err
	}
	ix := ixOf(sessions)
	var took []time.Duration
	for i := range 200 {
		line := fixture.Assistant("b16b16b1-0000-4000-8000-000000000500", "/home/dev/big", fmt.Sprintf("msg_extra_%d_%d", time.Now().UnixNano(), i), "end_turn", time.Now())
		if err := fixture.AppendErr(path, line); err != nil {
			return 0, err
		}
		start := time.Now()
		changed, removed, err := src.Update(ctx, []string{path})
		if err != nil {
			return 0, err
		}
		ix.Apply(shared.SourceClaude, changed, removed)
		took = append(took, time.Since(start))
	}
	slices.Sort(took)
	return took[len(took)/2], nil
}
