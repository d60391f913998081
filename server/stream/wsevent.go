package stream

import (
	"encoding/json"
	"unicode/utf8"
)

// appendWSEvent appends one WebSocket event to b,
// {"event":<typ>[,"session":<session>][,"id":<id>],"data":<data>}: the form
// of the list's events (wsConn.write) and of a followed transcript's
// (encodePage), so a client reads both alike. typ, session and id become
// JSON strings, each left out but typ when empty; data is JSON already.
func appendWSEvent[S ~string | ~[]byte](b []byte, typ, session, id S, data []byte) []byte {
	b = appendWSHead(b, typ, session, id)
	b = append(b, data...)
	return append(b, '}')
}

// appendWSHead appends what appendWSEvent writes before data: a long
// frame's data follows it in pieces (wsConn.writeLong), then '}'.
func appendWSHead[S ~string | ~[]byte](b []byte, typ, session, id S) []byte {
	b = append(b, `{"event":`...)
	b = appendJSONString(b, typ)
	if len(session) > 0 {
		b = append(b, `,"session":`...)
		b = appendJSONString(b, session)
	}
	if len(id) > 0 {
		b = append(b, `,"id":`...)
		b = appendJSONString(b, id)
	}
	return append(b, `,"data":`...)
}

// appendJSONString appends s as json.Marshal writes it. Event types and
// ids are plain ASCII and go in as they are, without an allocation; a
// session key, which a client sent, may need escaping.
func appendJSONString[S ~string | ~[]byte](b []byte, s S) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(string(s)) // a string: cannot fail
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
