package convo

import (
	"reflect"
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
		if got := c.Find(tt.term); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Find(%q) = %v, want %v", tt.term, got, tt.want)
		}
	}
}
