package opencode

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"
)

// oldPagePart is how the page read a part file before skimPagePart: the
// file whole, decoded by json.Unmarshal, its long fields cut after.
func oldPagePart(b []byte, cut int) (Part, error) {
	var pf partFile
	if err := json.Unmarshal(b, &pf); err != nil {
		return Part{}, err
	}
	cutN := func(s string) string {
		n := 0
		for i := range s {
			if n == cut {
				return s[:i]
			}
			n++
		}
		return s
	}
	p := Part{Type: pf.Type, Synthetic: pf.Synthetic,
		Tool: pf.Tool, CallID: pf.CallID, Status: pf.State.Status, ToolError: cutN(pf.State.Error),
		Mime: pf.Mime, Filename: pf.Filename, URLLen: int64(utf8.RuneCountInString(pf.URL))}
	p.Text, p.TextLen = cutN(pf.Text), int64(utf8.RuneCountInString(pf.Text))
	p.Output, p.OutputLen = cutN(pf.State.Output), int64(utf8.RuneCountInString(pf.State.Output))
	var meta struct {
		SessionID any `json:"sessionId"`
	}
	if json.Unmarshal(pf.State.Metadata, &meta) == nil {
		if id, ok := meta.SessionID.(string); ok && len(id) <= 100 {
			p.ChildSession = id
		}
	}
	in := string(pf.State.Input)
	p.Input, p.InputLen = cutN(in), int64(utf8.RuneCountInString(in))
	return p, nil
}

// FuzzSkimPagePart: a part file skimmed for the page is what the old
// decode made of it: refused alike, and every field the page shows the
// same, cut at the page's length and at a few characters (where the
// fuzzer reaches the cut: between the halves of a surrogate pair, inside
// a character of broken UTF-8, in a tool's input).
func FuzzSkimPagePart(f *testing.F) {
	for _, s := range []string{
		`{"id":"prt_1","messageID":"msg_1","sessionID":"ses_1","type":"text","text":"  \n\tHello","time":{"start":1}}`,
		`{"type":"tool","tool":"bash","callID":"c1","state":{"status":"completed","input":{"command":"ls -l","n":[1,-2.5e+3,true,false,null,{}]},"output":"x\u00e9\"\\\ud83d\ude00 \ud83d \ude00 \udc00\ud800\ud800\udc00","error":"boom","metadata":{"sessionId":"ses_child","x":[]}}}`,
		`{"type":"tool","state":{"input" : { "a" : "\u00e9 é" } ,"metadata":{"sessionID":"ses_a","SESSIONID":5}},"STATE":{"output":"o"}}`,
		`{"state":{"metadata":{"sessionId":"ses_a"}},"state":{"metadata":null}}`, `{"state":{"metadata":{"sessionId":"ses_a"}},"state":{}}`,
		`{"state":{"metadata":{"sessionId":"` + strings.Repeat("a", 101) + `"}}}`, `{"state":{"metadata":{"sessionId":"` + strings.Repeat(`\u0061`, 200) + `"}}}`,
		`{"state":{"metadata":[{"sessionId":"ses_a"}]}}`, `{"state":{"input":null,"output":null,"error":null}}`, `{"state":"x"}`, `{"state":null}`,
		`{"TYPE":"file","Mime":"image/png","fileName":"a.png","url":"data:image/png;base64,` + strings.Repeat("QUJD", 50) + `","text":null}`,
		`{"t\u0065xt":"\ud83d\ude00 é","type":5}`, `{"text":"a\xff\xe2\x82b\xe2\x82\xacc\xf0\x9f\x98"}`, `{"text":"\xed\xa0\x80\xc0\x80"}`,
		`{"tool":{}}`, `{"synthetic":"yes"}`, `{"text":1}`, `{"url":[]}`, `{"state":{"status":1}}`, `{"callID":"c"} x`, `null`, ` [1,2] `, `"text"`,
		`{"a":01}`, `{"text":"\x01"}`, `{"text":"\u12"}`, `{"a":-}`, `{"a":1.}`, `{"a":1e}`, `{"a" 1}`, `{,}`, `{"a":[1,]}`, `{"a":tru}`, `{`, ``,
		`{"text":"` + strings.Repeat("é\\n", 300) + `","state":{"output":"` + strings.Repeat("\\ud83d\\ude00x", 300) + `"}}`,
		strings.Repeat("[", 10001) + strings.Repeat("]", 10001), `{"state":{"input":` + strings.Repeat("[", 9998) + strings.Repeat("]", 9998) + `}}`,
		`{"state":{"input":` + strings.Repeat("[", 9999) + strings.Repeat("]", 9999) + `}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, cut := range []int{MaxPartText, 1 + len(b)%7} {
			want, wantErr := oldPagePart(b, cut)
			var got Part
			gotErr := skimPagePart(bytes.NewReader(b), &got, cut)
			if (wantErr == nil) != (gotErr == nil) {
				t.Fatalf("%q: json.Unmarshal says %v, skimPagePart %v", b, wantErr, gotErr)
			}
			if wantErr == nil && got != want {
				t.Fatalf("%q cut at %d:\nold  %+v\nskim %+v", b, cut, want, got)
			}
		}
	})
}

// TestLegacyPageOfLargeOutput: the page of a legacy session whose tool
// printed 4 MB shows the output's start and its length, reading little
// more than that: the part file was read whole into a buffer of its size
// and decoded into a string of its size, 8 MB for this page.
func TestLegacyPageOfLargeOutput(t *testing.T) {
	dir := t.TempDir()
	storage := filepath.Join(dir, "storage")
	writeLegacy(t, storage, fxSession{ID: "ses_big", Dir: "/w/p", Title: "big", Version: "1.1.0", Created: at(0), Updated: at(10),
		Messages: []fxMessage{{ID: "msg_01", Role: "assistant", Created: at(1), Completed: at(2), Model: "m", Finish: "stop"}}})
	line := `é \"ok\"\n` // 7 characters
	lines := 4 << 20 / len(line)
	writeFile(t, filepath.Join(storage, "part", "msg_01", "prt_01.json"),
		`{"id":"prt_01","sessionID":"ses_big","messageID":"msg_01","type":"tool","tool":"bash","callID":"c1",`+
			`"state":{"status":"completed","input":{"command":"cat log"},"output":"`+strings.Repeat(line, lines)+`"}}`)
	src := newTestSource(dir)
	defer src.Close()
	ctx := context.Background()
	if _, err := src.Scan(ctx); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	msgs, _, err := src.Messages(ctx, "ses_big", MessagePage{Limit: 10})
	runtime.ReadMemStats(&after)
	if err != nil || len(msgs) != 1 || len(msgs[0].Parts) != 1 {
		t.Fatalf("page %+v, %v; want the one message with its part", msgs, err)
	}
	p := msgs[0].Parts[0]
	want := strings.Repeat("é \"ok\"\n", MaxPartText/7+1)
	if p.Output != string([]rune(want)[:MaxPartText]) || p.OutputLen != int64(7*lines) || p.Input != `{"command":"cat log"}` {
		t.Errorf("output %q… (%d characters of %d), input %q; want %d of %d characters, the input whole",
			p.Output[:min(len(p.Output), 20)], utf8.RuneCountInString(p.Output), p.OutputLen, p.Input, MaxPartText, 7*lines)
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("the page allocated %d KB", alloc>>10)
	if alloc > 1<<20 {
		t.Errorf("the page allocated %d KB for a part of 4 MB; want at most 1 MB", alloc>>10)
	}
}
