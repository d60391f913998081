package el

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// TestSameHTML holds each constructor, and each typed setter the client
// replaced with Attr, to the HTML of go-app's typed element: same tag,
// same attributes, same end tag or none.
func TestSameHTML(t *testing.T) {
	kid := func() app.UI { return app.Text("x") }
	tests := []struct {
		name     string
		got, was app.UI
	}{
		{"a", A().Class("c").Body(kid()), app.A().Class("c").Body(kid())},
		{"article", Article().Class("c").Body(kid()), app.Article().Class("c").Body(kid())},
		{"blockquote", Blockquote().Class("c").Body(kid()), app.Blockquote().Class("c").Body(kid())},
		{"button", Button().Class("c").Body(kid()), app.Button().Class("c").Body(kid())},
		{"code", Code().Class("c").Body(kid()), app.Code().Class("c").Body(kid())},
		{"dd", Dd().Class("c").Body(kid()), app.Dd().Class("c").Body(kid())},
		{"del", Del().Class("c").Body(kid()), app.Del().Class("c").Body(kid())},
		{"div", Div().Class("c").Body(kid()), app.Div().Class("c").Body(kid())},
		{"dl", Dl().Class("c").Body(kid()), app.Dl().Class("c").Body(kid())},
		{"dt", Dt().Class("c").Body(kid()), app.Dt().Class("c").Body(kid())},
		{"em", Em().Class("c").Body(kid()), app.Em().Class("c").Body(kid())},
		{"footer", Footer().Class("c").Body(kid()), app.Footer().Class("c").Body(kid())},
		{"h1", H1().Class("c").Body(kid()), app.H1().Class("c").Body(kid())},
		{"h2", H2().Class("c").Body(kid()), app.H2().Class("c").Body(kid())},
		{"header", Header().Class("c").Body(kid()), app.Header().Class("c").Body(kid())},
		{"kbd", Kbd().Class("c").Body(kid()), app.Kbd().Class("c").Body(kid())},
		{"label", Label().Class("c").Body(kid()), app.Label().Class("c").Body(kid())},
		{"li", Li().Class("c").Body(kid()), app.Li().Class("c").Body(kid())},
		{"main", Main().Class("c").Body(kid()), app.Main().Class("c").Body(kid())},
		{"mark", Mark().Class("c").Body(kid()), app.Mark().Class("c").Body(kid())},
		{"ol", Ol().Class("c").Body(kid()), app.Ol().Class("c").Body(kid())},
		{"option", Option().Class("c").Body(kid()), app.Option().Class("c").Body(kid())},
		{"p", P().Class("c").Body(kid()), app.P().Class("c").Body(kid())},
		{"pre", Pre().Class("c").Body(kid()), app.Pre().Class("c").Body(kid())},
		{"section", Section().Class("c").Body(kid()), app.Section().Class("c").Body(kid())},
		{"select", Select().Class("c").Body(kid()), app.Select().Class("c").Body(kid())},
		{"span", Span().Class("c").Body(kid()), app.Span().Class("c").Body(kid())},
		{"strong", Strong().Class("c").Body(kid()), app.Strong().Class("c").Body(kid())},
		{"table", Table().Class("c").Body(kid()), app.Table().Class("c").Body(kid())},
		{"tbody", TBody().Class("c").Body(kid()), app.TBody().Class("c").Body(kid())},
		{"td", Td().Class("c").Body(kid()), app.Td().Class("c").Body(kid())},
		{"th", Th().Class("c").Body(kid()), app.Th().Class("c").Body(kid())},
		{"thead", THead().Class("c").Body(kid()), app.THead().Class("c").Body(kid())},
		{"time", Time().Class("c").Body(kid()), app.Time().Class("c").Body(kid())},
		{"tr", Tr().Class("c").Body(kid()), app.Tr().Class("c").Body(kid())},
		{"ul", Ul().Class("c").Body(kid()), app.Ul().Class("c").Body(kid())},
		{"wbr", Span().Body(Wbr(), kid()), app.Span().Body(app.Wbr(), kid())},
		{"hr", Div().Body(Hr().Class("c"), kid()), app.Div().Body(app.Hr().Class("c"), kid())},
		{"img", Div().Body(Img().Class("c"), kid()), app.Div().Body(app.Img().Class("c"), kid())},
		{"input", Div().Body(Input().Class("c"), kid()), app.Div().Body(app.Input().Class("c"), kid())},

		// The typed setters the client used, as Attr.
		{"href", A().Attr("href", "/s/a%20b?x=1"), app.A().Href("/s/a%20b?x=1")},
		{"href %s", A().Attr("href", "https://x/%d"), app.A().Href("%s", "https://x/%d")},
		{"rel target", A().Attr("rel", "noopener noreferrer").Attr("target", "_blank"),
			app.A().Rel("noopener noreferrer").Target("_blank")},
		{"datetime", Time().Attr("datetime", "2026-12-05T10:00:00Z"), app.Time().DateTime("%s", "2026-12-05T10:00:00Z")},
		{"scope", Th().Attr("scope", "row"), app.Th().Scope("row")},
		{"start", Ol().Attr("start", 3), app.Ol().Start(3)},
		{"disabled", Button().Attr("disabled", true), app.Button().Disabled(true)},
		{"not disabled", Button().Attr("disabled", false), app.Button().Disabled(false)},
		{"option", Option().Attr("value", "v").Attr("selected", true), app.Option().Value("v").Selected(true)},
		{"img src", Img().Attr("src", "/web/icon.svg"), app.Img().Src("/web/icon.svg")},
		{"search", Input().Attr("type", "search").Attr("placeholder", "Find").Attr("autocomplete", "off"),
			app.Input().Type("search").Placeholder("Find").AutoComplete(false)},
		{"checkbox", Input().Attr("type", "checkbox").Attr("checked", true), app.Input().Type("checkbox").Checked(true)},
		{"unchecked", Input().Attr("type", "checkbox").Attr("checked", false), app.Input().Type("checkbox").Checked(false)},
	}
	for _, tt := range tests {
		got, want := sortAttrs(app.HTMLString(tt.got)), sortAttrs(app.HTMLString(tt.was))
		if got != want {
			t.Errorf("%s: got\n%s\nwant\n%s", tt.name, got, want)
		}
	}
}

var (
	openTag = regexp.MustCompile(`<([a-z0-9]+)((?: [a-z-]+(?:="[^"]*")?)*)>`)
	oneAttr = regexp.MustCompile(` [a-z-]+(?:="[^"]*")?`)
)

// sortAttrs sorts the attributes of each start tag: go-app writes them
// in a map's order.
func sortAttrs(html string) string {
	return openTag.ReplaceAllStringFunc(html, func(tag string) string {
		m := openTag.FindStringSubmatch(tag)
		attrs := oneAttr.FindAllString(m[2], -1)
		slices.Sort(attrs)
		return "<" + m[1] + strings.Join(attrs, "") + ">"
	})
}

func TestSortAttrs(t *testing.T) {
	got := sortAttrs(`<a rel="x y" href="/">t</a><input type="c" checked>`)
	if want := `<a href="/" rel="x y">t</a><input checked type="c">`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
