package main

import (
	"bufio"
	"bytes"
	"cmp"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"vibecraft.sh/helm/server/internal/corpus"
)

// floorCounts is what quoteFloor found: enough to check it read
// everything, and a result the compiler cannot drop.
type floorCounts struct {
	files, lines, quotes int
	bytes                int64
}

// quoteFloor does the least a reader that finds string ends as the Claude
// scanner does can do, and nothing else: the transcripts under dir split
// over the scan's workers as the scan splits them (claude/refresh.go:
// GOMAXPROCS goroutines taking the next file of a list sorted largest
// first), each file read with a buffer of the scanner's size, its lines
// split by bufio.Reader.ReadSlice('\n') and every '"' of a line found by
// bytes.IndexByte. Its time, against the plain read's, is what the scan's
// ratio holds before anything is parsed. Without quotes it only reads and
// splits lines: what is left of the budget then is what parsing may take.
func quoteFloor(dir string, quotes bool) (floorCounts, error) {
	type transcript struct {
		path string
		size int64
	}
	var list []transcript
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".jsonl") {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		list = append(list, transcript{p, info.Size()})
		return nil
	})
	if err != nil {
		return floorCounts{}, err
	}
	slices.SortFunc(list, func(a, b transcript) int { return cmp.Compare(b.size, a.size) })

	var mu sync.Mutex
	var total floorCounts
	var errs []error
	next := 0
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(list)) {
		wg.Go(func() {
			br := bufio.NewReaderSize(nil, corpus.ReadBufSize)
			var mine floorCounts
			for {
				mu.Lock()
				j := next
				next++
				mu.Unlock()
				if j >= len(list) {
					break
				}
				if err := quotesOf(list[j].path, br, quotes, &mine); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
			mu.Lock()
			total.files += mine.files
			total.lines += mine.lines
			total.quotes += mine.quotes
			total.bytes += mine.bytes
			mu.Unlock()
		})
	}
	wg.Wait()
	return total, errors.Join(errs...)
}

// quotesOf counts the lines (and, with quotes, the '"') of one file into c. A line longer
// than the buffer comes in several slices (bufio.ErrBufferFull), as in
// the scanner; it counts once.
func quotesOf(path string, br *bufio.Reader, quotes bool, c *floorCounts) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	br.Reset(f)
	c.files++
	partial := false // the line so far came in earlier slices
	for {
		line, err := br.ReadSlice('\n')
		c.bytes += int64(len(line))
		for rest := line; quotes; {
			i := bytes.IndexByte(rest, '"')
			if i < 0 {
				break
			}
			c.quotes++
			rest = rest[i+1:]
		}
		switch {
		case err == nil:
			c.lines++
			partial = false
		case errors.Is(err, bufio.ErrBufferFull):
			partial = true
		case errors.Is(err, io.EOF):
			if len(line) > 0 || partial {
				c.lines++ // a last line without its '\n'
			}
			return nil
		default:
			return err
		}
	}
}
