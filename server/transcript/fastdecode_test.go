package transcript

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"vibecraft.sh/helm/server/internal/corpus"
)

// The fast decoder gives what encoding/json gives, or gives up: never a
// line or a block that encoding/json would decode otherwise, or reject.
func FuzzFastLine(f *testing.F) {
	for _, s := range fastSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var want line
		err := json.Unmarshal(b, &want)
		var got line
		if !fastLine(b, &got) {
			return
		}
		if err != nil {
			t.Fatalf("fast decoded what encoding/json rejects (%v): %q", err, b)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q:\nfast %+v\njson %+v", b, got, want)
		}
	})
}

func FuzzFastBlocks(f *testing.F) {
	for _, s := range fastSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var want []content
		err := json.Unmarshal(b, &want)
		got, ok := fastBlocks(b)
		if !ok {
			return
		}
		if err != nil {
			t.Fatalf("fast decoded what encoding/json rejects (%v): %q", err, b)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q:\nfast %+v\njson %+v", b, got, want)
		}
	})
}

var fastSeeds = []string{
	`{"parentUuid":null,"isSidechain":false,"userType":"external","cwd":"/home/dev/app","sessionId":"s","version":"2.1.90","type":"user","message":{"role":"user","content":"hi \u00e9\ud83d\ude00 \"q\"\n"},"uuid":"u1","timestamp":"2026-03-02T09:15:04.010Z"}`,
	`{"type":"assistant","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"tool_use","id":"toolu_1","name":"Bash","input":{"command":"ls -la","n":[1,2.5e-3,-0,true,null]}}],"stop_reason":"tool_use","usage":{"input_tokens":4}},"requestId":"r","uuid":"u2","timestamp":"2026-03-02T09:15:05Z"}`,
	`[{"type":"tool_result","tool_use_id":"toolu_1","content":[{"type":"text","text":"ok"}],"is_error":false},null,{"type":"image","source":{"type":"base64","media_type":"image/png","data":"AAAA"}}]`,
	`{"type":"system","subtype":"compact_boundary","content":"Conversation compacted","level":"info","compactMetadata":{"trigger":"auto","preTokens":155000},"isMeta":false}`,
	`{"type":"attachment","attachment":{"type":"queued_command","prompt":"and the linter","commandMode":"prompt","origin":{"kind":"human"}},"uuid":"q","timestamp":"2026-10-06T20:00:00Z"}`,
	`{"attachment":{"type":"queued_command","prompt":["x"],"commandMode":null,"origin":"human","extra":1},"type":"attachment"}`,
	`{"type":"assistant","isApiErrorMessage":true,"error":{"type":"rate_limit"},"message":{"content":[{"type":"text","text":"API Error"}]}}`,
	`{"Type":"user","TYPE":"x"}`, `{"type":"a","type":"b"}`, `{"message":null,"content":null,"isMeta":null}`,
	`{"compactMetadata":{"preTokens":1.5}}`, `{"compactMetadata":{"preTokens":99999999999999999999}}`,
	`{"type":5}`, "{\"type\":\"a\x01\"}", `{"type":"\ud800"}`, "{\"type\":\"\xff\"}", `{"t\u0079pe":"user"}`,
	` {"type" : "user" , "uuid":"u"} ` + "\n", `[]`, `[{}]`, `{"a":[[[[{"b":{}}]]]]}`, `{"type":"user"}{}`,
	`{"a":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`, `[` + strings.Repeat(`{"content":`, 80) + `1` + strings.Repeat("}", 80) + `]`,
	`{"isMeta":tru}`, `{"n":01}`, `{"n":-}`, `{"n":1.}`, `{"n":1e}`, `[{"is_error":"yes"}]`, `[1]`,
}

// TestFastDecoderTakesClaudeLines: the fast decoder must decode the
// lines Claude Code writes, not leave them all to encoding/json (which
// would pass the fuzz tests above while saving nothing).
func TestFastDecoderTakesClaudeLines(t *testing.T) {
	paths, _ := filepath.Glob("../claude/testdata/*.jsonl")
	more, _ := filepath.Glob("testdata/*.jsonl")
	paths = append(paths, more...)
	// And the generated corpora of the benchmarks: every kind of record
	// and block they write.
	for seed, gen := range []func(string, int64, int, int, int64) (corpus.Stats, error){corpus.Generate, corpus.GenerateSmallRecords} {
		dir := t.TempDir()
		if _, err := gen(dir, 1<<20, 3, 1, int64(seed)); err != nil {
			t.Fatal(err)
		}
		more, _ := filepath.Glob(filepath.Join(dir, "projects", "*", "*.jsonl"))
		paths = append(paths, more...)
	}
	taken, lines, blockLists := 0, 0, 0
	for _, s := range fastSeeds[:5] {
		if !strings.HasPrefix(s, "{") {
			continue
		}
		var l line
		if !fastLine([]byte(s), &l) {
			t.Errorf("fast decoder gave up on %s", s)
		}
	}
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 64<<20)
		for sc.Scan() {
			b := sc.Bytes()
			var want line
			if json.Unmarshal(b, &want) != nil {
				continue
			}
			lines++
			var got line
			if fastLine(b, &got) {
				taken++
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s: %q decoded otherwise", p, b)
				}
			}
			if c := want.Message.Content; len(c) > 0 && c[0] == '[' {
				if _, ok := fastBlocks(c); !ok {
					t.Errorf("%s: fast decoder gave up on the blocks of %q", p, b)
				}
				blockLists++
			}
		}
		f.Close()
	}
	if lines == 0 || taken != lines {
		t.Errorf("fast decoder took %d of %d lines", taken, lines)
	}
	t.Logf("%d lines, %d block lists, from %d files", lines, blockLists, len(paths))
}

// A line nested past fastMaxDepth is left to encoding/json, which decodes
// it (or refuses it past its own bound): never a crash, never a guess.
func TestFastDecoderLeavesDeepLines(t *testing.T) {
	deep := `{"type":"user","toolUseResult":` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + `}`
	var l line
	if fastLine([]byte(deep), &l) {
		t.Fatal("fast decoder took a line nested 5,000 deep")
	}
	l = line{}
	if err := decodeLine([]byte(deep), &l); err != nil || l.Type != "user" || len(l.ToolUseResult) != 10000 {
		t.Fatalf("decodeLine: %v, type %q, %d bytes of toolUseResult", err, l.Type, len(l.ToolUseResult))
	}
	if _, ok := fastBlocks([]byte(`[{"input":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}]`)); ok {
		t.Fatal("fast decoder took blocks nested 100 deep")
	}
}
