package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/serviceworker"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"vibecraft.sh/helm/server/internal/fixture"
	"vibecraft.sh/helm/server/push"
	"vibecraft.sh/helm/shared"
)

// TestPushInBrowser: the page offers "Notify me when away" (127.0.0.1 is
// a secure context), and a Web Push delivered to Helm's service worker, as
// a push service would deliver it, becomes a system notification with
// helmd's title, body, tag and session page; a hostile payload shows as
// text with no foreign URL.
//
//	make build && HELM_BIN=$PWD/bin/helmd go test -run PushInBrowser ./server/e2e/
func TestPushInBrowser(t *testing.T) {
	b := startBrowser(t)
	claude := t.TempDir()
	fixture.Append(t, fixture.Path(claude, cwd, sidA), fixture.User(sidA, cwd, "push", time.Now()))
	p := startBinary(t, t.TempDir(), "--port", "0", "--claude-dir", claude, "--no-opencode",
		"--cache-dir", t.TempDir(), "--push-subject", "ops@helm-test.org")
	needClient(t, p)
	c := b.tab(t)

	bctx := chromedp.FromContext(c.ctx).BrowserContextID
	if _, err := chromedp.CallBrowser(c.ctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
		Permission: &cdpbrowser.PermissionDescriptor{Name: "notifications"}, Setting: cdpbrowser.PermissionSettingGranted,
		Origin: p.URL, BrowserContextID: bctx,
	}); err != nil {
		t.Fatalf("granting notifications: %v", err)
	}
	c.navigate(p.URL + "/")
	c.waitJS(30*time.Second, "the wasm client", `document.body.dataset.wasm === "ready"`)
	waitWorker(c, p.URL)
	c.waitJS(10*time.Second, "the push toggle, ready", `(() => {
		const b = document.getElementById("push-toggle");
		return b && b.getAttribute("aria-busy") === "false" && b.textContent === "Notify me when away";
	})()`)

	// The worker's registration id, which DevTools delivers pushes to.
	ctx, cancel := context.WithTimeout(c.ctx, 15*time.Second)
	defer cancel()
	enable := chromedp.Action[chromedp.Void](func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, serviceworker.Enable, cdp.Empty{})
		return chromedp.Void{}, err
	})
	var regID serviceworker.RegistrationID
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(serviceworker.WorkerRegistrationUpdated, func(e serviceworker.EventWorkerRegistrationUpdated) bool {
		for _, r := range e.Registrations {
			if r.ScopeURL == p.URL+"/" && !r.IsDeleted {
				regID = r.RegistrationID
				return true
			}
		}
		return false
	}, enable)); err != nil {
		t.Fatalf("finding the worker's registration: %v", err)
	}

	deliver := func(data string) {
		t.Helper()
		if _, err := chromedp.Call(c.ctx, serviceworker.DeliverPushMessage, serviceworker.DeliverPushMessageParams{
			Origin: p.URL, RegistrationID: regID, Data: data,
		}); err != nil {
			t.Fatalf("delivering a push: %v", err)
		}
	}
	// What the worker asks the browser to show, recorded in the worker
	// itself (see recordNotifications).
	worker := attachWorker(c, p.URL)
	mustEval[bool](worker, recordNotifications)
	type shown struct{ Title, Body, Tag, URL string }
	notifications := func(n int) []shown {
		t.Helper()
		var out []shown
		for _, got := range shownNotifications(worker, 10*time.Second, n) {
			out = append(out, shown{got.Title, got.Body, got.Tag, got.URL})
		}
		return out
	}

	// What helmd sends for a session that starts waiting.
	payload, _ := json.Marshal(push.PayloadFor(shared.Session{ID: sidA, Source: shared.SourceClaude,
		Title: "Fix the flake", WaitingFor: "permission: Bash"}, "Run the migration?"))
	deliver(string(payload))
	got := notifications(1)
	want := shown{Title: "Fix the flake", Body: "permission: Bash: Run the migration?", Tag: "claude:" + sidA, URL: "/s/claude/" + sidA}
	if len(got) != 1 || got[0] != want {
		t.Fatalf("notifications %+v, want [%+v]", got, want)
	}

	// A hostile payload: markup stays text, a foreign URL is not kept.
	deliver(`{"title":"<img src=x onerror=alert(1)>","body":"b","tag":"t2","url":"https://evil.example/"}`)
	got = notifications(2)
	var hostile *shown
	for i := range got {
		if got[i].Tag == "t2" {
			hostile = &got[i]
		}
	}
	if hostile == nil || hostile.Title != "<img src=x onerror=alert(1)>" || hostile.URL != "/" {
		t.Errorf("hostile push shown as %+v, want its title as text and url /", hostile)
	}

	// The toggle: subscribed and stored by helmd, or (headless Chromium has
	// no push service: "Registration failed") the browser's refusal shown,
	// nothing stored.
	c.do(5*time.Second, "clicking the push toggle", chromedp.Click("#push-toggle"))
	c.waitJS(20*time.Second, "the toggle's outcome", `document.getElementById("push-error") ||
		document.getElementById("push-toggle").getAttribute("aria-pressed") === "true"`)
	var status struct{ Push push.Stats }
	_, body := get(t, p.URL+"/api/status")
	if err := json.Unmarshal(body, &status); err != nil {
		t.Fatal(err)
	}
	if msg := c.text("#push-error"); msg != "" {
		t.Logf("the browser refused to subscribe: %s", msg)
		if status.Push.Subscriptions != 0 {
			t.Errorf("%d subscriptions stored after a refused subscribe", status.Push.Subscriptions)
		}
	} else if status.Push.Subscriptions != 1 {
		t.Errorf("the toggle shows subscribed, helmd holds %d subscriptions", status.Push.Subscriptions)
	}
}

// attachWorker is a handle on the service worker that controls origin's
// pages, in c's browser context: waitJS and eval run in its global scope.
// Attached, DevTools keeps the worker running, so what a test installs
// there stays until the test ends.
func attachWorker(c *chrome, origin string) *chrome {
	c.t.Helper()
	bctx := chromedp.FromContext(c.ctx).BrowserContextID
	var id target.ID
	deadline := time.Now().Add(10 * time.Second)
	for {
		targets, err := chromedp.Targets(c.ctx)
		if err != nil {
			c.t.Fatalf("listing the browser's targets: %v", err)
		}
		for _, tg := range targets {
			if tg.Type == "service_worker" && tg.BrowserContextID == bctx && strings.HasPrefix(tg.URL, origin+"/") {
				id = tg.TargetID
			}
		}
		if id != "" {
			break
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("no service worker target for %s", origin)
		}
		time.Sleep(25 * time.Millisecond) // polling the target list, not synchronising
	}
	ctx, cancel := chromedp.NewContext(c.ctx, chromedp.WithTargetID(id))
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		c.t.Fatalf("attaching to the service worker: %v", err)
	}
	c.t.Cleanup(cancel)
	return &chrome{t: c.t, ctx: ctx}
}
