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
	from := time.Date(y, m, d-usageDays+1, 0, 0, 0, 0, loc)
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
	Tokens      shared.Tokens
	Models      []modelPart // cost by model, in the order of the legend
	TokenModels []modelPart // tokens (Total) by model, in the same order
}

// modelPart is one model's share of a day: dollars or tokens.
type modelPart struct {
	Model string
	Value float64
}

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
	slices.SortFunc(models, func(a, b string) int {
		return cmp.Or(cmp.Compare(totals[b], totals[a]), cmp.Compare(tokens[b], tokens[a]), cmp.Compare(a, b))
	})
	y, m, d := now.In(loc).Date()
	rows := make([]dayRow, 0, n)
	for i := n - 1; i >= 0; i-- {
		key := time.Date(y, m, d-i, 12, 0, 0, 0, loc).Format(time.DateOnly)
		b := byDay[key]
		row := dayRow{Day: key, Cost: b.CostUSD, Tokens: b.Tokens}
		for _, mod := range models {
			if c := b.ByModel[mod]; c > 0 {
				row.Models = append(row.Models, modelPart{mod, c})
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
	switch {
	case key == restKey:
		return key, key
	case filter == "model":
		return md.Clean(shared.ModelWords(key)), md.Clean(key)
	case filter == "source":
		l := shared.Source(key).Label()
		return l, l
	}
	// A project's path (or a model's id) is a transcript's text: a bidi
	// override in it is shown, never obeyed (md.Clean), as in the list.
	return md.Clean(key), md.Clean(key)
}

// restKey names the bucket that folds every project past the top ones.
const restKey = "(the rest)"

// topN keeps the n costliest buckets (rep's order: costliest first) and
// folds the others into one restKey bucket.
func topN(buckets []usageBucket, n int) []usageBucket {
	if len(buckets) <= n {
		return buckets
	}
	out := append([]usageBucket(nil), buckets[:n]...)
	rest := usageBucket{Key: restKey}
	for _, b := range buckets[n:] {
		rest.CostUSD += b.CostUSD
		rest.Tokens = rest.Tokens.Add(b.Tokens)
	}
	return append(out, rest)
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
// 7 before them (last week).
func weeks(rows []dayRow) (this, last float64) {
	for i, r := range rows {
		switch age := len(rows) - 1 - i; {
		case age < 7:
			this += r.Cost
		case age < 14:
			last += r.Cost
		}
	}
	return this, last
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
		h := c.Value / max * 100
		if h < 0.4 {
			h = 0.4
		}
		y -= h
		out = append(out, barSeg{Label: c.Model, Value: c.Value, Y: y, H: h})
	}
	return out
}
