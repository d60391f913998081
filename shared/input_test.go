package shared

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// A tool call's input reads as its fields, in the order written; what
// is not a JSON object is not taken apart. A value that is not a string
// reads as indented JSON as it was written (its members in their order,
// its numbers as written), with "&&" as it reads, not \u0026\u0026.
func TestInputFields(t *testing.T) {
	got, ok := InputFields(json.RawMessage(`{"command":"a \u0026\u0026 b","description":"Run","timeout":120000,` +
		`"edits":[{"old_string":"x","new_string":"a \u003c b","n":1e2,"ok":true,"none":null,"e":[],"o":{}}]}`))
	want := []InputField{{"command", "a && b"}, {"description", "Run"}, {"timeout", "120000"},
		{"edits", "[\n  {\n    \"old_string\": \"x\",\n    \"new_string\": \"a < b\",\n    \"n\": 1e2,\n    \"ok\": true,\n    \"none\": null,\n    \"e\": [],\n    \"o\": {}\n  }\n]"}}
	if !ok || len(got) != len(want) {
		t.Fatalf("fields %q (%v), want %q", got, ok, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("field %d is %q, want %q", i, got[i], want[i])
		}
	}
	for _, raw := range []string{`["a"]`, `"s"`, `{"a":`, `{"a":1,}`, ``, `{1:2}`} {
		if f, ok := InputFields(json.RawMessage(raw)); ok {
			t.Errorf("%q taken apart as %q", raw, f)
		}
	}
	// Not an object: shown whole, the same however it was escaped.
	if got := InputJSON(json.RawMessage(`["a\u0026b","\n"]`)); got != "[\n  \"a&b\",\n  \"\\n\"\n]" {
		t.Errorf("InputJSON = %q", got)
	}
	if got := InputJSON(json.RawMessage(`{"a":`)); got != `{"a":` {
		t.Errorf("InputJSON of what is not JSON = %q, want it as it is", got)
	}
}

func FuzzInputFields(f *testing.F) {
	for _, s := range []string{`{"command":"ls"}`, `{"a":{"b":[1,2,{"c":null}]},"d":"\u003cscript\u003e"}`, `[1]`, `{"a":`, `1 2`, `[[[]]]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		// Any input: no panic, and fields only from an object.
		if fields, ok := InputFields(json.RawMessage(raw)); ok && !strings.HasPrefix(strings.TrimLeft(raw, " \t\r\n"), "{") {
			t.Fatalf("%q: fields %q from what is not an object", raw, fields)
		}
		// JSON written again is the same value (its numbers as written:
		// a float64 holds no 1e400, and no 300 digits).
		if json.Valid([]byte(raw)) {
			out := InputJSON(json.RawMessage(raw))
			a, errA := decodeNumbers(raw)
			b, errB := decodeNumbers(out)
			if errA != nil || errB != nil || !jsonEqual(a, b) {
				t.Fatalf("%q written again as %q", raw, out)
			}
		}
	})
}

func decodeNumbers(s string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// InputFields and InputJSON read raw bytes themselves; they must read
// every input as the json.Decoder version they replaced (input_ref_test.go)
// did: the same fields or the same refusal, the same text byte for byte.
func FuzzInputFieldsSame(f *testing.F) {
	for _, s := range []string{
		`{"command":"ls"}`, `{"a":{"b":[1,2,{"c":null}]},"d":"\u003cscript\u003e"}`, `[1]`, `{"a":`, `1 2`, `[[[]]]`,
		`{"a":1,"a":2}`, `{"a":1}x`, `{"a":1]`, `{"a":1`, `{`, `{,}`, `{"a":1,}`, `{"a" : 01}`, `{"a":-}`, `{"a":tru}`,
		`{"a":null,"b":true,"c":1.5e-300,"d":123456789012345678901234567890}`, `{"\ud800":"\udc00x\ud83d\ude00"}`,
		"{\"a\":\"\xff\xfe\",\"b\":[\"\xc3\"]}", `{"a":"\u2028\u2029\u007f\u0001\b\f\n\r\t\"\\\/"}`, `{"a":"\x"}`,
		`[1,]`, `{"a":[}`, ` [ ] `, `{"a":{} }`, `"s"`, `1e400`, `[1"a"]`, `{"a":1 "b":2}`, `{]`, "{\"a\":\"\x01\"}",
	} {
		f.Add(s)
	}
	f.Add(strings.Repeat("[", maxShownDepth+1) + strings.Repeat("]", maxShownDepth+1))
	f.Add(`{"a":` + strings.Repeat(`{"b":`, maxShownDepth) + `1` + strings.Repeat("}", maxShownDepth+1))
	f.Fuzz(func(t *testing.T, raw string) {
		if nestDepth(raw) > maxShownDepth {
			// Past the depth the page indents, a value is shown as
			// written, where json.Decoder's version indented it.
			if s, err := indentJSON([]byte(raw)); err == nil && len(s) > (2*maxShownDepth+2)*len(raw)+2 {
				t.Fatalf("indentJSON wrote %d bytes for %d", len(s), len(raw))
			}
			InputFields(json.RawMessage(raw))
			return
		}
		got, ok := InputFields(json.RawMessage(raw))
		want, wantOK := refInputFields(json.RawMessage(raw))
		if ok != wantOK || !slices.Equal(got, want) {
			t.Fatalf("InputFields(%q) = %q, %v; json.Decoder's gave %q, %v", raw, got, ok, want, wantOK)
		}
		s, err := indentJSON([]byte(raw))
		ref, refErr := refIndentJSON([]byte(raw))
		if s != ref || (err == nil) != (refErr == nil) {
			t.Fatalf("indentJSON(%q) = %q, %v; json.Decoder's gave %q, %v", raw, s, err, ref, refErr)
		}
	})
}

// Nesting deeper than encoding/json's 10,000 levels: a field's value so
// deep is refused, as json.Decoder refused it; an input cut short deep
// down is shown as it is.
func TestInputFieldsDeep(t *testing.T) {
	deep := strings.Repeat("[", 10001) + strings.Repeat("]", 10001)
	raw := `{"a":1,"b":` + deep + `}`
	got, ok := InputFields(json.RawMessage(raw))
	if want, wantOK := refInputFields(json.RawMessage(raw)); ok != wantOK || !slices.Equal(got, want) {
		t.Errorf("a value 10,001 levels deep: %q, %v; json.Decoder's gave %q, %v", got, ok, want, wantOK)
	}
	if raw := strings.Repeat(`[{"a":`, 500); InputJSON(json.RawMessage(raw)) != raw {
		t.Error("an input cut short 1,000 levels deep is not shown as it is")
	}
}

// A hostile tool input nested a few thousand levels deep is shown as
// written: indented, each of its lines would carry its depth in spaces,
// 8 MB written from 4 KB at 2,000 levels (and ~200 MB from 20 KB at
// 10,000), by helmd on every find that searches it and by the page.
func TestDeepInputShownAsWritten(t *testing.T) {
	deep := strings.Repeat("[", 2000) + strings.Repeat("]", 2000)
	if got := InputJSON(json.RawMessage(deep)); got != deep {
		t.Errorf("an input 2,000 levels deep is shown as %d bytes, not as its %d written", len(got), len(deep))
	}
	fields, ok := InputFields(json.RawMessage(`{"command":"ls","a":` + deep + `}`))
	if !ok || len(fields) != 2 || fields[0].Value != "ls" || fields[1].Value != deep {
		t.Errorf("a field 2,000 levels deep: %d fields, ok %v", len(fields), ok)
	}
	nested := `{"a":` + strings.Repeat(`{"b":`, maxShownDepth-1) + `1` + strings.Repeat("}", maxShownDepth)
	if got, err := indentJSON([]byte(nested)); err != nil || !strings.Contains(got, strings.Repeat("  ", maxShownDepth)+`"b": 1`) {
		t.Errorf("an input %d levels deep is not indented: %v", maxShownDepth, err)
	}
}

// nestDepth is the deepest nesting of brackets in raw outside its strings.
func nestDepth(raw string) int {
	depth, deepest, inString := 0, 0, false
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; {
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case inString:
		case c == '{' || c == '[':
			depth++
			deepest = max(deepest, depth)
		case c == '}' || c == ']':
			depth--
		}
	}
	return deepest
}
