package ui

import (
	"testing"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

func TestPushToggleRender(t *testing.T) {
	for _, tc := range []struct {
		name    string
		p       *PushToggle
		want    []string
		notWant []string
	}{
		{"unavailable says why, offers nothing",
			&PushToggle{unavailable: "Push needs a secure context: open Helm over https, or on http://localhost."},
			[]string{"secure context"}, []string{"<button"}},
		{"off", &PushToggle{checked: true}, []string{"Notify me when away", `aria-pressed="false"`}, []string{"push-error"}},
		// go-app prints an attribute whose value is "true" bare.
		{"on", &PushToggle{checked: true, on: true}, []string{"turn off", "aria-pressed"}, []string{`aria-pressed="false"`}},
		{"still asking the browser", &PushToggle{}, []string{"aria-busy"}, []string{`aria-busy="false"`}},
		{"a failure is shown as text", &PushToggle{checked: true, msg: "push subject <b>x</b> refused"},
			[]string{`role="alert"`, "&lt;b&gt;x&lt;/b&gt;"}, []string{"<b>x"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := app.NewTestEngine()
			if err := e.Load(tc.p); err != nil {
				t.Fatal(err)
			}
			e.ConsumeAll()
			out := app.HTMLString(tc.p)
			checkMarkup(t, out, tc.want, tc.notWant)
		})
	}
}
