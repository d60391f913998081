package transcript

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"vibecraft.sh/helm/shared"
)

// Read from any line on, the messages the grouper is sure of are the
// very messages a read from the start finds there.
func TestGroupingFromAnyLine(t *testing.T) {
	var r rec
	data := append(conversation(t), jsonl(t,
		r.prompt("<command-name>/model</command-name>"),
		r.results(nil, text("<local-command-stdout>Set model</local-command-stdout>")),
		r.results(nil, text("<local-command-stdout>again</local-command-stdout>")),
		r.assistant("msg_x", text("a")),
		r.results(nil, toolResult("toolu_orphan", "late", false)),
		r.assistant("msg_x", text("b")),
		r.assistant("msg_y", text("c")),
		r.results(map[string]any{"isMeta": true}, text("meta")),
		r.assistant("msg_y", text("d")),
		map[string]any{"type": "system", "subtype": "compact_boundary", "uuid": "c1"},
		r.prompt("end"),
	)...)
	path := tempTranscript(t, data)
	f, snap, err := NewFiles(0).open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p := newPager(f, snap)
	groupFrom := func(from int) []*group {
		g := newGrouper(from == 0, p.ref)
		for k := from; k < len(snap.offs); k++ {
			pr, err := p.line(k)
			if err != nil {
				t.Fatal(err)
			}
			g.add(pr)
		}
		return g.groups[g.unsure:]
	}
	key := func(gs []*group) []string {
		var out []string
		for _, g := range gs {
			out = append(out, fmt.Sprint(g.off, summaryOf([]shared.Message{g.msg})))
		}
		return out
	}
	all := key(groupFrom(0))
	for from := 1; from < len(snap.offs); from++ {
		got := key(groupFrom(from))
		if len(got) == 0 {
			continue
		}
		i := slices.Index(all, got[0])
		if i < 0 || !slices.Equal(got, all[i:]) {
			t.Fatalf("from line %d:\n got %q\nwant a tail of %q", from, got, all)
		}
	}
}

func TestIndexCacheBounds(t *testing.T) {
	var r rec
	dir := t.TempDir()
	files := NewFiles(2)
	files.limit = 5 // offsets, over every index
	paths := make([]string, 4)
	for i := range paths {
		paths[i] = filepath.Join(dir, fmt.Sprintf("s%d.jsonl", i))
		writeFile(t, paths[i], jsonl(t, r.prompt("a"), r.prompt("b"), r.prompt("c")))
	}
	for _, p := range paths[:3] {
		if _, err := files.Page(p, Query{}); err != nil {
			t.Fatal(err)
		}
		if files.Len() > 2 || files.held > 5 && files.Len() > 1 {
			t.Fatalf("%d indexes holding %d offsets: over the bounds", files.Len(), files.held)
		}
	}
	// The one in use stays, whatever its size.
	writeFile(t, paths[3], jsonl(t, r.prompt("a"), r.prompt("b"), r.prompt("c"), r.prompt("d"), r.prompt("e"), r.prompt("f")))
	page, err := files.Page(paths[3], Query{})
	if err != nil || len(page.Messages) != 6 || files.Len() != 1 || files.held != 6 {
		t.Fatalf("%d messages, %v; %d indexes holding %d offsets", len(page.Messages), err, files.Len(), files.held)
	}
}
