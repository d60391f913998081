package transcript

import (
	"testing"

	"vibecraft.sh/helm/shared"
)

// stoppedCall reports whether c is shown as a call that ended without a
// result: not running, not answered further down.
func stoppedCall(c *shared.Tool) bool {
	return c != nil && !c.Later && c.Result != nil && c.Result.IsError && c.Result.Text == killedText
}

// A call whose process was killed never gets a result. Once the session
// was resumed (a prompt and an answer after it), that call showed
// running for good, on every page that held it: one that reaches the
// prompt, and one that ends before it. It is over; a call of the last
// turn without a result still runs, whatever follows it in that turn
// (its batch's other calls and results, a meta record, a side
// question), and calls with a result keep it.
func TestKilledCallIsOverOnceTheSessionGoesOn(t *testing.T) {
	var r rec
	meta := r.prompt("<system-reminder>hook output</system-reminder>")
	meta["isMeta"] = true
	side := r.prompt("by the way, what is make?")
	side["isSidechain"] = true
	apiErr := r.env("system")
	apiErr["subtype"], apiErr["error"] = "api_error", map[string]any{"message": "overloaded"}
	data := jsonl(t,
		r.prompt("run the tests"),
		// toolu_killed and toolu_ok run in parallel: one response, two lines.
		r.assistant("msg_K", text("running both"), toolUse("toolu_killed", "Bash", map[string]any{"command": "make test"})),
		r.assistant("msg_K", toolUse("toolu_ok", "Bash", map[string]any{"command": "make vet"})),
		r.results(nil, toolResult("toolu_ok", "vet ok", false)),
		// Killed; the session resumed later.
		r.prompt("are you still there?"),
		r.assistant("msg_L", text("yes"), toolUse("toolu_far", "Bash", map[string]any{"command": "make lint"})),
		r.prompt("typed while lint ran"),
		r.results(nil, toolResult("toolu_far", "lint ok", false)),
		r.prompt("run it again"),
		r.assistant("msg_N", toolUse("toolu_now", "Bash", map[string]any{"command": "make test"})),
		apiErr, // a row of its own, which the batch's next line follows
		r.assistant("msg_N", toolUse("toolu_now2", "Read", map[string]any{"file_path": "/x"})),
		r.results(nil, toolResult("toolu_now2", "x", false)),
		meta,
		side,
	)
	path := tempTranscript(t, data)
	files := NewFiles(0)
	all := walkBack(t, files, path, MaxLimit)
	cursorOf := func(prompt string) string {
		for _, m := range all {
			if len(m.Blocks) > 0 && m.Blocks[0].Text == prompt {
				return m.Cursor
			}
		}
		t.Fatalf("no message %q in %q", prompt, summaryOf(all))
		return ""
	}
	for _, tc := range []struct {
		name string
		q    Query
	}{
		{"the whole transcript", Query{Limit: MaxLimit}},
		{"from the start, ending before the later prompt", Query{Start: true, Limit: 2}},
		{"scrolled up to, ending before the later prompt", Query{Before: cursorOf("are you still there?"), Limit: 1}},
	} {
		for _, again := range []string{"", " (asked again)"} {
			page, err := files.Page(path, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			calls := callsOf(page.Messages)
			if c := calls["toolu_killed"]; !stoppedCall(c) {
				t.Errorf("%s%s: the killed call = %+v, want it ended without a result (%q)", tc.name, again, c, summaryOf(page.Messages))
			}
			if c := calls["toolu_ok"]; c == nil || c.Result == nil || c.Result.Text != "vet ok" {
				t.Errorf("%s%s: the call beside it = %+v, want its own result", tc.name, again, c)
			}
			if c, ok := calls["toolu_far"]; ok && (!c.Later || c.Result != nil) {
				t.Errorf("%s%s: the call answered further down = %+v, want it marked so", tc.name, again, c)
			}
		}
	}
	for _, q := range []Query{{Limit: 5}, {Before: cursorOf("overloaded"), Limit: 1}} {
		last, err := files.Page(path, q)
		if err != nil {
			t.Fatal(err)
		}
		calls := callsOf(last.Messages)
		if c := calls["toolu_now"]; c == nil || c.Result != nil || c.Later {
			t.Errorf("%+v: the last turn's call = %+v, want it running (%q)", q, c, summaryOf(last.Messages))
		}
		if c, ok := calls["toolu_now2"]; ok && (c.Result == nil || c.Result.Text != "x") {
			t.Errorf("%+v: the last turn's answered call = %+v, want its result", q, c)
		}
	}
}

// A page that follows a session as it is written (the client's live
// view) learns that the call it showed running is over when the session
// is resumed: the message that holds it, the last one it had, is sent
// again with the prompt after it.
func TestKilledCallIsOverOnAFollowingPage(t *testing.T) {
	var r rec
	path := tempTranscript(t, jsonl(t, r.prompt("run the tests"),
		r.assistant("msg_K", toolUse("toolu_killed", "Bash", map[string]any{"command": "make test"}))))
	files := NewFiles(0)
	page, err := files.Page(path, Query{})
	if err != nil {
		t.Fatal(err)
	}
	if c := callsOf(page.Messages)["toolu_killed"]; c == nil || c.Result != nil || c.Later {
		t.Fatalf("before the session went on, the call = %+v, want it running", c)
	}
	appendFile(t, path, jsonl(t, r.prompt("are you still there?"), r.assistant("msg_L", text("yes"))))
	msgs, _ := follow(t, files, path, page.Messages, page.After)
	if c := callsOf(msgs)["toolu_killed"]; !stoppedCall(c) {
		t.Errorf("the page that followed shows the call %+v, want it ended without a result (%q)", c, summaryOf(msgs))
	}
}
