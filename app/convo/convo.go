// Package convo holds the messages of the session page: the pages loaded
// so far, in transcript order, merged as older pages and appends arrive,
// with the row heights of the virtualised view. Plain Go.
package convo

import (
	"vibecraft.sh/helm/app/vwin"
	"vibecraft.sh/helm/shared"
)

// rowEstimate is the height (px) a message is assumed to have until it
// is measured: a short prompt or a few lines of answer.
const rowEstimate = 120

// Max is how many messages a Convo holds once appends pushed it past:
// Trim lets the oldest go, and they load again as pages above when the
// reader scrolls back up. A page left open all day on an agent that
// writes all day otherwise grew without end, and so did every walk of
// the messages (find, heights, the window). 3,000 is 60 pages of 50,
// hours of an agent's work to scroll back through before a page is
// asked for again, and at a few KB a message (texts are cut at 8 KB)
// some MB of the tab's memory. A variable for the tests.
var Max = 3000

// Convo is the loaded part of one transcript.
type Convo struct {
	Msgs    []shared.Message
	Heights *vwin.Heights
	// Before loads the page above Msgs; "" = the transcript's start is loaded.
	Before string
	// After asks for what was written since (and the last message again).
	After string
	// Loaded is whether any page arrived.
	Loaded bool
	idx    map[string]int
}

// New returns an empty conversation.
func New() *Convo { return &Convo{Heights: vwin.New(0, rowEstimate), idx: map[string]int{}} }

// Reset replaces everything with p, the transcript's last page.
func (c *Convo) Reset(p shared.MessagePage) {
	*c = *New()
	c.Loaded = true
	c.Before, c.After = p.Before, p.After
	for _, m := range p.Messages {
		if _, dup := c.idx[m.Cursor]; dup {
			continue
		}
		c.idx[m.Cursor] = len(c.Msgs)
		c.Msgs = append(c.Msgs, m)
	}
	c.Heights.Append(len(c.Msgs))
}

// Prepend adds an older page above the loaded messages and returns how
// many it added (messages already loaded are skipped).
func (c *Convo) Prepend(p shared.MessagePage) int {
	var add []shared.Message
	for _, m := range p.Messages {
		if _, dup := c.idx[m.Cursor]; !dup {
			add = append(add, m)
		}
	}
	c.Before = p.Before
	if len(add) == 0 {
		return 0
	}
	c.Msgs = append(add, c.Msgs...)
	c.reindex()
	c.Heights.Prepend(len(add))
	return len(add)
}

// Merge takes a page asked for with ?after=: a message already loaded is
// replaced (it grew: a tool result, the rest of a response), the others
// are appended. It returns how many were appended. A page marked Again
// (messages above the stream's last one that changed) only replaces: one
// not held (trimmed, or above a window's end) is not the newest.
func (c *Convo) Merge(p shared.MessagePage) int {
	added := 0
	for _, m := range p.Messages {
		if i, ok := c.idx[m.Cursor]; ok {
			c.Msgs[i] = m // re-measured when next shown
			continue
		}
		if p.Again {
			continue
		}
		c.idx[m.Cursor] = len(c.Msgs)
		c.Msgs = append(c.Msgs, m)
		added++
	}
	c.Heights.Append(added)
	if p.After != "" {
		c.After = p.After
	}
	c.Loaded = true
	return added
}

// Trim lets the oldest messages go once more than Max are held, none
// from index keep on (the rows shown, what the reader is on), and returns
// how many went and their height: the indices of the messages left, and
// the list's top, moved up by as much. Past Max it trims an eighth of Max
// more, so that a busy session's every append does not trim (and move
// the view) again. Before then names the first message left: scrolling
// up loads what went as pages above, as at open.
func (c *Convo) Trim(keep int) (n int, px float64) {
	if len(c.Msgs) <= Max {
		return 0, 0
	}
	n = min(len(c.Msgs)-Max+Max/8, keep, len(c.Msgs)-1)
	if n <= 0 {
		return 0, 0
	}
	// A copy: the slice past them would keep them all in the array.
	c.Msgs = append([]shared.Message(nil), c.Msgs[n:]...)
	c.reindex()
	c.Before = c.Msgs[0].Cursor
	return n, c.Heights.Drop(n)
}

// Tail is the last n messages (what is kept for offline reading).
func (c *Convo) Tail(n int) []shared.Message {
	return c.Msgs[max(0, len(c.Msgs)-n):]
}

func (c *Convo) reindex() {
	c.idx = make(map[string]int, len(c.Msgs))
	for i, m := range c.Msgs {
		c.idx[m.Cursor] = i
	}
}

// Index is the position of the message with cursor among those loaded.
func (c *Convo) Index(cursor string) (int, bool) {
	i, ok := c.idx[cursor]
	return i, ok
}
