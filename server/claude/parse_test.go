package claude

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/calldigest"
)

// parseChunked parses line handed over in chunks of n bytes, as a long
// line streams through the read buffer.
func parseChunked(p *parser, r *record, line []byte, n int) bool {
	if n <= 0 || n >= len(line) {
		return p.parseLine(r, line, nil)
	}
	rest := line[n:]
	return p.parseLine(r, line[:n], func() []byte {
		if len(rest) == 0 {
			return nil
		}
		c := rest[:min(n, len(rest))]
		rest = rest[len(c):]
		return c
	})
}

// summary is what the tests compare between two parses.
func (r *record) digest() string {
	c := &r.content
	var uses, results []string
	for i := range c.toolUses.len() {
		uses = append(uses, string(c.toolUses.at(i)))
	}
	for i := range c.toolResults.len() {
		results = append(results, string(c.toolResults.at(i)))
	}
	return fmt.Sprintf("type=%q cwd=%q sid=%q ts=%q req=%q meta=%v side=%v msg=%v id=%q model=%q stop=%q/%v usage=%v/%+v text=%q/%v blocks=%d/%d uses=%q results=%q title=%q/%q/%q progress=%q/%v use=%q/%v parent=%q/%v att=%v/%q/%q/%q/%q/%v launch=%v/%q/%v/%q",
		r.typ.bytes(), r.cwd.bytes(), r.sessionID.bytes(), r.timestamp.bytes(), r.requestID.bytes(), r.isMeta, r.isSidechain,
		r.hasMessage, r.msgID.bytes(), r.model.bytes(), r.stopReason.bytes(), r.stopReason.ok, r.hasUsage, r.usage,
		c.text.bytes(), c.hasText, c.blocks, c.results, uses, results, r.customTitle.bytes(), r.aiTitle.bytes(), r.summary.bytes(),
		r.progType.bytes(), r.progType.ok, r.toolUseID.bytes(), r.toolUseID.ok, r.parentToolUseID.bytes(), r.parentToolUseID.ok,
		r.attached, r.attType.orNil(), r.attMode.orNil(), r.attOrigin.orNil(), r.attPrompt.text.bytes(), r.attPrompt.hasText,
		r.launch, r.resultStatus.orNil(), r.resultAsync, r.resultAgent.orNil())
}

func TestParseLine(t *testing.T) {
	tests := []struct {
		line string
		ok   bool
		want string // substring of the summary
	}{
		{`{"type":"user","message":{"role":"user","content":"hi"}}`, true, `text="hi"/true`},
		{`{"type":"user","message":{"content":[{"type":"tool_result","tool_use_id":"t1","content":[{"type":"text","text":"x"}]}]}}`, true, `blocks=1/1 uses=[] results=["t1"]`},
		{`{"message":{"content":[{"text":"later type","type":"text"},{"id":"u","type":"tool_use"}]},"type":"assistant"}`, true, `text="later type"/true blocks=2/0 uses=["u"]`},
		{`{"ty\u0070e":"as\u0073istant","message":{"id":"m\"1"}}`, true, `type="assistant"`},
		{`{"type":"a","message":{"id":"m\"1"}}`, true, `id="m\"1"`},
		{`{"type":"a","message":{"id":"x"},"message":"replaced"}`, true, `msg=false id=""`},
		{`{"type":"a","type":7}`, true, `type=""`},
		// A call's result that started an agent in the background;
		// toolUseResult given twice takes its last value, as any key.
		{`{"type":"user","toolUseResult":{"isAsync":true,"status":"async_launched","stdout":"{\"status\":1}","agentId":"a1b2"}}`, true, `launch=true/"async_launched"/true/"a1b2"`},
		{`{"toolUseResult":{"status":"async_launched","agentId":"a1"},"toolUseResult":"Error: no","type":"user"}`, true, `launch=true/""/false/""`},
		{`{"toolUseResult":[{"status":"async_launched"}]}`, true, `launch=true/""/false/""`},
		{`{"toolUseResult":{"isAsync":true,"agentId":"a9"}}`, true, `launch=true/""/true/"a9"`},
		{`{"type":"user","message":{"content":"\ud83d\ude00 \u00e9\\"}}`, true, `text="😀 é\\"`},
		{`{"message":{"usage":{"input_tokens":12,"output_tokens":1.5e2,"cache_read_input_tokens":-3,"cache_creation_input_tokens":"x"}}}`, true, `usage=true/{input:12 output:150 cacheRead:0 cacheWrite:0 write5m:0`},
		{`{"message":{"usage":{"cache_creation_input_tokens":30,"cache_creation":{"ephemeral_5m_input_tokens":10,"ephemeral_1h_input_tokens":20,"other":{}},"speed":"fast","server_tool_use":{"web_fetch_requests":1,"web_search_requests":3}}}}`, true,
			`usage=true/{input:0 output:0 cacheRead:0 cacheWrite:30 write5m:10 write1h:20 hasSplit:true fast:true usOnly:false webSearches:3}`},
		{`{"message":{"usage":{"inference_geo":"us","speed":"fast"}}}`, true, `fast:true usOnly:true`},
		{`{"message":{"usage":{"inference_geo":"global"}}}`, true, `usOnly:false`},
		{`{"message":{"usage":{"speed":"standard","cache_creation":null,"server_tool_use":[1]}}}`, true,
			`usage=true/{input:0 output:0 cacheRead:0 cacheWrite:0 write5m:0 write1h:0 hasSplit:false fast:false usOnly:false webSearches:0}`},
		{`{"message":{"usage":{"speed":"fast","speed":7}}}`, true, `fast:false`},
		{`{"type":"user","message":{"content":[{"type":"text","text":"<ide_opened_file>a.go</ide_opened_file>"},{"type":"text","text":"fix it"},{"type":"text","text":"not this"}]}}`, true, `text="fix it"/true`},
		{`{"type":"user","message":{"content":[{"type":"text","text":"first"},{"type":"text","text":"second"}]}}`, true, `text="first"/true`},
		{`{"isMeta":true,"isSidechain":false,"a":[1,{"b":[null,true,false,"\\\""]}],"type":"x"}`, true, `type="x" cwd="" sid="" ts="" req="" meta=true side=false`},
		{"  {\"type\":\"x\"}  \r\n", true, `type="x"`},
		{`{"type":"x"} {}`, false, ``},
		{`{"type":"x",}`, false, ``},
		{`{"type" "x"}`, false, ``},
		{`{"a":[1,2}`, false, ``},
		{`{"a":{"b":1]}`, false, ``},
		{`{"a":tru}`, false, ``},
		{`{"a":"unterminated}`, false, ``},
		{`{"a":"ends in a backslash\"}`, false, ``},
		{`[]`, false, ``},
		{`"x"`, false, ``},
		{``, false, ``},
		{`{"a":` + strings.Repeat("[", maxDepth+2) + strings.Repeat("]", maxDepth+2) + `}`, false, ``},
		{`{"a":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `,"type":"deep"}`, true, `type="deep"`},
	}
	var p parser
	var r record
	for _, tc := range tests {
		ok := p.parseLine(&r, []byte(tc.line), nil)
		sum := r.digest()
		if ok != tc.ok || (tc.ok && !strings.Contains(sum, tc.want)) {
			t.Errorf("parseLine(%.80q) = %v, %s; want %v, %s", tc.line, ok, sum, tc.ok, tc.want)
			continue
		}
		if !tc.ok {
			continue
		}
		// Any split into chunks gives the same record.
		for _, n := range []int{1, 2, 3, 7, 64} {
			var r2 record
			if ok2 := parseChunked(&p, &r2, []byte(tc.line), n); !ok2 || r2.digest() != sum {
				t.Errorf("chunks of %d: %v, %s; want %s", n, ok2, r2.digest(), sum)
			}
		}
	}
}

// TestParseProgress: a progress record's data.type, toolUseID and
// parentToolUseID, which tell a pending call runs (aggregate.progress),
// are read whatever the order of the line's keys and of data's, past
// the values data holds beside its type; a line without them leaves
// them empty, even after a line with them (the record is reused).
func TestParseProgress(t *testing.T) {
	const want = `progress="bash_progress"/true use="bash-progress-0"/true parent="toolu_A"/true`
	lines := []string{
		`{"type":"progress","data":{"type":"bash_progress","output":"ok\n","elapsedTimeSeconds":3},"toolUseID":"bash-progress-0","parentToolUseID":"toolu_A","timestamp":"2026-03-02T15:00:00Z"}`,
		`{"parentToolUseID":"toolu_A","toolUseID":"bash-progress-0","data":{"fullOutput":"x","nested":{"type":"hook_progress"},"list":[{"type":"no"}],"type":"bash_progress"},"type":"progress"}`,
		`{"data":{"t\u0079pe":"bash_\u0070rogress"},"toolUseID":"bash-progress-0","type":"progress","parentToolUseID":"toolu_\u0041"}`,
		`{"type":"progress","data":"not an object","data":{"type":"bash_progress"},"toolUseID":"bash-progress-0","parentToolUseID":"toolu_A"}`,
	}
	var p parser
	var r record
	for _, line := range lines {
		for _, n := range []int{0, 1, 5, 13} {
			if !parseChunked(&p, &r, []byte(line), n) || !strings.Contains(r.digest(), want) {
				t.Errorf("parse(%q) in chunks of %d: %s; want %s", line, n, r.digest(), want)
			}
		}
	}
	for line, want := range map[string]string{
		`{"type":"progress","data":{"type":"bash_progress"},"data":[1],"toolUseID":7,"parentToolUseID":"toolu_A"}`: `progress=""/false use=""/false parent="toolu_A"/true`,
		`{"type":"user","message":{"content":"hi"}}`:                                                               `progress=""/false use=""/false parent=""/false`,
	} {
		if !p.parseLine(&r, []byte(line), nil) || !strings.Contains(r.digest(), want) {
			t.Errorf("parse(%q): %s; want %s", line, r.digest(), want)
		}
	}
}

// TestPromptCut checks the 300-rune cut, which ends with "…", and that a
// long prompt's cut capture never splits a rune.
func TestPromptCut(t *testing.T) {
	var p parser
	var r record
	long := strings.Repeat("日本", 1000)
	line, _ := json.Marshal(map[string]any{"type": "user", "message": map[string]any{"content": "\n " + long}})
	if !p.parseLine(&r, line, nil) {
		t.Fatal("not parsed")
	}
	if got := r.content.promptText(nil); got != long[:len("日")*299]+"…" {
		t.Errorf("prompt = %d bytes %q…", len(got), got[:12])
	}
}

// TestHugeLine reads a transcript with a 12 MB tool result line and a
// 20 MB prompt, checking the records around them and that reading it
// allocates far less than the file's size.
func TestHugeLine(t *testing.T) {
	root := t.TempDir()
	path := filepath.Join(root, projectRel("/w", sidStatus+".jsonl"))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	t0 := at("2026-03-02T15:00:00Z")
	fmt.Fprint(w, promptLine("start", t0), toolUseLine("t1", t0))
	// A tool result of 12 MB of escaped text: quotes, backslashes, \n.
	fmt.Fprintf(w, `{"type":"user","cwd":"/w","sessionId":%q,"message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"`, sidStatus)
	chunk := strings.Repeat(`line \"quoted\" \\ path\n`, 1000)
	for n := 0; n < 12<<20; n += len(chunk) {
		w.WriteString(chunk)
	}
	fmt.Fprintf(w, `"}]},"toolUseResult":{"stdout":"x"},"timestamp":%q}`+"\n", t0.Format("2006-01-02T15:04:05.000Z"))
	fmt.Fprintf(w, `{"type":"user","cwd":"/w","sessionId":%q,"message":{"role":"user","content":"%s"},"timestamp":%q}`+"\n", sidStatus, strings.Repeat("big prompt ", 2<<20), t0.Format("2006-01-02T15:04:05.000Z"))
	w.WriteString(replyLine("r1", `"end_turn"`, t0))
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(path)
	if st.Size() < 30<<20 {
		t.Fatalf("fixture is only %d bytes", st.Size())
	}

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	src, out := scan(t, root, "2026-03-02T15:01:00Z")
	runtime.ReadMemStats(&after)
	got := one(t, out)
	if got.MessageCount != 4 || got.FirstPrompt != "start" || got.Status != "waiting" {
		t.Errorf("session %+v", got)
	}
	if s := src.Stats(); s.LinesSkipped != 0 || s.Lines != 5 || s.BytesRead != st.Size() {
		t.Errorf("stats %+v, want 5 lines of %d bytes", s, st.Size())
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
		t.Errorf("reading %d MB allocated %d MB: lines are held whole", st.Size()>>20, alloc>>20)
	}
}

// FuzzParseLine: the parser never panics; whole and chunked parses agree;
// and on a valid JSON object it accepts the line and agrees with
// encoding/json on type and message.id.
func FuzzParseLine(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.jsonl"))
	for _, name := range files {
		data, _ := os.ReadFile(name)
		for _, line := range bytes.Split(data, []byte("\n")) {
			f.Add(line, uint8(3))
		}
	}
	f.Add([]byte(`{"type":"\ud800","message":{"id":"\u00e9\ud83d\ude00"}}`), uint8(1))
	f.Add([]byte(`{"type":"a\\","message":{"id":"x\"y"}}`), uint8(2))
	// The usage fields that price a response, and IDE context blocks.
	f.Add([]byte(`{"type":"assistant","message":{"id":"m","usage":{"input_tokens":1,"cache_creation_input_tokens":30,"cache_creation":{"ephemeral_5m_input_tokens":10,"ephemeral_1h_input_tokens":20},"speed":"fast","server_tool_use":{"web_search_requests":3,"web_fetch_requests":1}}}}`), uint8(5))
	f.Add([]byte(`{"message":{"usage":{"cache_creation":{"ephemeral_1h_input_tokens":1e3},"speed":"f\u0061st","server_tool_use":null}}}`), uint8(4))
	f.Add([]byte(`{"type":"user","message":{"content":[{"type":"text","text":"<ide_selection>x</ide_selection>"},{"type":"text","text":"[Request interrupted by user]"}]}}`), uint8(6))
	// Tool calls, which Source.Asks digests from their line (callSum).
	f.Add([]byte(`{"type":"assistant","message":{"content":[{"type":"tool_use","id":"a","name":"WebFetch","input":{"url":"u","prompt":"p \u00e9","n":[1.50,{"b":null,"a":true}]}},{"input":"x","type":"tool_use","id":"b"},{"type":"tool_use","id":"a","name":"Bash","input":{}}]}}`), uint8(9))
	// A tool_use block with no id, or a null one, is no call: not the
	// call whose id is "".
	f.Add([]byte(`{"message":{"content":[{"input":"","type":"tool_use","id":""},{"type":"tool_use"}]}}`), uint8(9))
	f.Add([]byte(`{"message":{"content":[{"input":"","type":"tool_use","id":""},{"type":"tool_use","id":null,"input":1}]}}`), uint8(9))
	// Progress records, whose data.type and call ids say a call runs.
	f.Add([]byte(`{"parentToolUseID":"toolu_A","data":{"output":"x","type":"bash_\u0070rogress"},"toolUseID":"bash-progress-0","type":"progress"}`), uint8(4))
	f.Add([]byte(`{"type":"progress","data":{"type":"hook_progress","hookEvent":"PreToolUse"},"data":null,"toolUseID":"toolu_A","parentToolUseID":"toolu_A"}`), uint8(7))
	// Attachments: a prompt typed while the session worked, and others.
	f.Add([]byte(`{"type":"attachment","attachment":{"type":"queued_command","prompt":"and the linter","commandMode":"prompt","origin":{"kind":"human","x":1}}}`), uint8(5))
	f.Add([]byte(`{"attachment":{"origin":"human","prompt":[{"type":"text","text":"a"}],"type":"queued_command"},"type":"attachment","attachment":null}`), uint8(3))
	// A background agent's launch, and its report.
	f.Add([]byte(`{"type":"user","message":{"content":[{"type":"tool_result","tool_use_id":"t"}]},"toolUseResult":{"isAsync":true,"status":"async_\u006caunched","agentId":"a1","prompt":{"x":[1]}}}`), uint8(7))
	f.Add([]byte(`{"type":"user","isMeta":true,"origin":{"kind":"task-notification"},"message":{"role":"user","content":"<task-notification>\n<task-id>a1</task-id>\n</task-notification>"}}`), uint8(8))
	// Valid JSON with a number no float64 holds, which the parser takes.
	f.Add([]byte(`{"type":"x","n":1e400}`), uint8(3))
	f.Fuzz(func(t *testing.T, line []byte, chunk uint8) {
		var p parser
		var r record
		ok := p.parseLine(&r, line, nil)
		sum := r.digest()
		var r2 record
		ok2 := parseChunked(&p, &r2, line, int(chunk))
		if ok != ok2 || (ok && r2.digest() != sum) {
			t.Fatalf("whole %v %s\nchunked(%d) %v %s", ok, sum, chunk, ok2, r2.digest())
		}
		trimmed := bytes.TrimLeft(line, " \t\r\n")
		if !json.Valid(line) || len(trimmed) == 0 || trimmed[0] != '{' {
			return
		}
		if !ok {
			t.Fatalf("valid JSON object rejected: %q", line)
		}
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			// Valid JSON that a map of any refuses: a number beyond
			// float64 (1e400). The checks below need encoding/json's
			// view of the line; the parser took it, as it should.
			return
		}
		typ, _ := m["type"].(string)
		if len(typ) < 100 && string(r.typ.bytes()) != typ {
			t.Errorf("type = %q, encoding/json says %q", r.typ.bytes(), typ)
		}
		id := ""
		if msg, isObj := m["message"].(map[string]any); isObj {
			id, _ = msg["id"].(string)
		}
		if len(id) < 100 && string(r.msgID.bytes()) != id {
			t.Errorf("message.id = %q, encoding/json says %q", r.msgID.bytes(), id)
		}
		checkCalls(t, line, &r, m)
		progType := ""
		if data, isObj := m["data"].(map[string]any); isObj {
			progType, _ = data["type"].(string)
		}
		var attType, attMode, attOrigin string
		if att, isObj := m["attachment"].(map[string]any); isObj {
			attType, _ = att["type"].(string)
			attMode, _ = att["commandMode"].(string)
			if o, isObj := att["origin"].(map[string]any); isObj {
				attOrigin, _ = o["kind"].(string)
			}
		}
		use, _ := m["toolUseID"].(string)
		parent, _ := m["parentToolUseID"].(string)
		var resultStatus, resultAgent string
		if res, isObj := m["toolUseResult"].(map[string]any); isObj {
			resultStatus, _ = res["status"].(string)
			resultAgent, _ = res["agentId"].(string)
		}
		for _, c := range []struct {
			name      string
			got, want string
		}{{"data.type", string(r.progType.bytes()), progType}, {"toolUseID", string(r.toolUseID.bytes()), use}, {"parentToolUseID", string(r.parentToolUseID.bytes()), parent},
			{"attachment.type", string(r.attType.bytes()), attType}, {"attachment.commandMode", string(r.attMode.bytes()), attMode}, {"attachment.origin.kind", string(r.attOrigin.bytes()), attOrigin},
			{"toolUseResult.status", string(r.resultStatus.bytes()), resultStatus}, {"toolUseResult.agentId", string(r.resultAgent.bytes()), resultAgent}} {
			if len(c.want) < 80 && c.got != c.want { // 80: no escaped form of it is cut at limitID
				t.Errorf("%s = %q, encoding/json says %q", c.name, c.got, c.want)
			}
		}
	})
}

// checkCalls checks the tool calls the parser read of line (r), which
// the scan keeps pending by id, against the tool_use blocks encoding/json
// reads of it (m): the same ids in the same order, and for each the
// digest readCall finds of it in the line is the one calldigest gives of
// the call as encoding/json reads it (the last block of that id), as the
// PermissionRequest hook, which sends the call so, names it.
func checkCalls(t *testing.T, line []byte, r *record, m map[string]any) {
	t.Helper()
	msg, _ := m["message"].(map[string]any)
	blocks, _ := msg["content"].([]any)
	var ids []string
	sums := map[string]string{}
	for _, b := range blocks {
		b, _ := b.(map[string]any)
		id, isID := b["id"].(string)
		if typ, _ := b["type"].(string); typ != "tool_use" || !isID {
			continue
		}
		if len(id) >= 100 {
			return // cut by the parser
		}
		ids = append(ids, id)
		name, _ := b["name"].(string)
		in, has := b["input"]
		sums[id] = "none"
		if raw, err := json.Marshal(in); has && err == nil {
			if sum, ok := calldigest.Of(name, raw); ok {
				sums[id] = sum.String()
			}
		}
	}
	var got, want []string
	for _, id := range ids {
		want = append(want, id+"/"+sums[id])
	}
	for i := range r.content.toolUses.len() {
		id := string(r.content.toolUses.at(i))
		c := readCall(line, id)
		got = append(got, id+"/"+map[bool]string{true: c.sum.String(), false: "none"}[c.ok])
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("tool calls %q, encoding/json says %q", got, want)
	}
}

// TestByteOrderMark: a transcript saved by an editor that starts it with
// a byte order mark keeps its first record (its prompt is the title),
// and counts no malformed line.
func TestByteOrderMark(t *testing.T) {
	t0 := at("2026-03-02T15:00:00Z")
	root := t.TempDir()
	write(t, root, projectRel("/w", sidStatus+".jsonl"), "\xEF\xBB\xBF"+promptLine("first prompt", t0)+answerLine("a", "Done.", t0.Add(time.Second)))
	src, out := scan(t, root, t0.Add(time.Minute).Format(time.RFC3339Nano))
	s := one(t, out)
	if s.Title != "first prompt" || s.MessageCount != 2 || src.Stats().LinesSkipped != 0 {
		t.Errorf("title %q, %d messages, %d lines skipped; want the first prompt, 2, 0", s.Title, s.MessageCount, src.Stats().LinesSkipped)
	}
}
