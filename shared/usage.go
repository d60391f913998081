package shared

// The wire types of GET /api/usage and GET /api/usage/block: the server
// writes them, the usage page and `helmd usage` read them, so one
// definition keeps the three in step.

// UsageTotals is a sum of spend, in dollars and tokens.
type UsageTotals struct {
	CostUSD float64 `json:"costUsd"`
	Tokens  Tokens  `json:"tokens"`
	// UnpricedTokens is the part of Tokens (as Tokens.Total counts them)
	// spent on models the price table does not know: CostUSD leaves
	// their cost out, which is unknown, not 0.
	UnpricedTokens int `json:"unpricedTokens,omitempty"`
}

// UsageBucket is one group of a report: a day (YYYY-MM-DD in the
// report's zone), a project path, a model or a source. A model is named
// by its key (ModelKey), in Key and in the maps: its dated, Bedrock and
// Vertex ids are counted under it.
type UsageBucket struct {
	Key     string             `json:"key"`
	CostUSD float64            `json:"costUsd"`
	Tokens  Tokens             `json:"tokens"`
	ByModel map[string]float64 `json:"byModel"` // cost by model
	// UnpricedTokens is as UsageTotals's: the part of Tokens whose cost
	// CostUSD leaves out, unknown.
	UnpricedTokens int `json:"unpricedTokens,omitempty"`
	// TokensByModel is Tokens.Total() by model: what the tokens chart
	// stacks, as the cost chart stacks ByModel.
	TokensByModel map[string]int `json:"tokensByModel,omitempty"`
}

// UsageReport is GET /api/usage's answer. Days come in order; other
// groups by cost, highest first.
type UsageReport struct {
	From    int64         `json:"from"`
	To      int64         `json:"to"`
	By      string        `json:"by"`
	TZ      string        `json:"tz"`
	Buckets []UsageBucket `json:"buckets"`
	Total   UsageTotals   `json:"total"`
	// Unpriced are the models (keys) with tokens in the range that the
	// price table does not know: a figure of theirs is "unpriced", never
	// $0 (/api/status lists them under unpricedModels).
	Unpriced []string `json:"unpriced,omitempty"`
}

// UsageCostText writes a cost of the usage report as CostText does,
// unless some of its tokens have no price: then it is "unpriced" (none
// of them has one: $0 would read as free) or "$1.20 + unpriced" (the
// figure is what the priced ones cost, the rest unknown).
func UsageCostText(usd float64, unpricedTokens int) string {
	return withUnpriced(CostText(usd), usd, unpricedTokens)
}

// CostOrUnpricedText is a session's or a subagent's cost as the page and
// helmd ls write it: CostText, or, when some of its tokens had no price
// (Session.Unpriced, AgentDetail.Unpriced), "unpriced" or "$0.17 +
// unpriced" as the usage report says it.
func CostOrUnpricedText(usd float64, unpriced bool) string {
	if unpriced {
		return UsageCostText(usd, 1)
	}
	return CostText(usd)
}

// withUnpriced is priced, the text of a cost of usd, saying what its
// unpriced tokens leave out: "unpriced" alone when nothing had a price,
// "<priced> + unpriced" when some of it did not.
func withUnpriced(priced string, usd float64, unpricedTokens int) string {
	switch {
	case unpricedTokens <= 0:
		return priced
	case usd <= 0:
		return "unpriced"
	}
	return priced + " + unpriced"
}

// UsageBlock is the current 5-hour usage block (GET /api/usage/block), or
// Active false when there is none.
type UsageBlock struct {
	Active bool `json:"active"`
	UsageSpan
	// HasRate says whether the block's use spans long enough to tell a
	// rate from (the server's rule, README's usage page): one response,
	// or a few within minutes, say nothing of the hours left. Without
	// it BurnUSDPerHour is 0 and ProjectedUSD the spend so far, which is
	// what a client that does not know this field shows.
	HasRate bool `json:"hasRate"`
	// BurnUSDPerHour is the spend so far over the time since the block's
	// first activity.
	BurnUSDPerHour float64 `json:"burnUsdPerHour"`
	// ProjectedUSD is the spend at the block's end at that rate.
	ProjectedUSD float64 `json:"projectedUsd"`
	Now          int64   `json:"now"` // epoch ms the block was computed at
	// Last is the latest block when it has ended (Active false), so a
	// client can say when and at what cost; absent while a block runs,
	// and when nothing was spent in the time the server looks back over.
	Last *UsageSpan `json:"last,omitempty"`
}

// UsageSpan is a block's window and its spend: the running block's, or
// one that has ended (UsageBlock.Last). Its UnpricedTokens are the
// block's tokens of models without a price: its cost, and the running
// block's rate and projection, leave theirs out.
type UsageSpan struct {
	Start int64 `json:"start"` // epoch ms, on the hour
	End   int64 `json:"end"`   // Start + 5 h
	UsageTotals
}
