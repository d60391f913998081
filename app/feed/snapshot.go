package feed

import (
	"fmt"
	"time"

	"vibecraft.sh/helm/shared"
	"vibecraft.sh/helm/shared/snapshot"
)

// A machine with Options.SnapshotURL that holds no cursor does not wait
// for the stream's init: it fetches the snapshot (every session,
// compact, decoded without reflection; shared/snapshot), and as soon as
// the snapshot's headers name its EventIDHeader (a HeadPoller), opens the
// stream resumed from that id, so the stream is open (Live) while the
// body still downloads and decodes: at 100,000 sessions that takes
// seconds. Events the stream sends meanwhile are held, and applied, in
// order, after the snapshot, which goes to OnEvent as the init. A Poller
// without headers first opens the stream when the snapshot is applied.
//
// The fetch is part of the attempt: it has the attempt's generation, the
// watchdog covers it, and closing the stream (an error, Close, a reopen)
// cancels it. When it fails (an older helmd, a network fault, a body
// that does not decode, no id) nothing is applied, an early stream is
// closed, and a stream opens without a cursor: its init brings the list,
// as without a snapshot. A 409 is another Helm, as for any request.

// HeadPoller is a Poller that can also say an answer's EventIDHeader as
// soon as its headers arrive, before the body: head is called at most
// once, from any goroutine, before done, and only for a 2xx answer.
type HeadPoller interface {
	PollHead(url string, head func(eventID string), done func(body []byte, eventID string, err error)) (cancel func())
}

// maxHeld bounds the events held while a snapshot loads; past it the
// machine resyncs rather than grow without end.
const maxHeld = 4096

// decodeStep is how many sessions of a snapshot are decoded at a time,
// each part a task of its own, so that the page answers between them: at
// 100,000 sessions the whole took 0.2-0.5 s of wasm in one piece.
const decodeStep = 5000

// stepPause is the pause between two parts.
const stepPause = time.Millisecond

type snapState struct {
	pending bool              // a snapshot is under way in this attempt
	dec     *snapshot.Decoder // its body, while it is decoded
	id      string            // its id, once the headers said it
	early   bool              // the stream was opened from id before the body
	held    []heldEv          // stream events received meanwhile, in order
}

type heldEv struct{ typ, id, data string }

// both closes a snapshot request and the stream opened beside it.
type both [2]Stream

func (b both) Close() {
	for _, s := range b {
		if s != nil {
			s.Close()
		}
	}
}

// fetch is an attempt's snapshot request, standing in for its stream.
type fetch func()

func (f fetch) Close() { f() }

// fetchSnapshot starts the snapshot request of attempt gen.
func (m *Machine) fetchSnapshot(gen int) {
	m.snap = snapState{pending: true}
	url := WithInstance(m.o.SnapshotURL, m.o.Instance)
	done := func(body []byte, id string, err error) {
		m.post(func() { m.onSnapshot(gen, body, id, err) })
	}
	if hp, ok := m.o.Poller.(HeadPoller); ok {
		m.stream = fetch(hp.PollHead(url, func(id string) { m.post(func() { m.onSnapshotHead(gen, id) }) }, done))
		return
	}
	m.stream = fetch(m.o.Poller.Poll(url, done))
}

// onSnapshotHead opens the stream from the snapshot's id, before its body.
func (m *Machine) onSnapshotHead(gen int, id string) {
	if !m.live(gen) || !m.snap.pending || m.snap.early {
		return
	}
	// The cursor stays as it is until the snapshot is applied.
	valid := validID(id)
	if valid == "" {
		return // no id to resume from: the stream waits for the body
	}
	m.snap.id, m.snap.early = valid, true
	m.stream = both{m.stream, m.openStream(gen, valid)}
}

// hold keeps a stream event until the snapshot is applied.
func (m *Machine) hold(gen int, typ, id, data string) {
	if len(m.snap.held) == maxHeld {
		m.stats.BadEvents++
		m.resync(gen, fmt.Sprintf("more than %d events while the list loaded", maxHeld))
		return
	}
	m.snap.held = append(m.snap.held, heldEv{typ, id, data})
}

func (m *Machine) onSnapshot(gen int, body []byte, id string, err error) {
	if !m.live(gen) || !m.snap.pending || m.snap.dec != nil {
		return
	}
	if err == nil {
		var dec *snapshot.Decoder
		if dec, err = snapshot.NewDecoder(body); err == nil {
			m.snap.dec = dec
			m.decodeSnapshot(gen, dec, id)
			return
		}
		m.stats.BadEvents++
	}
	m.appliedSnapshot(gen, nil, id, err)
}

// decodeSnapshot decodes the next part of dec, then lets the page run
// (a timer) before the part after it. Events keep being held meanwhile.
func (m *Machine) decodeSnapshot(gen int, dec *snapshot.Decoder, id string) {
	if !m.live(gen) || m.snap.dec != dec {
		return // closed, or another attempt since
	}
	done, err := dec.More(decodeStep)
	switch {
	case err != nil:
		m.stats.BadEvents++
		m.appliedSnapshot(gen, nil, id, err)
	case done:
		m.appliedSnapshot(gen, dec.Sessions(), id, nil)
	default:
		// Not 0: in wasm, Go runs a timer that is already due without
		// returning to the browser; one in the future lets it paint and
		// handle input first.
		m.schedule(&m.snapStep, stepPause, func() { m.decodeSnapshot(gen, dec, id) })
	}
}

// appliedSnapshot ends the snapshot of attempt gen: it applies sessions,
// or, on err, falls back to a stream without a cursor.
func (m *Machine) appliedSnapshot(gen int, sessions []shared.Session, id string, err error) {
	st := m.snap
	m.snap = snapState{}
	switch {
	case err != nil:
	case id == "":
		err = fmt.Errorf("snapshot without %s", EventIDHeader)
	case st.early && id != st.id:
		err = fmt.Errorf("snapshot named %.40q, then %.40q", st.id, id)
	}
	if err != nil {
		if httpStatus(err) == statusOtherHelm {
			m.elsewhere()
			return
		}
		m.stats.SnapshotFailures++
		// Without a cursor, and without a snapshot this time: the
		// stream's init brings the list.
		m.closeStream()
		m.streamGen++
		m.stream = m.openStream(m.streamGen, "")
		m.armWatchdog()
		return
	}
	m.stats.Snapshots++
	m.setCursor(id)
	m.o.OnEvent(shared.Event{Type: shared.EventInit, Sessions: sessions, Timestamp: m.o.Clock.Now().UnixMilli()})
	if !m.live(gen) {
		return // OnEvent closed the machine
	}
	if !st.early {
		m.stream = m.openStream(gen, id)
		return
	}
	if s, ok := m.stream.(both); ok {
		m.stream = s[1] // the request is over
	}
	for _, ev := range st.held {
		m.onEvent(gen, ev.typ, ev.id, ev.data)
		if !m.live(gen) {
			return // a held event resynced
		}
	}
}
