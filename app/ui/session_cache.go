package ui

import (
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/shared"
	"vibecraft.sh/helm/shared/snapshot"
)

// The session page keeps, per session, the header and the last messages
// it showed in localStorage, so a reload or a bookmark offline shows
// them. Bounded: at most cachedPages sessions (least recently saved
// dropped first), each at most cachedMessages messages and cachedBytes
// of JSON (fewer messages are kept when they are bigger).
const (
	pageCacheIndex = "helm.pages.v1"
	pageCachePref  = "helm.page.v1:"
	cachedPages    = 8
	cachedMessages = 50
	cachedBytes    = 256 << 10
)

type cachedPage struct {
	Detail *shared.SessionDetail `json:"detail,omitempty"`
	Page   shared.MessagePage    `json:"page"`
	// Instance is the helmd the page came from: a page another helmd
	// serves at the address (its own sessions, perhaps one of the same
	// id) does not show it, as the list does not show another's list.
	Instance string `json:"instance,omitempty"`
}

// loadCachedPage is the copy saved of session key's page, when there is
// one and it is of the helmd instance (either unknown: taken).
func loadCachedPage(ctx app.Context, key, instance string) (cachedPage, bool) {
	var c cachedPage
	if err := ctx.LocalStorage().Get(pageCachePref+key, &c); err != nil || len(c.Page.Messages) == 0 {
		return cachedPage{}, false
	}
	if c.Instance != "" && instance != "" && c.Instance != instance {
		return cachedPage{}, false
	}
	return c, true
}

// saveDelay keeps the save (JSON encoding in wasm is slow) off the
// path from a page's arrival to its paint, and batches appends.
const saveDelay = time.Second

// saveCache stores the page's tail soon; a quota error only costs the copy.
func (p *SessionPage) saveCache() {
	if !p.mounted || !p.convo.Loaded || p.saveT != nil {
		return
	}
	ctx := p.ctx
	p.saveT = time.AfterFunc(saveDelay, func() {
		ctx.Dispatch(func(app.Context) {
			p.saveT = nil
			if p.mounted {
				p.saveNow()
			}
		})
	})
}

func (p *SessionPage) saveNow() {
	live := p.liveConvo() // the end, not a window away from it
	msgs := live.Tail(cachedMessages)
	c := cachedPage{Detail: p.detail, Page: shared.MessagePage{Messages: msgs, After: live.After}, Instance: p.which.Instance}
	if len(msgs) > 0 {
		c.Page.Before = msgs[0].Cursor
	}
	for size(c) > cachedBytes && len(c.Page.Messages) > 1 {
		c.Page.Messages = c.Page.Messages[len(c.Page.Messages)/2:]
		c.Page.Before = c.Page.Messages[0].Cursor
	}
	if size(c) > cachedBytes {
		return
	}
	st := p.ctx.LocalStorage()
	key := p.key()
	var index []string
	_ = st.Get(pageCacheIndex, &index) // none yet, or unreadable: start again
	keep := []string{key}
	for _, k := range index {
		if k != key {
			keep = append(keep, k)
		}
	}
	for len(keep) > cachedPages {
		st.Del(pageCachePref + keep[len(keep)-1])
		keep = keep[:len(keep)-1]
	}
	if err := st.Set(pageCachePref+key, c); err != nil {
		app.Log("helm: saving the session page failed:", err)
		return
	}
	if err := st.Set(pageCacheIndex, keep); err != nil {
		app.Log("helm: saving the page index failed:", err)
	}
}

func size(c cachedPage) int {
	n := 0
	for _, m := range c.Page.Messages {
		for _, b := range m.Blocks {
			n += len(b.Text) + 64
			if b.Tool != nil {
				n += len(b.Tool.Input) + len(b.Tool.Summary) + 64
				if b.Tool.Result != nil {
					n += len(b.Tool.Result.Text)
				}
			}
		}
	}
	return n
}

// savedRow is the page's session as the list saved in this browser has
// it (persist.go), when that list is of the page's helmd (either
// unknown: taken), as the list shows it offline; nil for a subagent's
// page, whose header is not its session's row.
func (p *SessionPage) savedRow(ctx app.Context) *shared.Session {
	var st stored
	if p.agent != "" || ctx.LocalStorage().Get(storageKey, &st) != nil ||
		st.Instance != "" && p.which.Instance != "" && st.Instance != p.which.Instance {
		return nil
	}
	sessions, err := snapshot.Decode(st.Snapshot)
	if err != nil {
		return nil // nothing saved, or not a list
	}
	key := p.source + ":" + p.id // shared.Session.Key
	if p.host != "" {
		key += "@" + p.host
	}
	for i := range sessions {
		if sessions[i].Key() == key {
			return &sessions[i]
		}
	}
	return nil
}

// rowDetail is a header of the list's row s until helmd's detail comes:
// what the list knows, its model (the last used) for the models.
func rowDetail(s *shared.Session) *shared.SessionDetail {
	d := withSummary(shared.SessionDetail{}, *s)
	if s.Model != "" {
		d.Models = []string{s.Model}
	}
	return &d
}
