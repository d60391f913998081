package pricing

// PricesAsOf is the date the table below was last checked against
// Anthropic's published prices.
const PricesAsOf = "2026-12-02"

// The table, in US dollars per million tokens, as Anthropic bills the
// Claude API. Sources, read on PricesAsOf:
//
//   - platform.claude.com/docs/en/about-claude/pricing ("Model pricing":
//     base input, 5m and 1h cache writes, cache hits, output, per model;
//     Fable/Mythos 5.1 hits at $0.25 under its footnote);
//   - platform.claude.com/docs/en/models/*/overview (Opus 5, Opus 5.5,
//     Sonnet 5, Sonnet 5.5: the same five rates per model);
//   - platform.claude.com/docs/en/build-with-claude/fast-mode (Opus 4.6:
//     6x standard rates; "fast mode pricing stacks with other modifiers");
//   - the pricing page's "Long context pricing": Sonnet 4 and 4.5 with the
//     1M context bill a request whose input (input + cache reads + cache
//     writes) exceeds 200k tokens entirely at $6 / $22.50, caching at the
//     usual multipliers of $6 (4.6 models have no such tier since the 1M
//     window went flat-priced in March 2026);
//   - the pricing page's "Web search": $10 per 1,000 searches; web fetch
//     costs nothing beyond its tokens.
//
// Where only third-party changelogs were found (marked "3p" below) they
// agreed with one another: Sonnet 5.5 cache hits cut from $0.20 to $0.10
// on 2026-10-07 (kurofune/claudit v1.9.2, TheKrush/PromptFuel v1.0.23);
// Haiku 5.5 prompt-length tiers at 100k (same sources); Opus 5 and 5.5
// fast mode at 2x (krayong/ccsidekick 1.6.4; Opus 5.5 fast $8/$40).
//
// Every rate must be a whole number of thousandths of a dollar per
// million tokens (one nano-dollar per token): costs are summed exactly
// in integers (see TestRatesAreExact).
var table = []struct {
	prefix string // matched against the normalised name, longest first
	model  Model
}{
	// Claude 5 family.
	{"claude-fable-5-1", Model{Base: fable51}},
	{"claude-mythos-5-1", Model{Base: fable51}},
	{"claude-fable-5", Model{Base: fable5}},
	{"claude-mythos-5", Model{Base: fable5}},
	{"claude-opus-5-5", Model{Base: opus55, Fast: 2}},                                  // fast: 3p
	{"claude-opus-5", Model{Base: opus45, Fast: 2}},                                    // fast: 3p
	{"claude-sonnet-5-5", Model{Base: sonnet55}},                                       // hits: 3p
	{"claude-sonnet-5", Model{Base: sonnet5}},                                          //
	{"claude-haiku-5-5", Model{Base: haiku55, Long: &haiku55Long, LongAbove: 100_000}}, // 3p
	// Claude 4 names: claude-<family>-<major>[-<minor>].
	{"claude-opus-4-1", Model{Base: opus4}},
	{"claude-opus-4-0", Model{Base: opus4}},
	{"claude-opus-4-6", Model{Base: opus45, Fast: 6}},
	{"claude-opus-4-", Model{Base: opus45}}, // 4.5, 4.7, 4.8
	{"claude-opus-4", Model{Base: opus4}},   // claude-opus-4 itself
	{"claude-sonnet-4-5", Model{Base: sonnet, Long: &sonnetLong, LongAbove: 200_000}},
	{"claude-sonnet-4-0", Model{Base: sonnet, Long: &sonnetLong, LongAbove: 200_000}},
	{"claude-sonnet-4-", Model{Base: sonnet}}, // 4.6 and later minors: flat
	{"claude-sonnet-4", Model{Base: sonnet, Long: &sonnetLong, LongAbove: 200_000}},
	{"claude-haiku-4", Model{Base: haiku45}},
	// Claude 3 names: claude-<major>[-<minor>]-<family>.
	{"claude-3-7-sonnet", Model{Base: sonnet}},
	{"claude-3-5-sonnet", Model{Base: sonnet}},
	{"claude-3-sonnet", Model{Base: sonnet}},
	{"claude-3-5-haiku", Model{Base: haiku35}},
	{"claude-3-haiku", Model{Base: haiku3}},
	{"claude-3-opus", Model{Base: opus4}},
}

var (
	fable51     = Rates{Input: 10, Output: 50, CacheWrite5m: 12.5, CacheWrite1h: 20, CacheRead: 0.25}
	fable5      = Rates{Input: 10, Output: 50, CacheWrite5m: 12.5, CacheWrite1h: 20, CacheRead: 1}
	opus55      = Rates{Input: 4, Output: 20, CacheWrite5m: 5, CacheWrite1h: 8, CacheRead: 0.2}
	opus45      = Rates{Input: 5, Output: 25, CacheWrite5m: 6.25, CacheWrite1h: 10, CacheRead: 0.5}
	opus4       = Rates{Input: 15, Output: 75, CacheWrite5m: 18.75, CacheWrite1h: 30, CacheRead: 1.5}
	sonnet55    = Rates{Input: 2, Output: 10, CacheWrite5m: 2.5, CacheWrite1h: 4, CacheRead: 0.1}
	sonnet5     = Rates{Input: 2, Output: 10, CacheWrite5m: 2.5, CacheWrite1h: 4, CacheRead: 0.2}
	sonnet      = Rates{Input: 3, Output: 15, CacheWrite5m: 3.75, CacheWrite1h: 6, CacheRead: 0.3}
	sonnetLong  = Rates{Input: 6, Output: 22.5, CacheWrite5m: 7.5, CacheWrite1h: 12, CacheRead: 0.6}
	haiku55     = Rates{Input: 0.1, Output: 0.5, CacheWrite5m: 0.125, CacheWrite1h: 0.2, CacheRead: 0.01}
	haiku55Long = Rates{Input: 0.5, Output: 2.5, CacheWrite5m: 0.625, CacheWrite1h: 1, CacheRead: 0.05}
	haiku45     = Rates{Input: 1, Output: 5, CacheWrite5m: 1.25, CacheWrite1h: 2, CacheRead: 0.1}
	haiku35     = Rates{Input: 0.8, Output: 4, CacheWrite5m: 1, CacheWrite1h: 1.6, CacheRead: 0.08}
	haiku3      = Rates{Input: 0.25, Output: 1.25, CacheWrite5m: 0.3, CacheWrite1h: 0.5, CacheRead: 0.03}
)

// webSearchNano is one web search: $10 per 1,000, in nano-dollars.
const webSearchNano = 10_000_000

// usOnlyTenths is the multiplier, in tenths, on every token rate of a
// request served with inference_geo "us" (data residency: 1.1x; 3p:
// the models' pricing guides, e.g. apidog's Sonnet 5.5 page; Anthropic's
// data-residency page names the parameter and the usage field).
const usOnlyTenths = 11
