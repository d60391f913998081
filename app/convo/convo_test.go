package convo

import (
	"encoding/json"
	"reflect"
	"strconv"
	"testing"

	"vibecraft.sh/helm/shared"
)

func msg(cursor, text string) shared.Message {
	return shared.Message{Cursor: cursor, Role: "assistant", Blocks: []shared.Block{{Type: shared.BlockText, Text: text}}}
}

func cursors(c *Convo) []string {
	var out []string
	for _, m := range c.Msgs {
		out = append(out, m.Cursor)
	}
	return out
}

func TestPagingAndAppends(t *testing.T) {
	tests := []struct {
		name      string
		steps     func(c *Convo) int
		want      []string
		wantAdded int
		before    string
		after     string
	}{
		{"last page", func(c *Convo) int {
			c.Reset(shared.MessagePage{Messages: []shared.Message{msg("c", ""), msg("d", "")}, Before: "c", After: "d"})
			return 2
		}, []string{"c", "d"}, 2, "c", "d"},
		{"older page above", func(c *Convo) int {
			c.Reset(shared.MessagePage{Messages: []shared.Message{msg("c", ""), msg("d", "")}, Before: "c", After: "d"})
			return c.Prepend(shared.MessagePage{Messages: []shared.Message{msg("a", ""), msg("b", "")}, Before: "", After: "b"})
		}, []string{"a", "b", "c", "d"}, 2, "", "d"},
		{"older page overlapping is not doubled", func(c *Convo) int {
			c.Reset(shared.MessagePage{Messages: []shared.Message{msg("c", ""), msg("d", "")}, Before: "c", After: "d"})
			return c.Prepend(shared.MessagePage{Messages: []shared.Message{msg("b", ""), msg("c", "")}, Before: "b"})
		}, []string{"b", "c", "d"}, 1, "b", "d"},
		{"append replaces the grown last message", func(c *Convo) int {
			c.Reset(shared.MessagePage{Messages: []shared.Message{msg("c", "partial")}, Before: "c", After: "c"})
			return c.Merge(shared.MessagePage{Messages: []shared.Message{msg("c", "whole"), msg("e", "")}, After: "e"})
		}, []string{"c", "e"}, 1, "c", "e"},
		{"messages sent again replace those held and add none", func(c *Convo) int {
			c.Reset(shared.MessagePage{Messages: []shared.Message{msg("c", "running"), msg("d", "")}, Before: "c", After: "d"})
			return c.Merge(shared.MessagePage{Messages: []shared.Message{msg("b", "trimmed"), msg("c", "over")}, After: "d", Again: true})
		}, []string{"c", "d"}, 0, "c", "d"},
		{"empty append keeps the cursor", func(c *Convo) int {
			c.Reset(shared.MessagePage{Messages: []shared.Message{msg("c", "")}, Before: "", After: "c"})
			return c.Merge(shared.MessagePage{})
		}, []string{"c"}, 0, "", "c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New()
			added := tt.steps(c)
			if got := cursors(c); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("messages %v, want %v", got, tt.want)
			}
			if added != tt.wantAdded {
				t.Fatalf("added %d, want %d", added, tt.wantAdded)
			}
			if c.Before != tt.before || c.After != tt.after {
				t.Fatalf("before/after = %q/%q, want %q/%q", c.Before, c.After, tt.before, tt.after)
			}
			if c.Heights.Len() != len(c.Msgs) {
				t.Fatalf("%d heights for %d messages", c.Heights.Len(), len(c.Msgs))
			}
		})
	}
}

func TestMergeReplacesContent(t *testing.T) {
	c := New()
	c.Reset(shared.MessagePage{Messages: []shared.Message{msg("a", "first"), msg("b", "partial")}, After: "b"})
	c.Merge(shared.MessagePage{Messages: []shared.Message{msg("b", "complete")}, After: "b"})
	if got := c.Msgs[1].Blocks[0].Text; got != "complete" {
		t.Fatalf("grown message shows %q, want the new text", got)
	}
}

func TestFind(t *testing.T) {
	c := New()
	tool := shared.Message{Cursor: "t", Blocks: []shared.Block{{Type: shared.BlockTool, Tool: &shared.Tool{Name: "Bash", Summary: "go test ./...",
		Result: &shared.ToolResult{Text: "PASS needle"}}}}}
	c.Reset(shared.MessagePage{Messages: []shared.Message{msg("a", "hay"), msg("b", "a Needle here"), tool, msg("d", "hay")}})
	tests := []struct {
		term string
		want []int
	}{
		{"needle", []int{1, 2}},
		{"go test", []int{2}},
		{"absent", nil},
		{"", nil},
	}
	for _, tt := range tests {
		if got := c.Find(tt.term, nil); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Find(%q) = %v, want %v", tt.term, got, tt.want)
		}
	}
}

// A tool input the server cut is searched as the page shows it: cut,
// then, once "load all" loaded it, in its whole text alone, as helmd
// searches it (a word past the cut is found, the cut JSON's keys are no
// longer shown).
func TestFindACutInput(t *testing.T) {
	c := New()
	write := &shared.Tool{Name: "Write", Summary: "/src/big.go", Input: json.RawMessage(`{"file_path":"/src/big.go","content":"package big"}`),
		InputCut: &shared.Cut{Ref: "r1", Bytes: 1 << 20}}
	c.Reset(shared.MessagePage{Messages: []shared.Message{msg("a", "hay"),
		{Cursor: "w", Blocks: []shared.Block{{Type: shared.BlockTool, Tool: write}}}}})
	for _, tt := range []struct {
		term  string
		whole map[string]string
		want  []int
	}{
		{"package big", nil, []int{1}},
		{"zanzibar", nil, nil},
		{`"content"`, nil, []int{1}},
		{"zanzibar", map[string]string{"r1": "package big\n... zanzibar at the end"}, []int{1}},
		{`"content"`, map[string]string{"r1": "package big"}, nil},
		{"zanzibar", map[string]string{"r2": "zanzibar"}, nil},
	} {
		if got := c.Find(tt.term, tt.whole); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Find(%q) with %v loaded = %v, want %v", tt.term, tt.whole, got, tt.want)
		}
	}
}

// page is the messages with cursors from … to-1, in order.
func page(from, to int) []shared.Message {
	var out []shared.Message
	for i := from; i < to; i++ {
		out = append(out, msg(strconv.Itoa(i), ""))
	}
	return out
}

// An open page that appends for ever holds at most Max messages (and an
// eighth more before it trims), the oldest let go; Before then names the
// first one held, so the page above it is the messages let go, and
// loading it puts them back once each.
func TestTrimCapsAppends(t *testing.T) {
	defer func(m int) { Max = m }(Max)
	Max = 16
	c := New()
	c.Reset(shared.MessagePage{Messages: page(0, 10), Before: "", After: "9"})
	for i := 10; i < 100; i++ {
		c.Merge(shared.MessagePage{Messages: page(i, i+1), After: strconv.Itoa(i)})
		c.Trim(len(c.Msgs)) // the view at the end
		if len(c.Msgs) > Max {
			t.Fatalf("%d messages held after %d appends, cap %d", len(c.Msgs), i-9, Max)
		}
	}
	if got := cursors(c); got[len(got)-1] != "99" || c.Heights.Len() != len(got) {
		t.Fatalf("held %v with %d heights, want the latest last", got, c.Heights.Len())
	}
	first := c.Msgs[0].Cursor
	if c.Before != first {
		t.Fatalf("Before = %q after a trim, want the first message held, %q", c.Before, first)
	}
	if i, ok := c.Index(first); !ok || i != 0 {
		t.Fatalf("Index(%q) = %d, %v after a trim", first, i, ok)
	}
	// The page above (as helmd answers ?before=first) comes back whole.
	n, _ := strconv.Atoi(first)
	if added := c.Prepend(shared.MessagePage{Messages: page(n-5, n+1), Before: strconv.Itoa(n - 5)}); added != 5 {
		t.Fatalf("the page above added %d, want the 5 let go", added)
	}
	if c.Before != strconv.Itoa(n-5) || c.Msgs[0].Cursor != strconv.Itoa(n-5) {
		t.Fatalf("after loading the page above: first %q, Before %q", c.Msgs[0].Cursor, c.Before)
	}
}

// Trim lets go of nothing from keep on (the rows shown, the match the
// reader is on), however many are held, and returns the height that
// went so the view can stay on the same line.
func TestTrimKeepsWhatIsShown(t *testing.T) {
	defer func(m int) { Max = m }(Max)
	Max = 8
	c := New()
	c.Reset(shared.MessagePage{Messages: page(0, 20), After: "19"})
	c.Heights.Set(0, 500)
	c.Heights.Set(1, 100) // estimate 300
	if n, px := c.Trim(3); n != 3 || px != 500+100+300 {
		t.Fatalf("Trim(3) = %d, %v px; want 3 rows, 900 px", n, px)
	}
	if c.Msgs[0].Cursor != "3" || c.Before != "3" {
		t.Fatalf("first %q, Before %q; want message 3 first", c.Msgs[0].Cursor, c.Before)
	}
	if n, _ := c.Trim(0); n != 0 || len(c.Msgs) != 17 {
		t.Fatalf("Trim(0) let %d go, %d held: the first row is shown", n, len(c.Msgs))
	}
	if n, _ := c.Trim(100); n != 17-Max+Max/8 || len(c.Msgs) != Max-Max/8 {
		t.Fatalf("Trim past the cap let %d go, %d held", n, len(c.Msgs))
	}
	if n, _ := c.Trim(100); n != 0 {
		t.Fatalf("Trim under the cap let %d go", n)
	}
}
