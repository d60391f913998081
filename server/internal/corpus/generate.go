// Package corpus writes realistic, seeded Claude Code trees for tests and
// benchmarks (see Generate).
package corpus

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"vibecraft.sh/helm/server/internal/claudepath"
)

// Stats describes what Generate wrote.
type Stats struct {
	Sessions, Subagents, Lines int
	Bytes, Largest             int64
}

// Generate writes a Claude config folder under out (out/projects/…) of
// about size bytes over the given number of sessions and projects (0:
// sessions/30). Every transcript was last written in the past, as on a
// real machine: a few in the last hour, the rest spread over the weeks or
// months before (lastWriteAt), each file's mtime its last write. The
// same seed writes the same records; their dates are counted back from
// the time of the call.
func Generate(out string, size int64, sessions, projects int, seed int64) (Stats, error) {
	return GenerateEndingAt(time.Now(), out, size, sessions, projects, seed)
}

// GenerateEndingAt is Generate with the dates counted back from end (to
// the minute) rather than from the time of the call: the same seed and
// end write the same tree, byte for byte, whenever it runs.
func GenerateEndingAt(end time.Time, out string, size int64, sessions, projects int, seed int64) (Stats, error) {
	if projects <= 0 {
		projects = max(1, sessions/30)
	}
	return newGenerator(seed, out, projects, end).write(sessions, size)
}

// GenerateSmallRecords is Generate with every record 1–4 KB: no tool
// result of megabytes, the shape of most real transcripts, where the
// cost of a scan is per line rather than per byte.
func GenerateSmallRecords(out string, size int64, sessions, projects int, seed int64) (Stats, error) {
	if projects <= 0 {
		projects = max(1, sessions/30)
	}
	g := newGenerator(seed, out, projects, time.Now())
	g.small = true
	return g.write(sessions, size)
}

type generator struct {
	rng      *rand.Rand
	out      string
	projects []string // cwds
	words    []string
	end      time.Time // the newest transcript's last write
	small    bool      // records of 1–4 KB only (GenerateSmallRecords)
}

// newGenerator dates the newest transcript's last write end, to the
// minute; the others count back from it.
func newGenerator(seed int64, out string, projects int, end time.Time) *generator {
	g := &generator{
		rng:   rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15)),
		out:   out,
		words: strings.Fields("the a function test build error fix add remove refactor handler session stream server client index parser token cost model file line read write watch event json value type struct method return nil context cancel retry backoff query cache offset"),
		end:   end.UTC().Truncate(time.Minute),
	}
	names := []string{"webapp", "api", "mobile_app.v2", "infra", "docs site", "payments", "ml-pipeline", "cli", "desktop", "données"}
	for i := range projects {
		g.projects = append(g.projects, fmt.Sprintf("/home/dev/code/%s-%d", names[i%len(names)], i))
	}
	return g
}

// write spreads total bytes over n sessions with a heavy tail: most
// transcripts are small, a few are very large, as on real machines.
func (g *generator) write(n int, total int64) (Stats, error) {
	var st Stats
	weights := make([]float64, n)
	var sum float64
	for i := range weights {
		weights[i] = math.Exp(g.rng.NormFloat64() * 1.2) // log-normal sizes
		sum += weights[i]
	}
	for i := range n {
		target := int64(float64(total) * weights[i] / sum)
		// Projects follow a Zipf-like spread: a few hold most sessions.
		p := g.projects[int(float64(len(g.projects))*math.Pow(g.rng.Float64(), 2.5))]
		if err := g.session(p, i, max(target, 2048), g.lastWriteAt(i, n), &st); err != nil {
			return st, err
		}
	}
	return st, nil
}

func (g *generator) id() string {
	return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", g.rng.Uint32(), g.rng.Uint32()&0xffff, g.rng.Uint32()&0xfff, g.rng.Uint32()&0xfff, g.rng.Uint64()&0xffffffffffff)
}

func (g *generator) text(n int) string {
	var b strings.Builder
	for b.Len() < n {
		b.WriteString(g.words[g.rng.IntN(len(g.words))])
		b.WriteByte(' ')
	}
	return b.String()[:n]
}

// toolResultSize draws 1 KB to 5 MB, mostly small (1–4 KB when small).
func (g *generator) toolResultSize() int {
	if g.small {
		return 1024 + g.rng.IntN(3*1024)
	}
	return int(1024 * math.Pow(5*1024, math.Pow(g.rng.Float64(), 3)))
}

// recentEvery is how far apart the few recent sessions were last written.
const recentEvery = 7 * time.Minute

// lastWriteAt is when session i of n was last written. The last few
// (3, and one more per 20,000) are from the last hour or so, the newest
// a minute ago; the others were written at random over the span before:
// two hours a session, from a week to a year. So most transcripts are
// old and a handful recent, as on a machine used every day, and none is
// dated in the future.
func (g *generator) lastWriteAt(i, n int) time.Time {
	recent := min(n, 3+n/20000)
	if k := n - 1 - i; k < recent {
		return g.end.Add(-time.Minute - time.Duration(k)*recentEvery)
	}
	span := min(max(time.Duration(n)*2*time.Hour, 7*24*time.Hour), 365*24*time.Hour)
	return g.end.Add(-time.Duration(recent)*recentEvery - time.Duration(g.rng.Int64N(int64(span))))
}

func (g *generator) session(cwd string, n int, target int64, last time.Time, st *Stats) error {
	dir := filepath.Join(g.out, "projects", claudepath.Slug(cwd))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	sid := g.id()
	path := filepath.Join(dir, sid+".jsonl")
	w, err := newWriter(path)
	if err != nil {
		return err
	}
	// About ten seconds a record of 2 KB: a small session lasts minutes,
	// a large one hours.
	span := min(max(time.Duration(target/2048)*10*time.Second, time.Minute), 8*time.Hour)
	start := last.Add(-span)
	tr := &transcript{g: g, w: w, sid: sid, cwd: cwd, start: start, span: span, budget: target}
	tr.meta()
	for w.n < target {
		tr.turn(target - w.n)
	}
	tr.titles()
	if err := w.close(); err != nil {
		return err
	}
	if err := os.Chtimes(path, last, last); err != nil {
		return err
	}
	st.Sessions++
	st.Lines += w.lines
	st.Bytes += w.n
	st.Largest = max(st.Largest, w.n)

	// One session in eight ran subagents; alternate the two layouts.
	if n%8 == 0 {
		var sub string
		if n%16 == 0 {
			os.MkdirAll(filepath.Join(dir, sid, "subagents"), 0o755)
			sub = filepath.Join(dir, sid, "subagents", fmt.Sprintf("agent-a%015x.jsonl", g.rng.Uint64()>>4))
		} else {
			sub = filepath.Join(dir, fmt.Sprintf("agent-%08x.jsonl", g.rng.Uint32()))
		}
		sw, err := newWriter(sub)
		if err != nil {
			return err
		}
		// A subagent works within its parent's span, and ends before it.
		str := &transcript{g: g, w: sw, sid: sid, cwd: cwd, start: start, span: span / 2, budget: 60000, sidechain: true}
		for range 3 {
			str.turn(20000)
		}
		if err := sw.close(); err != nil {
			return err
		}
		if err := os.Chtimes(sub, start.Add(span/2), start.Add(span/2)); err != nil {
			return err
		}
		st.Subagents++
		st.Lines += sw.lines
		st.Bytes += sw.n
	}
	return nil
}

type writer struct {
	f     *os.File
	b     *bufio.Writer
	n     int64
	lines int
	err   error
}

func newWriter(path string) (*writer, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	return &writer{f: f, b: bufio.NewWriterSize(f, 1<<20)}, nil
}

func (w *writer) record(v any) {
	if w.err != nil {
		return
	}
	line, err := json.Marshal(v)
	if err != nil {
		w.err = err
		return
	}
	w.b.Write(line)
	w.b.WriteByte('\n')
	w.n += int64(len(line) + 1)
	w.lines++
}

func (w *writer) close() error {
	if err := w.b.Flush(); err != nil && w.err == nil {
		w.err = err
	}
	if err := w.f.Close(); err != nil && w.err == nil {
		w.err = err
	}
	return w.err
}

// SetModTimes gives every file under dir the modification time t: a
// corpus aged this way reads as finished transcripts (none written within
// the active window), as most of a large workspace is.
func SetModTimes(dir string, t time.Time) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			err = os.Chtimes(path, t, t)
		}
		return err
	})
}
