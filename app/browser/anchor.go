package browser

// Box is a list row's key and vertical extent, in viewport pixels.
type Box struct {
	Key         string
	Top, Bottom float64
}

// maxAnchorRows bounds the rows looked at for an anchor: the first
// rows on screen that an update does not move are what the user reads.
const maxAnchorRows = 50

// PickAnchor chooses the row to hold still across an update, from rows
// in document order. readTop is where the reading area starts (below
// the sticky header), height the viewport's height. The preferred row
// (the selection) wins when it is visible there; else the first row
// visible at least in part that the update does not move. A row the
// update moves is no anchor: the page would follow it.
func PickAnchor(preferred string, rows []Box, readTop, height float64, moving func(key string) bool) (Anchor, bool) {
	if preferred != "" {
		for _, r := range rows {
			if r.Key == preferred && r.Top >= readTop && r.Top < height {
				return Anchor{Key: r.Key, Top: r.Top}, true
			}
		}
	}
	seen := 0
	for _, r := range rows {
		if r.Bottom <= readTop {
			continue // above the reading area (under the header or scrolled past)
		}
		if r.Top >= height || seen == maxAnchorRows {
			break
		}
		seen++
		if !moving(r.Key) {
			return Anchor{Key: r.Key, Top: r.Top}, true
		}
	}
	return Anchor{}, false
}

// Shift is how far to scroll so the anchor's row, now at top, is back
// where it was: positive scrolls down (rows were added above it).
func Shift(a Anchor, top float64) float64 { return top - a.Top }
