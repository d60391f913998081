package api

import (
	"bufio"
	"fmt"
	"net/http"
)

// listSince answers GET /api/sessions?since=<id>, where id is the
// EventIDHeader of a list the client holds, or the id of the last stream
// event it applied: a client that polls (a proxy that breaks the stream)
// or probes (an outage) gets what changed since, not the whole list
// again (76 MB of JSON at 100,000 sessions, every 5 s). It answers
//
//   - 304 Not Modified when nothing changed since id;
//   - the events since id, as the stream would replay them to a client
//     resuming from id (same ids, same data), in the WebSocket's form:
//     {"events":[{"event":<type>,"id":<id>,"data":{…}},…]}, which the
//     client applies in order as it applies the stream's;
//
// each with EventIDHeader naming the state the client then holds. done
// is false when the stream could not replay from id (another run of
// helmd, too old, not an id) or the events would be more than the list:
// the caller then answers the whole list, as without since.
func (a *API) listSince(w http.ResponseWriter, id string) (done bool, err error) {
	events, at, ok := a.all.Since(id)
	if !ok {
		return false, nil
	}
	h := w.Header()
	h.Set(EventIDHeader, at)
	// The answer depends on what the client holds: never one to keep.
	h.Set("Cache-Control", "no-store")
	if len(events) == 0 {
		w.WriteHeader(http.StatusNotModified)
		return true, nil
	}
	h.Set("Content-Type", "application/json; charset=utf-8")
	bw := bufio.NewWriterSize(w, 32<<10)
	var b []byte
	bw.WriteString(`{"events":[`)
	for i, ev := range events {
		if i > 0 {
			bw.WriteByte(',')
		}
		b = ev.AppendJSON(b[:0])
		bw.Write(b)
	}
	bw.WriteString("]}\n")
	if err := bw.Flush(); err != nil {
		return true, fmt.Errorf("write events: %w", err)
	}
	return true, nil
}
