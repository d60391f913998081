package feed

import (
	"fmt"
	"time"
)

// statusOtherHelm (HTTP 409) is how a helmd answers a page that names
// another helmd's instance: the address now serves someone else's list.
const statusOtherHelm = 409 // not 421: the access guard answers that to an unknown Host

// elsewhere takes an answer that names another Helm (statusOtherHelm):
// nothing that server sends may be shown as this page's list. The
// stream, its timers and polling stop, and the cursor goes with the list
// the page now hides; the machine keeps asking which Helm answers at the
// address (checkLater), and its own Helm's first answer brings the page
// back (onPoll).
func (m *Machine) elsewhere() {
	m.checkLater("This address now serves another Helm: reload to see its sessions.")
}

// checkLater stays Elsewhere, saying why, and asks for the list (with the
// page's instance) again after a backoff: Backoff doubling per check, at
// most ElsewhereEvery, jittered, so that a page left open beside another Helm
// for hours costs a request every few seconds, and the page's own helmd,
// started again, is seen within seconds. The other Helm answering, or
// nothing, keeps the backoff going.
func (m *Machine) checkLater(why string) {
	if m.status.State != Elsewhere {
		m.checks = 0
	}
	m.checks++
	m.closeStream()
	m.stopTimer(&m.reconnect)
	m.stopTimer(&m.watchdog)
	m.stopPolling()
	m.setCursor("")
	m.failures, m.badRun, m.fallback = 0, 0, false
	d := m.checkDelay(m.checks)
	m.setState(Elsewhere, fmt.Sprintf("%s Checking again in %s for this page's Helm.", why, d.Round(100*time.Millisecond)))
	m.schedule(&m.pollNext, d, m.poll)
}

// checkDelay is the delay before check n (1-based) while Elsewhere.
func (m *Machine) checkDelay(n int) time.Duration {
	d := m.o.ElsewhereEvery
	if n <= 16 { // beyond, the shift would overflow; the bound is long reached
		d = min(d, m.o.Backoff<<(n-1))
	}
	return m.jitter(d)
}

// checkNow asks at once which Helm answers (Retry while Elsewhere): a
// stream would only be refused by the other Helm.
func (m *Machine) checkNow() {
	m.stopTimer(&m.pollNext)
	m.poll() // nothing when a check is in flight: its answer will do
}
