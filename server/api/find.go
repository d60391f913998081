package api

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"vibecraft.sh/helm/server/transcript"
	"vibecraft.sh/helm/shared"
)

// GET /api/sessions/{source}/{id}/find?q=<text>[&agent=<id>]: the
// session page's find over the whole transcript. It answers the cursors
// of the messages whose shown text holds q (shared.MessageShows, what
// the page's find marks), in transcript order, at most shared.MaxFound,
// with more when there were others; each opens with …/messages?after=.
//
// A find reads the whole transcript (the file streamed, a few messages
// held at a time), so at most maxFinds run at once, and each stops when
// its request ends: a page asks again as its term is typed, and drops
// the request before.

// maxFinds is how many finds read at once; past it, 503.
const maxFinds = 4

func (t *transcripts) find(w http.ResponseWriter, r *http.Request) error {
	s, err := t.session(r)
	if err != nil {
		return err
	}
	term := r.URL.Query().Get("q")
	switch {
	case strings.TrimSpace(term) == "":
		return Errorf(http.StatusBadRequest, "q: the text to find is missing")
	case len(term) > shared.MaxFindTerm:
		return Errorf(http.StatusBadRequest, "q: at most %d bytes", shared.MaxFindTerm)
	case !utf8.ValidString(term):
		return Errorf(http.StatusBadRequest, "q: not UTF-8 text")
	}
	select {
	case t.finds <- struct{}{}:
		defer func() { <-t.finds }()
	default:
		w.Header().Set("Retry-After", "1")
		return Errorf(http.StatusServiceUnavailable, "too many finds at once: try again")
	}
	match := shared.Shows(term)
	var res shared.FindResult
	if s.Source == shared.SourceOpenCode {
		if r.URL.Query().Has("agent") {
			return Errorf(http.StatusBadRequest, "OpenCode subagents are sessions of their own: open them by id")
		}
		res, err = transcript.OpenCodeFind(r.Context(), t.d.OpenCode, s.ID, match, shared.MaxFound)
	} else {
		path, ferr := t.claudeFile(r, s.ID)
		if ferr != nil {
			return ferr
		}
		res, err = t.d.Files.Find(r.Context(), path, match, shared.MaxFound)
	}
	if err != nil {
		return pageError(err)
	}
	noStore(w)
	return writeJSON(w, res)
}
