package ui

import "testing"

// A session page's saved copy is its helmd's: a page another helmd
// serves at the address (a session of the same id, someone else's) does
// not show it, not even for a moment; its own helmd's page, or one that
// knows no instance, does.
func TestSavedPageIsItsHelmds(t *testing.T) {
	_, ctx := testContext(t)
	p := pageFor()
	p.ctx, p.which.Instance = ctx, "a1a1"
	p.convo.Reset(textMsgs(map[string]string{"c1": "alpha's secret"}, "c1"))
	p.saveNow()
	for _, tc := range []struct {
		instance string
		shown    bool
	}{{"a1a1", true}, {"", true}, {"b2b2", false}} {
		c, ok := loadCachedPage(ctx, p.key(), tc.instance)
		if ok != tc.shown {
			t.Errorf("a page of instance %q: saved copy shown %v, want %v", tc.instance, ok, tc.shown)
		}
		if ok && (len(c.Page.Messages) != 1 || c.Page.Messages[0].Blocks[0].Text != "alpha's secret") {
			t.Errorf("the copy shown is not the one saved: %+v", c.Page)
		}
	}
}
