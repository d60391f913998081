package transcript

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"vibecraft.sh/helm/server/claude"
	"vibecraft.sh/helm/shared"
)

// cliRecords is a session with what Claude Code writes in the user's
// name: bash mode ("!git status"), a task notification, a reminder,
// interrupts. None of it is a prompt.
func cliRecords(t testing.TB) []byte {
	var r rec
	return jsonl(t,
		r.prompt("<bash-input>git status</bash-input>"),
		r.prompt("<bash-stdout>On branch main</bash-stdout><bash-stderr>warning: LF will be replaced</bash-stderr>"),
		r.prompt("<bash-input>true</bash-input>"),
		r.prompt("<bash-stdout></bash-stdout><bash-stderr></bash-stderr>"),
		r.prompt("Fix the build"),
		r.assistant("msg_1", text("Looking."), toolUse("toolu_1", "Bash", map[string]any{"command": "make"})),
		r.results(nil, toolResult("toolu_1", "ok", false), text("<system-reminder>The todo list is empty.</system-reminder>")),
		r.assistant("msg_2", toolUse("toolu_2", "Bash", map[string]any{"command": "make test"})),
		r.results(nil, toolResult("toolu_2", "The user doesn't want to proceed with this tool use.", true)),
		r.results(nil, text("[Request interrupted by user for tool use]")),
		r.prompt("<task-notification>\n<task-id>b1</task-id>\n<status>completed</status>\n</task-notification>"),
		r.assistant("msg_3", text("The background build finished.")),
		r.prompt("Now the docs"),
		r.assistant("msg_4", text("Writing")),
		r.prompt("[Request interrupted by user]"),
	)
}

// TestCLITextIsNotAPrompt: bash mode showed as "You: <bash-input>git
// status</bash-input>" and its output as another prompt, tags and all;
// a task notification and an interrupt showed as "You" too. A task
// notification is a notice of its status, tags and all left out.
func TestCLITextIsNotAPrompt(t *testing.T) {
	path := tempTranscript(t, cliRecords(t))
	files := NewFiles(0)
	page := lastPage(t, files, path)
	want := []string{
		"system[command:!git status output:On branch main output:warning: LF will be replaced]",
		"system[command:!true]",
		"user[text:Fix the build]",
		"assistant[text:Looking. tool:Bash=ok]",
		"assistant[tool:Bash=The user doesn't want to proceed with this tool use.]",
		"system[command:Request interrupted by user for tool use]",
		"system[text:Task completed]",
		"assistant[text:The background build finished.]",
		"user[text:Now the docs]",
		"assistant[text:Writing]",
		"system[command:Request interrupted by user]",
	}
	if got := summaryOf(page.Messages); !slices.Equal(got, want) {
		t.Errorf("messages:\n got %q\nwant %q", got, want)
	}
	// Find looks at what the page shows: the command and its output.
	for term, want := range map[string]int{"!git status": 1, "LF will be": 1, "bash-input": 0, "todo list": 0, "task-id": 0, "task completed": 1} {
		res, err := files.Find(t.Context(), path, shared.Shows(term), FindQuery{Max: 10})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != want {
			t.Errorf("find %q: %d matches, want %d", term, res.Total, want)
		}
	}
}

// compactedRecords is a session compacted once: the summary Claude Code
// writes in the user's name is a separator on the page, not a prompt.
func compactedRecords(t testing.TB) []byte {
	var r rec
	summary := r.prompt("This session is being continued from a previous conversation that ran out of context.")
	summary["isCompactSummary"] = true
	return jsonl(t,
		r.prompt("Fix the build"),
		r.assistant("msg_1", text("Fixed.")),
		map[string]any{"type": "system", "subtype": "compact_boundary", "uuid": "c1", "timestamp": "2026-03-02T09:10:00.000Z"},
		summary,
		r.prompt("Now the docs"),
		r.assistant("msg_2", text("Written.")),
	)
}

// imageRecords is a session whose user pasted screenshots and pressed
// Enter: an image alone, and one with the IDE context an editor adds.
// Each is the user's prompt, and the last waits for its answer.
func imageRecords(t testing.TB) []byte {
	var r rec
	png := map[string]any{"type": "image", "source": map[string]any{"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}}
	return jsonl(t,
		r.prompt("Fix the layout"),
		r.assistant("msg_1", text("Which part?")),
		r.results(nil, png),
		ended(r.assistant("msg_2", text("The header overlaps."))),
		r.results(nil, text("<ide_opened_file>The user opened app.css</ide_opened_file>"), png),
	)
}

// apiErrorRecords is a session whose API calls failed twice before an
// answer: Claude Code wrote an assistant record for each failure
// (isApiErrorMessage), the page shows each as a system notice, not as
// an answer.
func apiErrorRecords(t testing.TB) []byte {
	var r rec
	return jsonl(t,
		r.prompt("Fix the build"),
		r.apiError("msg_e1", `API Error: 529 {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`),
		r.apiError("", "API Error: Request timed out."),
		ended(r.assistant("msg_1", text("Fixed."))),
	)
}

// afterKilledRecords is a session whose tool call was killed (no result
// ever), then resumed: the user typed a slash command (or, in bash mode,
// a shell command), and its turn ended. The call is over, and the
// session waits for the user.
func afterKilledRecords(typed string) func(testing.TB) []byte {
	return func(t testing.TB) []byte {
		var r rec
		return jsonl(t,
			r.prompt("Run the tests"),
			r.assistant("msg_1", toolUse("toolu_k", "Bash", map[string]any{"command": "make test"})),
			r.prompt(typed),
			r.results(map[string]any{"isMeta": true}, text("Review the diff on this branch.")),
			r.assistant("msg_2", text("The diff looks fine.")),
			map[string]any{"type": "system", "subtype": "turn_duration", "durationMs": 1200, "uuid": "d1", "timestamp": "2026-03-02T09:00:06.000Z"},
		)
	}
}

// TestCommandGoesOnPastAKilledCall: a call whose process was killed
// showed running for good on the page when all that followed it was a
// slash command and its output, as it did not for a prompt, bash input
// or an interrupt.
func TestCommandGoesOnPastAKilledCall(t *testing.T) {
	var r rec
	path := tempTranscript(t, jsonl(t,
		r.prompt("Run the tests"),
		r.assistant("msg_1", toolUse("toolu_k", "Bash", map[string]any{"command": "make test"})),
		r.prompt("<command-name>/cost</command-name>\n<command-message>cost</command-message>\n<command-args></command-args>"),
		r.results(nil, text("<local-command-stdout>Total cost: $0.12</local-command-stdout>")),
	))
	page := lastPage(t, NewFiles(0), path)
	want := []string{
		"user[text:Run the tests]",
		"assistant[tool:Bash=" + killedText + "]",
		"system[command:/cost output:Total cost: $0.12]",
	}
	if got := summaryOf(page.Messages); !slices.Equal(got, want) {
		t.Errorf("messages:\n got %q\nwant %q", got, want)
	}
}

// ended makes an assistant record the end of its turn.
func ended(m map[string]any) map[string]any {
	m["message"].(map[string]any)["stop_reason"] = "end_turn"
	return m
}

// TestHeaderCountIsThePageRows: the session's message count (the list's
// rule, server/claude) is the number of prompt and answer rows the page
// shows, and the list's first prompt is the page's first "You" row.
// They disagreed on bash mode, reminders and interrupts (the header said
// "Messages 25" over 26 rows), on compaction summaries, and on prompts
// that are only an image.
func TestHeaderCountIsThePageRows(t *testing.T) {
	for name, tc := range map[string]struct {
		records func(testing.TB) []byte
		status  shared.Status // the list's, when it matters
	}{
		"cli text":  {records: cliRecords},
		"compacted": {records: compactedRecords},
		"images":    {records: imageRecords, status: shared.StatusWorking},
		"command after a killed call": {
			records: afterKilledRecords("<command-name>/review</command-name>\n<command-message>review</command-message>"),
			status:  shared.StatusWaiting,
		},
		"bash input after a killed call": {
			records: afterKilledRecords("<bash-input>git diff</bash-input>"),
			status:  shared.StatusWaiting,
		},
		"failed API calls": {records: apiErrorRecords},
	} {
		t.Run(name, func(t *testing.T) { headerMatchesPage(t, tc.records(t), tc.status) })
	}
}

func headerMatchesPage(t *testing.T, data []byte, status shared.Status) {
	const sid = "3f2c1a9e-7b4d-4c1e-9a55-0d6e2f8b1c77"
	root := t.TempDir()
	path := filepath.Join(root, "projects", "-home-dev-app", sid+".jsonl")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, data)
	// A minute after rec's first records: a session at work shows working.
	now := time.Date(2026, 3, 2, 9, 1, 0, 0, time.UTC)
	if err := os.Chtimes(path, now, now); err != nil {
		t.Fatal(err)
	}
	src := claude.New(claude.Options{Roots: []string{root}, Now: func() time.Time { return now }})
	list, err := src.Scan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 {
		t.Fatalf("%d sessions listed, want 1", len(list))
	}
	page := lastPage(t, NewFiles(0), path)
	rows, first := 0, ""
	for _, m := range page.Messages {
		if m.Role == "user" || m.Role == "assistant" {
			rows++
		}
		if m.Role == "user" && first == "" && len(m.Blocks) > 0 && m.Blocks[0].Type == shared.BlockText {
			first = m.Blocks[0].Text
		}
	}
	if s := list[0]; s.MessageCount != rows {
		t.Errorf("the list counts %d messages; the page shows %d prompt and answer rows", s.MessageCount, rows)
	}
	if s := list[0]; s.FirstPrompt != first {
		t.Errorf("the list's first prompt is %q; the page's first prompt row is %q", s.FirstPrompt, first)
	}
	if s := list[0]; status != "" && s.Status != status {
		t.Errorf("the list's status is %q, want %q", s.Status, status)
	}
}

// TestHugeCommandLineIsCut: a slash command with a long argument (a
// pasted log) is cut as any long text is, with a ref to load it whole;
// its line did not go through the cut-text path and showed the cut
// marker raw.
func TestHugeCommandLineIsCut(t *testing.T) {
	var r rec
	args := strings.Repeat("panic: nil map ", 5000) // past maxString
	path := tempTranscript(t, jsonl(t,
		r.prompt("<command-name>/review</command-name>\n<command-args>"+args+"</command-args>"),
	))
	page := lastPage(t, NewFiles(0), path)
	if len(page.Messages) != 1 || len(page.Messages[0].Blocks) != 1 {
		t.Fatalf("messages: %q", summaryOf(page.Messages))
	}
	b := page.Messages[0].Blocks[0]
	if b.Type != shared.BlockCommand || !strings.HasPrefix(b.Text, "/review panic: nil map") {
		t.Errorf("command block = %s %.40q, want the command line", b.Type, b.Text)
	}
	if strings.Contains(b.Text, "\x00") || b.Cut == nil || b.Cut.Ref == "" {
		t.Errorf("command line %q… (%d bytes), cut %+v: want the text cut, with a ref", b.Text[max(0, len(b.Text)-60):], len(b.Text), b.Cut)
	}
}

// TestCutOutputLoadsAsShown: a command's output longer than the page's
// cut loaded whole ("Show all") raw, tags and all, its stderr run into
// its stdout, where the cut view showed each clean. The whole text of
// each cut output is the text inside its own tag, trimmed, as the page
// shows it.
func TestCutOutputLoadsAsShown(t *testing.T) {
	long := func(what string) string {
		return what + ":\n" + strings.Repeat(what+" <b>&amp; line\n", maxString/16) + "end of " + what
	}
	stdout, stderr, cmd := long("stdout"), long("stderr"), long("cost")
	var r rec
	path := tempTranscript(t, jsonl(t,
		r.prompt("<bash-input>make</bash-input>"),
		r.prompt("<bash-stdout>\n"+stdout+"\n</bash-stdout><bash-stderr></bash-stderr>"),
		r.prompt("<bash-input>make 2>&1</bash-input>"),
		r.prompt("<bash-stdout>built</bash-stdout><bash-stderr>  "+stderr+"\n\n</bash-stderr>"),
		r.prompt("<command-name>/cost</command-name>\n<command-message>cost</command-message>\n<command-args></command-args>"),
		r.results(nil, text("<local-command-stdout>"+cmd+"</local-command-stdout>")),
		map[string]any{"type": "system", "subtype": "local_command", "uuid": "lc", "timestamp": "2026-03-02T09:10:00.000Z",
			"content": "<local-command-stdout>" + cmd + "</local-command-stdout>"},
	))
	files := NewFiles(0)
	page := lastPage(t, files, path)
	var outs []shared.Block
	for _, m := range page.Messages {
		for _, b := range m.Blocks {
			if b.Type == shared.BlockOutput {
				outs = append(outs, b)
			}
		}
	}
	want := []string{stdout, "built", stderr, cmd, cmd}
	if len(outs) != len(want) {
		t.Fatalf("%d outputs, want %d: %q", len(outs), len(want), summaryOf(page.Messages))
	}
	cuts := 0
	for i, b := range outs {
		if b.Cut == nil {
			if b.Text != want[i] {
				t.Errorf("output %d reads %.40q, want %.40q", i, b.Text, want[i])
			}
			continue
		}
		if !strings.HasPrefix(want[i], b.Text) {
			t.Errorf("output %d, cut, reads %.40q, want the start of %.40q", i, b.Text, want[i])
		}
		cuts++
		var whole strings.Builder
		if err := files.Full(path, b.Cut.Ref, &whole); err != nil {
			t.Fatalf("output %d: %v", i, err)
		}
		if got := whole.String(); got != want[i] {
			t.Errorf("output %d loaded whole: %d bytes, %.40q … %q; want %d bytes, %.40q … %q", i,
				len(got), got, got[max(0, len(got)-30):], len(want[i]), want[i], want[i][len(want[i])-30:])
		}
	}
	if cuts != 4 {
		t.Errorf("%d outputs cut, want the 4 long ones", cuts)
	}
}

// TestStderrAfterLongStdout: bash mode's output is one string, stdout
// then stderr. With a stdout longer than the page's cut, the page kept
// the string's first 64 KB and never showed the stderr after it: the
// error output of a command that printed a lot, which is what a person
// looks for. The stderr shows whatever the length of the stdout (the
// cut falling well inside the stdout, on its closing tag, between the
// tags or on the stderr's opening tag), cut itself when long, its Show
// all loading exactly the stderr.
func TestStderrAfterLongStdout(t *testing.T) {
	const errLine = "make: *** [all] Error 1"
	// Its cut falls inside an arrow (9 bytes, then 3 each): the page
	// keeps no half of it.
	longErr := "warning:\n" + strings.Repeat("→", maxString/2) + strings.Repeat("\nwarning: <unused> & more", 99) + "\nend of stderr"
	// json.Marshal writes '<' and '>' as \u003c and \u003e: the tags
	// are 23 and 24 bytes as stored, the x's one byte each.
	const open, closing = 23, 24
	type run struct{ stdout, stderr string }
	var runs []run
	for _, n := range []int{3 * maxString, maxString - open - 10, maxString - open - closing + 10, maxString - open - closing, maxString - open - closing - 5} {
		runs = append(runs, run{strings.Repeat("x", n), errLine})
	}
	runs = append(runs, run{strings.Repeat("out\n", maxString/2), longErr})
	var r rec
	var recs []map[string]any
	for _, rn := range runs {
		recs = append(recs, r.prompt("<bash-input>make</bash-input>"),
			r.prompt("<bash-stdout>"+rn.stdout+"</bash-stdout><bash-stderr>"+rn.stderr+"</bash-stderr>"))
	}
	path := tempTranscript(t, jsonl(t, recs...))
	files := NewFiles(0)
	page := lastPage(t, files, path)
	if len(page.Messages) != len(runs) {
		t.Fatalf("%d messages, want %d: %.80q", len(page.Messages), len(runs), summaryOf(page.Messages))
	}
	for i, m := range page.Messages {
		var outs []shared.Block
		for _, b := range m.Blocks {
			if b.Type == shared.BlockOutput {
				outs = append(outs, b)
			}
		}
		if len(outs) != 2 {
			t.Errorf("run %d: %d output blocks, want the stdout and the stderr", i, len(outs))
			continue
		}
		b, want := outs[1], runs[i].stderr
		if b.Cut == nil {
			if b.Text != want {
				t.Errorf("run %d: stderr reads %.60q, want %.60q", i, b.Text, want)
			}
			continue
		}
		if len(want) <= maxString || !strings.HasPrefix(want, b.Text) || len(b.Text) < maxString-4 || !utf8.ValidString(b.Text) {
			t.Errorf("run %d: stderr cut at %d bytes, %.40q; want %.40q, cut only when over %d bytes", i, len(b.Text), b.Text, want, maxString)
		}
		if b.Cut.Bytes != int64(len(want)) {
			t.Errorf("run %d: stderr cut, says %d bytes in all, want %d", i, b.Cut.Bytes, len(want))
		}
		var whole strings.Builder
		if err := files.Full(path, b.Cut.Ref, &whole); err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
		if whole.String() != want {
			t.Errorf("run %d: stderr loaded whole: %d bytes, %.40q; want %d bytes, %.40q", i, whole.Len(), whole.String(), len(want), want)
		}
	}
}
