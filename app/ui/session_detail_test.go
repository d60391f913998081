package ui

import (
	"encoding/json"
	"testing"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/shared"
)

// A detail asked before the stream's last session event is older than
// it: its answer, however late, leaves the header at the event's status
// (it said "Working…" again, for good, after the answer that ended the
// work). What only the detail has is taken all the same.
func TestDetailAskedBeforeTheLastSessionEvent(t *testing.T) {
	p := pageFor()
	e, ctx := testContext(t)
	working := shared.Session{ID: p.id, Source: shared.SourceClaude, Status: shared.StatusWorking, UpdatedAt: 1000}
	p.detail = &shared.SessionDetail{Session: working}

	var answer func([]byte, error)
	p.loadDetail(ctx, func(_ string, done func([]byte, error)) func() { answer = done; return func() {} })
	idle := working
	idle.Status, idle.UpdatedAt = shared.StatusIdle, 2000
	p.takeSession(idle) // the answer came, the work ended: the stream says so
	e.ConsumeAll()

	old, err := json.Marshal(shared.SessionDetail{Session: working, Models: []string{"claude-sonnet-4-5"}})
	if err != nil {
		t.Fatal(err)
	}
	answer(old, nil) // read before the answer was written
	e.ConsumeAll()
	if p.detail.Status != shared.StatusIdle || p.working() {
		t.Errorf("a detail asked before the session event put the status back to %q", p.detail.Status)
	}
	if len(p.detail.Models) != 1 {
		t.Errorf("the detail's own facts were not taken: models %v", p.detail.Models)
	}

	// Asked after the event, the answer is the newer: taken whole.
	p.loadDetail(ctx, func(_ string, done func([]byte, error)) func() { answer = done; return func() {} })
	answer(old, nil)
	e.ConsumeAll()
	if p.detail.Status != shared.StatusWorking {
		t.Errorf("a detail asked after the last event was not taken: status %q", p.detail.Status)
	}
}

// contextHolder hands a test the context of a loaded component: its
// Dispatch runs on the test engine's queue, as a page's does in the
// browser.
type contextHolder struct {
	app.Compo
	ctx app.Context
}

func (h *contextHolder) OnPreRender(ctx app.Context) { h.ctx = ctx }
func (h *contextHolder) Render() app.UI              { return app.Div() }

// testContext is a test engine and a context whose dispatches it runs
// (ConsumeAll).
func testContext(t *testing.T) (app.TestEngine, app.Context) {
	t.Helper()
	h := &contextHolder{}
	e := app.NewTestEngine()
	if err := e.Load(h); err != nil {
		t.Fatal(err)
	}
	e.ConsumeAll()
	return e, h.ctx
}

// A page opened from the list while the list leaves its session out for
// a moment (its transcript rewritten in place): helmd answers the
// detail with the id and files only, marked unlisted. The header keeps
// what the page showed, the list's row, rather than turning into an
// "Untitled session" with no project; marked unlisted, it asks for the
// whole header at the stream's next session event.
func TestUnlistedDetailKeepsTheHeaderShown(t *testing.T) {
	p := pageFor()
	e, ctx := testContext(t)
	row := shared.Session{ID: p.id, Source: shared.SourceClaude, Title: "fix the flaky test", ProjectPath: "/home/dev/app",
		Status: shared.StatusIdle, UpdatedAt: 1000}
	p.detail = rowDetail(&row)

	var answer func([]byte, error)
	p.loadDetail(ctx, func(_ string, done func([]byte, error)) func() { answer = done; return func() {} })
	unlisted, err := json.Marshal(shared.SessionDetail{Session: shared.Session{ID: p.id, Source: shared.SourceClaude},
		Transcripts: []string{"a.jsonl"}, ResumeCommand: "claude --resume " + p.id, Unlisted: true})
	if err != nil {
		t.Fatal(err)
	}
	answer(unlisted, nil)
	e.ConsumeAll()
	if p.detail.Title != row.Title || p.detail.ProjectPath != row.ProjectPath || !p.detail.Unlisted {
		t.Errorf("the header after an unlisted answer: title %q, project %q, unlisted %v; want the row's, marked unlisted",
			p.detail.Title, p.detail.ProjectPath, p.detail.Unlisted)
	}
}
