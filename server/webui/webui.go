// Package webui serves Helm's web client: the pre-rendered page for every
// path, go-app's generated files (app.js, the service worker, the
// manifest), the static assets of web/, and the pre-compressed
// WebAssembly client.
package webui

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/ui"
	"vibecraft.sh/helm/server/internal/encoded"
	"vibecraft.sh/helm/server/internal/httperr"
	"vibecraft.sh/helm/shared"
	"vibecraft.sh/helm/web"
)

// Options configure the handler.
type Options struct {
	// Version of the build (commit). The service worker's cache is named
	// after it plus a hash of the assets, so installed clients update
	// exactly when the build changes.
	Version string
	// Sessions returns the current sessions, newest first, for the
	// pre-rendered page, the id of the stream event they are exact as of
	// ("" when unknown), and release (nil: nothing), called once the page
	// no longer reads them: they may be the stream hub's own list, lent.
	// nil renders an empty list.
	Sessions func() (sessions []shared.Session, eventID string, release func())
	// Scanned reports whether helmd's first scan is published; until it
	// is, the page carries no list (Sessions is not yet the files'), shows
	// "Loading sessions…", and its stream brings the list. nil: always.
	Scanned func() bool
	// Watched returns the folders watched, for the empty state.
	Watched func() []string
	// Host is this helmd's --host-name, and Demo whether it serves the
	// simulated workspace: the page says which Helm it is.
	Host string
	Demo bool
	// Instance is this helmd's ident instance: the page names it in its
	// requests, so another helmd on the same address is noticed.
	Instance string
	// Keepalive is the stream's keepalive period, passed to the client
	// for its watchdog; zero leaves the client's default (30 s).
	Keepalive time.Duration
	Logger    *slog.Logger
	// Assets replaces the embedded web/ folder (tests). It holds
	// helm.css, the icons and app.wasm (+ .br, .gz) at its root.
	Assets fs.FS
	// RenderLimit is how many pages render at once (default 4); a page
	// request waits up to RenderWait (default 2 s) for its turn, then is
	// answered 503 with Retry-After.
	RenderLimit int
	RenderWait  time.Duration
}

// Handler is the web client's http.Handler.
type Handler struct {
	opts   Options
	app    *app.Handler
	wasm   *wasmFile
	appJS  []byte // go-app's app.js with Helm's loader (loader.go)
	static http.Handler
	render *gate
}

// go-app's routes are global to the process, so the route is registered
// once and reads its data from the handler whose page is rendering. A
// process can hold several web UIs (tests start helmds side by side), and
// each page must show its own helmd's sessions, never the last one made.
var (
	rendering = newRenderTurns()
	routeOnce sync.Once
)

// renderTurns lets one handler's renders run at a time, as many at once
// as its gate allows: a helmd, with its one handler, never waits here.
type renderTurns struct {
	mu     sync.Mutex
	free   *sync.Cond // signalled when no render runs
	owner  *Handler   // whose renders run (the last one's, when none does)
	active int
}

func newRenderTurns() *renderTurns {
	r := &renderTurns{}
	r.free = sync.NewCond(&r.mu)
	return r
}

// begin waits until no other handler's page renders, then counts one of
// h's; end ends it.
func (r *renderTurns) begin(h *Handler) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for r.active > 0 && r.owner != h {
		r.free.Wait()
	}
	r.owner = h
	r.active++
}

func (r *renderTurns) end() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.active--; r.active == 0 {
		r.free.Broadcast()
	}
}

// handler is the handler whose page renders now.
func (r *renderTurns) handler() *Handler {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.owner
}

// The paths of the icons and stylesheet, under /web/.
const (
	iconDefault  = "/web/icon-192.png"
	iconLarge    = "/web/icon-512.png"
	iconMaskable = "/web/icon-maskable-512.png"
	iconSVG      = "/web/icon.svg"
	stylesheet   = "/web/helm.css"
)

// New returns the handler. It fails only when the assets cannot be read;
// a client not yet built is served as a 503 for /web/app.wasm, with the
// page still pre-rendered.
func New(opts Options) (*Handler, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Sessions == nil {
		opts.Sessions = func() ([]shared.Session, string, func()) { return nil, "", nil }
	}
	if opts.Watched == nil {
		opts.Watched = func() []string { return nil }
	}
	if opts.Assets == nil {
		opts.Assets = web.Assets()
	}
	wasm, err := loadWasm(opts.Assets, opts.Logger)
	if err != nil {
		return nil, err
	}
	if wasm == nil {
		opts.Logger.Warn("web client not built: /web/app.wasm answers 503 until `make build`")
	}
	sum, err := assetsHash(opts.Assets, wasm)
	if err != nil {
		return nil, fmt.Errorf("web assets: %w", err)
	}
	version := sum
	if opts.Version != "" {
		version = opts.Version + "-" + sum
	}
	if wasm != nil {
		wasm.etag = version
	}

	if opts.RenderLimit <= 0 {
		opts.RenderLimit = 4
	}
	if opts.RenderWait <= 0 {
		opts.RenderWait = 2 * time.Second
	}
	h := &Handler{opts: opts, wasm: wasm, render: newGate(opts.RenderLimit, opts.RenderWait)}
	h.static = http.StripPrefix("/web", http.FileServerFS(opts.Assets))
	h.app = &app.Handler{
		Name:            "Helm",
		ShortName:       "Helm",
		Title:           "Helm — every coding-agent session, live",
		Description:     "Every Claude Code and OpenCode session on this machine in one live list.",
		Lang:            "en",
		BackgroundColor: "#f6f7f9",
		ThemeColor:      "#1f5fbf",
		LoadingLabel:    "Starting the live client…",
		Icon: app.Icon{
			Default:  iconDefault,
			Large:    iconLarge,
			Maskable: iconMaskable,
			SVG:      iconSVG,
		},
		Styles:                []string{stylesheet},
		RawHeaders:            headTags,
		CacheableResources:    []string{iconSVG},
		Resources:             resources{h},
		Version:               version,
		ServiceWorkerTemplate: workerJS,
		Env:                   map[string]string{},
	}
	if opts.Keepalive > 0 {
		h.app.Env[ui.KeepaliveEnv] = strconv.FormatInt(opts.Keepalive.Milliseconds(), 10)
	}

	if h.appJS, err = h.loadAppJS(); err != nil {
		return nil, fmt.Errorf("web client loader: %w", err)
	}

	routeOnce.Do(func() {
		ui.Routes(func() ui.Seed {
			if c := rendering.handler(); c != nil {
				return c.seed()
			}
			return ui.Seed{} // a render not begun by servePage (none is)
		}, func() ui.Which {
			if c := rendering.handler(); c != nil {
				return ui.Which{Host: c.opts.Host, Demo: c.opts.Demo, Instance: c.opts.Instance}
			}
			return ui.Which{}
		})
	})
	return h, nil
}

// Version is the version the service worker and ETags carry.
func (h *Handler) Version() string { return h.app.Version }

// generated are go-app's own files: versioned, so ETag/304 is right.
var generated = []string{
	"/app.js", "/goapp.js", "/app-worker.js", "/wasm_exec.js",
	"/manifest.webmanifest", "/manifest.json", "/app.css",
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/api/") || p == "/api":
		// Not one of the API's routes (those are registered before us).
		httperr.Write(w, http.StatusNotFound, "no such API endpoint: "+p)
		return
	case r.Method != http.MethodGet && r.Method != http.MethodHead:
		w.Header().Set("Allow", "GET, HEAD")
		httperr.Write(w, http.StatusMethodNotAllowed, r.Method+" "+p+": use GET")
		return
	case p == "/app.js" || p == "/goapp.js":
		h.serveAppJS(w, r)
		return
	case p == "/web/app.wasm" || p == "/app.wasm" || p == "/goapp.wasm":
		h.serveWasm(w, r)
		return
	case p == "/robots.txt":
		// go-app would fetch /web/robots.txt from the request's own Host
		// header (an outbound request steered by the client): answer here.
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprint(w, "User-agent: *\nDisallow: /\n")
		return
	case p == "/sitemap.xml" || p == "/ads.txt":
		http.NotFound(w, r)
		return
	case strings.HasPrefix(p, "/web/") || slices.Contains(generated, p):
		h.app.ServeHTTP(w, r)
		return
	}
	h.servePage(w, r)
}

// resources resolves /web/… paths to themselves (go-app's LocalDir would
// write a directory into the wasm URL) and serves them from the assets.
type resources struct{ h *Handler }

func (resources) Resolve(p string) string { return p }

func (r resources) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	name := strings.TrimPrefix(req.URL.Path, "/web/")
	if name == "" || strings.HasSuffix(name, "/") {
		http.NotFound(w, req) // no directory listings
		return
	}
	if path.Base(name) == "app.wasm" {
		r.h.serveWasm(w, req)
		return
	}
	r.h.static.ServeHTTP(w, req)
}

// assetsHash is a short hash of every asset, so the version changes with
// the client even when the build version does not (a dirty tree). The
// client counts by the SHA-256 its build recorded when its record was
// found to describe it (loadWasm), which spares reading its 9 MB.
func assetsHash(fsys fs.FS, wasm *wasmFile) (string, error) {
	d := sha256.New()
	err := fs.WalkDir(fsys, ".", func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() || strings.HasSuffix(p, ".br") || strings.HasSuffix(p, ".gz") || strings.HasSuffix(p, encoded.ManifestSuffix) {
			return nil // the compressed forms and their record follow app.wasm
		}
		if p == "app.wasm" && wasm != nil && wasm.sha256 != "" {
			fmt.Fprintf(d, "%s\x00%d\x00sha256:%s", p, wasm.size, wasm.sha256)
			return nil
		}
		f, err := fsys.Open(p)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // filtered out by the asset FS
			}
			return err
		}
		defer f.Close()
		info, err := f.Stat()
		if err != nil {
			return err
		}
		fmt.Fprintf(d, "%s\x00%d\x00", p, info.Size())
		_, err = io.Copy(d, f)
		return err
	})
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(d.Sum(nil))[:10], nil
}
