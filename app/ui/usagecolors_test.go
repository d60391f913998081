package ui

import (
	"fmt"
	"maps"
	"math"
	"os"
	"regexp"
	"strconv"
	"testing"
)

// A model has one color whatever else is shown and in whatever order
// (the legend's, by cost, moves with the spending): two palettes built
// from the models in another order, or from some of them, agree on every
// model they share. A model's color is its family's hue.
func TestModelColorsStay(t *testing.T) {
	const (
		sonnet = "claude-sonnet-4-5-20250929"
		opus   = "claude-opus-4-1-20250805"
		haiku  = "claude-haiku-4-5-20251001"
		gpt    = "gpt-5"
		gemini = "gemini-2.5-pro"
		other  = `<img src=x onerror="alert(1)">`
	)
	all := []string{sonnet, opus, haiku, gpt, gemini, other}
	want := palette(all)
	for _, models := range [][]string{
		{other, gemini, gpt, haiku, opus, sonnet},
		{opus, sonnet},
		{sonnet, opus},
		{gpt, other, sonnet},
		{opus}, {sonnet}, {other},
	} {
		got := palette(models)
		for _, m := range models {
			if got[m] != want[m] {
				t.Errorf("%q shown with %q is %s; with %q, %s", m, models, got[m], all, want[m])
			}
		}
	}
	seen := map[string]string{}
	for _, m := range all {
		if seen[want[m]] != "" {
			t.Errorf("%q and %q, shown together, are both %s", seen[want[m]], m, want[m])
		}
		seen[want[m]] = m
	}
	// A family's hue, whichever release: sonnets blue, opuses orange to
	// red, haikus green, OpenAI's teal, Gemini's purple (degrees on the
	// color wheel).
	for m, hues := range map[string][2]float64{
		sonnet: {190, 240}, "claude-3-5-sonnet-20241022": {190, 240}, "claude-sonnet-4-20250514": {190, 240},
		opus: {0, 45}, "anthropic/claude-opus-4-6": {0, 45},
		haiku: {75, 165}, "claude-3-5-haiku-20241022": {75, 165},
		gpt: {170, 190}, "o3": {170, 190}, "gpt-5-codex": {170, 190},
		gemini: {260, 300}, "gemini-2.5-flash": {260, 300},
	} {
		if c := palette([]string{m})[m]; hue(c) < hues[0] || hue(c) > hues[1] {
			t.Errorf("%q is %s, hue %.0f°; want its family's, %v°", m, c, hue(c), hues)
		}
	}
	// One model under two ids, alike in the list, alike here.
	if a, b := palette([]string{opus})[opus], palette([]string{"anthropic/claude-opus-4-1"})["anthropic/claude-opus-4-1"]; a != b {
		t.Errorf("opus 4.1 is %s under its dated id, %s under its provider's", a, b)
	}
}

// hue is the hue of a color "#rrggbb", in degrees.
func hue(hex string) float64 {
	v, _ := strconv.ParseUint(hex[1:], 16, 32)
	r, g, b := float64(v>>16)/255, float64(v>>8&0xff)/255, float64(v&0xff)/255
	hi, lo := max(r, g, b), min(r, g, b)
	var h float64
	switch {
	case hi == lo:
		return 0
	case hi == r:
		h = math.Mod((g-b)/(hi-lo), 6)
	case hi == g:
		h = (b-r)/(hi-lo) + 2
	default:
		h = (r-g)/(hi-lo) + 4
	}
	return math.Mod(h*60+360, 360)
}

// Two models shown together never share a color, however many of one
// family: four sonnets on three shades of blue differ, the same four in
// any order.
func TestModelColorsApart(t *testing.T) {
	sonnets := []string{"claude-sonnet-4-5-20250929", "claude-sonnet-4-20250514", "claude-3-7-sonnet-20250219", "claude-3-5-sonnet-20241022"}
	want := palette(sonnets)
	colors := map[string]bool{}
	for _, c := range want {
		colors[c] = true
	}
	if len(colors) != len(sonnets) {
		t.Errorf("four sonnets shown together: colors %v", want)
	}
	if got := palette([]string{sonnets[3], sonnets[1], sonnets[0], sonnets[2]}); !maps.Equal(got, want) {
		t.Errorf("the same sonnets in another order: %v, want %v", got, want)
	}
}

// Every model color stands out from the page, 3:1 or more (WCAG 1.4.11,
// graphical objects), against each background the stylesheet gives the
// page and its panels, light and dark.
func TestModelColorsContrast(t *testing.T) {
	css, err := os.ReadFile("../../web/helm.css")
	if err != nil {
		t.Fatal(err)
	}
	var backgrounds []string
	for _, m := range regexp.MustCompile(`--(?:bg|panel):\s*(#[0-9a-fA-F]{6});`).FindAllStringSubmatch(string(css), -1) {
		backgrounds = append(backgrounds, m[1])
	}
	if len(backgrounds) != 4 {
		t.Fatalf("the stylesheet's --bg and --panel, light and dark: %v, want 4 colors", backgrounds)
	}
	// As many models as there are colors, and more: together, they
	// take every color there is.
	var models []string
	for i := range 30 {
		models = append(models, fmt.Sprintf("model-%d", i))
	}
	colors := map[string]bool{}
	for _, c := range palette(models) {
		colors[c] = true
	}
	for c := range colors {
		for _, bg := range backgrounds {
			if r := contrast(c, bg); r < 3 {
				t.Errorf("model color %s on the background %s: %.2f:1, want 3:1 or more", c, bg, r)
			}
		}
	}
}

// contrast is WCAG 2's contrast ratio of two colors "#rrggbb".
func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

func luminance(hex string) float64 {
	v, err := strconv.ParseUint(hex[1:], 16, 32)
	if err != nil || len(hex) != 7 {
		panic("not a color: " + hex)
	}
	lin := func(c uint64) float64 {
		s := float64(c) / 255
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(v>>16) + 0.7152*lin(v>>8&0xff) + 0.0722*lin(v&0xff)
}
