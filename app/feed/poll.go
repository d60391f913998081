package feed

import (
	"bytes"
	"encoding/json"
	"fmt"

	"vibecraft.sh/helm/shared"
)

// startPolling enters the fallback: poll now and every PollEvery, retry
// the stream every RetryEvery. The state becomes Polling or Offline with
// the first poll's answer.
func (m *Machine) startPolling(reason string) {
	m.fallback = true
	st := m.status.State
	if st == Live {
		st = Connecting // a stream that opened, then kept sending bad events
	}
	m.setState(st, reason)
	m.schedule(&m.reconnect, m.o.RetryEvery, m.retryStream)
	m.poll()
}

func (m *Machine) stopPolling() {
	m.stopTimer(&m.pollNext)
	m.pollGen++
	if m.pollCancel != nil {
		m.pollCancel()
		m.pollCancel = nil
	}
}

// poll fetches the REST list: periodically in the fallback, once per
// stream failure during the backoff (a probe).
func (m *Machine) poll() {
	if m.closed || m.streamOpen || m.pollCancel != nil {
		return
	}
	m.pollGen++
	gen, from := m.pollGen, m.lastID
	u := WithInstance(m.o.PollURL, m.o.Instance)
	if from != "" {
		u = withParam(u, "since", from) // only what changed since the list held
	}
	m.pollCancel = m.o.Poller.Poll(u, func(body []byte, eventID string, err error) {
		m.post(func() { m.onPoll(gen, from, body, eventID, err) })
	})
}

// statusNotModified (HTTP 304) answers a poll whose list is the server's.
const statusNotModified = 304

// sinceEvent is a stream event as the list answers ?since= with it.
type sinceEvent struct {
	Event shared.EventType
	ID    string
	Data  json.RawMessage
}

// onPoll takes a poll or probe answer. Only one poll is in flight at a
// time and any stream event or open discards it (stopPolling), so an
// answer that arrives here is newer than every event applied: it may
// replace the list and the cursor. A stream attempt still connecting
// meanwhile is rebased when it opens (onOpen).
//
// A poll names the list held (from, its cursor) with ?since=, and the
// server answers what changed since: 304 when nothing did, else the
// stream's events after from, applied in order as the stream's are, or
// the whole list when it cannot tell (an older helmd, an id it no
// longer reaches). Events that fail to apply drop the cursor, so the
// next poll brings the whole list; events for another list than the one
// now held (a snapshot applied meanwhile) are not applied.
//
// An answer after the server was unreachable means it is back: the
// stream is retried at once, with a fresh budget, rather than at the next
// backoff step or periodic retry (up to a minute later). While nothing
// answers, the list is polled every OfflinePollEvery, so that moment is
// noticed within seconds. While another Helm holds the address
// (Elsewhere), a check is this poll; a failure schedules the next
// (checkLater), and the first list is the page's own Helm back.
func (m *Machine) onPoll(gen int, from string, body []byte, eventID string, err error) {
	if m.closed || gen != m.pollGen {
		return
	}
	m.pollCancel = nil
	var sessions []shared.Session
	var since struct{ Events []sinceEvent }
	whole := err == nil && !bytes.HasPrefix(body, []byte("{"))
	if err == nil {
		into := any(&sessions)
		if !whole {
			into = &since
		}
		if jerr := json.Unmarshal(body, into); jerr != nil {
			m.stats.BadEvents++
			err = fmt.Errorf("%w: %w", errBadList, jerr)
		}
	} else if httpStatus(err) == statusNotModified {
		err = nil
	}
	if err != nil {
		m.stats.PollFailures++
		switch {
		case httpStatus(err) == statusOtherHelm:
			m.elsewhere()
			return
		case m.status.State == Elsewhere:
			// Not this page's Helm either: the other may have stopped,
			// and this one not started yet. Only its answer ends the wait.
			m.checkLater("Another Helm answered at this address before. " + PlainError(err))
			return
		}
		m.setState(Offline, PlainError(err))
		every := m.o.OfflinePollEvery
		if m.fallback {
			every = min(every, m.o.PollEvery)
		}
		m.schedule(&m.pollNext, every, m.poll)
		return
	}
	// Offline, or Elsewhere: the page's own Helm answers again.
	back := m.status.State == Offline || m.status.State == Elsewhere
	m.stats.Polls++
	if whole {
		m.setCursor(eventID) // none: the list is of no known event
		m.o.OnEvent(shared.Event{Type: shared.EventRefresh, Sessions: sessions, Timestamp: m.o.Clock.Now().UnixMilli()})
	}
	for _, ev := range since.Events {
		if m.closed || from != m.lastID {
			break // closed by OnEvent; or not for this list
		}
		if m.apply(ev.Event, ev.ID, ev.Data) != nil {
			m.setCursor("")
		}
		from = ev.ID
	}
	if m.closed {
		return // OnEvent closed the machine
	}
	switch {
	case back:
		m.reopen("the server answers again; reopening the stream")
	case m.fallback:
		m.setState(Polling, fmt.Sprintf("stream unavailable; polling every %s, retrying the stream every %s", m.o.PollEvery, m.o.RetryEvery))
		m.schedule(&m.pollNext, m.o.PollEvery, m.poll)
	}
}

// reopen tries the stream now with a fresh budget of attempts, leaving
// the fallback: what Retry does, from inside the machine.
func (m *Machine) reopen(reason string) {
	m.failures = 0
	m.badRun = 0
	m.fallback = false
	m.stopTimer(&m.reconnect)
	m.stopPolling()
	m.setState(Connecting, reason)
	m.connect()
}
