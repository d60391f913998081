package feed

import (
	"fmt"

	"vibecraft.sh/helm/shared"
	"vibecraft.sh/helm/shared/snapshot"
)

// A machine with Options.SnapshotURL that holds no cursor does not open
// the stream for its init: it fetches the snapshot first (every session,
// compact, decoded without reflection; shared/snapshot), hands it on as
// the init, and opens the stream resumed from the snapshot's
// EventIDHeader. The fetch takes the place of the stream attempt: it has
// the attempt's generation, the watchdog covers it, and closing the
// stream (an error, Close, a reopen) cancels it. When it fails (an older
// helmd, a network fault, a body that does not decode, no id) nothing
// is applied and the stream opens without a cursor: its init brings the
// list as before. A 409 is another Helm, as for any request.

// fetch is an attempt's snapshot request, standing in for its stream.
type fetch func()

func (f fetch) Close() { f() }

// fetchSnapshot starts the snapshot request of attempt gen.
func (m *Machine) fetchSnapshot(gen int) {
	m.stream = fetch(m.o.Poller.Poll(withInstance(m.o.SnapshotURL, m.o.Instance), func(body []byte, id string, err error) {
		m.post(func() { m.onSnapshot(gen, body, id, err) })
	}))
}

func (m *Machine) onSnapshot(gen int, body []byte, id string, err error) {
	if !m.live(gen) {
		return
	}
	m.stream = nil // the request is over
	var sessions []shared.Session
	if err == nil {
		if sessions, err = snapshot.Decode(body); err != nil {
			m.stats.BadEvents++
		}
	}
	if err == nil && id == "" {
		err = fmt.Errorf("snapshot without %s", EventIDHeader)
	}
	if err != nil {
		if httpStatus(err) == statusOtherHelm {
			m.elsewhere()
			return
		}
		m.stats.SnapshotFailures++
		m.openStream(gen) // without a cursor: its init brings the list
		return
	}
	m.stats.Snapshots++
	m.setCursor(id)
	m.o.OnEvent(shared.Event{Type: shared.EventInit, Sessions: sessions, Timestamp: m.o.Clock.Now().UnixMilli()})
	if !m.live(gen) {
		return // OnEvent closed the machine
	}
	m.openStream(gen)
}
