package opencode

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// FuzzSkimPart: a part file skimmed is what json.Unmarshal makes of it:
// refused alike (syntax, types, a document that is no object), and read
// alike, the text as keptText keeps it. An id or type too long to be one
// is kept cut, which changes nothing: it is still no id, and no "text".
func FuzzSkimPart(f *testing.F) {
	for _, s := range []string{
		`{"id":"prt_1","messageID":"msg_1","sessionID":"ses_1","type":"text","text":"  \n\tHello","time":{"start":1}}`,
		`{"type":"tool","state":{"output":"x\u00e9\"\\","input":{"a":[1,-2.5e+3,true,false,null,{}]}},"synthetic":true,"ignored":null}`,
		`{"TYPE":"text","Text":"a","text":null,"sessionid":"ses_2","synthetic":false,"synthetic":null}`,
		`{"t\u0065xt":"\ud83d\ude00 é","type":5}`, `{"sessionID":"ses_3"} x`, `null`, ` [1,2] `, `"text"`, `{"a":01}`,
		`{"text":"\x01"}`, `{"text":"\u12"}`, `{"text":{"a":"b"}}`, `{"ignored":"yes"}`, `{"a":-}`, `{"a":1.}`, `{"a":1e}`,
		`{"a" 1}`, `{,}`, `{"a":[1,]}`, `{"a":tru}`, `{`, ``, `{"text":"` + strings.Repeat("é\\n", keptChars) + `"}`,
		strings.Repeat("[", 10001) + strings.Repeat("]", 10001), `{"a":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var want, got partInfo
		wantErr := json.Unmarshal(b, &want)
		gotErr := skimPart(bytes.NewReader(b), &got)
		if (wantErr == nil) != (gotErr == nil) {
			t.Fatalf("%q: json.Unmarshal says %v, skimPart %v", b, wantErr, gotErr)
		}
		if wantErr != nil {
			return
		}
		if validID(want.SessionID) != validID(got.SessionID) || validID(want.SessionID) && want.SessionID != got.SessionID ||
			(want.Type == "text") != (got.Type == "text") || want.Text != got.Text ||
			want.Synthetic != got.Synthetic || want.Ignored != got.Ignored {
			t.Fatalf("%q: json.Unmarshal read %+v, skimPart %+v", b, want, got)
		}
	})
}

// FuzzSkimRole: a message file's role skimmed is the one json.Unmarshal
// reads, for every document it accepts with one role member at most
// (skimRole stops at the first, where json.Unmarshal keeps the last); a
// document it refuses may still name its role before the fault, but
// skimRole never reads past the role. A role whose literal is longer
// than idCap is kept cut, as an id is: it is no role a message has, and
// neither is the cut one.
func FuzzSkimRole(f *testing.F) {
	for _, s := range []string{
		`{"id":"msg_1","sessionID":"ses_1","role":"user","time":{"created":1},"summary":{"diffs":[{"before":"a\"b"}]}}`,
		`{"ROLE":"assistant","time":{"completed":2}}`, `{"r\u006fle":"assistant"}`, `{"role":null}`, `{"role":5}`,
		`{"role":"assistant"} x`, `{"role":"assistant",`, `{"a":[1,{"role":"assistant"}],"role":"user"}`, `{}`, `null`,
		`[{"role":"assistant"}]`, `{"a":tru,"role":"assistant"}`, ``, `{"role":"\ud83d"}`,
		`{"a":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `,"role":"user"}`,
		`{"role":"` + strings.Repeat("user", idCap) + `"}`, `{"role":"` + strings.Repeat("\xb7", idCap) + `stant"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r := bytes.NewReader(b)
		var got string
		gotErr := skimRole(r, &got)
		var want struct {
			Role string `json:"role"`
		}
		if json.Unmarshal(b, &want) != nil {
			return
		}
		roles, ok := roleMembers(b)
		if !ok || roles > 1 {
			return
		}
		var literal struct {
			Role json.RawMessage `json:"role"`
		}
		if json.Unmarshal(b, &literal) == nil && len(literal.Role)-2 > idCap { // its quotes aside
			if gotErr != nil || got == "user" || got == "assistant" || len(got) > 3*idCap {
				t.Fatalf("%q: a role cut at %d bytes skimmed as %.80q (%v); want a cut that is no role", b, idCap, got, gotErr)
			}
			return
		}
		if gotErr != nil || got != want.Role {
			t.Fatalf("%q: json.Unmarshal reads role %q, skimRole %q (%v)", b, want.Role, got, gotErr)
		}
	})
}

// roleMembers counts the top-level members of the object b that
// json.Unmarshal would read as "role"; ok is false when b is no object.
func roleMembers(b []byte) (n int, ok bool) {
	d := json.NewDecoder(bytes.NewReader(b))
	if tok, err := d.Token(); err != nil || tok != json.Delim('{') {
		return 0, false
	}
	for d.More() {
		tok, err := d.Token()
		if err != nil {
			return 0, false
		}
		if k, _ := tok.(string); strings.EqualFold(k, "role") {
			n++
		}
		var v json.RawMessage
		if d.Decode(&v) != nil {
			return 0, false
		}
	}
	return n, true
}
