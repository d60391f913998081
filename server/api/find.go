package api

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"vibecraft.sh/helm/server/transcript"
	"vibecraft.sh/helm/shared"
)

// GET /api/sessions/{source}/{id}/find?q=<text>[&agent=<id>]
// [&after=<cursor>|&before=<cursor>|&at=end]: the session page's find
// over the whole transcript. It answers the cursors of the messages
// whose shown text holds q (shared.MessageShows, what the page's find
// marks), in transcript order, at most shared.MaxFound: the first; with
// after=, the first from that message on; with at=end the last; with
// before=, the last before that message. Each opens with
// …/messages?after=. The answer counts every match (total) and says
// where its first stands among them (first), so the page numbers them
// right past shared.MaxFound, and asks for the next ones as it goes.
//
// A find reads the whole transcript (the file streamed, a few messages
// held at a time), so at most maxFinds run at once, and each stops when
// its request ends: a page asks again as its term is typed, and drops
// the request before.

// maxFinds is how many finds read at once; past it, 503.
const maxFinds = 4

func (t *transcripts) find(w http.ResponseWriter, r *http.Request) error {
	s, err := t.pageSession(r)
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
	fq, err := findQuery(r.URL.Query())
	if err != nil {
		return err
	}
	fq.Term = term
	select {
	case t.finds <- struct{}{}:
		defer func() { <-t.finds }()
	default:
		w.Header().Set("Retry-After", "1")
		return Errorf(http.StatusServiceUnavailable, "too many finds at once: try again")
	}
	// A cut tool input is searched in the whole text its "load all"
	// shows, read as …/full reads it.
	var res shared.FindResult
	if s.Source == shared.SourceOpenCode {
		if err := openCodeAgent(r); err != nil {
			return err
		}
		match := shared.ShowsWhole(term, func(ref string, w io.Writer) error {
			return transcript.OpenCodeFull(r.Context(), t.d.OpenCode, s.ID, ref, w)
		})
		res, err = transcript.OpenCodeFind(r.Context(), t.d.OpenCode, s.ID, match, fq)
	} else {
		path, ferr := t.claudeFile(r, s.ID)
		if ferr != nil {
			return ferr
		}
		match := shared.ShowsWhole(term, func(ref string, w io.Writer) error {
			return t.d.Files.Full(path, ref, w)
		})
		res, err = t.d.Files.Find(r.Context(), path, match, fq)
	}
	if err != nil {
		return pageError(err)
	}
	noStore(w)
	return writeJSON(w, res)
}

// findQuery reads which matches a find answers: after=, before= (a
// cursor helmd gave) or at=end, one at most.
func findQuery(v url.Values) (transcript.FindQuery, error) {
	q := transcript.FindQuery{Max: shared.MaxFound}
	asked := 0
	for _, k := range []string{"after", "before", "at"} {
		if len(v[k]) > 1 {
			return q, Errorf(http.StatusBadRequest, "%s: give it once", k)
		}
		if v.Has(k) {
			asked++
		}
	}
	if asked > 1 {
		return q, Errorf(http.StatusBadRequest, "after, before and at: ask for one")
	}
	for _, c := range []struct {
		name string
		to   *string
	}{{"after", &q.After}, {"before", &q.Before}} {
		if !v.Has(c.name) {
			continue
		}
		s := v.Get(c.name)
		if s == "" || len(s) > maxFindCursor {
			return q, Errorf(http.StatusBadRequest, "%s: want a cursor helmd returned", c.name)
		}
		*c.to = s
	}
	if v.Has("at") {
		if v.Get("at") != "end" {
			return q, Errorf(http.StatusBadRequest, "at: want end")
		}
		q.End = true
	}
	return q, nil
}

// maxFindCursor bounds a find's cursor before it is decoded (helmd's
// are well under it).
const maxFindCursor = 256
