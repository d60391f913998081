package shared

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestQuestionLine(t *testing.T) {
	long := strings.Repeat("é", 500)
	tests := []struct {
		name, in, want string
	}{
		{"first non-blank line", "\n\n  Shall I also fix the retry?  \nDetails follow.", "Shall I also fix the retry?"},
		{"markup stays text", `<img src=x onerror=alert(1)> or <script>x</script>?`, `<img src=x onerror=alert(1)> or <script>x</script>?`},
		{"bidi overrides and isolates dropped", "Pay \u202Egnp.exe\u202C now \u2067x\u2069?", "Pay gnp.exe now x?"},
		{"control characters dropped, tabs spaced", "a\x00b\x1b[31mc\td\r\nnext", "ab[31mc d"},
		{"invalid UTF-8 dropped", "ok\xff\xfe?", "ok?"},
		{"a long line is cut", long, strings.Repeat("é", MaxQuestion-1) + "…"},
		{"only blank", " \n\t\n", ""},
		{"a heading's marks dropped", "## Result of step 119\n\nAll green.", "Result of step 119"},
		{"a fence and a rule skipped", "```go\n---\n- **Done**: `make test` passes", "Done: make test passes"},
		{"a quote's mark dropped", "> Shall I go on?", "Shall I go on?"},
		{"a hashtag is not a heading", "#hashtag here", "#hashtag here"},
		{"snake_case kept", "Rename __init__ and my_var?", "Rename __init__ and my_var?"},
		{"only markup", "#\n**\n", ""},
		{"a short heading is a label", "## Question\nShould the limit be **per user** or per IP?", "Should the limit be per user or per IP?"},
		{"a heading of one word, text after a blank", "# Heading\n\nWhich one?", "Which one?"},
		{"a bold label alone", "**Question:**\n\nKeep *both* flags?", "Keep both flags?"},
		{"a bold label's colon outside", "__Next step__:\nMerge it?", "Merge it?"},
		{"a setext heading", "Question\n--------\nShip it?", "Ship it?"},
		{"a setext heading of many words is a title", "All the tests pass now\n===\nShip it?", "All the tests pass now"},
		{"a line over a blank then a rule is no heading", "Ship it?\n\n---\nmore", "Ship it?"},
		{"a rule, then a label", "---\n### Summary\n---\n> Done, *shall* I ~~wait~~ push?", "Done, shall I wait push?"},
		{"a fenced block passed over", "```\nexit status 1\n```\nShall I retry?", "Shall I retry?"},
		{"a tilde fence closed only by tildes", "~~~~\n```\nShall I?\n~~~~\nRetry?", "Retry?"},
		{"only a block: its first line", "```sh\n\nmake test\n```", "make test"},
		{"only a label: the label", "## Done\n", "Done"},
		{"only a table: its header's cells", "| a | b |\n|---|---|\n| x | y |", "a · b"},
		{"a table passed over", "| file | lines |\n|:--|--:|\n| main.go | 12 |\nShall I split main.go?", "Shall I split main.go?"},
		{"a table's escaped pipe and marks", "| `a\\|b` | **bold** |\n| --- | --- |", "a|b · bold"},
		{"a delimiter row without edge pipes says nothing", "--- | :---:\nOK?", "OK?"},
		{"a line with a pipe inside is no table", "Use a || b here?", "Use a || b here?"},
		{"a label before a block shows the label", "## Output\n```\nok\n```", "Output"},
		{"marks that are not emphasis stay", "Is 2 * 3 = a*b or ~5 min?", "Is 2 * 3 = a*b or ~5 min?"},
		{"an unclosed mark stays", "*Shall I go on?", "*Shall I go on?"},
		{"nested emphasis", "***Careful***: ~~**all**~~ of it?", "Careful: all of it?"},
		{"a bullet holding only a label", "* **Q:**\nA bullet then?", "A bullet then?"},
		{"a run of spaces is one", "Keep  both\u00a0 flags\r\u2028?", "Keep both flags ?"},
		{"marks dropped leave no run", "Run `` `make` `` now?", "Run make now?"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := QuestionLine(tc.in)
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if n := utf8.RuneCountInString(got); n > MaxQuestion || !utf8.ValidString(got) {
				t.Errorf("%d runes, valid %v", n, utf8.ValidString(got))
			}
		})
	}
}

// A line a hook passed on (an older helmd hook's, an edited file's) may
// hold line breaks: the words they part stay apart, as one space.
func TestQuestionText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Which\nport?", "Which port?"},
		{"Which\r\nport?", "Which port?"},
		{"Deploy to\n\n\t  staging\u2028first?\n", "Deploy to staging first?"},
		{"  a \x00 b\u202E  ", "a b"},
		{strings.Repeat("x\n", MaxQuestion), strings.Repeat("x ", (MaxQuestion-1)/2) + "x…"},
	}
	for _, tc := range tests {
		if got := QuestionText(tc.in); got != tc.want {
			t.Errorf("QuestionText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// questionRef is QuestionLine with each line mapped as first written:
// map the whole line, then trim and cut. The early-stopping version must
// agree with it.
func questionRef(text string) string {
	return questionLine(text, lineRef)
}

func lineRef(line string) string {
	line = strings.Join(strings.Fields(strings.Map(keepRune, line)), " ")
	if utf8.RuneCountInString(line) <= MaxQuestion {
		return line
	}
	n := 0
	for i := range line {
		if n == MaxQuestion-1 {
			return strings.TrimSpace(line[:i]) + "…"
		}
		n++
	}
	return line
}

func FuzzQuestionLine(f *testing.F) {
	f.Add("Shall I?\nmore")
	f.Add("Which\r\n\u00a0 port?\n")
	f.Add("a `x` `` b ~~ ~~ c")
	f.Add("\u202E<b>x</b>")
	f.Add(strings.Repeat("ab ", 66) + "c" + "   \t\x01 ")
	f.Add(strings.Repeat("é", 199) + " \u202E x")
	f.Add(strings.Repeat("x", 200) + "\xff\x00  ")
	f.Add(strings.Repeat("x", 201))
	f.Add("## Question\nShould the limit be **per user** or per IP?")
	f.Add("**Question:**\n```\n" + strings.Repeat("`", 300) + "\n```\n~~~\nx")
	f.Add("Title\n" + strings.Repeat("=", 250) + "\n" + strings.Repeat("*a ", 100) + "b*")
	f.Add(strings.Repeat("#", 7) + " x\n" + strings.Repeat("**", 150) + "\n***\u202E***:\n~~\xff~~ ok")
	f.Add(strings.Repeat("## a\n", 50) + strings.Repeat("é", 199) + "*x*")
	f.Add("```\n" + strings.Repeat("line\n", 100))
	f.Add("| a \\| b | c |\n|:--|--:|\n" + strings.Repeat("|", 300) + "\n| x |\nok?")
	f.Fuzz(func(t *testing.T, s string) {
		got := QuestionLine(s)
		if want := questionRef(s); got != want {
			t.Fatalf("QuestionLine(%q) = %q, the whole-line mapping gives %q", s, got, want)
		}
		if utf8.RuneCountInString(got) > MaxQuestion || !utf8.ValidString(got) || strings.ContainsAny(got, "\n\r\u202E") ||
			got != strings.TrimSpace(got) {
			t.Fatalf("QuestionLine(%q) = %q", s, got)
		}
		// A hook passes the line on, which QuestionText reads again.
		if again := QuestionText(got); again != got {
			t.Fatalf("QuestionText(QuestionLine(%q)) = %q, not %q", s, again, got)
		}
		if q := QuestionText(s); strings.Contains(q, "  ") || utf8.RuneCountInString(q) > MaxQuestion || strings.ContainsAny(q, "\n\r\t") {
			t.Fatalf("QuestionText(%q) = %q", s, q)
		}
	})
}
