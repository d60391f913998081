package ui

import (
	"cmp"
	"net/url"
	"slices"
	"strconv"
	"time"

	"vibecraft.sh/helm/app/md"
	"vibecraft.sh/helm/shared"
)

// The usage page reads the wire types of GET /api/usage and /api/usage/block.
type (
	usageReport = shared.UsageReport
	usageBucket = shared.UsageBucket
	usageBlock  = shared.UsageBlock
)

// usageDays is how many days the page charts.
const usageDays = 30

// usageURL is the GET /api/usage request for the usageDays days up to
// now (whole days in loc, today included), grouped by by.
func usageURL(by string, now time.Time, loc *time.Location, tz string) string {
	y, m, d := now.In(loc).Date()
	from := shared.DayStart(y, m, d-usageDays+1, loc)
	v := url.Values{}
	v.Set("from", strconv.FormatInt(from.UnixMilli(), 10))
	v.Set("to", strconv.FormatInt(now.UnixMilli()+1, 10))
	v.Set("by", by)
	v.Set("tz", tz)
	return "/api/usage?" + v.Encode()
}

// dayRow is one day of the charts: every day of the range, spent or not.
type dayRow struct {
	Day         string
	Cost        float64
	Unpriced    int // tokens of models without a price: Cost leaves them out
	Tokens      shared.Tokens
	Models      []modelPart // cost by model, in the order of the legend
	TokenModels []modelPart // tokens (Total) by model, in the same order
}

// modelPart is one model's share of a day: dollars or tokens.
type modelPart struct {
	Model string
	Value float64
}

// unpricedPart is the Value of a model's share of a day's cost when its
// tokens have no price: not a figure, and no segment of the bar.
const unpricedPart = -1

// fillDays lays rep (by day) over the n days ending with today in loc,
// days without spend included, and returns the models by total cost,
// highest first (then by tokens, for models without a price): the
// stacking and legend order of both day charts.
func fillDays(rep usageReport, now time.Time, loc *time.Location, n int) ([]dayRow, []string) {
	byDay := map[string]usageBucket{}
	totals, tokens := map[string]float64{}, map[string]int{}
	for _, b := range rep.Buckets {
		byDay[b.Key] = b
		for m, c := range b.ByModel {
			totals[m] += c
		}
		for m, t := range b.TokensByModel {
			if _, ok := totals[m]; !ok {
				totals[m] = 0 // listed even without a price
			}
			tokens[m] += t
		}
	}
	models := make([]string, 0, len(totals))
	for m := range totals {
		models = append(models, m)
	}
	shared.SortFunc(models, func(a, b *string) int {
		return cmp.Or(cmp.Compare(totals[*b], totals[*a]), cmp.Compare(tokens[*b], tokens[*a]), cmp.Compare(*a, *b))
	})
	y, m, d := now.In(loc).Date()
	rows := make([]dayRow, 0, n)
	for i := n - 1; i >= 0; i-- {
		key := time.Date(y, m, d-i, 12, 0, 0, 0, loc).Format(time.DateOnly)
		b := byDay[key]
		row := dayRow{Day: key, Cost: b.CostUSD, Unpriced: b.UnpricedTokens, Tokens: b.Tokens}
		for _, mod := range models {
			if c := b.ByModel[mod]; c > 0 {
				row.Models = append(row.Models, modelPart{mod, c})
			} else if b.TokensByModel[mod] > 0 && slices.Contains(rep.Unpriced, mod) {
				// Its tokens have no price: the day's models say so
				// (modelsText), where it had no part, as if free.
				row.Models = append(row.Models, modelPart{mod, unpricedPart})
			}
			if t := b.TokensByModel[mod]; t > 0 {
				row.TokenModels = append(row.TokenModels, modelPart{mod, float64(t)})
			}
		}
		rows = append(rows, row)
	}
	return rows, models
}

// bucketName is how the page names a bucket of filter ("project",
// "model" or "source"), in the list's words: a model as people say it
// ("sonnet 4.5", shared.ModelWords), a source by its tool's name
// ("Claude Code"), a project by its path. full is what the tooltip
// says: a model's whole id, which the short name leaves out (the date,
// the vendor's prefix) and which tells two releases apart.
func bucketName(filter, key string) (name, full string) {
	switch filter {
	case "model":
		return md.Clean(shared.ModelWords(key)), md.Clean(key)
	case "source":
		l := shared.Source(key).Label()
		return l, l
	}
	// A project's path (or a model's id) is a transcript's text: a bidi
	// override in it is shown, never obeyed (md.Clean), as in the list.
	return md.Clean(key), md.Clean(key)
}

// restKey is the data-key of a chart's folded row (folded).
const restKey = "(the rest)"

// folded is the buckets past a chart's top ones, summed. It is shown
// under their bars as a row of its own with no bar, so that it never sets
// their scale: 31 projects past the top 10 folded into $705 made every
// bar of the top 10, at $29 to $39, a sliver of the same width.
type folded struct {
	N       int // how many buckets; 0: none folded
	CostUSD float64
	Tokens  shared.Tokens
	// Unpriced is the buckets' unpricedTokens: CostUSD leaves their
	// cost out, and the row says so rather than read as free.
	Unpriced int
}

// name is the folded row's name: "31 other projects".
func (f folded) name() string {
	if f.N == 1 {
		return "1 other project"
	}
	return strconv.Itoa(f.N) + " other projects"
}

// topN keeps the n costliest buckets (rep's order: costliest first) and
// folds the others.
func topN(buckets []usageBucket, n int) ([]usageBucket, folded) {
	if len(buckets) <= n {
		return buckets, folded{}
	}
	rest := folded{N: len(buckets) - n}
	var nano int64 // summed as helmd sums, so that the table foots to the cent
	for _, b := range buckets[n:] {
		nano += shared.USDNano(b.CostUSD)
		rest.Tokens = rest.Tokens.Add(b.Tokens)
		rest.Unpriced += b.UnpricedTokens
	}
	rest.CostUSD = shared.NanoUSD(nano)
	return buckets[:n], rest
}

// cacheHitRate is cache reads over all input (fresh, cache read, cache
// written); ok is false when there was no input.
func cacheHitRate(t shared.Tokens) (rate float64, ok bool) {
	all := t.Input + t.CacheRead + t.CacheWrite
	if all <= 0 {
		return 0, false
	}
	return float64(t.CacheRead) / float64(all), true
}

// weeks sums the last 7 days of rows (this week, today included) and the
// 7 before them (last week): in dollars, and in the cents the day table
// shows them (cents, each row's: shared.FootCents), so that "This week"
// is what its seven rows add up to, not a figure a cent off them.
func weeks(rows []dayRow, cents []int64) (this, last float64, thisC, lastC int64) {
	for i, r := range rows {
		switch age := len(rows) - 1 - i; {
		case age < 7:
			this, thisC = this+r.Cost, thisC+cents[i]
		case age < 14:
			last, lastC = last+r.Cost, lastC+cents[i]
		}
	}
	return this, last, thisC, lastC
}

// listURL is the session list filtered to one bar's day, project or
// model (shared.Query's URL form).
func listURL(key, value string) string {
	v := url.Values{}
	v.Set(key, value)
	return "/?" + v.Encode()
}

// barSeg is one model's part of a day's bar: y and height on the
// chart's 0..100 scale (its viewBox), top down.
type barSeg struct {
	Label string // the model, for its color
	Value float64
	Y, H  float64
}

// stack stacks segments of parts (bottom up) on a 0..100 scale where max
// is the full height. Segments too thin to see keep a hairline.
func stack(parts []modelPart, max float64) []barSeg {
	if max <= 0 {
		return nil
	}
	var out []barSeg
	y := 100.0
	for _, c := range parts {
		if c.Value <= 0 {
			continue // unpricedPart: nothing to draw
		}
		h := c.Value / max * 100
		if h < 0.4 {
			h = 0.4
		}
		y -= h
		out = append(out, barSeg{Label: c.Model, Value: c.Value, Y: y, H: h})
	}
	return out
}
