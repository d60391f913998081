package ui

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/el"
	"vibecraft.sh/helm/shared"
)

// rowList is the list's rows, a component of their own so that they are
// drawn again only when what they show changed. go-app renders the page
// again after every dispatch to it (each step of the feed, a save, a
// tick, the connection's state), and updates a child component only when
// one of its exported fields differs from the new render's
// (reflect.DeepEqual); when none does, the rows are neither rendered nor
// diffed. At a first visit, in V8's baseline code, rendering and diffing
// 50 rows took 40–90 ms each time, several times before the page was
// Live. So every input of the rows is a field, and the clock enters only
// as the text each row shows (rowTimeText): a tick that moves no
// "3 h ago" redraws nothing. The count of the rows not shown is the
// page's ("Show more"): at the start the page's 60 sessions become the
// whole list, and the first 50 rows stay as they were.
type rowList struct {
	app.Compo

	Rows      []shared.Session // a copy (list.Result.Head): compared by value
	Times     []string         // each row's time as shown
	Attention []bool           // each row's "needs you" mark
	Search    string           // highlighted in the rows
	Selected  string           // the selected row's key
	ManyHosts bool             // rows name their machine
	Offline   bool             // helmd does not answer: statuses are the last known

	// page handles the rows' events. Unexported, so go-app neither
	// compares nor replaces it: the first one stays, and the page is the
	// same for the component's life.
	page *Home
}

func (l *rowList) Render() app.UI {
	return el.Ul().ID("sessions").Aria("label", "Sessions").OnClick(l.page.onRowClick).
		Body(app.Range(l.Rows).Slice(func(i int) app.UI {
			s := &l.Rows[i]
			return withHost(row(s, l.Times[i], l.Search, s.Key() == l.Selected, l.Attention[i], l.Offline), s, l.ManyHosts)
		}))
}
