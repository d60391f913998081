package ui

import (
	"hash/fnv"
	"slices"
	"strings"

	"vibecraft.sh/helm/shared"
)

// A model's color comes from its name, never from its rank: ranked by
// cost, the models swapped colors whenever the spending moved, from one
// load to the next. A family has a hue (sonnet blue, opus orange, haiku
// green, OpenAI's models teal, Gemini purple) and a few shades of it, one
// picked for each release by a hash of its name as the list says it; a
// model of no family known here takes one of the other colors the same
// way. Only two models shown together on one color make one of them move:
// the later in name order takes its next free color.
//
// Every color is 3:1 or more against the page's background, light and
// dark (WCAG 1.4.11, graphical objects; TestModelColorsContrast).

// modelHues are the families' shades, the models of no family known here
// last ("").
var modelHues = []struct {
	family string
	shades []string
}{
	{"sonnet", []string{"#2d74ca", "#5460b3", "#1292c0"}},
	{"opus", []string{"#cf630d", "#b94739", "#a97416"}},
	{"haiku", []string{"#3a9742", "#158561", "#749331"}},
	{"openai", []string{"#14938d", "#0c7d87"}},
	{"gemini", []string{"#8c54c3", "#a960ae"}},
	{"", []string{"#c94f7c", "#6d7c8c", "#8b7b02", "#a25281"}},
}

// modelFamily is the family of a model as the list names it (words, from
// shared.ModelWords): "claude-3-5-sonnet-20241022" is a sonnet, "gpt-5",
// "o3" and "codex-mini" are OpenAI's; "" for another.
func modelFamily(words []string) string {
	for _, w := range words {
		switch w {
		case "sonnet", "opus", "haiku", "gemini":
			return w
		case "codex":
			return "openai"
		}
	}
	if len(words) > 0 {
		w := words[0]
		if strings.HasPrefix(w, "gpt") || len(w) > 1 && w[0] == 'o' && strings.Trim(w[1:], "0123456789") == "" {
			return "openai"
		}
	}
	return ""
}

// modelColors is the colors a model may take, its own first: its
// family's shades from the one its name's hash picks, then the other
// colors the same way, then the other families'. A provider's prefix
// ("anthropic/") and a release date are left out, as the list leaves
// them out, so that two ids of one model share a color.
func modelColors(model string) []string {
	if i := strings.LastIndexByte(model, '/'); i >= 0 {
		model = model[i+1:]
	}
	words := strings.Fields(strings.ToLower(shared.ModelWords(model)))
	h := fnv.New32a()
	h.Write([]byte(strings.Join(words, " ")))
	sum := int(h.Sum32() >> 1)
	fam := modelFamily(words)
	var own, others, rest []string
	for _, hue := range modelHues {
		switch {
		case hue.family == fam:
			own = rotate(hue.shades, sum)
		case hue.family == "":
			others = rotate(hue.shades, sum)
		default:
			rest = append(rest, hue.shades...)
		}
	}
	return slices.Concat(own, others, rest)
}

// rotate is cs from its element n (modulo its length) round to the one
// before.
func rotate(cs []string, n int) []string {
	i := n % len(cs)
	return slices.Concat(cs[i:], cs[:i])
}

// palette gives each model shown its color: its own (modelColors), unless
// a model before it in name order took that one, then its next free one.
// The order the models come in (the legend's, by cost) plays no part.
func palette(models []string) map[string]string {
	sorted := slices.Clone(models)
	shared.SortFunc(sorted, func(a, b *string) int { return strings.Compare(*a, *b) })
	out := make(map[string]string, len(models))
	taken := map[string]bool{}
	for _, m := range slices.Compact(sorted) {
		cs := modelColors(m)
		pick := cs[0] // every color taken: share its own
		for _, c := range cs {
			if !taken[c] {
				pick = c
				break
			}
		}
		out[m], taken[pick] = pick, true
	}
	return out
}
