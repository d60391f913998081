package webui

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"

	"vibecraft.sh/helm/app/ui"
	"vibecraft.sh/helm/server/attn"
	"vibecraft.sh/helm/shared"
)

// VersionHeader names, on a page, the version of the client and files it
// loads (Handler.Version): the service worker compares it with its own,
// whose cached files the page would otherwise run (worker.go). It marks
// too helmd's own 503 for a client not built (serveWasm), which the
// worker's install tells apart from a proxy's.
const VersionHeader = "X-Helm-Version"

// servePage answers every path that is not a file with the page of the
// route it names (renderPath): the list, the usage page or a session's
// page, which the client then takes over by window.location. go-app
// writes the request path into og:url quoted for Go, not escaped for
// HTML, so /%22%3E%3Cmeta… would put live markup in the page: only a
// path rebuilt from known words and plain id characters is rendered as
// asked, anything else as "/". The query is kept: it is the view
// (filters, search; a subagent, a host), parsed by the UI into known
// fields and written through its attribute escaping (app/ui attr).
//
// The render is done into a buffer under the render gate and the gate is
// left before the page is sent, so a client that does not read holds one
// page's bytes (bounded by the seed), not a render slot.
func (h *Handler) servePage(w http.ResponseWriter, r *http.Request) {
	if !h.render.enter(r.Context()) {
		if r.Context().Err() != nil {
			return // the client left while waiting
		}
		w.Header().Set("Retry-After", "1")
		http.Error(w, "busy rendering pages: retry in a second", http.StatusServiceUnavailable)
		return
	}
	clean := r.Clone(r.Context())
	clean.URL = &url.URL{Path: renderPath(r.URL.Path), RawQuery: r.URL.RawQuery}
	clean.RequestURI = clean.URL.RequestURI()
	// Rendered per request with the current sessions, so never answered
	// 304 from go-app's version ETag.
	clean.Header.Del("If-None-Match")
	page := h.renderPage(clean)

	hdr := w.Header()
	for k, v := range page.header {
		if k != "Etag" && k != "Content-Length" {
			hdr[k] = v
		}
	}
	hdr.Set("Cache-Control", "no-store")
	hdr.Set(VersionHeader, h.app.Version)
	hdr.Set("Content-Length", strconv.Itoa(page.body.Len()))
	w.WriteHeader(page.code())
	if r.Method != http.MethodHead {
		_, _ = w.Write(page.body.Bytes()) // a client gone mid-page is not an error here
	}
}

// renderPage renders r's page into a buffer, holding the render slot the
// caller took and its handler's turn (rendering) until it is done, panics
// included.
func (h *Handler) renderPage(r *http.Request) *pageBuffer {
	defer h.render.leave()
	rendering.begin(h)
	defer rendering.end()
	var page pageBuffer
	h.app.ServeHTTP(&page, r)
	return &page
}

// pageBuffer is the ResponseWriter a page renders into.
type pageBuffer struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (p *pageBuffer) Header() http.Header {
	if p.header == nil {
		p.header = http.Header{}
	}
	return p.header
}

func (p *pageBuffer) WriteHeader(code int) {
	if p.status == 0 {
		p.status = code
	}
}

func (p *pageBuffer) Write(b []byte) (int, error) {
	p.WriteHeader(http.StatusOK)
	return p.body.Write(b)
}

func (p *pageBuffer) code() int {
	if p.status == 0 {
		return http.StatusOK
	}
	return p.status
}

// renderPath is the path a page is rendered for: the usage page's, a
// session's when the client reads one from the path (ui.SessionOfPath)
// and both ids are plain (attn.ValidID: letters, digits, '-' and '_',
// none of which HTML or a URL treats specially), or "/". Rendered for
// "/", a session's link showed the list until the client had loaded and
// routed (a second on a first visit, from a notification too).
func renderPath(p string) string {
	if p == ui.UsageRoute {
		return p
	}
	if source, id, ok := ui.SessionOfPath(p); ok && attn.ValidID(source) && attn.ValidID(id) {
		return shared.SessionPath(source, id)
	}
	return "/"
}
