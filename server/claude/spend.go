package claude

import (
	"encoding/binary"
	"math"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"unsafe"
	"vibecraft.sh/helm/server/pricing"
	"vibecraft.sh/helm/shared"
)

// spend is what responses used and cost: tokens, and cost in integer
// nano-dollars, so that adding and taking away responses in any order
// gives exactly the same sum.
type spend struct {
	tokens shared.Tokens
	nano   int64
}

func (s spend) add(o spend) spend { return spend{s.tokens.Add(o.tokens), s.nano + o.nano} }

func (s spend) sub(o spend) spend {
	t := o.tokens
	return spend{s.tokens.Add(shared.Tokens{Input: -t.Input, Output: -t.Output, CacheRead: -t.CacheRead,
		CacheWrite: -t.CacheWrite, CacheWrite1h: -t.CacheWrite1h}), s.nano - o.nano}
}

// response is one API response of a file: its model, what it used and
// cost, and whether another file owns it (it was replayed from there).
//
// A file being written keeps one for every response it holds, for as
// long as it is written to: a 1 GB transcript holds 200,000 of them. So
// they are packed into 48 bytes (a size class) rather than the 80 that a
// model string and a spend of int counts took: the counts as uint32
// (price bounds each below 2^29, and materialize refuses more) and the
// model as its index in the aggregate's models. Costs are unchanged:
// nano is kept whole.
type response struct {
	tokens   [5]uint32 // Input, Output, CacheRead, CacheWrite, CacheWrite1h
	model    uint16    // index + 1 into the aggregate's models; 0: none (see modelIndex)
	shadowed bool
	nano     int64
	at       int64 // epoch ms of its first line, for usage over time (usage.go)
}

// spent is what p used and cost.
func (p *response) spent() spend {
	t := &p.tokens
	return spend{tokens: shared.Tokens{Input: int(t[0]), Output: int(t[1]), CacheRead: int(t[2]),
		CacheWrite: int(t[3]), CacheWrite1h: int(t[4])}, nano: p.nano}
}

// setSpent makes sp what p used and cost. It reports false, changing
// nothing, for a count a response cannot have (negative or past
// uint32): only a corrupt cache could give one.
func (p *response) setSpent(sp spend) bool {
	t := sp.tokens
	counts := [5]int{t.Input, t.Output, t.CacheRead, t.CacheWrite, t.CacheWrite1h}
	for _, n := range counts {
		if n < 0 || uint64(n) > math.MaxUint32 {
			return false
		}
	}
	for i, n := range counts {
		p.tokens[i] = uint32(n)
	}
	p.nano = sp.nano
	return true
}

// modelOf is the name of p's model in a.
func (a *aggregate) modelOf(p *response) string {
	if p.model == 0 || int(p.model) > len(a.models) {
		return ""
	}
	return a.models[p.model-1]
}

// modelIndex is what response.model holds for m, one of a.models (from
// intern): its index + 1, 0 for "". A file of more than 65,535 model
// names (none is real: a file has a handful) files the responses of the
// later ones under no model in usage over time; their cost is kept.
func (a *aggregate) modelIndex(m string) uint16 {
	if m == "" {
		return 0
	}
	for i, x := range a.models {
		if x == m {
			if i >= math.MaxUint16 {
				return 0
			}
			return uint16(i + 1)
		}
	}
	return 0
}

// priced is a model's entry in the price table, looked up once per
// model name for the whole process (prices): a map per file cost 100 MB
// at 100,000 transcripts for a handful of models.
type priced struct {
	model pricing.Nano // its rates per token, rounded once rather than per response
	known bool
}

// price prices one response's usage at p, its model's entry. The
// long-context and fast rules are per request, hence per response.
func price(p *priced, u *usage) spend {
	t := shared.Tokens{Input: sane(u.input), Output: sane(u.output), CacheRead: sane(u.cacheRead), CacheWrite: sane(u.cacheWrite)}
	if u.hasSplit {
		// Claude Code writes both the total and its split; a total
		// missing or smaller than the split is made whole by it.
		t.CacheWrite = max(t.CacheWrite, sane(u.write5m)+sane(u.write1h))
		t.CacheWrite1h = min(sane(u.write1h), t.CacheWrite)
	}
	return spend{tokens: t, nano: p.model.CostNano(pricing.Usage{Tokens: t, Fast: u.fast, USOnly: u.usOnly, WebSearches: min(sane(u.webSearches), maxSearches)})}
}

// prices caches pricing.Lookup by model name for every file and worker.
// Model names come from transcripts, so the cache is bounded: past
// maxPriced names, lookups are not cached.
var prices sync.Map // string → *priced

var pricedNames atomic.Int32

const maxPriced = 1024

func priceOf(model string) *priced {
	if p, ok := prices.Load(model); ok {
		return p.(*priced)
	}
	p := new(priced)
	m, known := pricing.Lookup(model)
	p.model, p.known = m.Nano(), known
	if pricedNames.Add(1) <= maxPriced {
		prices.Store(model, p)
	}
	return p
}

// priceOf is the package's priceOf for the model of the response being
// read, asked again only when the model changes: nearly every response
// of a file is of one model, and the shared table's lookup (hashing the
// name) was a few percent of a cold scan. The record belongs to one
// reader, so the entry it keeps needs no lock.
func (r *record) priceOf(model string) *priced {
	if r.priced == nil || model != r.pricedModel {
		r.pricedModel, r.priced = model, priceOf(model)
	}
	return r.priced
}

// newResponse is a new response like v: in the worker's lent list while
// it has room (see record.responses), else allocated.
func (r *record) newResponse(v response) *response {
	if l := r.responses; l != nil && len(*l) < cap(*l) {
		*l = append(*l, v)
		return &(*l)[len(*l)-1]
	}
	p := new(response)
	*p = v
	return p
}

// keyString is b as a string for a key of the file's id maps: over the
// worker's lent room while it has some (see record.keys), else allocated.
// The room is reused only once the maps are let go (spareMaps.reclaim).
func (r *record) keyString(b []byte) string {
	if l := r.keys; l != nil && len(b) > 0 && len(*l)+len(b) <= cap(*l) {
		start := len(*l)
		*l = append(*l, b...)
		return unsafe.String(&(*l)[start], len(b))
	}
	return string(b)
}

// maxCount bounds each count of one response (shared.MaxTokenCount).
const maxCount = shared.MaxTokenCount

// maxSearches bounds the web searches of one response, priced apiece
// ($10 per 1,000): a request makes a few, up to its tool's max_uses, and a
// corrupt line cut only to maxCount added $1.3M to its session.
const maxSearches = 1 << 10

func sane(n int) int { return min(max(n, 0), maxCount) }

// unpricedTokens is the part of tokens spent on model that no cost
// counts: all of them when the price table does not know the model, else
// none. It is the one rule by which helmd says a model went unpriced:
// /api/status's unpricedModels, a session's Unpriced and the usage
// report's unpriced tokens (Usage marks its cells by it) all name a model
// only when this is > 0. A model merely named, by a response of no
// tokens (an API error), leaves nothing out and is not called unpriced;
// nor is a response naming no model, nor Synthetic (the table knows it).
func unpricedTokens(model string, tokens shared.Tokens) int {
	if model == "" || priceOf(model).known {
		return 0
	}
	return tokens.Total()
}

// unpriced lists the models of a's responses, by unpricedTokens, whose
// tokens no cost counts, for /api/status: those of a's responses that no
// other file bills (shadowed: that file lists them) and of its id-less
// usage (a copy under a second root lists what its first does).
func (a *aggregate) unpriced() []string {
	if !slices.ContainsFunc(a.models, unknownModel) {
		return nil // nearly every file: no response to walk
	}
	var out []string
	add := func(model string, sp spend) {
		if unpricedTokens(model, sp.tokens) > 0 && !slices.Contains(out, model) {
			out = append(out, model)
		}
	}
	if !a.eachResponse(func(model string, sp spend, _ int64) { add(model, sp) }) {
		// An invalid cache blob: say what the names say, as hasUnpriced.
		return slices.DeleteFunc(slices.Clone(a.models), func(m string) bool { return !unknownModel(m) })
	}
	if a.idless != nil {
		for k, sp := range a.idless.cells {
			add(k.model, sp)
		}
	}
	return out
}

// unknownModel says model is named and the price table does not know it:
// a response of it may be unpriced (unpricedTokens).
func unknownModel(model string) bool { return model != "" && !priceOf(model).known }

// hasUnpriced reports whether a's cost leaves out tokens of a model the
// table does not know (one newer than it), so that the session's cost
// is not what it spent, and "$0" would read as free: some response of
// such a model that a counts (not one another file bills: shadowed) used
// tokens, or, when anon (a's id-less usage counts for its session: see
// build), some of its id-less usage did (unpricedTokens). A model merely
// named, by a response of no tokens (an API error) or only by one billed
// elsewhere, leaves nothing out: the usage report counts no unpriced
// tokens for it either (Usage). The responses and id-less cells are what
// the scan cache keeps, so a session read from the cache says the same.
func (a *aggregate) hasUnpriced(anon bool) bool {
	if !slices.ContainsFunc(a.models, unknownModel) {
		return false // nearly every file: no response to walk
	}
	found := false
	if !a.eachResponse(func(model string, sp spend, _ int64) {
		found = found || unpricedTokens(model, sp.tokens) > 0
	}) {
		return true // an invalid cache blob: say what the names say, not "free"
	}
	if !found && anon && a.idless != nil {
		for k, sp := range a.idless.cells {
			if unpricedTokens(k.model, sp.tokens) > 0 {
				return true
			}
		}
	}
	return found
}

// unpricedIn reports whether the cost of a session of main transcripts
// mains, of which main is the one counted whole, and subagent files
// subs leaves out tokens of an unpriced model. Id-less usage counts as
// build counts it: of main, and of the first subagent file of each name.
func unpricedIn(main *file, mains, subs []*file) bool {
	for _, f := range mains {
		if f.agg.hasUnpriced(f == main) {
			return true
		}
	}
	seen := make(map[string]bool, len(subs))
	for _, f := range subs {
		name := filepath.Base(f.path)
		if f.agg.hasUnpriced(!seen[name]) {
			return true
		}
		seen[name] = true
	}
	return false
}

// addUsage records a response's usage; a later line of the same response
// (same message id and request id) replaces what an earlier one said.
// It returns the key of the line's response and true when it hashed its
// ids (a line of another response than the last line's), else false.
//
// Within a read, a line's usage is held (record.held) rather than priced:
// a response's lines come one after another, and only the last one's
// usage stays, so it is priced once, when a line of another response
// comes or the read ends (settleHeld), not once per line.
func (a *aggregate) addUsage(r *record) (key rkey, hashed bool) {
	model := a.intern(&r.model)
	if !r.msgID.ok || len(r.msgID.raw) == 0 {
		sp := price(r.priceOf(model), &r.usage)
		a.total = a.total.add(sp)
		a.addAnon(a.responseTime(r), model, sp) // no id: cannot repeat, cannot be replayed
		return rkey{}, false
	}
	// The ids as they are, the message id's length first so that no two
	// pairs of ids read the same, to tell the next line of the same
	// response without hashing them.
	var buf [128]byte // on the stack: no scratch kept in every aggregate
	msg := r.msgID.bytes()
	raw := append(binary.AppendUvarint(buf[:0], uint64(len(msg))), msg...)
	raw = append(raw, r.requestID.bytes()...)
	if r.inRead && r.lastResp != nil && string(raw) == string(r.lastKey) {
		r.hold(a, model) // the same response as the last line: nothing to look up
		return rkey{}, false
	}
	r.settleHeld()
	key = keyOf(msg, r.requestID.bytes())
	old, ok := a.responses[key]
	if !ok {
		old = r.newResponse(response{model: a.modelIndex(model), at: a.responseTime(r)})
		a.responses[key] = old
		a.dirty = append(a.dirty, key)
	}
	if !r.inRead {
		a.setSpend(old, model, price(r.priceOf(model), &r.usage))
		return key, true
	}
	r.lastKey = append(r.lastKey[:0], raw...)
	r.lastResp = old
	r.hold(a, model)
	return key, true
}

// setSpend makes sp, of model, what response p spent, in place of what
// it said before.
func (a *aggregate) setSpend(p *response, model string, sp spend) {
	old := p.spent()
	p.setSpent(sp) // always fits: price bounds every count
	a.total = a.total.sub(old).add(sp)
	if p.shadowed {
		a.shadow = a.shadow.sub(old).add(sp)
	}
	p.model = a.modelIndex(model)
}

// hold keeps the usage of the line just read, of model, as what
// r.lastResp, a response of a, says until a later line replaces it.
func (r *record) hold(a *aggregate, model string) {
	if r.held != a {
		r.held = a
	}
	if r.heldModel != model { // one model for nearly every line: no store
		r.heldModel = model
	}
	r.heldUsage = r.usage
}

// settleHeld prices the usage held for r.lastResp, if any, into its
// aggregate: before another response is looked at, and at the end of a
// read (forgetLast). Nothing reads an aggregate's totals while lines are
// applied to it, so every reader of them sees every line priced.
func (r *record) settleHeld() {
	a := r.held
	if a == nil {
		return
	}
	r.held = nil
	a.setSpend(r.lastResp, r.heldModel, price(r.priceOf(r.heldModel), &r.heldUsage))
}
