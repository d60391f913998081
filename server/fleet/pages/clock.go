package pages

import (
	"encoding/json"
	"strconv"
)

// HeaderOnHubClock is a session's header (a SessionDetail's JSON, whose
// session fields are at its top: the type embeds Session) as a machine
// answered it, with host and the offset of the machine's clock that the
// hub measured (hostClockAheadMs) set: the machine does not know its
// clock is off, and a page tells how long ago by them. Every other field
// stays as the machine sent it, a newer machine's too. ok is false for a
// body that is not a header (not a JSON object with an "id").
func HeaderOnHubClock(body []byte, host string, aheadMs int64) (out []byte, ok bool) {
	var d map[string]json.RawMessage
	if json.Unmarshal(body, &d) != nil || d["id"] == nil {
		return nil, false
	}
	name, err := json.Marshal(host)
	if err != nil {
		return nil, false
	}
	d["host"], d["hostClockAheadMs"] = name, json.RawMessage(strconv.FormatInt(aheadMs, 10))
	out, err = json.Marshal(d)
	return out, err == nil
}
