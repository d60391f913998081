// Package pricing holds an embedded, dated table of Anthropic model prices
// and computes what a number of tokens cost.
//
// The table is a snapshot (see PricesAsOf), not fetched at run time: Helm
// works offline and must give the same figure for the same transcript.
// Models the table does not know cost 0, and CostNano says so with
// known=false, so a caller can tell "free" (Synthetic) from "unpriced".
// Costs are computed per API response, because the long-context and fast
// rules apply per request, in integer nano-dollars.
package pricing

import (
	"math"
	"strings"

	"vibecraft.sh/helm/shared"
)

// Rates are what a model charges, in US dollars per million tokens.
type Rates struct {
	Input        float64 // uncached input tokens
	Output       float64 // output tokens (thinking included)
	CacheWrite5m float64 // 5-minute cache writes (1.25x input)
	CacheWrite1h float64 // 1-hour cache writes (2x input)
	CacheRead    float64 // cache hits and refreshes
}

// Model is how one model is billed.
type Model struct {
	Base Rates
	// Long, when set, bills a whole request at its rates when the
	// request's input (input + cache reads + cache writes) exceeds
	// LongAbove tokens.
	Long      *Rates
	LongAbove int
	// Fast multiplies every rate of a request made with speed "fast";
	// 0 when the model has no fast mode (the request is then billed at
	// standard rates, as the API serves it).
	Fast int
}

// Usage is what one API response reports, as far as billing goes.
type Usage struct {
	// Tokens: CacheWrite is all cache writes, CacheWrite1h the 1-hour
	// part of it; the rest are 5-minute writes.
	Tokens      shared.Tokens
	Fast        bool // usage.speed == "fast"
	USOnly      bool // usage.inference_geo == "us"
	WebSearches int  // usage.server_tool_use.web_search_requests
}

// Synthetic is the model Claude Code names on replies it wrote itself
// (errors, interruptions): no API call, so no cost, and not "unknown".
const Synthetic = "<synthetic>"

// Lookup returns how model is billed, after Normalize. The second result
// is false for a model the table does not know; Synthetic is known and
// free.
func Lookup(model string) (Model, bool) {
	m := Normalize(model)
	if m == Synthetic {
		return Model{}, true
	}
	if m == "" {
		return Model{}, false
	}
	for _, f := range table {
		if m == f.prefix || strings.HasPrefix(m, f.prefix) && boundary(m, f.prefix) {
			return f.model, true
		}
	}
	return Model{}, false
}

// boundary reports whether prefix ends at a name boundary of m, so that
// "claude-opus-4" does not match a hypothetical "claude-opus-40".
func boundary(m, prefix string) bool {
	if strings.HasSuffix(prefix, "-") || len(m) == len(prefix) {
		return true
	}
	return m[len(prefix)] == '-'
}

// Normalize is the name model is priced under (shared.ModelKey):
// lowercased, without a provider prefix ("anthropic/", "us.anthropic."),
// a date suffix ("-20250929"), a version suffix ("-v1:0") or a context tag
// ("[1m]"), none of which changes a price.
func Normalize(model string) string { return shared.ModelKey(model) }

// CostNano is what one response cost on model, in nano-dollars
// (1e-9 USD): integers, so that sums over thousands of responses are
// exact and the same in any order. An unknown model costs 0 and known is
// false.
func CostNano(model string, u Usage) (nano int64, known bool) {
	m, ok := Lookup(model)
	if !ok {
		return 0, false
	}
	return m.CostNano(u), true
}

// CostNano is what one response cost at m, in nano-dollars. The
// long-context and fast rules are per request, so u must be one
// response's usage, never a sum.
func (m Model) CostNano(u Usage) int64 {
	n := m.Nano()
	return n.CostNano(u)
}

// Nano is a Model with its rates in nano-dollars per token, worked out
// once: a caller that prices many responses of one model (a scan prices
// every response of every transcript) keeps it rather than rounding five
// rates for each response. It gives exactly what Model.CostNano gives,
// which is computed by it.
type Nano struct {
	base, long nanoRates
	hasLong    bool
	free       bool // the zero Model (Synthetic): nothing was billed
	longAbove  int
	fast       int
}

type nanoRates struct{ input, output, write5m, write1h, read int64 }

func nanoOf(r Rates) nanoRates {
	return nanoRates{nanoPerToken(r.Input), nanoPerToken(r.Output), nanoPerToken(r.CacheWrite5m),
		nanoPerToken(r.CacheWrite1h), nanoPerToken(r.CacheRead)}
}

// Nano is m's rates in nano-dollars per token.
func (m Model) Nano() Nano {
	n := Nano{base: nanoOf(m.Base), free: m == (Model{}), longAbove: m.LongAbove, fast: m.Fast}
	if m.Long != nil {
		n.long, n.hasLong = nanoOf(*m.Long), true
	}
	return n
}

// CostNano is what one response cost at n's model (see Model.CostNano).
func (n *Nano) CostNano(u Usage) int64 {
	if n.free {
		return 0
	}
	t := u.Tokens
	r := &n.base
	if n.hasLong && t.Input+t.CacheRead+t.CacheWrite > n.longAbove {
		r = &n.long
	}
	w1h := min(max(t.CacheWrite1h, 0), max(t.CacheWrite, 0))
	w5m := max(t.CacheWrite, 0) - w1h
	tokens := int64(t.Input)*r.input +
		int64(t.Output)*r.output +
		int64(w5m)*r.write5m +
		int64(w1h)*r.write1h +
		int64(t.CacheRead)*r.read
	if u.Fast && n.fast > 0 {
		tokens *= int64(n.fast)
	}
	if u.USOnly {
		// Only models from Opus 4.6 on accept inference_geo, so a
		// response that reports "us" is on one that bills it. Rounded
		// to the nano-dollar per response, so sums stay exact integers.
		tokens = (tokens*usOnlyTenths + 5) / 10
	}
	return tokens + int64(max(u.WebSearches, 0))*webSearchNano
}

// nanoPerToken turns dollars per million tokens into nano-dollars per
// token; the table's rates are whole numbers of those.
func nanoPerToken(usdPerMTok float64) int64 { return int64(math.Round(usdPerMTok * 1000)) }

// Dollars turns nano-dollars into US dollars.
func Dollars(nano int64) float64 { return float64(nano) / 1e9 }
