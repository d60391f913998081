package md

import (
	"fmt"
	"strings"
	"testing"
)

func TestTables(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"alignment", "| a | b | c | d |\n|---|:--|:-:|--:|\n| 1 | 2 | 3 | 4 |", "t-lcr[a¦b¦c¦d][1¦2¦3¦4]"},
		{"no outer pipes", "a | b\n--- | ---\n1 | 2", "t--[a¦b][1¦2]"},
		{"spaced delimiter row", "| a | b |\n| :--- | ---: |", "tlr[a¦b]"},
		{"inline markdown in cells", "| `x` | *e* | [l](https://x.test/) | **s** |\n|-|-|-|-|", "t----[`x`¦*e*¦[l](https://x.test/)¦**s**]"},
		{"escaped pipes", "| a \\| b | `c \\| d` |\n|---|---|", "t--[a | b¦`c | d`]"},
		{"short row padded, long row cut", "| a | b |\n|---|---|\n| 1 |\n| 1 | 2 | 3 |", "t--[a¦b][1¦][1¦2]"},
		{"empty cells", "| a | |\n|---|---|\n| | 2 |", "t--[a¦][¦2]"},
		{"after a line of prose", "Results:\n| a |\n|---|\n| 1 |", "p(Results:) t-[a][1]"},
		{"a blank line ends it", "| a |\n|---|\n| 1 |\n\nafter", "t-[a][1] p(after)"},
		{"a line without pipes is a row", "| a |\n|---|\nb", "t-[a][b]"},
		{"a list ends it", "| a |\n|---|\n- x", "t-[a] ul[li{p(x)}]"},
		{"header only", "| a |\n|---|", "t-[a]"},
		{"in a list item", "- x\n\n  | a |\n  |---|\n  | 1 |\n- y", "ul[li{p(x) t-[a][1]} li{p(y)}]"},
		{"after a list item", "- x\n| a |\n|---|", "ul[li{p(x)}] t-[a]"},
		{"html in cells is text", "| <script>alert(1)</script> | <img src=x onerror=alert(1)> |\n|---|---|",
			"t--[<script>alert(1)</script>¦<img src=x onerror=alert(1)>]"},
		{"lone pipe", "|", "p(|)"},
		{"pipes without a delimiter row", "a | b\nc | d", "p(a | b\nc | d)"},
		{"cell counts differ", "| a | b |\n|---|\n| 1 |", "p(| a | b |\n|---|\n| 1 |)"},
		{"not a delimiter row", "| a |\n|-x-|", "p(| a |\n|-x-|)"},
		{"dashes without a pipe are an underline", "a\n---", "h2(a)"},
		{"indented four is not a header", "    | a |\n|---|", "code:(| a |) p(|---|)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := dump(Parse(tt.src)); got != tt.want {
				t.Fatalf("Parse(%q)\n got %s\nwant %s", tt.src, got, tt.want)
			}
		})
	}
}

// A table too big to be one is still all there, as text.
func TestHugeTablesKeepTheirText(t *testing.T) {
	wide := strings.Repeat("| a ", 10000) + "|\n" + strings.Repeat("|---", 10000) + "|"
	if b := Parse(wide); len(b) != 1 || b[0].Kind != Para || flat(b[0].Inlines) != wide {
		t.Fatalf("10,000 columns: got %d blocks, the first a %v, want the text as one paragraph", len(b), b[0].Kind)
	}
	long := "| a |\n|---|\n" + strings.Repeat("| 1 |\n", 100000) + "| last |"
	b := Parse(long)
	if len(b) != 2 || b[0].Kind != Table || len(b[0].Rows) != maxRows || b[1].Kind != Para {
		t.Fatalf("100,000 rows: got %d blocks, want a table of %d rows then a paragraph", len(b), maxRows)
	}
	if rest := flat(b[1].Inlines); !strings.HasSuffix(rest, "| 1 |\n| last |") {
		t.Fatalf("100,000 rows: the rows past the table end %q", rest[max(0, len(rest)-40):])
	}
}

// dumpRow writes a table row as [cell¦cell], each cell's spans in their
// Markdown: `code`, *em*, **strong**, [text](href).
func dumpRow(s *strings.Builder, r Row) {
	s.WriteByte('[')
	for i, c := range r {
		if i > 0 {
			s.WriteString("¦")
		}
		for _, in := range c {
			switch in.Kind {
			case CodeSpan:
				fmt.Fprintf(s, "`%s`", in.Text)
			case Em:
				fmt.Fprintf(s, "*%s*", in.Text)
			case Strong:
				fmt.Fprintf(s, "**%s**", in.Text)
			case Link:
				fmt.Fprintf(s, "[%s](%s)", in.Text, in.Href)
			default:
				s.WriteString(in.Text)
			}
		}
	}
	s.WriteByte(']')
}

// checkTable checks a table's shape: at most maxCols columns and maxRows
// rows, every row with one cell per column.
func checkTable(b Block) error {
	if len(b.Align) == 0 || len(b.Align) > maxCols || len(b.Rows) > maxRows {
		return fmt.Errorf("table of %d columns, %d rows", len(b.Align), len(b.Rows))
	}
	for _, r := range append([]Row{b.Head}, b.Rows...) {
		if len(r) != len(b.Align) {
			return fmt.Errorf("row of %d cells in a table of %d columns", len(r), len(b.Align))
		}
	}
	return nil
}
