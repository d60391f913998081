package api

import (
	"encoding/json"
	"fmt"
	"slices"

	"vibecraft.sh/helm/server/transcript"
	"vibecraft.sh/helm/shared"
)

// After an append the stream sends the last message it sent again, and
// the new ones. A message above that one can change too: a call it shows
// running is over once the session goes on past it (its process was
// killed; transcript/over.go), or its result is written after another
// message (it is then answered further down). A page left open showed
// such a call running for good, while a reload showed it over: when an
// API error, a command's output or a compaction summary was written
// after the call, the call's message is not the last one sent. So the
// stream keeps the messages the page holds that show a call running,
// and after an append reads each again; one that changed is sent again,
// in a page marked Again (the client replaces it, and adds nothing).

// maxOpen bounds the messages a stream keeps to read again: those of the
// last turn that show a call running, most often one or two. Past it
// the oldest is let go, and shows running until the page is reloaded.
const maxOpen = 16

// openMsg is a message the page holds that shows a call running.
type openMsg struct {
	cursor string
	sum    uint64 // messageHash of it as the page has it
}

// track notes, of msgs just sent, those that show a call running, and
// lets go of those sent again with none.
func (ps *pageStream) track(msgs []shared.Message) {
	for _, m := range msgs {
		i := slices.IndexFunc(ps.open, func(o openMsg) bool { return o.cursor == m.Cursor })
		switch {
		case m.ShowsRunning() && i >= 0:
			ps.open[i].sum = messageHash(m)
		case m.ShowsRunning():
			ps.open = append(ps.open, openMsg{cursor: m.Cursor, sum: messageHash(m)})
		case i >= 0:
			ps.open = slices.Delete(ps.open, i, i+1)
		}
	}
	if n := len(ps.open) - maxOpen; n > 0 {
		ps.open = slices.Delete(ps.open, 0, n)
	}
}

// seed notes the messages the page loaded before the stream's cursor
// (the last maxOpen) that show a call running: the stream did not send
// them, but an append can end their calls. A read that fails notes none.
func (ps *pageStream) seed() {
	page, err := ps.read(ps.ctx, transcript.Query{Before: ps.q.After, Limit: maxOpen})
	if err != nil {
		return
	}
	ps.track(page.Messages)
}

// resettle reads again each message kept that is not the last one sent
// (the next page sends that one again anyway) and sends those that
// changed in one messages event, its id the stream's cursor: a reconnect
// goes on from there as before.
func (ps *pageStream) resettle() error {
	var again []shared.Message
	keep := make([]openMsg, 0, len(ps.open))
	for _, o := range ps.open {
		if o.cursor == ps.q.After {
			keep = append(keep, o)
			continue
		}
		// The message at the cursor, and the next one: a page after a
		// cursor holds the message there and limit more.
		page, err := ps.read(ps.ctx, transcript.Query{After: o.cursor, Limit: 1})
		if err != nil {
			keep = append(keep, o) // as it was: a later append reads it again
			continue
		}
		if len(page.Messages) == 0 || page.Messages[0].Cursor != o.cursor {
			continue // no message starts there any more
		}
		m := page.Messages[0]
		sum := messageHash(m)
		if sum != o.sum {
			again = append(again, m)
		}
		if m.ShowsRunning() {
			keep = append(keep, openMsg{cursor: o.cursor, sum: sum})
		}
	}
	ps.open = keep
	if len(again) == 0 {
		return nil
	}
	data, err := json.Marshal(shared.MessagePage{Messages: again, After: ps.q.After, Again: true})
	if err != nil {
		return fmt.Errorf("encode the messages sent again: %w", err)
	}
	return ps.frame("messages", ps.q.After, data)
}
