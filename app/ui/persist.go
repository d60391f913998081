package ui

import (
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// Saving the list to browser storage encodes every session to JSON on
// the UI goroutine. For a few hundred sessions that is quick and is done
// after every update; for thousands it takes long enough to stall typing,
// so a big list is saved at most every saveEvery, the last change always
// included (a trailing save).
const (
	bigList   = 1000
	saveEvery = 3 * time.Second
)

// persist saves the list after an applied update, now or soon.
func (h *Home) persist() {
	if h.machine == nil {
		return // not in a browser
	}
	since := time.Since(h.savedAt)
	if h.sessions.Len() < bigList || since >= saveEvery {
		h.save()
		return
	}
	if h.saveTimer != nil {
		return // a save is already due, and will include this change
	}
	ctx := h.ctx
	h.saveTimer = time.AfterFunc(saveEvery-since, func() {
		ctx.Dispatch(func(app.Context) {
			if h.saveTimer != nil {
				h.saveTimer = nil
				h.save()
			}
		})
	})
}

// storageAtKey holds the SavedAt of the list under storageKey.
const storageAtKey = storageKey + ".at"

func (h *Home) save() {
	h.savedAt = time.Now()
	st := h.ctx.LocalStorage()
	if err := st.Set(storageKey, h.sessions.Snapshot(h.dataAt, h.watched)); err != nil {
		app.Log("helm: saving the list failed:", err) // quota: the live list still works
		st.Del(storageAtKey)
		return
	}
	if err := st.Set(storageAtKey, h.dataAt); err != nil {
		st.Del(storageAtKey) // without it, restore decodes the list to learn its age
	}
}

// stopSaving cancels a pending save (on dismount).
func (h *Home) stopSaving() {
	if h.saveTimer != nil {
		h.saveTimer.Stop()
		h.saveTimer = nil
	}
}
