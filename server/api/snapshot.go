package api

import (
	"bufio"
	"fmt"
	"net/http"
	"net/url"

	"vibecraft.sh/helm/server/ident"
	"vibecraft.sh/helm/shared/snapshot"
)

// listSnapshot answers GET /api/sessions/snapshot: every session, in the
// compact form of shared/snapshot, from the state the stream has
// published, named in X-Helm-Event-Id. Helm's own client starts from it
// and resumes the stream from that id, instead of waiting for the
// stream's init to carry the whole list as JSON (97 MB at 100,000
// sessions, decoded by reflection in wasm). The stream's init is
// unchanged for every other client.
//
// It takes no parameters (the page's instance aside): the client filters
// and sorts itself, and a query meant for the list is refused rather than
// silently ignored.
func (a *API) listSnapshot(w http.ResponseWriter, r *http.Request) error {
	values, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return Errorf(http.StatusBadRequest, "query: %v", err)
	}
	for k := range values {
		if k != ident.Param {
			return Errorf(http.StatusBadRequest, "parameter %q: the snapshot takes none; filter and page with GET /api/sessions", truncate(k))
		}
	}
	sessions, _, id, release, err := a.all.StateAt("")
	defer release() // the snapshot is written
	if err != nil {
		return fmt.Errorf("list state: %w", err)
	}
	h := w.Header()
	h.Set("Content-Type", snapshot.ContentType)
	h.Set(EventIDHeader, id)
	// Written a session at a time through a small buffer, as the JSON
	// list is: nothing the size of the list is built per request.
	e := snapshot.NewEncoder(bufio.NewWriterSize(w, 32<<10), len(sessions))
	for i := range sessions {
		if err := e.Write(&sessions[i]); err != nil {
			return fmt.Errorf("write snapshot: %w", err)
		}
	}
	if err := e.Flush(); err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	return nil
}
