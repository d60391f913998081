package stream

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseWSRequest(t *testing.T) {
	tests := []struct {
		msg  string
		ok   bool
		want wsRequest
	}{
		{`{"type":"subscribe","session":"claude:0b5c-11"}`, true, wsRequest{Type: "subscribe", Session: "claude:0b5c-11"}},
		{`{"type":"clear","session":"opencode:ses_abc"}`, true, wsRequest{Type: "clear", Session: "opencode:ses_abc"}},
		{`{"type":"clear","session":"claude:x","waitingSince":42}`, true, wsRequest{Type: "clear", Session: "claude:x", WaitingSince: 42}},
		{`{"type":"clear","session":"claude:x","waitingSince":-42}`, false, wsRequest{}},
		{`{"type":"unsubscribe","session":"claude:x","waitingSince":42}`, false, wsRequest{}},
		{` {"session":"claude:x","type":"unsubscribe"} `, true, wsRequest{Type: "unsubscribe", Session: "claude:x"}},
		{`{"type":"clear","session":"claude:x","extra":1}`, false, wsRequest{}},
		{`{"type":"clear","session":"claude:x"}{"type":"clear"}`, false, wsRequest{}},
		{`{"type":"clear","session":"claude:"}`, false, wsRequest{}},
		{`{"type":"clear","session":"claude"}`, false, wsRequest{}},
		{`{"type":"clear","session":"claude:a b"}`, false, wsRequest{}},
		{`{"type":"clear","session":"claude:a\u0007"}`, false, wsRequest{}},
		{`{"type":"clear","session":"claude:` + strings.Repeat("a", maxKeyLen) + `"}`, false, wsRequest{}},
		{`{"type":"CLEAR","session":"claude:x"}`, false, wsRequest{}},
		{`{"type":1,"session":"claude:x"}`, false, wsRequest{}},
		{`[]`, false, wsRequest{}},
		{``, false, wsRequest{}},
	}
	for _, tc := range tests {
		got, err := parseWSRequest([]byte(tc.msg))
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("%s: got %+v, %v; want %+v ok=%v", tc.msg, got, err, tc.want, tc.ok)
		}
		if err != nil && !errors.Is(err, errBadRequest) {
			t.Errorf("%s: error %v does not wrap errBadRequest", tc.msg, err)
		}
	}
}

// Whatever a client sends, parsing does not panic, accepts only known
// types and clean keys, and the reply is one valid JSON object without
// control characters a terminal or log would act on.
func FuzzParseWSRequest(f *testing.F) {
	f.Add([]byte(`{"type":"subscribe","session":"claude:abc"}`))
	f.Add([]byte(`{"type":"clear","session":"opencode:ses_1"}`))
	f.Add([]byte(`{"type":"clear","session":"claude:\u001b[2J"}`))
	f.Add([]byte(`{"type":"\xff","session":"claude:\xfe"}`))
	f.Fuzz(func(t *testing.T, msg []byte) {
		req, err := parseWSRequest(msg)
		if err == nil {
			switch req.Type {
			case wsSubscribe, wsUnsubscribe, wsClear:
			default:
				t.Fatalf("accepted type %q", req.Type)
			}
			if checkKey(req.Session) != nil || len(req.Session) > maxKeyLen {
				t.Fatalf("accepted key %q", req.Session)
			}
		}
		reply := encodeReply(req, err)
		var back wsReply
		if jerr := json.Unmarshal(reply, &back); jerr != nil || back.Event != "reply" || back.OK != (err == nil) {
			t.Fatalf("reply %s: %v", reply, jerr)
		}
		if !utf8.ValidString(back.Error) || strings.ContainsAny(back.Session, "\x1b\r\n") {
			t.Fatalf("reply carries raw input: %q", reply)
		}
	})
}
