package e2e

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"vibecraft.sh/helm/server/internal/fixture"
)

// TestTokenInBrowser: a user's first visit, as Chromium makes it. The
// printed URL leaves the token in Helm's cookie and not in the address
// bar; without the cookie Helm asks for the token and shows nothing; a
// link from another site opens Helm with the list.
func TestTokenInBrowser(t *testing.T) {
	const title = "Move the billing job to the new queue"
	claude := t.TempDir()
	fixture.Append(t, fixture.Path(claude, cwd, sidA), fixture.User(sidA, cwd, title, time.Now()))
	// Its own token from its own token file: the tab's preset cookie
	// (tab) is not this helmd's.
	p := startBinaryEnv(t, t.TempDir(), tokenEnv(t.TempDir()), "--port", "0", "--claude-dir", claude, "--no-opencode")
	needClient(t, p)
	b := startBrowser(t)
	row := rowSel("claude:"+sidA) + " .title"

	t.Run("without the cookie Helm asks for the token", func(t *testing.T) {
		c := b.tab(t)
		c.do(10*time.Second, "dropping the cookie", deleteCookies())
		c.navigate(p.URL + "/")
		c.waitJS(10*time.Second, "the token form", present(`input[name="token"]`))
		if strings.Contains(mustEval[string](c, `document.documentElement.outerHTML`), title) {
			t.Fatal("the page asking for the token shows a session")
		}
		// Pasting the token opens the list.
		c.do(10*time.Second, "typing the token", chromedp.SendKeys(`input[name="token"]`, p.Token), chromedp.Submit(`form`))
		c.waitJS(30*time.Second, "the list", hasText(row, title))
		if href := mustEval[string](c, `location.href`); strings.Contains(href, "token") {
			t.Fatalf("the token stayed in the address bar: %s", href)
		}
	})

	t.Run("the printed URL", func(t *testing.T) {
		c := b.tab(t)
		c.do(10*time.Second, "dropping the cookie", deleteCookies())
		c.navigate(p.URL + "/?token=" + p.Token)
		c.waitJS(30*time.Second, "the list", hasText(row, title))
		waitLive(c)
		if href := mustEval[string](c, `location.href`); href != p.URL+"/" {
			t.Fatalf("address bar %q, want %q: the token must not stay in it", href, p.URL+"/")
		}
		if mustEval[string](c, `document.cookie`) != "" {
			t.Fatal("the cookie must be HttpOnly: scripts cannot read it")
		}
		ck := cookieOf(c, p.URL+"/")
		if ck == nil || ck.Value != p.Token || !ck.HTTPOnly || ck.SameSite != network.CookieSameSiteStrict || ck.Secure {
			t.Fatalf("cookie %+v: want the token, HttpOnly, SameSite=Strict, not Secure over plain HTTP", ck)
		}
		if left := time.Until(time.Unix(int64(ck.Expires), 0)); left < 29*24*time.Hour || left > 31*24*time.Hour {
			t.Fatalf("cookie expires in %v, want 30 days", left)
		}
		// A reload (the installed app, a bookmark) needs nothing more.
		c.navigate(p.URL + "/")
		c.waitJS(30*time.Second, "the list after a reload", hasText(row, title))
	})

	t.Run("a link from another site", func(t *testing.T) {
		// localhost is another site than 127.0.0.1: the SameSite=Strict
		// cookie is not sent on the navigation the link starts.
		other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, `<!doctype html><a id="go" href="%s/">Helm</a>`, p.URL)
		}))
		t.Cleanup(other.Close)
		_, port, _ := net.SplitHostPort(strings.TrimPrefix(other.URL, "http://"))
		c := b.tab(t)
		// The right cookie, set without loading Helm: no service worker
		// could answer the navigation from its cache.
		c.do(10*time.Second, "setting the cookie", deleteCookies(), setCookie(p.Token))
		c.navigate("http://localhost:" + port + "/")
		c.do(30*time.Second, "following the link", chromedp.Click("#go"))
		c.waitJS(30*time.Second, "the list, opened from another site", hasText(row, title))
		if href := mustEval[string](c, `location.href`); href != p.URL+"/" {
			t.Fatalf("ended on %q", href)
		}
	})
}

// deleteCookies empties the tab's cookie jar (its browser context's).
func deleteCookies() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, network.ClearBrowserCookies, cdp.Empty{})
		return err
	})
}

// setCookie gives the tab Helm's cookie for 127.0.0.1, as the printed
// URL would have.
func setCookie(token string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, network.SetCookie, network.SetCookieParams{
			Name: "helm_token", Value: token, URL: "http://127.0.0.1/", Path: "/",
			HTTPOnly: &[]bool{true}[0], SameSite: network.CookieSameSiteStrict,
		})
		return err
	})
}

// cookieOf is Helm's cookie as the browser keeps it for pageURL.
func cookieOf(c *chrome, pageURL string) *network.Cookie {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.ctx, 10*time.Second)
	defer cancel()
	res, err := chromedp.Run(ctx, chromedp.Action[network.GetCookiesResult](func(ctx context.Context, tg *chromedp.Target) (network.GetCookiesResult, error) {
		return cdp.Call(ctx, tg, network.GetCookies, network.GetCookiesParams{URLs: []string{pageURL}})
	}))
	if err != nil {
		c.t.Fatalf("reading cookies: %v", err)
	}
	for _, ck := range res.Cookies {
		if ck.Name == "helm_token" {
			return ck
		}
	}
	return nil
}
