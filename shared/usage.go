package shared

// The wire types of GET /api/usage and GET /api/usage/block: the server
// writes them, the usage page and `helmd usage` read them, so one
// definition keeps the three in step.

// UsageTotals is a sum of spend, in dollars and tokens.
type UsageTotals struct {
	CostUSD float64 `json:"costUsd"`
	Tokens  Tokens  `json:"tokens"`
}

// UsageBucket is one group of a report: a day (YYYY-MM-DD in the
// report's zone), a project path, a model or a source.
type UsageBucket struct {
	Key     string             `json:"key"`
	CostUSD float64            `json:"costUsd"`
	Tokens  Tokens             `json:"tokens"`
	ByModel map[string]float64 `json:"byModel"` // cost by model
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
// one that has ended (UsageBlock.Last).
type UsageSpan struct {
	Start int64 `json:"start"` // epoch ms, on the hour
	End   int64 `json:"end"`   // Start + 5 h
	UsageTotals
}
