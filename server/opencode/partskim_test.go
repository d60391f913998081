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
