package transcript

import (
	"bufio"
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func bufioOf(b []byte) *bufio.Reader { return bufio.NewReaderSize(bytes.NewReader(b), 64) }

// FuzzBlocks feeds arbitrary lines through the cutter and the grouper:
// nothing panics, the cut copy of valid JSON is valid JSON, and a record
// with no long string is copied unchanged.
func FuzzBlocks(f *testing.F) {
	for _, l := range bytes.SplitAfter(conversation(f), []byte("\n")) {
		f.Add(l)
	}
	f.Add([]byte(`{"type":"user","message":{"content":"a\"b\\\"c\u00e9\ud83d\ude00"}}`))
	f.Add([]byte(`{"type":"assistant","message":{"id":"m","content":[{"type":"tool_use","input":{"a":[1,{"b":"\\"}]}}]}}`))
	f.Add([]byte(`{"type":"user","message":{"content":"<bash-input>git status</bash-input>"}}`))
	f.Add([]byte(`{"type":"user","message":{"content":"<bash-stdout>a</bash-stdout><bash-stderr>b</bash-stderr>"}}`))
	f.Add([]byte(`{"attachment":{"type":"queued_command","prompt":"and the linter","origin":{"kind":"human"}},"type":"attachment","uuid":"q"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var c cutter
		out, n, err := c.record(bufioOf(data), nil, nil, nil)
		if err != nil {
			return
		}
		if n > int64(len(data)) {
			t.Fatalf("consumed %d of %d bytes", n, len(data))
		}
		raw := data[:n]
		if json.Valid(bytes.TrimRight(raw, "\n")) && !json.Valid(bytes.TrimRight(out, "\n")) {
			t.Fatalf("valid record, invalid copy:\n%q\n%q", raw, out)
		}
		if len(raw) < shortString && !bytes.Equal(out, raw) {
			t.Fatalf("short record changed:\n%q\n%q", raw, out)
		}
		// The index's scanner finds the same type and subtype whether a
		// line comes whole or in pieces, and the one encoding/json finds.
		var whole, parts topScan
		whole.feed(raw)
		for i := 0; i < len(raw); i += 7 {
			parts.feed(raw[i:min(i+7, len(raw))])
		}
		if whole.typ != parts.typ || whole.sub != parts.sub || whole.att != parts.att {
			t.Fatalf("whole: %q/%q/%q, in pieces: %q/%q/%q", whole.typ, whole.sub, whole.att, parts.typ, parts.sub, parts.att)
		}
		// A map, not a struct: decoding into a struct field matches keys
		// without regard to case ("Type" fills Type), and the scanner,
		// like Claude Code, knows only "type".
		var top map[string]any
		if json.Unmarshal(raw, &top) == nil && bytes.Count(raw, []byte(`"type"`)) == 1 &&
			!bytes.ContainsRune(raw, '\\') && utf8.Valid(raw) {
			typ, _ := top["type"].(string)
			if len(typ) < 24 && whole.typ != typ {
				t.Fatalf("type %q, scanner found %q in %q", typ, whole.typ, raw)
			}
		}
		// An attachment's own type likewise, when its two "type" keys are
		// the record's and the attachment object's.
		var rec map[string]any
		if json.Unmarshal(raw, &rec) == nil && rec["type"] == "attachment" && bytes.Count(raw, []byte(`"type"`)) == 2 &&
			!bytes.ContainsRune(raw, '\\') && utf8.Valid(raw) {
			if att, isObj := rec["attachment"].(map[string]any); isObj {
				if typ, _ := att["type"].(string); typ != "" && len(typ) < 24 && whole.att != typ {
					t.Fatalf("attachment type %q, scanner found %q in %q", typ, whole.att, raw)
				}
			}
		}
		var l line
		if json.Unmarshal(out, &l) == nil {
			for _, atStart := range []bool{false, true} {
				g := newGrouper(atStart, func(int64, uint8) string { return "r" })
				g.add(&parsed{l: &l, cs: blocks(l.Message.Content)})
				g.add(&parsed{l: &l, cs: blocks(l.Message.Content)})
			}
		}
	})
}

// FuzzToolInput writes arbitrary inputs of a tool call again: what was
// one JSON value stays one, with the same members in the same order, and
// what was not is dropped, never sent on half-written.
func FuzzToolInput(f *testing.F) {
	for _, s := range []string{`{"file_path":"/a","old_string":"x","new_string":"y"}`, `{"n":1.50,"e":1e400,"l":[{"z":1,"a":null}],"t":true}`,
		`"text"`, `[1,2]`, `{"a":"\u00e9\ud83d\ude00\"<>&"}`, `{"a":1}{"b":2}`, `{"a":`, `{}`, `null`, `{"a":{"b":{"c":[[[]]]}}}`,
		strings.Repeat("[", maxInputDepth+1) + strings.Repeat("]", maxInputDepth+1)} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		g := newGrouper(false, func(int64, uint8) string { return "r" })
		tool := g.toolUse(content{ID: "t", Name: "X", Input: in}, 0)
		if !json.Valid(in) {
			if tool.Input != nil {
				t.Fatalf("invalid input %q sent on as %q", in, tool.Input)
			}
			return
		}
		if !json.Valid(tool.Input) {
			t.Fatalf("input %q written as invalid %q", in, tool.Input)
		}
		if deeperThan(in, maxInputDepth) {
			if tool.Input[0] != '"' {
				t.Fatalf("input %q nested past %d sent as JSON", in, maxInputDepth)
			}
			return
		}
		var want, got bytes.Buffer
		if json.Compact(&want, in) != nil || json.Compact(&got, tool.Input) != nil {
			t.Fatal("compacting valid JSON failed")
		}
		// The same text but for the escapes strings are written with.
		var a, b any
		da, db := json.NewDecoder(&want), json.NewDecoder(&got)
		da.UseNumber()
		db.UseNumber()
		if da.Decode(&a) == nil && db.Decode(&b) == nil && !reflect.DeepEqual(a, b) {
			t.Fatalf("input %q written as %q", in, tool.Input)
		}
		if order(in) != order(tool.Input) {
			t.Fatalf("members of %q reordered: %q", in, tool.Input)
		}
	})
}

// order is the member names of raw's objects, in the order they come.
func order(raw []byte) string {
	dec := json.NewDecoder(bytes.NewReader(raw))
	var names []string
	var walk func() bool
	walk = func() bool {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		if d, ok := tok.(json.Delim); ok {
			for dec.More() {
				if d == '{' {
					k, err := dec.Token()
					if err != nil {
						return false
					}
					name, _ := k.(string)
					names = append(names, name)
				}
				if !walk() {
					return false
				}
			}
			if _, err := dec.Token(); err != nil {
				return false
			}
		}
		return true
	}
	walk()
	return strings.Join(names, "\x00")
}

// FuzzCursor decodes arbitrary cursors: no panic, and whatever decodes
// encodes back to the same position.
func FuzzCursor(f *testing.F) {
	f.Add(encodeCursor(position{kind: kindLine, id: identity{ino: 7, hlen: 12, hash: 3}, off: 99}))
	f.Add(encodeCursor(position{kind: kindLine, id: identity{ino: 7, hlen: 12, hash: 3}, off: 99, sealed: true, after: 64, sum: 5}))
	f.Add(encodeCursor(position{kind: kindMessage, msg: "msg_abc"}))
	f.Add(encodeCursor(position{kind: kindPart, fld: 'o', msg: "msg_abc", part: "prt_x"}))
	f.Add(encodeCursor(position{kind: kindTag, tag: 3, id: identity{ino: 7, hlen: 12, hash: 3}, off: 99, sealed: true, after: 64, sum: 5}))
	f.Add("AQ")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := decodeCursor(s)
		if err != nil {
			return
		}
		q, err := decodeCursor(encodeCursor(p))
		if err != nil || q != p {
			t.Fatalf("%q decodes to %+v, which re-decodes to %+v, %v", s, p, q, err)
		}
	})
}

// FuzzUnquote: what …/full streams is what encoding/json decodes, for
// any string literal, and never more than the literal holds.
func FuzzUnquote(f *testing.F) {
	for _, s := range []string{`"plain"`, `"a\"b\\c\/d\n\t\u00e9\ud83d\ude00"`, `"\ud800x"`, `"\uZZZZ"`, `"unterminated`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, lit []byte) {
		if len(lit) == 0 || lit[0] != '"' {
			return
		}
		var out bytes.Buffer
		w := bufio.NewWriter(&out)
		err := unquote(bufio.NewReader(bytes.NewReader(lit[1:])), w)
		w.Flush()
		var want string
		if json.Unmarshal(lit, &want) != nil || !utf8.Valid(lit) {
			return
		}
		if err != nil || out.String() != want {
			t.Fatalf("%q: streamed %q (%v), json decodes %q", lit, out.String(), err, want)
		}
	})
}

// FuzzTagFilter: what …/full streams of the text inside a tag is what
// the page shows of it (tagText), whatever the text around and inside.
func FuzzTagFilter(f *testing.F) {
	for _, s := range []string{"<bash-stdout> a </bash-stdout>", "x<bash-stdout>\u00a0a</bash-std</bash-stdout>", "<bash-stdout><bash-stdout>a</bash-stdout",
		"<bash-std<bash-stdout>\xe2\x80 b \xe2\x80\x83", "<<bash-stdout>></</bash-stdout>", "none"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var out bytes.Buffer
		w := bufio.NewWriter(&out)
		tf := newTagFilter("bash-stdout", w)
		// In pieces, as bufio hands them on: a tag or a rune may be split.
		for i := 0; i < len(s); i += 3 {
			tf.Write([]byte(s[i:min(i+3, len(s))]))
		}
		tf.close()
		w.Flush()
		if want := tagText(s, "bash-stdout"); out.String() != want {
			t.Fatalf("%q: streamed %q, the page shows %q", s, out.String(), want)
		}
	})
}

// FuzzEscapeRawControls: a line that is already JSON is left exactly as
// it is; any other escapes only what it finds raw inside its strings, so
// that a line JSON refuses for a raw control character alone decodes to
// the text it holds.
func FuzzEscapeRawControls(f *testing.F) {
	for _, s := range []string{`{"a":"b"}`, "{\"a\":\"raw\x01\tx\"}", "{\"a\":\"\\\"\x1f\"}", `"unterminated`, "\x00"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		out := escapeRawControls(b)
		if json.Valid(b) && !bytes.Equal(out, b) {
			t.Fatalf("valid JSON %q changed to %q", b, out)
		}
		var l line
		_ = decodeLine(b, &l) // never panics, whatever it is given
	})
}
