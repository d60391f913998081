package ui

import (
	"encoding/json"
	"slices"
	"strings"

	"vibecraft.sh/helm/shared"
)

// rootsFromStatus reads the watched folders out of GET /api/status. The
// document belongs to the server and may change shape, so this looks for
// any "roots" list of strings at the top level or one level down, and
// returns nothing rather than failing.
func rootsFromStatus(body []byte) []string {
	var doc map[string]json.RawMessage
	if json.Unmarshal(body, &doc) != nil {
		return nil
	}
	var out []string
	add := func(raw json.RawMessage) {
		var roots []string
		if json.Unmarshal(raw, &roots) != nil {
			return
		}
		for _, r := range roots {
			if r != "" && !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
	}
	add(doc["roots"])
	keys := make([]string, 0, len(doc))
	for k := range doc {
		keys = append(keys, k)
	}
	shared.SortFunc(keys, func(a, b *string) int { return strings.Compare(*a, *b) })
	for _, k := range keys {
		var sub map[string]json.RawMessage
		if json.Unmarshal(doc[k], &sub) == nil {
			add(sub["roots"])
		}
	}
	return out
}
