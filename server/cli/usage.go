package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"vibecraft.sh/helm/shared"
)

// usageReport and usageBucket are GET /api/usage's answer (shared).
type (
	usageReport = shared.UsageReport
	usageBucket = shared.UsageBucket
)

// maxSince bounds --since: Helm keeps no more than what is on disk, and a
// typo of years should be an error, not a slow query.
const maxSince = 5 * 366 * 24 * time.Hour

// usageFlags is `helmd usage`: cost and tokens per day, project, model
// or source over a recent period, from GET /api/usage.
func usageFlags(fs *flag.FlagSet, o IO) runFunc {
	since := fs.String("since", "7d", "how far back: a number of days (7d) or weeks (2w), from that day's start, or hours (12h)")
	by := fs.String("by", "day", "one row per day, project, model or source")
	machineTZ, badTZ := localZone(o.Env)
	tzFlag := &givenString{v: machineTZ}
	fs.Var(tzFlag, "tz", "time zone the days are cut in (IANA `name`)")
	tz := &tzFlag.v
	asJSON := fs.Bool("json", false, "print the report as helmd sends it")
	scanWait := scanWaitFlag(fs)
	return func(ctx context.Context, c *client) error {
		c.scanWait = *scanWait
		d, err := parseSince(*since)
		if err != nil {
			return err
		}
		switch *by {
		case "day", "project", "model", "source":
		default:
			return fmt.Errorf("--by %q: want day, project, model or source", *by)
		}
		given := tzFlag.given
		if *tz == "Local" {
			// time.LoadLocation takes "Local" but helmd refuses it (it
			// would be helmd's zone, not this shell's): ask for what it
			// means here.
			*tz, given = machineTZ, false
		}
		if !given && badTZ != "" {
			// A TZ Go cannot load by name (a POSIX rule such as
			// CET-1CEST,M3.5.0,M10.5.0/3) is passed over for the
			// machine's zone: said, or days were cut in another zone
			// than the shell's date uses, hours off, without a word.
			fmt.Fprintf(o.Stderr, "helmd usage: TZ=%q names no time zone helmd can read (it reads IANA names such as Europe/Paris); days are cut in %s, this machine's zone; --tz chooses one\n",
				clean(badTZ), clean(machineTZ))
		}
		loc, err := time.LoadLocation(*tz)
		if err != nil {
			return fmt.Errorf("--tz %q: not a time zone this machine knows", *tz)
		}
		to := o.Now()
		q := url.Values{}
		q.Set("from", strconv.FormatInt(sinceFrom(to, d, *since, loc).UnixMilli(), 10))
		q.Set("to", strconv.FormatInt(to.UnixMilli(), 10))
		q.Set("by", *by)
		q.Set("tz", *tz)
		var rep usageReport
		raw, err := c.getJSON(ctx, "/api/usage?"+q.Encode(), &rep)
		if errors.Is(err, errNotFound) {
			return errors.New("this helmd has no /api/usage yet: update helmd to get usage reports (`helmd ls` shows each session's cost)")
		}
		if err != nil {
			return err
		}
		if *asJSON {
			_, err := fmt.Fprintln(o.Stdout, strings.TrimSpace(string(raw)))
			return err
		}
		return writeUsage(o, rep, *since, *tz)
	}
}

// writeUsage prints the report as a table: names on the left, figures
// on the right in the page's spelling (tokens as 5.44k or 338k), so that
// a column reads down at a glance, models by their names (modelNamer)
// and sources by their tools' names. Costs are to the cent, $1,234.56,
// and add up to TOTAL (shared.FootCents, as the page's): rounded each on its own, or to the
// dollar, they did not. A model without a price reads "unpriced", not
// $0, with a note under the table. TOP MODEL says which model cost most
// in each row, except by model, where it would only repeat the row's
// name. When days cut the report (its rows are days, or its period
// starts at a midnight: --since in days or weeks), a line under the
// table says in which zone, tz: a day's row read as the reader's day
// when it was UTC's, hours off.
func writeUsage(o IO, rep usageReport, since, tz string) error {
	if len(rep.Buckets) == 0 {
		_, err := fmt.Fprintf(o.Stdout, "no usage in the last %s\n", since)
		return err
	}
	topCol := rep.By != "model"
	row := func(key, cost string, t shared.Tokens, top string) []string {
		r := []string{key, cost, shared.CountText(t.Input), shared.CountText(t.Output),
			shared.CountText(t.CacheRead), shared.CountText(t.CacheWrite)}
		if topCol {
			r = append(r, top)
		}
		return r
	}
	head := []string{strings.ToUpper(clean(rep.By)), "COST", "INPUT", "OUTPUT", "CACHE READ", "CACHE WRITE"}
	right := []bool{false, true, true, true, true, true}
	if topCol {
		head, right = append(head, "TOP MODEL"), append(right, false)
	}
	var models []string // every model the table names
	costs := make([]float64, 0, len(rep.Buckets))
	for _, b := range rep.Buckets {
		if topCol {
			models = append(models, topModel(b.ByModel))
		} else {
			models = append(models, b.Key)
		}
		costs = append(costs, b.CostUSD)
	}
	cents, totalCents, footed := shared.FootCents(costs, rep.Total.CostUSD)
	name := modelNamer(models)
	cutKey := cut
	if rep.By == "project" {
		cutKey = cutPath // a path keeps its end, where projects differ
	}
	rows := [][]string{head}
	for i, b := range rep.Buckets {
		key := b.Key
		switch rep.By {
		case "model":
			key = name(key)
		case "source":
			key = shared.Source(key).Label() // "Claude Code", as the page's usage names it
		}
		rows = append(rows, row(cutKey(clean(key), 40), shared.UsageCentsText(cents[i], b.CostUSD, b.UnpricedTokens), b.Tokens,
			cut(clean(name(topModel(b.ByModel))), 32)))
	}
	rows = append(rows, row("TOTAL", shared.UsageCentsText(totalCents, rep.Total.CostUSD, rep.Total.UnpricedTokens), rep.Total.Tokens, ""))
	t := table{rows: rows, right: right, cuts: map[int]func(string, int) string{0: cutKey}}
	t.fit(lineWidth(o), usageShrink(topCol))
	if err := t.write(o.Stdout); err != nil {
		return err
	}
	var notes []string
	switch {
	case rep.By == "day":
		notes = append(notes, wrapWords(fmt.Sprintf("Days run from midnight to midnight, %s time (--tz).", clean(tz)), lineWidth(o)))
	case inDays(since):
		notes = append(notes, wrapWords(fmt.Sprintf("From the start of the day %s ago, %s time (--tz).", clean(since), clean(tz)), lineWidth(o)))
	}
	if !footed {
		notes = append(notes, wrapWords("The rows do not add up to TOTAL: helmd sent rows whose sum is not its total (each row is rounded on its own).", lineWidth(o)))
	}
	if n := unpricedNote(rep, lineWidth(o)); n != "" {
		notes = append(notes, n)
	}
	for _, n := range notes {
		if _, err := fmt.Fprintln(o.Stdout, n); err != nil {
			return err
		}
	}
	return nil
}

// usageShrink is the order in which the usage table gives up columns to
// fit a narrow terminal: the row's name first (a project's path is the
// widest cell; cutPath keeps its end), then TOP MODEL, then the name
// again; narrower than that, whole columns go, TOP MODEL, then CACHE
// WRITE and CACHE READ, before the name goes below 12 columns; below
// 40 columns, OUTPUT and INPUT, leaving the name and its cost. The
// figures kept are whole: a cut number would read as another number.
func usageShrink(topCol bool) []shrink {
	const name, input, output, cacheRead, cacheWrite, top = 0, 2, 3, 4, 5, 6
	steps := []shrink{{col: name, min: 20}}
	if topCol {
		steps = append(steps, shrink{col: top, min: 12})
	}
	steps = append(steps, shrink{col: name, min: 12})
	if topCol {
		steps = append(steps, dropCol(top))
	}
	return append(steps, dropCol(cacheWrite), dropCol(cacheRead), shrink{col: name, min: 8}, dropCol(output), dropCol(input))
}

// modelNamer names models as the page and the list do, by
// shared.ModelWords ("claude-sonnet-4-5-20250929" is "sonnet 4.5"),
// except those of ids that would then read alike (two releases of one
// model): they keep their ids, which the page shows in a tooltip and a
// table has no room for. --json keeps the ids in any case.
func modelNamer(ids []string) func(string) string {
	seen := map[string]string{} // words → the first id with them
	alike := map[string]bool{}
	for _, id := range ids {
		w := shared.ModelWords(id)
		if first, ok := seen[w]; ok && first != id {
			alike[w] = true
		}
		seen[w] = id
	}
	return func(id string) string {
		if w := shared.ModelWords(id); !alike[w] {
			return w
		}
		return id
	}
}

// topModel is the model with the highest cost in a bucket ("" if none).
func topModel(m map[string]float64) string {
	best, cost := "", -1.0
	for k, v := range m {
		if v > cost || (v == cost && k < best) {
			best, cost = k, v
		}
	}
	return best
}

// parseSince reads 7d, 2w, 12h (or any Go duration such as 90m).
func parseSince(s string) (time.Duration, error) {
	var d time.Duration
	var err error
	if n, unit := strings.TrimRight(s, "dw"), strings.TrimLeft(s, "0123456789"); len(s) > 1 && (unit == "d" || unit == "w") {
		var k int
		if k, err = strconv.Atoi(n); err == nil {
			days := 1
			if unit == "w" {
				days = 7
			}
			// Bounded before it is made a duration: 213503983d overflowed
			// to about 16 hours.
			if k > int(maxSince/(24*time.Hour))/days {
				k = 0 // refused below, as 0d is
			}
			d = time.Duration(k*days) * 24 * time.Hour
		}
	} else {
		d, err = time.ParseDuration(s)
	}
	if err != nil || d <= 0 || d > maxSince {
		return 0, fmt.Errorf("--since %q: want a period such as 7d, 2w or 12h, at most 5 years", s)
	}
	return d, nil
}

// sinceFrom is where a report of the period d up to now starts. A
// period in days or weeks (since ends in d or w) starts at midnight, in
// loc, of the day now-d falls on: the table's first row is then that
// whole day, as its date says, not the part of it after this hour (a
// day of $40 read "$3"), and tables asked for by day and by project
// over "7d" cover the same spend, whatever the hour. Hours and Go
// durations are taken as they are.
func sinceFrom(now time.Time, d time.Duration, since string, loc *time.Location) time.Time {
	from := now.Add(-d)
	if !inDays(since) {
		return from
	}
	y, m, day := from.In(loc).Date()
	return shared.DayStart(y, m, day, loc)
}

// givenString is a string flag that knows whether it was given: the
// command's flags are parsed in another flag set (parseArgs), so
// Visit on its own does not tell.
type givenString struct {
	v     string
	given bool
}

func (g *givenString) String() string {
	if g == nil {
		return ""
	}
	return g.v
}

func (g *givenString) Set(s string) error { g.v, g.given = s, true; return nil }

// inDays reports whether --since counts days or weeks (7d, 2w), which
// start at a midnight, rather than hours.
func inDays(since string) bool { return strings.HasSuffix(since, "d") || strings.HasSuffix(since, "w") }

// localZone is this machine's IANA time zone: TZ when it names one
// (a name, or a path into a zoneinfo folder), UTC when TZ is set but
// empty (or ":"), as POSIX, glibc's date and Go's time.Local read it,
// else the zone /etc/localtime links to, else UTC. TZ may hold what no
// IANA name is (UTC0, a POSIX rule such as EST5EDT,M3.2.0,M11.1.0,
// :/etc/localtime): passed on as --tz's default, every helmd usage
// without --tz failed. badTZ is TZ when it was set and passed over for
// the machine's zone ("" when it named that zone's file,
// /etc/localtime), for the command to say so.
func localZone(env Env) (zone, badTZ string) {
	raw, set := env("TZ")
	tz := strings.TrimPrefix(raw, ":")
	if set && tz == "" {
		return "UTC", ""
	}
	if z := zoneName(tz); z != "" {
		return z, ""
	}
	if tz != "" && tz != "/etc/localtime" {
		badTZ = raw
	}
	if p, err := os.Readlink("/etc/localtime"); err == nil {
		if z := zoneName(p); z != "" {
			return z, badTZ
		}
	}
	return "UTC", badTZ
}

// zoneName is the IANA name tz gives (itself, or the part of a path
// after zoneinfo/), "" when it gives none this machine knows.
func zoneName(tz string) string {
	if _, name, ok := strings.Cut(filepath.ToSlash(tz), "zoneinfo/"); ok {
		tz = name
	}
	if tz == "" || tz == "Local" || filepath.IsAbs(tz) {
		return ""
	}
	if _, err := time.LoadLocation(tz); err != nil {
		return ""
	}
	return tz
}
