package transcript

import (
	"fmt"
	"sync"
	"testing"
)

// Pages served while the transcript grows: every page is whole messages
// in order, whatever the appends did meanwhile (run with -race).
func TestPagesWhileAppending(t *testing.T) {
	var r rec
	path := tempTranscript(t, conversation(t))
	files := NewFiles(0)
	var lines [][]byte // written one at a time, as Claude Code appends
	for i := range 200 {
		lines = append(lines, jsonl(t, r.prompt(fmt.Sprintf("p%d", i))), jsonl(t, r.assistant(fmt.Sprintf("msg_%d", i), text("a"))))
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := appendEach(path, lines); err != nil {
			errs <- err
		}
	}()
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				page, err := files.Page(path, Query{Limit: 7})
				if err != nil {
					errs <- err
					return
				}
				older, err := files.Page(path, Query{Before: page.Before, Limit: 7})
				if err != nil {
					errs <- fmt.Errorf("older page: %w", err)
					return
				}
				for _, m := range append(older.Messages, page.Messages...) {
					if len(m.Blocks) == 0 || m.Cursor == "" {
						errs <- fmt.Errorf("a message without blocks or cursor: %+v", m)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	all, err := files.Page(path, Query{Limit: MaxLimit})
	if err != nil || len(all.Messages) != MaxLimit {
		t.Fatalf("after the appends: %d messages, %v", len(all.Messages), err)
	}
}
