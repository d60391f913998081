package transcript

import (
	"context"
	"slices"
	"testing"

	"vibecraft.sh/helm/shared"
)

// farResult is a turn whose tool result is written three messages below
// its call (API errors between them, and prompts typed meanwhile, which
// Claude Code writes as queued_command attachments, shown nowhere),
// holding "needle", then an answer. A prompt record would end the turn:
// the call would be over (over.go).
func farResult(t testing.TB) [][]byte {
	var r rec
	recs := []map[string]any{
		r.prompt("run the tests"),
		r.assistant("msg_A", toolUse("toolu_far", "Bash", map[string]any{"command": "go test"})),
	}
	for i := range 3 {
		e := r.env("system")
		e["subtype"], e["error"] = "api_error", map[string]any{"message": "overloaded " + itoa(i)}
		q := r.env("attachment")
		q["attachment"] = map[string]any{"type": "queued_command", "prompt": "still there? " + itoa(i)}
		recs = append(recs, e, q)
	}
	recs = append(recs,
		r.results(nil, toolResult("toolu_far", "FAIL needle_test", true)),
		r.assistant("msg_B", text("One test fails.")),
		r.prompt("fix it"),
	)
	var lines [][]byte
	for _, rc := range recs {
		lines = append(lines, jsonl(t, rc))
	}
	return lines
}

func itoa(i int) string { return string(rune('0' + i)) }

// walkBack is every message, read page by page from the end.
func walkBack(t *testing.T, files *Files, path string, limit int) []shared.Message {
	t.Helper()
	var all []shared.Message
	cursor := ""
	for {
		page, err := files.Page(path, Query{Before: cursor, Limit: limit})
		if err != nil {
			t.Fatal(err)
		}
		all = append(page.Messages, all...)
		if cursor = page.Before; cursor == "" {
			return all
		}
	}
}

// follow is what a page that follows the end holds: msgs, with what
// ?after= its last cursor answers now (the message at the cursor sent
// again, maybe grown, and those after it).
func follow(t *testing.T, files *Files, path string, msgs []shared.Message, after string) ([]shared.Message, string) {
	t.Helper()
	for {
		page, err := files.Page(path, Query{After: after, Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Messages) > 0 && len(msgs) > 0 && page.Messages[0].Cursor == msgs[len(msgs)-1].Cursor {
			msgs = msgs[:len(msgs)-1]
		}
		msgs, after = append(msgs, page.Messages...), page.After
		if !page.More {
			return msgs, after
		}
	}
}

// A tool result far below its call is shown in one place, whatever page
// it is read on: pages of any size from the end, pages from the start,
// a page that followed the transcript as it was written; and find
// numbers the message that shows it. It joined the call's message on a
// page that held the call, and the message just before it on one that
// did not (a page that followed the end never saw it with its call), so
// the same transcript showed it in two places, and find, which holds 4
// messages at a time, named a third.
func TestFarResultIsShownInOnePlace(t *testing.T) {
	lines := farResult(t)
	var data []byte
	for _, l := range lines {
		data = append(data, l...)
	}
	path := tempTranscript(t, data)
	files := NewFiles(0)
	want := summaryOf(walkBack(t, files, path, MaxLimit))
	for limit := 1; limit <= 6; limit++ {
		if got := summaryOf(walkBack(t, files, path, limit)); !slices.Equal(got, want) {
			t.Fatalf("pages of %d from the end:\n got %q\nwant %q", limit, got, want)
		}
	}
	start, err := files.Page(path, Query{Start: true, Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	fromStart, _ := follow(t, files, path, start.Messages, start.After)
	if got := summaryOf(fromStart); !slices.Equal(got, want) {
		t.Fatalf("pages from the start:\n got %q\nwant %q", got, want)
	}

	// The page followed the transcript line by line.
	live := tempTranscript(t, nil)
	var msgs []shared.Message
	after := ""
	for i, l := range lines {
		appendFile(t, live, l)
		if after == "" {
			page, err := files.Page(live, Query{})
			if err != nil {
				t.Fatal(err)
			}
			msgs, after = page.Messages, page.After
			continue
		}
		msgs, after = follow(t, files, live, msgs, after)
		fresh := walkBack(t, files, live, MaxLimit)
		if got, want := summaryOf(msgs), summaryOf(fresh); !slices.Equal(got, want) {
			t.Fatalf("after line %d, the page that followed:\n got %q\nwant what a new page shows, %q", i, got, want)
		}
		// Find names the messages that show the term, as the page shows them.
		var shows []string
		for i := range fresh {
			if shared.MessageShows(&fresh[i], "needle") {
				shows = append(shows, fresh[i].Cursor)
			}
		}
		found, err := files.Find(context.Background(), live, func(m *shared.Message) bool { return shared.MessageShows(m, "needle") }, FindQuery{Max: 10})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(found.Matches, shows) {
			t.Fatalf("after line %d, find names %q, the page shows the term in %q", i, found.Matches, shows)
		}
	}
}
