package feed

import "time"

// timerSlot holds one pending timer; a fired callback runs only when its
// token is still the slot's (Stop may lose the race with a firing timer).
type timerSlot struct {
	t     Timer
	token int
}

// schedule replaces the slot's timer with one that runs f after d on the
// machine, unless the slot was rescheduled or stopped meanwhile.
func (m *Machine) schedule(slot *timerSlot, d time.Duration, f func()) {
	m.stopTimer(slot)
	token := slot.token
	slot.t = m.o.Clock.AfterFunc(d, func() {
		m.post(func() {
			if m.closed || slot.token != token {
				return
			}
			slot.t = nil
			slot.token++
			f()
		})
	})
}

func (m *Machine) stopTimer(slot *timerSlot) {
	if slot.t != nil {
		slot.t.Stop()
		slot.t = nil
	}
	slot.token++
}
