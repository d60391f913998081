package transcript

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestHugeResultIsCutAndLoadsWhole(t *testing.T) {
	var r rec
	// 1 MiB (four times longString) of text with escapes, multi-byte
	// characters and a surrogate pair spread through it, so a cut can
	// land anywhere. 5 MB took 3 CPU-s under -race to write and read.
	unit := "line \"quoted\" \\ é 😀 tab\there\n"
	big := strings.Repeat(unit, 4*longString/len(unit))
	path := tempTranscript(t, jsonl(t,
		r.prompt("read it"),
		r.assistant("msg_1", toolUse("toolu_big", "Read", map[string]any{"file_path": "/big.txt"})),
		r.results(map[string]any{"toolUseResult": map[string]any{"stdout": big}}, toolResult("toolu_big", big, false)),
		r.assistant("msg_2", text("read")),
	))
	files := NewFiles(0)
	page := lastPage(t, files, path)
	res := page.Messages[1].Blocks[0].Tool.Result
	if res.Cut == nil || res.Cut.Ref == "" {
		t.Fatalf("a 1 MiB result is not marked cut: %d bytes sent", len(res.Text))
	}
	if len(res.Text) > maxString || !strings.HasPrefix(big, res.Text) {
		t.Errorf("cut text: %d bytes, prefix of the result: %v", len(res.Text), strings.HasPrefix(big, res.Text))
	}
	raw, _ := json.Marshal(big)
	if res.Cut.Bytes != int64(len(raw)-2) {
		t.Errorf("cut size = %d, want the stored size %d", res.Cut.Bytes, len(raw)-2)
	}
	var whole bytes.Buffer
	if err := files.Full(path, res.Cut.Ref, &whole); err != nil {
		t.Fatal(err)
	}
	if whole.String() != big {
		t.Fatalf("full text: %d bytes, want the %d of the result", whole.Len(), len(big))
	}
	enc, _ := json.Marshal(page)
	if len(enc) > 200<<10 {
		t.Errorf("the page is %d bytes: the huge line was not cut", len(enc))
	}
}

func TestBlocks(t *testing.T) {
	var r rec
	img := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 3000))
	path := tempTranscript(t, jsonl(t,
		r.results(map[string]any{"isMeta": true}, text("<local-command-caveat>Caveat</local-command-caveat>")),
		r.prompt("<command-name>/model</command-name>\n<command-message>model</command-message>\n<command-args>opus</command-args>"),
		r.results(nil, text("<local-command-stdout>Set model to opus</local-command-stdout>")),
		r.results(nil, text("look"), map[string]any{"type": "image", "source": map[string]any{"type": "base64", "media_type": "image/png", "data": img}}),
		r.assistant("msg_t", toolUse("toolu_t", "Task", map[string]any{"description": "explore", "prompt": "find it"})),
		r.results(map[string]any{"toolUseResult": map[string]any{"agentId": "a9497799e6978cb67", "status": "completed"}},
			toolResult("toolu_t", []map[string]any{text("found")}, false)),
		map[string]any{"type": "system", "subtype": "compact_boundary", "uuid": "c1", "timestamp": "2026-03-02T10:00:00Z"},
		func() map[string]any {
			m := r.prompt("This session is being continued…")
			m["isCompactSummary"] = true
			return m
		}(),
		map[string]any{"type": "system", "subtype": "turn_duration", "durationMs": 5},
		map[string]any{"type": "system", "subtype": "api_error", "uuid": "e1", "error": map[string]any{"error": map[string]any{"message": "overloaded"}}},
	))
	page := lastPage(t, NewFiles(0), path)
	want := []string{
		"system[command:/model opus output:Set model to opus]",
		"user[text:look image:]",
		"assistant[tool:Task=found]",
		"system[compaction:]",
		"system[compaction:This session is being continued…]",
		"system[error:overloaded]",
	}
	if got := summaryOf(page.Messages); !slices.Equal(got, want) {
		t.Fatalf("messages:\n got %q\nwant %q", got, want)
	}
	image := page.Messages[1].Blocks[1]
	if image.MediaType != "image/png" || image.Bytes != 3000 || image.Text != "" {
		t.Errorf("image block = %+v, want a placeholder of 3000 bytes", image)
	}
	if tool := page.Messages[2].Blocks[0].Tool; tool.AgentID != "a9497799e6978cb67" || tool.Summary != "explore" {
		t.Errorf("Task call = %+v, want its subagent and description", tool)
	}
	enc, _ := json.Marshal(page)
	if bytes.Contains(enc, []byte(img[:100])) {
		t.Error("the image data reached the page")
	}
}

// Hostile transcript text travels as text: the page's JSON escapes it,
// an SSE-looking line stays inside its string, direction overrides and
// NUL bytes are kept as characters, and a fake cut marker is not a cut.
func TestHostileTextStaysText(t *testing.T) {
	var r rec
	hostile := []string{
		`<script>alert(1)</script><img src=x onerror=alert(2)>`,
		"event: session-deleted\ndata: {\"type\":\"refresh\"}\n\n",
		"\u202Egnp.exe\u202C [click](javascript:alert(3))",
		"\x00cut0000000000000000:0:99 fake marker",
	}
	var recs []map[string]any
	for _, h := range hostile {
		recs = append(recs, r.prompt(h))
	}
	path := tempTranscript(t, jsonl(t, recs...))
	page := lastPage(t, NewFiles(0), path)
	for i, m := range page.Messages {
		if b := m.Blocks[0]; b.Text != hostile[i] || b.Cut != nil {
			t.Errorf("message %d = %q (cut %v), want the text unchanged", i, b.Text, b.Cut)
		}
	}
	enc, _ := json.Marshal(page)
	for _, bad := range []string{"<script>", "\nevent:", "<img"} {
		if bytes.Contains(enc, []byte(bad)) {
			t.Errorf("the encoded page holds %q raw", bad)
		}
	}
}

func TestMalformedAndTooLargeLines(t *testing.T) {
	var r rec
	// A record whose structure alone is over the limit: many small keys.
	var huge strings.Builder
	huge.WriteString(`{"type":"user","message":{"content":[`)
	for i := 0; huge.Len() < maxStructure+1000; i++ {
		if i > 0 {
			huge.WriteByte(',')
		}
		huge.WriteString(`{"type":"text","text":"x"}`)
	}
	huge.WriteString("]}}\n")
	data := jsonl(t, r.prompt("before"))
	data = append(data, "{not json\n"...)
	data = append(data, `{"type":"assistant","message":{"id":3}}`+"\n"...)
	data = append(data, huge.String()...)
	data = append(data, jsonl(t, r.prompt("after"))...)
	page, err := NewFiles(0).Page(tempTranscript(t, data), Query{})
	if err != nil {
		t.Fatal(err)
	}
	got := summaryOf(page.Messages)
	want := []string{"user[text:before]", "user[omitted:]", "user[text:after]"}
	if !slices.Equal(got, want) {
		t.Fatalf("messages:\n got %q\nwant %q", got, want)
	}
	if b := page.Messages[1].Blocks[0]; b.Bytes != int64(huge.Len()) {
		t.Errorf("omitted block = %+v, want the record's size %d", b, huge.Len())
	}
}

// toolUseResult repeats a tool's output for the tool's own use: its
// strings are cut short, the result in the message is not.
func TestToolUseResultCutShort(t *testing.T) {
	var r rec
	out := strings.Repeat("x", 5000)
	raw := jsonl(t, r.results(map[string]any{"toolUseResult": map[string]any{"stdout": out, "agentId": "a1"}}, toolResult("t", out, false)))
	cut := cutLine(t, raw)
	var l line
	if err := json.Unmarshal(cut, &l); err != nil {
		t.Fatal(err)
	}
	if got := blocks(l.Message.Content)[0].Content; !strings.Contains(string(got), out) {
		t.Error("the result in the message was cut")
	}
	if bytes.Count(cut, []byte(out)) != 1 || !bytes.Contains(cut, []byte(`"agentId":"a1"`)) {
		t.Errorf("toolUseResult: %d copies of the output, agentId kept: %v", bytes.Count(cut, []byte(out)), bytes.Contains(cut, []byte(`"agentId":"a1"`)))
	}
}

func TestCutterKeepsSmallRecords(t *testing.T) {
	for _, line := range bytes.SplitAfter(conversation(t), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		out := cutLine(t, line)
		if !bytes.Equal(out, line[:len(line)-1]) && !bytes.Equal(out, line) {
			t.Errorf("a small record changed:\n%s\n%s", line, out)
		}
	}
}

func cutLine(t testing.TB, line []byte) []byte {
	var c cutter
	out, _, err := c.record(bufioOf(line), nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.TrimRight(out, "\n")
}

func TestCursorRoundTrip(t *testing.T) {
	for _, p := range []position{
		{kind: kindLine, id: identity{ino: 1 << 40, hlen: 4096, hash: 0xdeadbeef}, off: 1 << 40},
		{kind: kindRef, off: 0},
		{kind: kindLine, id: identity{ino: 9, hlen: 80, hash: 7}, off: 4096, sealed: true, after: sealLen, sum: 0xfeedface},
		{kind: kindRef, off: 12, sealed: true, after: 3, sum: 1},
		{kind: kindTag, tag: uint8(len(outputTags)), id: identity{ino: 9, hlen: 80, hash: 7}, off: 12, sealed: true, after: 3, sum: 1},
		{kind: kindMessage, msg: "msg_95e1a2b3c4d5XyZ0123456789a"},
		{kind: kindPart, fld: 'i', msg: "msg_1", part: "prt_95e1a2b3c4d6Qw0123456789ab"},
	} {
		got, err := decodeCursor(encodeCursor(p))
		if err != nil || got != p {
			t.Errorf("round trip of %+v: %+v, %v", p, got, err)
		}
	}
}

// A web search runs on the API's side: its result is written in the
// assistant's own content after the server_tool_use. It shows as the
// call's result (titles and URLs, found by find), not as a call that
// never returned once the session goes on.
func TestServerToolResultJoinsItsCall(t *testing.T) {
	var r rec
	path := tempTranscript(t, jsonl(t,
		r.prompt("search it"),
		r.assistant("msg_s",
			map[string]any{"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": map[string]any{"query": "helm"}},
			map[string]any{"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": []any{
				map[string]any{"type": "web_search_result", "title": "Helm docs", "url": "https://example.com/helm", "encrypted_content": "xyz"},
			}},
			map[string]any{"type": "server_tool_use", "id": "srvtoolu_2", "name": "web_search", "input": map[string]any{"query": "more"}},
			map[string]any{"type": "web_search_tool_result", "tool_use_id": "srvtoolu_2", "content": map[string]any{
				"type": "web_search_tool_result_error", "error_code": "max_uses_exceeded",
			}},
			text("found it")),
		r.prompt("thanks"),
	))
	page := lastPage(t, NewFiles(0), path)
	want := []string{
		"user[text:search it]",
		"assistant[tool:web_search=Helm docs https://example.com/helm tool:web_search=Error: max_uses_exceeded text:found it]",
		"user[text:thanks]",
	}
	if got := summaryOf(page.Messages); !slices.Equal(got, want) {
		t.Fatalf("messages:\n got %q\nwant %q", got, want)
	}
	if res := page.Messages[1].Blocks[0].Tool.Result; res.IsError {
		t.Errorf("the search's result = %+v, want no error", res)
	}
	if res := page.Messages[1].Blocks[1].Tool.Result; !res.IsError {
		t.Errorf("the failed search's result = %+v, want an error", res)
	}
}

// A retried API call's record says what failed in words, whatever shape
// of error object Claude Code wrote, never as the object's raw JSON.
func TestAPIErrorSaysWhatFailed(t *testing.T) {
	errs := []any{
		map[string]any{"status": 529, "headers": map[string]any{}, "requestID": nil, "type": "new_api_error",
			"error": map[string]any{"type": "error", "error": map[string]any{"type": "overloaded_error", "message": "Overloaded"}}},
		map[string]any{"cause": map[string]any{"code": "FailedToOpenSocket", "path": "https://api.anthropic.com"}},
		map[string]any{"status": 503, "headers": map[string]any{}},
		nil,
	}
	want := []string{
		"system[error:Overloaded (status 529)]",
		"system[error:FailedToOpenSocket]",
		"system[error:API error (status 503)]",
		"system[error:API error]",
	}
	var recs []map[string]any
	for i, e := range errs {
		rec := map[string]any{"type": "system", "subtype": "api_error", "level": "error", "uuid": "e" + itoa(i), "retryAttempt": 1}
		if e != nil {
			rec["error"] = e
		}
		recs = append(recs, rec)
	}
	page, err := NewFiles(0).Page(tempTranscript(t, jsonl(t, recs...)), Query{})
	if err != nil {
		t.Fatal(err)
	}
	if got := summaryOf(page.Messages); !slices.Equal(got, want) {
		t.Fatalf("messages:\n got %q\nwant %q", got, want)
	}
}

// An assistant record Claude Code wrote for a failed API call
// (isApiErrorMessage, model <synthetic>) showed as the assistant's
// answer, the API's JSON body as its text. It is an error notice in
// words, the text as written kept behind them; a body that is not the
// API's JSON is shown as given, as text.
func TestAPIErrorMessageIsANotice(t *testing.T) {
	var r rec
	overloaded := `API Error: 529 {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_011"}`
	hostile := `API Error: 500 <img src=x onerror=alert(1)> {"error":`
	path := tempTranscript(t, jsonl(t,
		r.prompt("run it"),
		r.assistant("msg_1", toolUse("toolu_1", "Bash", map[string]any{"command": "make"})),
		r.apiError("msg_e1", overloaded),
		r.apiError("msg_e2", hostile),
		r.apiError("msg_e3", "API Error: Request timed out."),
		r.prompt("again"),
	))
	page := lastPage(t, NewFiles(0), path)
	want := []string{
		"user[text:run it]",
		"assistant[tool:Bash=" + killedText + "]",
		"system[error:API error 529: Overloaded]",
		"system[error:" + hostile + "]",
		"system[error:API Error: Request timed out.]",
		"user[text:again]",
	}
	if got := summaryOf(page.Messages); !slices.Equal(got, want) {
		t.Fatalf("messages:\n got %q\nwant %q", got, want)
	}
	if m := page.Messages[2]; m.Blocks[0].Detail != overloaded || m.Model != "" {
		t.Errorf("the notice's detail %q, model %q; want the text as written, no model", m.Blocks[0].Detail, m.Model)
	}
	if d := page.Messages[3].Blocks[0].Detail; d != "" {
		t.Errorf("the hostile body's detail %q, want none: it is the main line", d)
	}
}

// Thinking without its text: the API's redacted thinking (only encrypted
// data) and its omitted thinking (an empty text and a signature, as
// Claude Code writes every thinking block of Opus 4.7 and later) are each
// a thinking block with no text, which the page says is not in the
// transcript; neither their data nor their signature is sent, and a find
// matches nothing of them, with the lines passed over or not.
func TestThinkingWithoutItsText(t *testing.T) {
	var r rec
	path := tempTranscript(t, jsonl(t,
		r.prompt("think"),
		r.assistant("msg_r", map[string]any{"type": "redacted_thinking", "data": "EuYBCkQYAiJAsecretdata"}, text("done")),
		r.prompt("again"),
		r.assistant("msg_o", map[string]any{"type": "thinking", "thinking": "", "signature": "ErECsecretsignature"}, text("done again")),
	))
	page := lastPage(t, NewFiles(0), path)
	for _, i := range []int{1, 3} {
		if b := page.Messages[i].Blocks[0]; b.Type != "thinking" || b.Text != "" || b.Cut != nil {
			t.Errorf("message %d's first block = %+v, want a thinking block without text", i, b)
		}
	}
	if enc, _ := json.Marshal(page); bytes.Contains(enc, []byte("secretdata")) || bytes.Contains(enc, []byte("secretsignature")) {
		t.Errorf("the encrypted data reached the page: %s", enc)
	}
	for _, term := range []string{"encrypted", "redacted", "secret"} {
		if res := findBoth(t, path, term); res.Total != 0 {
			t.Errorf("find %q = %+v, want nothing: nothing of it is shown", term, res)
		}
	}
}

// A recap (a system record, away_summary, that Claude Code writes into a
// session left idle and shows its user on return) is a row of its own
// with its text, less the hint on turning recaps off; a find finds it,
// with the lines passed over or not. An empty one is no row.
func TestRecapIsShown(t *testing.T) {
	var r rec
	recap := func(content any) map[string]any {
		m := r.env("system")
		m["subtype"], m["content"] = "away_summary", content
		return m
	}
	path := tempTranscript(t, jsonl(t,
		r.prompt("tidy the loader"),
		r.assistant("msg_1", text("Tidied.")),
		recap("Goal: tidy the loader. Done. Next: update its docs. (disable recaps in /config)"),
		recap("  "),
		r.prompt("now the docs"),
	))
	page := lastPage(t, NewFiles(0), path)
	if len(page.Messages) != 4 {
		t.Fatalf("%d messages, want 4 (the empty recap no row): %+v", len(page.Messages), page.Messages)
	}
	m := page.Messages[2]
	if m.Role != "system" || len(m.Blocks) != 1 || m.Blocks[0].Type != "text" || m.Blocks[0].Text != "Goal: tidy the loader. Done. Next: update its docs." {
		t.Errorf("the recap's row = %+v, want a system row of its text", m)
	}
	if res := findBoth(t, path, "next: update"); res.Total != 1 {
		t.Errorf("find in the recap = %+v, want its row", res)
	}
}

// A prompt typed while the session worked, which Claude Code records as
// a queued_command attachment and never as a user record, is a "You" row
// where it was written; the call before it keeps its result, and a find
// finds it, with the lines passed over or not. A task notification that
// comes the same way is a notice of its summary; a bash-mode input and
// other attachments are not shown.
func TestQueuedPromptIsShown(t *testing.T) {
	var r rec
	att := func(a map[string]any) map[string]any {
		m := r.env("attachment")
		m["attachment"] = a
		return m
	}
	path := tempTranscript(t, jsonl(t,
		r.prompt("run the tests"),
		r.assistant("msg_1", toolUse("toolu_1", "Bash", map[string]any{"command": "go test ./..."})),
		r.results(nil, toolResult("toolu_1", "ok", false)),
		att(map[string]any{"type": "queued_command", "prompt": "and the linter too", "commandMode": "prompt", "origin": map[string]any{"kind": "human"}}),
		att(map[string]any{"type": "queued_command", "prompt": "<task-notification>\n<task-id>b1</task-id>\n<summary>Background command \"go vet\" completed (exit code 0)</summary>\n<result>vet: all clear</result>\n</task-notification>",
			"commandMode": "task-notification", "origin": map[string]any{"kind": "task-notification"}}),
		att(map[string]any{"type": "queued_command", "prompt": "ls", "commandMode": "bash", "origin": map[string]any{"kind": "human"}}),
		att(map[string]any{"type": "todo", "prompt": "not a prompt"}),
		r.assistant("msg_2", text("Linted too.")),
	))
	page := lastPage(t, NewFiles(0), path)
	var rows []string
	for _, m := range page.Messages {
		rows = append(rows, m.Role+": "+m.Blocks[0].Type+" "+m.Blocks[0].Text)
	}
	want := []string{"user: text run the tests", "assistant: tool ", "user: text and the linter too",
		`system: text Background command "go vet" completed (exit code 0)`, "assistant: text Linted too."}
	if !slices.Equal(rows, want) {
		t.Errorf("rows %q, want %q", rows, want)
	}
	if tool := page.Messages[1].Blocks[0].Tool; tool == nil || tool.Result == nil || tool.Result.Text != "ok" {
		t.Errorf("the call before the queued prompt: %+v, want its result", tool)
	}
	if res := findBoth(t, path, "linter too"); res.Total != 1 {
		t.Errorf("find in the queued prompt = %+v, want its row", res)
	}
}

// A notice Claude Code shows its user (a system record, informational)
// is a row of its text, unless it is at level "info", a hook's chatter.
func TestNoticesAreShown(t *testing.T) {
	var r rec
	notice := func(level, content string) map[string]any {
		m := r.env("system")
		m["subtype"], m["level"], m["content"] = "informational", level, content
		return m
	}
	path := tempTranscript(t, jsonl(t,
		r.prompt("go on"),
		notice("notice", "Usage limit reached · continuing automatically at 9:50am"),
		notice("info", "\u001b[1mStop\u001b[22m [~/.claude/stop.sh] completed successfully"),
		notice("warning", " "),
		r.assistant("msg_1", text("Going on.")),
	))
	page := lastPage(t, NewFiles(0), path)
	var rows []string
	for _, m := range page.Messages {
		rows = append(rows, m.Role+": "+m.Blocks[0].Text)
	}
	want := []string{"user: go on", "system: Usage limit reached · continuing automatically at 9:50am", "assistant: Going on."}
	if !slices.Equal(rows, want) {
		t.Errorf("rows %q, want %q", rows, want)
	}
	if res := findBoth(t, path, "usage limit"); res.Total != 1 {
		t.Errorf("find in the notice = %+v, want its row", res)
	}
}

// A background task's report (a task notification, which Claude Code
// hands the model as a prompt when the task ends) is a notice of its
// summary between the turn that waited for it and the answer to it: the
// page showed that answer right after "I'll wait for the agent", as if
// the model had gone on by itself. Its result and tags are not shown,
// nor found; a prompt that only mentions a notification is a prompt.
func TestTaskNotificationIsANotice(t *testing.T) {
	var r rec
	report := func(body string) map[string]any {
		m := r.prompt("<task-notification>\n<task-id>a1b2c3</task-id>\n<tool-use-id>toolu_1</tool-use-id>\n" + body + "\n</task-notification>")
		m["isMeta"], m["origin"] = true, map[string]any{"kind": "task-notification"}
		return m
	}
	path := tempTranscript(t, jsonl(t,
		r.prompt("check the logs"),
		r.assistant("msg_1", toolUse("toolu_1", "Agent", map[string]any{"description": "Scan the logs", "prompt": "look"})),
		r.results(nil, toolResult("toolu_1", "Async agent launched successfully.", false)),
		r.assistant("msg_2", text("I'll wait for the agent.")),
		report(`<status>completed</status>`+"\n"+`<summary>Agent "Scan the <b>logs</b>" completed</summary>`+"\n"+`<result>libfoo was removed</result>`),
		r.assistant("msg_3", text("Found it.")),
		report("<status>failed</status>"),
		report(""),
		r.prompt("what does <task-notification> mean?"),
	))
	page := lastPage(t, NewFiles(0), path)
	var rows []string
	for _, m := range page.Messages {
		rows = append(rows, m.Role+": "+m.Blocks[0].Type+" "+m.Blocks[0].Text)
	}
	want := []string{"user: text check the logs", "assistant: tool ", "assistant: text I'll wait for the agent.",
		`system: text Agent "Scan the <b>logs</b>" completed`, "assistant: text Found it.",
		"system: text Task failed", "system: text Task notification", "user: text what does <task-notification> mean?"}
	if !slices.Equal(rows, want) {
		t.Errorf("rows\n got %q\nwant %q", rows, want)
	}
	for term, n := range map[string]int{"scan the <b>logs": 1, "task failed": 1, "libfoo": 0, "a1b2c3": 0, "tool-use-id": 0} {
		if res := findBoth(t, path, term); res.Total != n {
			t.Errorf("find %q = %d matches, want %d", term, res.Total, n)
		}
	}
}
