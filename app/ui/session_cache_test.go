package ui

import (
	"strings"
	"testing"

	"vibecraft.sh/helm/app/browser"
	"vibecraft.sh/helm/app/list"
	"vibecraft.sh/helm/shared"
)

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

// Offline, a session whose page was never saved in this browser shows
// in its header what the list saved here knows of it, title, project,
// model and cost, not its raw id; the tab is named after it, and helmd's
// own detail is asked for once messages come. The list another helmd
// saved at the address is not read.
func TestOfflineHeaderFromTheSavedList(t *testing.T) {
	row := shared.Session{ID: "5b000000-0000-4000-8000-000000000001", Source: shared.SourceClaude, Title: "Fix the login test",
		ProjectPath: "/home/dev/app", Model: "claude-opus-4-5-20251101", CostUSD: 4.5, Status: shared.StatusIdle,
		CreatedAt: 1763900000000, UpdatedAt: 1763990000000}
	other := shared.Session{ID: "5b000000-0000-4000-8000-000000000002", Source: shared.SourceClaude, Title: "another"}
	offline := &browser.JSError{Name: "TypeError", Message: "Failed to fetch"}
	for _, tc := range []struct {
		name, saved string // the instance of the helmd whose list was saved
		shown       bool
	}{{"its helmd's list", "a1a1", true}, {"another helmd's list", "b2b2", false}} {
		e, ctx := testContext(t)
		st, err := storedOf(cacheOf(list.New([]shared.Session{other, row}), 7, nil, "", tc.saved))
		if err != nil {
			t.Fatal(err)
		}
		if err := ctx.LocalStorage().Set(storageKey, st); err != nil {
			t.Fatal(err)
		}
		p := pageFor()
		p.which.Instance = "a1a1"
		p.loadDetail(ctx, func(_ string, done func([]byte, error)) func() {
			done(nil, offline)
			return func() {}
		})
		e.ConsumeAll()
		facts, _, out := headerFacts(t, p)
		if !tc.shown {
			if p.detail != nil || !strings.Contains(out, ">"+row.ID+"</h1>") {
				t.Errorf("%s: the header is not the id alone: %s", tc.name, out)
			}
			continue
		}
		if !strings.Contains(out, ">Fix the login test</h1>") || facts["project"] != "/home/dev/app" ||
			facts["models"] != "opus 4.5" || facts["cost"] != "$4.50" {
			t.Errorf("%s: the header offline is not the saved row's: facts %v\n%s", tc.name, facts, out)
		}
		if p.docTitle != "Fix the login test · Helm" {
			t.Errorf("%s: the tab reads %q", tc.name, p.docTitle)
		}
		if !p.rowOnly {
			t.Errorf("%s: the saved row would stand for helmd's detail once helmd answers", tc.name)
		}
	}
}
