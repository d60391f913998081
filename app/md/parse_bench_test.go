package md

import (
	"strings"
	"testing"
)

// BenchmarkParse parses a long answer of the kind an assistant writes:
// headings, lists, bold file names in code, links, a table, a fence.
// The client is built with this package's inlining off (Makefile,
// WASM_NOINLINE): this says what that costs.
func BenchmarkParse(b *testing.B) {
	one := "## Changes\n\nI changed **`server/run.go`** and *the `cfg` struct*; see [`README.md`](https://example.com/r).\n\n" +
		"1. **Step one**: run `make test`, then check https://example.com/ci?x=1\n2. ***Important*** and ~~old~~ text\n" +
		"   - nested item with `code` and a [link](https://example.com/l)\n\n> **Note:** quoted `code`\n\n" +
		"| Flag | Meaning |\n|------|---------|\n| `--port` | **the** port |\n\n```go\nfunc main() {}\n```\n\n" +
		"A long paragraph of plain text that goes on for a while, as explanations do, with snake_case_names and 2 * 3 = 6.\n\n"
	src := strings.Repeat(one, 20)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		Parse(src)
	}
}
