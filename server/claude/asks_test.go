package claude

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/calldigest"
)

// asksOf checks whether src asks the dialogs a and b.
func asksOf(t *testing.T, a, b string) func(what string, src *Source, wantA, wantB bool) {
	return func(what string, src *Source, wantA, wantB bool) {
		t.Helper()
		if gotA, gotB := src.Asks(sidStatus, a), src.Asks(sidStatus, b); gotA != wantA || gotB != wantB {
			t.Errorf("%s: asks A %v, B %v; want %v, %v", what, gotA, gotB, wantA, wantB)
		}
	}
}

// scannedWith is a Source over root, its scan cache at cache, scanned.
func scannedWith(t *testing.T, root, cache string, now func() time.Time) *Source {
	t.Helper()
	src := New(Options{Roots: []string{root}, Now: now, CacheFile: cache})
	rescan(t, src)
	return src
}

// rescan scans src again.
func rescan(t *testing.T, src *Source) {
	t.Helper()
	if _, err := src.Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// restarted saves src's scan cache and is a new Source that loads it, as
// helmd after a restart.
func restarted(t *testing.T, src *Source, root, cache string, now func() time.Time) *Source {
	t.Helper()
	if err := src.Save(); err != nil {
		t.Fatal(err)
	}
	return scannedWith(t, root, cache, now)
}

// compacted fails t unless src's quiet main transcript has its id sets
// encoded: the test would not read them from the blob.
func compacted(t *testing.T, src *Source) {
	t.Helper()
	var one [1]*file
	if f := primary(src.reg.mainsOf(sidStatus, &one)); f == nil || f.agg.lazy == nil {
		t.Fatal("the quiet transcript's id sets are not compacted: the test would not read them from the blob")
	}
}

// callsLine is an assistant line asking for two WebFetch calls at once.
func callsLine(t0 time.Time) string {
	return fmt.Sprintf(`{"type":"assistant","cwd":"/w","sessionId":%q,"requestId":"req_p","message":{"id":"msg_p","model":"claude-sonnet-4-5","content":[`+
		`{"type":"tool_use","id":"toolu_A","name":"WebFetch","input":{"url":"https://a.example/","prompt":"summarise"}},`+
		`{"type":"tool_use","id":"toolu_B","name":"WebFetch","input":{"url":"https://b.example/","prompt":"summarise"}}`+
		`],"stop_reason":"tool_use","usage":{"input_tokens":1,"output_tokens":1}},"timestamp":%q}`+"\n", sidStatus, t0.Format(time.RFC3339Nano))
}

// TestAsksOfPendingCalls: the dialog a PermissionRequest names (by the
// hook's own JSON of the call: other key order, other spacing) is asked
// while its call has no result, whatever else was written since; not
// once its result is written, nor after a new prompt. It is known of a
// quiet file whose id sets are compacted, and after a restart from the
// scan cache.
func TestAsksOfPendingCalls(t *testing.T) {
	dialog := func(input string) string {
		s, ok := calldigest.Of("WebFetch", []byte(input))
		if !ok {
			t.Fatal(input)
		}
		return s.String()
	}
	a, b := dialog(`{"prompt":"summarise","url":"https://a.example/"}`), dialog(`{ "prompt": "summarise", "url": "https://b.example/" }`)
	t0 := at("2026-03-02T15:00:00Z")
	root, cache := t.TempDir(), filepath.Join(t.TempDir(), "scan.cache")
	path := write(t, root, projectRel("/w", sidStatus+".jsonl"), promptLine("compare", t0)+callsLine(t0.Add(time.Second))+toolResultLine("toolu_A", t0.Add(2*time.Second)))
	now := clock("2026-03-02T15:10:00Z")
	check := asksOf(t, a, b)

	src := scannedWith(t, root, cache, now)
	compacted(t, src)
	check("compacted", src, false, true)
	if src.Asks(sidStatus, "not a digest") || src.Asks("no-such-session", b) || src.Asks(sidStatus, calldigest.Sum{}.String()) {
		t.Error("asks a dialog no call is named by")
	}
	again := restarted(t, src, root, cache, now)
	check("from the scan cache", again, false, true)
	var one [1]*file
	if f := primary(again.reg.mainsOf(sidStatus, &one)); f == nil || !f.agg.materialize() {
		t.Fatal("the cached id sets do not decode")
	}
	check("in its maps", again, false, true)

	appendTo(t, path, toolResultLine("toolu_B", t0.Add(3*time.Second)))
	rescan(t, again)
	check("after B's result", again, false, false)

	write(t, root, projectRel("/w", sidStatus+".jsonl"), promptLine("compare", t0)+callsLine(t0.Add(time.Second))+promptLine("stop that", t0.Add(2*time.Second)))
	fresh := New(Options{Roots: []string{root}, Now: now})
	rescan(t, fresh)
	check("after a new prompt", fresh, false, false)
}

// dialogOf is the digest a PermissionRequest hook names the dialog of
// a call of tool with input by.
func dialogOf(t *testing.T, tool, input string) string {
	t.Helper()
	s, ok := calldigest.Of(tool, []byte(input))
	if !ok {
		t.Fatal(input)
	}
	return s.String()
}

// callsLineOf is an assistant line asking for the tool calls blocks.
func callsLineOf(req string, t0 time.Time, blocks ...string) string {
	return fmt.Sprintf(`{"type":"assistant","cwd":"/w","sessionId":%q,"requestId":"req_%s","message":{"id":"msg_%s","model":"claude-sonnet-4-5","content":[%s],"stop_reason":"tool_use","usage":{"input_tokens":1,"output_tokens":1}},"timestamp":%q}`+"\n",
		sidStatus, req, req, strings.Join(blocks, ","), t0.Format(time.RFC3339Nano))
}

func toolUse(id, tool, input string) string {
	return fmt.Sprintf(`{"type":"tool_use","id":%q,"name":%q,"input":%s}`, id, tool, input)
}

// TestAsksOfManyPendingCalls: calls pending on several lines, the first
// at the file's start after a byte order mark, are each asked by their
// own input; one whose input passes calldigest.MaxInput by its tool
// alone.
func TestAsksOfManyPendingCalls(t *testing.T) {
	t0 := at("2026-03-02T15:00:00Z")
	big := `{"new_string":"` + strings.Repeat("z", calldigest.MaxInput) + `"}`
	content := "\xEF\xBB\xBF" +
		callsLineOf("1", t0, toolUse("toolu_1", "Bash", `{"command":"ls"}`)) +
		callsLineOf("2", t0.Add(time.Second), toolUse("toolu_2", "Read", `{"file_path":"/w/a"}`), toolUse("toolu_3", "Edit", big)) +
		callsLineOf("3", t0.Add(2*time.Second), toolUse("toolu_4", "Bash", `{"command":"pwd"}`))
	root := t.TempDir()
	write(t, root, projectRel("/w", sidStatus+".jsonl"), content)
	src, _ := scan(t, root, "2026-03-02T15:10:00Z")
	for what, dialog := range map[string]string{
		"the first line's":        dialogOf(t, "Bash", `{"command":"ls"}`),
		"the second line's":       dialogOf(t, "Read", `{"file_path":"/w/a"}`),
		"the last line's":         dialogOf(t, "Bash", `{"command":"pwd"}`),
		"the large input's":       calldigest.Large("Edit").String(),
		"the large input, again":  calldigest.Large("Edit").String(),
		"the first line's, again": dialogOf(t, "Bash", `{"command":"ls"}`),
	} {
		if !src.Asks(sidStatus, dialog) {
			t.Errorf("%s call: not asked", what)
		}
	}
	if src.Asks(sidStatus, dialogOf(t, "Bash", `{"command":"rm"}`)) {
		t.Error("a call the transcript does not hold: asked")
	}
}

// TestAsksOfLongLine: a line longer than Asks reads (maxCallLine) names
// none of its calls, before the cut, in it or past it: their dialogs
// end at the next record, as before dialogs were matched with calls.
func TestAsksOfLongLine(t *testing.T) {
	t0 := at("2026-03-02T15:00:00Z")
	line := callsLineOf("1", t0,
		toolUse("toolu_A", "WebFetch", `{"url":"https://a.example/","prompt":"summarise"}`),
		toolUse("toolu_B", "Write", `{"file_path":"/w/big","content":"`+strings.Repeat("x", maxCallLine)+`"}`),
		toolUse("toolu_C", "WebFetch", `{"url":"https://c.example/","prompt":"summarise"}`))
	root := t.TempDir()
	write(t, root, projectRel("/w", sidStatus+".jsonl"), promptLine("write it", t0)+line)
	src, _ := scan(t, root, "2026-03-02T15:10:00Z")
	for _, d := range []struct{ what, dialog string }{
		{"the call before the cut", dialogOf(t, "WebFetch", `{"prompt":"summarise","url":"https://a.example/"}`)},
		{"the call the cut falls in", calldigest.Large("Write").String()},
		{"the call past the cut", dialogOf(t, "WebFetch", `{"prompt":"summarise","url":"https://c.example/"}`)},
	} {
		if src.Asks(sidStatus, d.dialog) {
			t.Errorf("%s: asked, though Asks reads no line longer than maxCallLine", d.what)
		}
	}
}

// TestAsksOfRewrittenFile: the offsets the scan kept outlive a rewrite
// until the next scan reads the file again: an offset now past the end
// of a shorter file, one in the middle of a line, or in a line cut
// short, names no call (and does not fail); the next scan's offsets
// name the calls the file holds then.
func TestAsksOfRewrittenFile(t *testing.T) {
	t0 := at("2026-03-02T15:00:00Z")
	a := dialogOf(t, "WebFetch", `{"prompt":"summarise","url":"https://a.example/"}`)
	lines := promptLine("compare", t0) + callsLine(t0.Add(time.Second))
	rewrite := func(content string) func(t *testing.T, path string) {
		return func(t *testing.T, path string) {
			if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, tc := range []struct {
		name      string
		rewrite   func(t *testing.T, path string)
		stale     bool // the old offset may still be the call's: either answer is right
		rescanned bool // asked once the file is read again
	}{
		{"cut before the line", rewrite(promptLine("c", t0)), false, false},
		{"the line moved back", rewrite(promptLine("c", t0) + callsLine(t0.Add(time.Second))), false, true},
		{"cut in the line", func(t *testing.T, path string) {
			if err := os.Truncate(path, int64(len(lines)-40)); err != nil {
				t.Fatal(err)
			}
		}, false, false},
		{"replaced by a copy", func(t *testing.T, path string) {
			rewrite(lines)(t, path+".new")
			if err := os.Rename(path+".new", path); err != nil {
				t.Fatal(err)
			}
		}, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			path := write(t, root, projectRel("/w", sidStatus+".jsonl"), lines)
			src, _ := scan(t, root, "2026-03-02T15:10:00Z")
			tc.rewrite(t, path)
			if got := src.Asks(sidStatus, a); got && !tc.stale {
				t.Error("asked at an offset of the file as it was")
			}
			setOld(t, path)
			rescan(t, src)
			if got := src.Asks(sidStatus, a); got != tc.rescanned {
				t.Errorf("once read again: asked %v, want %v", got, tc.rescanned)
			}
		})
	}
	t.Run("removed", func(t *testing.T) {
		root := t.TempDir()
		path := write(t, root, projectRel("/w", sidStatus+".jsonl"), lines)
		src, _ := scan(t, root, "2026-03-02T15:10:00Z")
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
		if src.Asks(sidStatus, a) {
			t.Error("asked of a file removed")
		}
	})
}

// TestCallMemoBounded: the digests Asks keeps are bounded however many
// calls it is asked of.
func TestCallMemoBounded(t *testing.T) {
	var m callMemo
	for i := range 3 * maxMemo {
		m.put(callKey{callSource{"p", 1}, fmt.Sprint(i), int64(i)}, memoSum{ok: true})
		if len(m.sums) > maxMemo {
			t.Fatalf("%d digests kept after %d calls, want at most %d", len(m.sums), i+1, maxMemo)
		}
	}
	if _, ok := m.get(callKey{callSource{"p", 1}, fmt.Sprint(3*maxMemo - 1), int64(3*maxMemo - 1)}); !ok {
		t.Error("the last call's digest is not kept")
	}
}

// TestAsksOfSubagentCalls: a subagent (a Task call of the main
// transcript, whose records are in a file of their own) asks for two
// WebFetch calls at once; its hook events come with the session's id.
// Once the first is allowed and its result written, the second dialog is
// asked; not once its own result is written, nor once the main
// transcript leaves no call pending (a new prompt: the subagent's
// unanswered calls are over). Both layouts, the subagents folder and a
// legacy agent file beside the main transcript; the subagent's calls are
// read from its compacted id sets too, and after a restart from the
// scan cache.
func TestAsksOfSubagentCalls(t *testing.T) {
	a, b := dialogOf(t, "WebFetch", `{"prompt":"summarise","url":"https://a.example/"}`), dialogOf(t, "WebFetch", `{ "url": "https://b.example/", "prompt": "summarise" }`)
	t0 := at("2026-03-02T15:00:00Z")
	task := callsLineOf("t", t0.Add(time.Second), toolUse("toolu_T", "Task", `{"description":"compare","prompt":"compare the pages","subagent_type":"general-purpose"}`))
	for _, layout := range []string{sidStatus + "/subagents/agent-a1.jsonl", "agent-a1.jsonl"} {
		t.Run(layout, func(t *testing.T) {
			root, cache := t.TempDir(), filepath.Join(t.TempDir(), "scan.cache")
			main := write(t, root, projectRel("/w", sidStatus+".jsonl"), promptLine("compare", t0)+task)
			sub := write(t, root, projectRel("/w", layout), sidechain(callsLine(t0.Add(2*time.Second)))+sidechain(toolResultLine("toolu_A", t0.Add(3*time.Second))))
			now := clock("2026-03-02T15:10:00Z")
			check := asksOf(t, a, b)
			src := scannedWith(t, root, cache, now)
			check("the first call's result written", src, false, true)
			again := restarted(t, src, root, cache, now)
			check("from the scan cache", again, false, true)

			appendTo(t, sub, sidechain(toolResultLine("toolu_B", t0.Add(4*time.Second))))
			rescan(t, again)
			check("after B's result", again, false, false)

			write(t, root, projectRel("/w", layout), sidechain(callsLine(t0.Add(2*time.Second))))
			write(t, root, projectRel("/w", sidStatus+".jsonl"), promptLine("compare", t0)+task)
			fresh := New(Options{Roots: []string{root}, Now: now})
			rescan(t, fresh)
			check("both pending", fresh, true, true)
			appendTo(t, main, promptLine("stop that", t0.Add(5*time.Second)))
			rescan(t, fresh)
			check("after a new prompt", fresh, false, false)
		})
	}
}

// progressLine is a progress record Claude Code writes while a tool
// runs (kind bash_progress, agent_progress) or a hook does
// (hook_progress), naming its call by toolUseID and parentToolUseID.
func progressLine(kind, use, parent string, t0 time.Time) string {
	return fmt.Sprintf(`{"parentToolUseID":%q,"type":"progress","cwd":"/w","sessionId":%q,"data":{"output":"","type":%q},"toolUseID":%q,"timestamp":%q}`+"\n",
		parent, sidStatus, kind, use, t0.Format(time.RFC3339Nano))
}

// TestAsksOfStartedCalls: a dialog's call that a progress record tells
// runs (the user allowed it; its result may be minutes away) is no
// longer asked; one only a hook's hook_progress names still is, and so
// is the other of two parallel calls while only the first runs. A
// Task's dialog ends with its subagent's agent_progress. So it is of a
// quiet file whose id sets are compacted, after a restart from the scan
// cache, and in the maps a new read builds.
func TestAsksOfStartedCalls(t *testing.T) {
	a, b := dialogOf(t, "WebFetch", `{"prompt":"summarise","url":"https://a.example/"}`), dialogOf(t, "WebFetch", `{"url":"https://b.example/","prompt":"summarise"}`)
	const taskInput = `{"description":"compare","prompt":"compare the pages"}`
	task := dialogOf(t, "Task", taskInput)
	t0 := at("2026-03-02T15:00:00Z")
	root, cache := t.TempDir(), filepath.Join(t.TempDir(), "scan.cache")
	path := write(t, root, projectRel("/w", sidStatus+".jsonl"), promptLine("compare", t0)+callsLine(t0.Add(time.Second))+
		progressLine("hook_progress", "toolu_A", "toolu_A", t0.Add(2*time.Second))+
		progressLine("hook_progress", "toolu_B", "toolu_B", t0.Add(2*time.Second))+
		progressLine("bash_progress", "bash-progress-0", "toolu_A", t0.Add(3*time.Second)))
	now := clock("2026-03-02T15:10:00Z")
	check := asksOf(t, a, b)
	src := scannedWith(t, root, cache, now)
	compacted(t, src)
	check("A runs, compacted", src, false, true)
	again := restarted(t, src, root, cache, now)
	check("A runs, from the scan cache", again, false, true)

	appendTo(t, path, progressLine("hook_progress", "toolu_B", "toolu_B", t0.Add(4*time.Second)))
	rescan(t, again)
	check("a hook of B", again, false, true)
	appendTo(t, path, progressLine("bash_progress", "bash-progress-1", "toolu_B", t0.Add(5*time.Second)))
	rescan(t, again)
	check("B runs", again, false, false)

	appendTo(t, path, callsLineOf("t", t0.Add(6*time.Second), toolUse("toolu_T", "Task", taskInput)))
	rescan(t, again)
	if !again.Asks(sidStatus, task) {
		t.Error("the Task call is not asked before its subagent runs")
	}
	appendTo(t, path, progressLine("agent_progress", "agent_msg_1", "toolu_T", t0.Add(7*time.Second)))
	rescan(t, again)
	if again.Asks(sidStatus, task) {
		t.Error("the Task call is still asked while its subagent runs")
	}
}
