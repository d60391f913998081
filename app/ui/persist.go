package ui

import (
	"errors"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/browser"
	"vibecraft.sh/helm/app/list"
	"vibecraft.sh/helm/shared/snapshot"
)

// Saving the list to browser storage encodes every session (stored) on
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
	if h.sessions.Len() < bigList {
		h.save()
		return
	}
	if h.saveTimer != nil {
		return // a save is already due, and will include this change
	}
	// A save waits for a timer even when it is due, and the first one
	// waits a whole saveEvery: at the start the list has just come from
	// the server, and a save then (tens of ms at 5,000 sessions in V8's
	// baseline code) ran before the page could take the stream's opening,
	// and was Live that much later. In wasm a timer that is already due
	// runs without returning to the browser, so a delay of 0 would not
	// let the page draw first either.
	wait := saveEvery
	if !h.savedAt.IsZero() {
		wait = max(0, saveEvery-time.Since(h.savedAt))
	}
	ctx := h.ctx
	h.saveTimer = time.AfterFunc(wait, func() {
		ctx.Dispatch(func(app.Context) {
			if h.saveTimer != nil {
				h.saveTimer = nil
				h.save()
			}
		})
	})
}

// cached is what browser storage holds (in its stored form): the list,
// and the id of the stream event it is exact as of (feed.Machine.
// LastEventID, read on the UI goroutine where the list changes, so the
// two always match). A start from the cache resumes the stream from that
// id; with none (a big list saved in part, or while the feed had no
// cursor) the stream starts with a fresh init. Both are one value under
// one key, so a failed save cannot pair a list with another list's id.
type cached struct {
	list.Snapshot
	EventID string
	// Instance is the helmd the list came from: another one's saved list
	// is never shown as this one's.
	Instance string
	// Total is how many sessions the list had when only its newest
	// cacheMax were saved; 0: the whole list was.
	Total int
}

// cacheMax bounds the list kept in browser storage, against a quota of
// about 5 MB an origin, and encoded on the UI goroutine (as JSON,
// 100,000 sessions took seconds, to fail on the quota). A bigger list
// keeps its newest cacheMax sessions, with the count and without an id:
// like the page's seed, a first screen shown at once (offline too), not
// a base the stream can resume from.
const cacheMax = 2000

// cacheOf is what save stores for l.
func cacheOf(l *list.List, savedAt int64, watched []string, eventID, instance string) cached {
	c := cached{Snapshot: l.Snapshot(savedAt, watched), EventID: eventID, Instance: instance}
	if n := len(c.Sessions); n > cacheMax {
		c.Sessions, c.Total, c.EventID = c.Sessions[:cacheMax], n, ""
	}
	return c
}

// storageAtKey holds the SavedAt of the list under storageKey.
const storageAtKey = storageKey + ".at"

// stored is cached as browser storage holds it: the sessions in the
// snapshot's compact form (shared/snapshot, base64 in the JSON). As JSON
// objects, saving 2,000 sessions (cacheMax) took 81 ms of encoding in the
// page's one thread, every saveEvery while sessions change, and about
// 1 KB a session of the origin's ~5 MB quota.
type stored struct {
	Snapshot []byte   `json:"snapshot"`
	SavedAt  int64    `json:"savedAt"`
	Watched  []string `json:"watched,omitempty"`
	EventID  string   `json:"eventId,omitempty"`
	Instance string   `json:"instance,omitempty"`
	Total    int      `json:"total,omitempty"`
}

// storedOf is c in its storage form.
func storedOf(c cached) (stored, error) {
	b, err := snapshot.Marshal(c.Sessions)
	if err != nil {
		return stored{}, err
	}
	return stored{Snapshot: b, SavedAt: c.SavedAt, Watched: c.Watched, EventID: c.EventID, Instance: c.Instance, Total: c.Total}, nil
}

// errNothingSaved is cached's error when storage holds no list, as on a
// first visit: nothing to decode. Decoding an empty snapshot built its
// error with fmt before the page was Live, code V8 compiles at its first
// use.
var errNothingSaved = errors.New("no list saved")

// cached reads s back. A list whose sessions do not decode is no list.
func (s stored) cached() (cached, error) {
	if len(s.Snapshot) == 0 {
		return cached{}, errNothingSaved
	}
	sessions, err := snapshot.Decode(s.Snapshot)
	if err != nil {
		return cached{}, err
	}
	return cached{Snapshot: list.Snapshot{Sessions: sessions, SavedAt: s.SavedAt, Watched: s.Watched},
		EventID: s.EventID, Instance: s.Instance, Total: s.Total}, nil
}

func (h *Home) save() {
	h.savedAt = time.Now()
	st := h.ctx.LocalStorage()
	// The previous client's list: its quota is this one's. At each save,
	// not once: a tab still running that client keeps writing it.
	st.Del(oldStorageKey)
	st.Del(oldStorageKey + ".at")
	c, err := storedOf(cacheOf(h.sessions, h.dataAt, h.watched, h.machine.LastEventID(), h.instance))
	if err == nil {
		err = st.Set(storageKey, c)
	}
	if err != nil {
		app.Log("helm: saving the list failed:", err) // quota: the live list still works
		st.Del(storageAtKey)
		return
	}
	if err := st.Set(storageAtKey, h.dataAt); err != nil {
		st.Del(storageAtKey) // without it, restore decodes the list to learn its age
	}
	// Saved for an offline start, which needs the service worker too:
	// site data cleared while the page is open takes both, and this save
	// brings back only the list. Started, once the page has been Live
	// (its start over, the worker registered), has the loader register
	// the worker again if it is gone.
	if h.wasLive {
		browser.Started()
	}
}

// stopSaving cancels a pending save (on dismount).
func (h *Home) stopSaving() {
	if h.saveTimer != nil {
		h.saveTimer.Stop()
		h.saveTimer = nil
	}
}
