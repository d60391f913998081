package browser

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"unicode/utf8"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/feed"
)

// Fetcher is a feed.Poller over fetch.
type Fetcher struct{}

var _ feed.Poller = Fetcher{}

// Poll GETs url and hands on its feed.EventIDHeader with the body. The
// API is same-origin, so the header is readable without CORS exposure.
func (Fetcher) Poll(url string, done func(body []byte, eventID string, err error)) (cancel func()) {
	return fetch("GET", url, feed.EventIDHeader, nil, done)
}

var _ feed.HeadPoller = Fetcher{}

// PollHead is Poll that also calls head with the header as soon as the
// answer's headers arrive, before its body: the feed opens the stream
// while a big snapshot still downloads and decodes.
func (Fetcher) PollHead(url string, head func(eventID string), done func(body []byte, eventID string, err error)) (cancel func()) {
	return fetch("GET", url, feed.EventIDHeader, head, done)
}

// Fetch sends a request without a body and calls done once with the body
// of a 2xx answer, or an error. cancel aborts it; done is then called
// with the abort error, which callers ignore.
func Fetch(method, url string, done func(body []byte, err error)) (cancel func()) {
	return fetch(method, url, "", nil, func(body []byte, _ string, err error) { done(body, err) })
}

// fetch is Fetch that also reads the answer's header named header ("" =
// none; an absent header reads as ""), and gives it to head (if not nil)
// before the body is read.
//
// app.Value.Then is not used: it releases its callback only when the
// promise is fulfilled, so a rejection would leak it and never call back.
func fetch(method, url, header string, head func(value string), done func(body []byte, value string, err error)) (cancel func()) {
	ctrl := app.Window().Get("AbortController").New()
	var (
		once  sync.Once
		funcs []app.Func
		value string
	)
	finish := func(body []byte, err error) {
		once.Do(func() {
			for _, f := range funcs {
				f.Release() // allowed while f runs (syscall/js)
			}
			done(body, value, err)
		})
	}
	fn := func(f func(v app.Value)) app.Func {
		jf := app.FuncOf(func(_ app.Value, args []app.Value) any {
			var v app.Value
			if len(args) > 0 {
				v = args[0]
			}
			f(v)
			return nil
		})
		funcs = append(funcs, jf)
		return jf
	}
	onError := fn(func(e app.Value) { finish(nil, jsError(e)) })
	var status int
	// The body as bytes, not text: a snapshot is binary, and a JSON body
	// skips the round trip through a JS (UTF-16) string.
	onBody := fn(func(buf app.Value) {
		arr := app.Window().Get("Uint8Array").New(buf)
		b := make([]byte, arr.Get("length").Int())
		app.CopyBytesToGo(b, arr)
		finish(b, nil)
	})
	onResponse := fn(func(resp app.Value) {
		status = resp.Get("status").Int()
		if !resp.Get("ok").Bool() {
			e := &HTTPError{Method: method, URL: url, Status: status, Instance: headerOf(resp, InstanceHeader)}
			if status < 500 || e.Instance == "" {
				finish(nil, e)
				return
			}
			// helmd's own 5xx says why in its {"error": …}: a hub's 502
			// names the machine that does not answer. A proxy's has no
			// instance header, and its page is not read.
			resp.Call("text").Call("then", fn(func(t app.Value) {
				var body struct{ Error string }
				if json.Unmarshal([]byte(t.String()), &body) == nil {
					e.Message = cutMessage(body.Error)
				}
				finish(nil, e)
			}), onError)
			return
		}
		if header != "" {
			value = headerOf(resp, header)
		}
		if head != nil {
			head(value)
		}
		resp.Call("arrayBuffer").Call("then", onBody, onError)
	})
	opts := map[string]any{
		"method":  method,
		"signal":  ctrl.Get("signal"),
		"cache":   "no-store",
		"headers": map[string]any{"Accept": "application/json"},
	}
	app.Window().Call("fetch", url, opts).Call("then", onResponse, onError)
	return func() { ctrl.Call("abort") }
}

// headerOf is the response's header name, "" when absent: Headers.get
// answers null then, and only a string is a value (null's String()
// would be "<null>").
func headerOf(resp app.Value, name string) string {
	if v := resp.Get("headers").Call("get", name); v.Type() == app.TypeString {
		return v.String()
	}
	return ""
}

// InstanceHeader names the helmd that answered (server/ident): every
// answer of helmd carries it, an error too.
const InstanceHeader = "X-Helm-Instance"

// HTTPError is a non-2xx answer: callers tell a 404 or 409 from others,
// and the feed a 304 (its poll's list is the server's). The request is
// made with cache "no-store", so a 304 reaches it as helmd sent it, never
// turned into a cached body by the browser.
type HTTPError struct {
	Method, URL string
	Status      int
	// Instance is the answering helmd's InstanceHeader ("" = none): a
	// 409 from another helmd than the page's (OtherHelm) is told from
	// the page's own helmd's 409 (a stale cursor) by it.
	Instance string
	// Message is helmd's own words for a 5xx (its {"error": …}), cut to
	// maxMessage bytes; "" for any other answer. It may name a machine:
	// text to show as text, never markup.
	Message string
}

// maxMessage bounds an error's Message: a notice, not a page.
const maxMessage = 300

// cutMessage is s cut to maxMessage bytes, at a character's start.
func cutMessage(s string) string {
	if len(s) <= maxMessage {
		return s
	}
	n := maxMessage
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func (e *HTTPError) Error() string { return fmt.Sprintf("%s %s: HTTP %d", e.Method, e.URL, e.Status) }

// HTTPStatus is the status, for feed.PlainError.
func (e *HTTPError) HTTPStatus() int { return e.Status }

// Status is the HTTP status an error carries (an HTTPError, helmd's own
// ServerError), or 0 (network error, abort).
func Status(err error) int {
	var h interface{ HTTPStatus() int }
	if errors.As(err, &h) {
		return h.HTTPStatus()
	}
	return 0
}

// OtherHelm reports whether err is another helmd's refusal of a request
// that named the page's instance (?instance=, feed.WithInstance): a 409
// (Conflict) from a helmd that names itself otherwise. The page's own
// helmd answers 409 too, to a stale cursor, naming instance.
func OtherHelm(err error, instance string) bool {
	var h *HTTPError
	return instance != "" && errors.As(err, &h) && h.Status == 409 && h.Instance != "" && h.Instance != instance
}

// JSError is why a browser promise was rejected. Name tells the causes
// apart (TypeError: the network; NotAllowedError: the user or the
// browser said no; AbortError); Message is the browser's own words, which
// differ between browsers and are not for the page (feed.PlainError).
type JSError struct{ Name, Message string }

func (e *JSError) Error() string { return e.Name + ": " + e.Message }

// jsError is the JSError of a rejection's reason e, which may be an Error,
// a DOMException, any other value or nothing.
func jsError(e app.Value) error {
	if e == nil || !e.Truthy() {
		return &JSError{Name: "Error", Message: "rejected without a reason"}
	}
	if e.Type() != app.TypeObject {
		return &JSError{Name: "Error", Message: e.String()}
	}
	name, msg := e.Get("name"), e.Get("message")
	je := &JSError{Name: "Error", Message: e.Call("toString").String()}
	if name.Type() == app.TypeString {
		je.Name = name.String()
	}
	if msg.Type() == app.TypeString {
		je.Message = msg.String()
	}
	return je
}
