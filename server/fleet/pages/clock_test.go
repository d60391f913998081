package pages

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzHeaderOnHubClock: whatever a machine answers, an amended header is
// a JSON object with the hub's host and offset, and every other field
// the machine sent, as it sent it (compacted, as json.Marshal writes a
// raw value); a body that is not a header is left alone.
func FuzzHeaderOnHubClock(f *testing.F) {
	for _, s := range []string{
		`{"id":"a","source":"claude","updatedAt":5,"question":"x","transcripts":["/t"],"newer":{"n":[1,2]}}`,
		`{"id":"a","host":"itself","hostClockAheadMs":12}`,
		`{"id":null}`, `{"transcripts":[]}`, `[]`, `"id"`, `{"id":"a","id":"b"}`, `<html>`, ``,
	} {
		f.Add([]byte(s), `late"<b>`, int64(-600_000))
	}
	f.Fuzz(func(t *testing.T, body []byte, host string, ahead int64) {
		out, ok := HeaderOnHubClock(body, host, ahead)
		var in map[string]json.RawMessage
		isHeader := json.Unmarshal(body, &in) == nil && in["id"] != nil
		if ok != isHeader {
			t.Fatalf("ok %v for %q, a header: %v", ok, body, isHeader)
		}
		if !ok {
			return
		}
		var got map[string]json.RawMessage
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("amended %q is not a JSON object: %v", out, err)
		}
		var gotHost string
		var gotAhead int64
		if json.Unmarshal(got["host"], &gotHost) != nil || json.Unmarshal(got["hostClockAheadMs"], &gotAhead) != nil || gotAhead != ahead {
			t.Fatalf("amended %q: host %s, offset %s; want %q, %d", out, got["host"], got["hostClockAheadMs"], host, ahead)
		}
		if want, _ := json.Marshal(host); !bytes.Equal(got["host"], want) {
			t.Fatalf("host %s, want %s", got["host"], want)
		}
		for k, v := range in {
			if k == "host" || k == "hostClockAheadMs" {
				continue
			}
			// As json.Marshal writes a raw value: compacted, and <, >, &,
			// U+2028 and U+2029 escaped.
			var compact, want bytes.Buffer
			if err := json.Compact(&compact, v); err != nil {
				t.Fatal(err)
			}
			json.HTMLEscape(&want, compact.Bytes())
			if !bytes.Equal(got[k], want.Bytes()) {
				t.Fatalf("field %q: %s, the machine sent %s", k, got[k], v)
			}
		}
		if len(got) != len(in)+2-countOf(in, "host", "hostClockAheadMs") {
			t.Fatalf("amended %q has fields the machine did not send", out)
		}
	})
}

func countOf(m map[string]json.RawMessage, keys ...string) int {
	n := 0
	for _, k := range keys {
		if _, ok := m[k]; ok {
			n++
		}
	}
	return n
}
