package ui

import (
	"fmt"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/el"
	"vibecraft.sh/helm/app/md"
	"vibecraft.sh/helm/shared"
)

// filtered reports whether the view leaves sessions out: a search or a
// filter, not the sort.
func (h *Home) filtered() bool {
	q := h.query
	q.Sort = ""
	return !q.IsZero()
}

// countText is #count: all sessions, or how many of them the view keeps.
func (h *Home) countText(all int) string {
	figures, noun, _ := h.countParts(all)
	return figures + noun
}

// countParts is #count in two parts, its figures ("3 of 12") and its
// noun (" sessions"), and whether a filter or a search applies. A
// phone shows a filtered count without the noun: beside the connection
// and the waiting badge, "3 of 12 sessions" was cut to "3 of 12 sessi…".
func (h *Home) countParts(all int) (figures, noun string, filtered bool) {
	noun = " sessions"
	if all == 1 {
		noun = " session"
	}
	if !h.filtered() {
		return grouped(all), noun, false
	}
	return fmt.Sprintf("%s of %s", grouped(h.view().Len()), grouped(all)), noun, true
}

// renderWaiting is the header badge counting sessions that wait for
// the user (waitingCount); it shows the waiting sessions when clicked.
func (h *Home) renderWaiting() app.UI {
	n := h.waitingCount()
	if n == 0 {
		return nil
	}
	return el.Button().ID("waiting").Class("badge").
		Title("%s", "Show the sessions waiting for your input").
		Text(fmt.Sprintf("%s waiting", grouped(n))).
		OnClick(h.onShowWaiting)
}

// renderFilters is the search box, the filters and the sort. On a
// phone the filters fold behind one button (CSS shows it there only),
// so the header leaves the screen to the list.
func (h *Home) renderFilters() app.UI {
	q := h.query
	expanded, div := "false", el.Div().ID("filters").Class("filters").Role("search")
	if h.filtersOpen {
		expanded, div = "true", div.DataSet("open", "true")
	}
	return div.Body(
		el.Input().ID(searchID).Attr("type", "search").
			Attr("placeholder", "Search  ( / )").
			Title("%s", "Search titles, first prompts, project paths, branches and models: every word, in any order; / to focus, Esc to clear").
			Aria("label", "Search sessions").Attr("autocomplete", "off").Spellcheck(false).
			Attr("value", attr(h.typed)).
			OnInput(h.onSearch),
		el.Button().ID("filters-toggle").Aria("expanded", expanded).Aria("controls", "filter-controls").
			Title("Show or hide the filters").Text(h.filtersLabel()).OnClick(h.onFiltersToggle),
		el.Div().ID("filter-controls").Body(
			h.renderSelect("source", "Source", orAll(string(q.Source)), h.onSource, []option{
				{anyValue, "All sources"},
				{string(shared.SourceClaude), shared.SourceClaude.Label()},
				{string(shared.SourceOpenCode), shared.SourceOpenCode.Label()},
			}),
			h.renderSelect("project", "Project", orAll(q.Project), h.onProject, h.projectOptions()),
			h.renderHostFilter(), // host.go: only when more than one machine is known
			h.renderStatus(),
			h.renderSelect("sort", "Sort by", sortValue(q.Sort), h.onSort, []option{
				{shared.SortActivity, "Last activity"},
				{shared.SortCreated, "Created"},
				{shared.SortCost, "Cost"},
				{shared.SortMessages, "Messages"},
			}),
		),
		h.renderChips(),
		h.renderClear(),
	)
}

// renderChips shows the filters that have no control of their own, a
// model or a day the usage page linked to, each with a button that
// drops it: the list they filtered said only "4 of 6 sessions".
func (h *Home) renderChips() app.UI {
	q := h.query
	chip := func(filter, label, title string) app.UI {
		return el.Span().Class("chip").DataSet("filter", filter).Title("%s", attr(title)).Body(
			el.Span().Text(label),
			el.Button().Class("drop").DataSet("filter", filter).Aria("label", "Drop the filter: "+attr(label)).
				Title("Show the sessions of every "+filter).Text("×").OnClick(h.onDropFilter),
		)
	}
	// Always there, empty when no such filter applies: the children
	// after it keep their places (go-app diffs by position).
	return el.Span().ID("chips").Body(
		app.If(q.Model != "", func() app.UI { return chip("model", "Model: "+md.Clean(shared.ModelWords(q.Model)), md.Clean(q.Model)) }),
		app.If(q.Day != "", func() app.UI { return chip("day", "Active on "+q.Day, "Sessions active on "+q.Day+", your local time") }),
	)
}

// onDropFilter is a chip's ×: its filter goes, the others stay.
func (h *Home) onDropFilter(ctx app.Context, _ app.Event) {
	q := h.query
	switch ctx.JSSrc().Get("dataset").Get("filter").String() {
	case "model":
		q.Model = ""
	case "day":
		q.Day = ""
	}
	h.setQuery(ctx, q)
}

// renderClear is always laid out, hidden while there is nothing to
// clear: appearing at the first keystroke, it would push the row along
// (or onto a new line) and make the list jump.
func (h *Home) renderClear() app.UI {
	b := el.Button().ID("clear").Title("%s", "Clear the search and the filters (Esc)").Text("Clear").OnClick(h.onClear)
	if h.query == (shared.Query{Sort: h.query.Sort}) { // Clear keeps the sort
		return b.DataSet("idle", "true").Aria("hidden", "true").TabIndex(-1)
	}
	return b
}

// filtersLabel is the phone's filter button: it says when filters apply.
func (h *Home) filtersLabel() string {
	q := h.query
	q.Search, q.Sort = "", ""
	if q.IsZero() {
		return "Filters"
	}
	return "Filters •"
}

func (h *Home) onFiltersToggle(ctx app.Context, _ app.Event) { h.filtersOpen = !h.filtersOpen }

func sortValue(s string) string {
	if s == "" {
		return shared.SortActivity
	}
	return s
}

// anyValue is the value of a filter's "All" choice. It cannot be empty:
// go-app v10.1.11 drops empty value attributes (attribute.go switches on
// the value, not the name), and an <option> without one takes its text
// as its value; a <select> whose value attribute is dropped keeps showing
// the old choice.
const anyValue = "all"

// orAll is v, or anyValue for "".
func orAll(v string) string {
	if v == "" {
		return anyValue
	}
	return v
}

// fromAll is the filter value of a control's value.
func fromAll(v string) string {
	if v == anyValue {
		return ""
	}
	return v
}

type option struct{ value, label string }

// renderSelect is a labelled <select>. The value is set both ways: the
// option's selected attribute for the first paint, the select's value
// property (go-app sets "value" as a property) for later changes, which
// an attribute would not show once the user has picked something.
func (h *Home) renderSelect(id, label, value string, onChange app.EventHandler, opts []option) app.UI {
	return el.Select().ID(id).Aria("label", label).Title("%s", label).Attr("value", attr(value)).
		OnChange(onChange).
		Body(app.Range(opts).Slice(func(i int) app.UI {
			o := el.Option().Attr("value", attr(opts[i].value)).Text(opts[i].label)
			if opts[i].value == value {
				o = o.Attr("selected", true)
			}
			return o
		}))
}

// projectOptions lists every project with its session count, the most
// recently active first.
//
// At most maxProjectOptions are listed (and the selected one): a list of
// 100,000 sessions had 3,333 projects, whose options the page built and
// compared on every change while nobody could scroll through them. The
// rest are named by a last option (which shows all projects); a search
// finds their sessions.
func (h *Home) projectOptions() []option {
	ps := h.sessions.Projects(h.query)
	shown := ps[:min(len(ps), maxProjectOptions)]
	opts := make([]option, 0, len(shown)+3)
	// Every option counts sessions, this one too (it counted projects,
	// under options that count sessions).
	all := 0
	for _, p := range ps {
		all += p.Count
	}
	opts = append(opts, option{anyValue, fmt.Sprintf("All projects (%s)", grouped(all))})
	for _, p := range shown {
		opts = append(opts, option{p.Path, fmt.Sprintf("%s (%s)", md.Clean(p.Label), grouped(p.Count))})
	}
	if len(ps) > len(shown) {
		for _, p := range ps[len(shown):] {
			if p.Path == h.query.Project {
				opts = append(opts, option{p.Path, fmt.Sprintf("%s (%s)", md.Clean(p.Label), grouped(p.Count))})
			}
		}
		opts = append(opts, option{anyValue, fmt.Sprintf("… %s less recent projects: search to find them", grouped(len(ps)-len(shown)))})
	}
	return opts
}

// statusFilterTip is a status button's tooltip: what the status means
// (statusTip), but for Waiting every reason a session waits, not only a
// finished turn, and how many of those it counts were cleared from Needs
// you: they keep their status, so the button can say more than the
// header's badge.
func statusFilterTip(status string, cleared int) string {
	if status != string(shared.StatusWaiting) {
		return statusTip(status)
	}
	tip := "Waiting: the assistant finished its turn, or asks for a permission, and waits for you"
	switch {
	case cleared == 1:
		tip += " (1 of them cleared from Needs you)"
	case cleared > 1:
		tip += " (" + grouped(cleared) + " of them cleared from Needs you)"
	}
	return tip
}

// maxProjectOptions bounds the project filter's options.
const maxProjectOptions = 200

// renderStatus is the status filter: a button per status, each with a
// tooltip saying what it means and how many sessions the other filters
// and the search keep with it.
func (h *Home) renderStatus() app.UI {
	type choice struct {
		value, label string
		n            int
	}
	cnt := h.sessions.StatusCounts(h.query)
	choices := []choice{
		{"", "All", cnt.All},
		{string(shared.StatusWorking), "Working", cnt.By[shared.StatusWorking]},
		{string(shared.StatusWaiting), "Waiting", cnt.By[shared.StatusWaiting]},
		{string(shared.StatusIdle), "Idle", cnt.By[shared.StatusIdle]},
		{shared.StatusActive, "Active", cnt.Active},
	}
	return el.Div().ID("status").Role("group").Aria("label", "Status").Body(
		app.Range(choices).Slice(func(i int) app.UI {
			c := choices[i]
			pressed := "false"
			if c.value == h.query.Status {
				pressed = "true"
			}
			return el.Button().DataSet("value", orAll(c.value)).Aria("pressed", pressed).
				Title("%s", statusFilterTip(c.value, cnt.Cleared)).
				Body(app.Text(c.label+" "), el.Span().Class("n").Text(grouped(c.n))).
				OnClick(h.onStatus)
		}),
	)
}
