// Package ident names a helmd to its pages: which machine (its
// --host-name) and which instance — whose sessions, read from which
// folders. A page keeps the instance it was served by and names it in
// every stream and list request; a helmd that is another instance (a
// different user's, or a demo, started on the same port after the first
// one stopped) answers 409 instead of its sessions, so a page never
// silently shows someone else's list as its own.
package ident

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
)

// Response headers naming the helmd; the page reads them on its requests.
const (
	HostHeader     = "X-Helm-Host"
	InstanceHeader = "X-Helm-Instance"
)

// Param is the query parameter in which a page names the instance it
// belongs to.
const Param = "instance"

// maxHost bounds the host name a header carries (a DNS name is ≤ 253).
const maxHost = 253

// Identity is what a helmd says it is.
type Identity struct {
	Host     string // the --host-name, shown to the user
	Instance string // stable across restarts of the same helmd; opaque
}

// New names the helmd on host reading sources (its Claude Code roots, its
// OpenCode data, or a demo's "demo:port <n>"). The instance is a hash:
// stable while the same folders are read on the same host, so a restart
// is the same Helm, and it reveals none of the paths.
func New(host string, sources ...string) Identity {
	h := sha256.New()
	h.Write([]byte(host))
	for _, s := range sources {
		h.Write([]byte{0})
		h.Write([]byte(s))
	}
	return Identity{Host: cleanHost(host), Instance: hex.EncodeToString(h.Sum(nil)[:8])}
}

// cleanHost keeps a host name fit for a header: printable, bounded.
func cleanHost(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return -1
		}
		return r
	}, s)
	if len(s) > maxHost {
		s = s[:maxHost]
	}
	return strings.ToValidUTF8(s, "")
}

// Wrap names id on every answer of next, and answers 409 Conflict
// Request, without calling next, to a request whose ?instance= names
// another instance. Put it inside the access guard: identity is for pages
// that may read the list.
func Wrap(next http.Handler, id Identity) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hdr := w.Header()
		hdr.Set(InstanceHeader, id.Instance)
		if id.Host != "" {
			hdr.Set(HostHeader, id.Host)
		}
		if r.URL.RawQuery != "" { // (a key may come percent-encoded: parse it)
			if want := r.URL.Query().Get(Param); want != "" && want != id.Instance {
				hdr.Set("Content-Type", "application/json")
				hdr.Set("Cache-Control", "no-store")
				w.WriteHeader(http.StatusConflict)
				_, _ = w.Write([]byte(`{"error":"this is another Helm than the page names: reload the page to see this one's sessions"}` + "\n"))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}
