package api

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"vibecraft.sh/helm/server/claude"
	"vibecraft.sh/helm/server/opencode"
	"vibecraft.sh/helm/server/transcript"
	"vibecraft.sh/helm/shared"
)

// The session page's endpoints (README "The session page"):
//
//	GET /api/sessions/{source}/{id}                         SessionDetail
//	GET /api/sessions/{source}/{id}/messages                MessagePage (?before|after=<cursor>&limit=&agent=)
//	GET /api/sessions/{source}/{id}/messages/{ref}/full     one cut text, whole, as text/plain (Claude: ?agent=)
//	GET /api/sessions/{source}/{id}/messages/stream         SSE of what is written after ?after= (messagestream.go)
//	GET /api/sessions/{source}/{id}/find                    FindResult (?q=&after|before=<cursor>|at=end&agent=; find.go)
//
// Ids are checked against their source's syntax before anything else,
// and files are found through what the sources walked, never built from
// an id.

// SessionGetter finds one indexed session by its key (source:id).
type SessionGetter interface {
	Get(key string) (shared.Session, bool)
	List(keep func(*shared.Session) bool) []shared.Session
}

// ClaudeTranscripts finds a Claude session's files (*claude.Source).
type ClaudeTranscripts interface {
	Transcripts(sid string) (claude.Transcripts, bool)
	TranscriptPath(sid, agent string) (string, bool)
	HasTranscripts(sid string) bool
}

// OpenCodeMessages reads an OpenCode session's messages (*opencode.Source).
type OpenCodeMessages interface {
	transcript.OpenCodeReader
	transcript.OpenCodeTexts
	Models(sid string) ([]string, error)
	// TranscriptPath is the file the session is read from: the database,
	// or its session file in the legacy JSON tree.
	TranscriptPath(sid string) string
	// NewSettler gives a page stream its own way to read the database
	// that does not miss a commit published just after the event that
	// poked it (opencode/walsettle.go).
	NewSettler() *opencode.Settler
}

// TranscriptDeps is what the session page's endpoints need. OpenCode is
// nil when OpenCode is not read.
type TranscriptDeps struct {
	Sessions SessionGetter
	Claude   ClaudeTranscripts
	OpenCode OpenCodeMessages
	Files    *transcript.Files
	Logger   *slog.Logger
	// Live serves …/messages/stream; nil: no page streams (404).
	Live PageHub
	// OpenCodeWatch are the folders whose changes may touch an OpenCode
	// session's messages: its page streams follow them.
	OpenCodeWatch []string
	Keepalive     time.Duration // of page streams; 30 s
	// Published tells a page stream when its session's summary changes
	// (status, tokens, cost, even with no transcript line: a hook, a
	// clear, time) and what it became (*stream.Hub); nil: no session
	// events.
	Published PublishedSessions
}

// PublishedSessions is the list as the stream published it, followed one
// session at a time (*stream.Hub).
type PublishedSessions interface {
	Watch(key string) (changed <-chan struct{}, cancel func())
	Lookup(key string) (shared.Session, bool)
}

type transcripts struct {
	d TranscriptDeps
	// finds bounds the finds that read at once (find.go).
	finds chan struct{}
}

// newTranscripts fills d's defaults: a Files cache and the default logger.
func newTranscripts(d TranscriptDeps) *transcripts {
	if d.Files == nil {
		d.Files = transcript.NewFiles(0)
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	return &transcripts{d: d, finds: make(chan struct{}, maxFinds)}
}

// InstallTranscripts registers the session page's endpoints on mux, and
// returns what follows the same sessions for the WebSocket (sharing the
// Files cache).
func InstallTranscripts(mux *http.ServeMux, d TranscriptDeps) *Follower {
	t := newTranscripts(d)
	a := &API{d: Deps{Logger: t.d.Logger}} // for handle: its error mapping and log
	mux.Handle("GET /api/sessions/{source}/{id}", a.handle(t.detail))
	mux.Handle("GET /api/sessions/{source}/{id}/messages", a.handle(t.messages))
	mux.Handle("GET /api/sessions/{source}/{id}/messages/{ref}/full", a.handle(t.full))
	mux.Handle("GET /api/sessions/{source}/{id}/messages/stream", a.handle(t.stream))
	mux.Handle("GET /api/sessions/{source}/{id}/find", a.handle(t.find))
	return &Follower{t: t}
}

// session validates the path's source and id and finds the session.
func (t *transcripts) session(r *http.Request) (shared.Session, error) {
	src, id := shared.Source(r.PathValue("source")), r.PathValue("id")
	switch {
	case src == shared.SourceClaude && !transcript.ValidClaudeID(id),
		src == shared.SourceOpenCode && !transcript.ValidOpenCodeID(id):
		return shared.Session{}, Errorf(http.StatusBadRequest, "malformed %s session id", src)
	case src != shared.SourceClaude && src != shared.SourceOpenCode:
		return shared.Session{}, Errorf(http.StatusBadRequest, "unknown source: want claude or opencode")
	}
	s, ok := t.d.Sessions.Get(string(src) + ":" + id)
	if !ok {
		return s, errNoSession
	}
	if src == shared.SourceOpenCode && t.d.OpenCode == nil {
		return s, Errorf(http.StatusNotFound, "OpenCode is not read by this helmd")
	}
	return s, nil
}

var errNoSession = Errorf(http.StatusNotFound, "no such session")

// pageSession is session for the endpoints that read the transcript
// itself (messages, full texts, find, the page stream): a Claude session
// the list leaves out for now, whose main transcript helmd has, is read
// from that transcript. The list leaves out a session whose transcript
// holds no complete line (claude: build): one just created, and one
// rewritten in place, when the list read it cut to nothing. The page
// stream sends its reset (load the last page again) at just that moment,
// and these endpoints answered 404 until the list read the file again:
// the page said the session was gone, though helmd had its transcript.
func (t *transcripts) pageSession(r *http.Request) (shared.Session, error) {
	s, err := t.session(r)
	if errors.Is(err, errNoSession) {
		if u, ok := t.unlisted(shared.Source(r.PathValue("source")), r.PathValue("id")); ok {
			return u, nil
		}
	}
	return s, err
}

// unlisted is the session a transcript's pages read when the list does
// not have it (pageSession): a Claude session whose main transcript
// helmd has, known by its id alone.
func (t *transcripts) unlisted(src shared.Source, id string) (shared.Session, bool) {
	if src != shared.SourceClaude || !t.d.Claude.HasTranscripts(id) {
		return shared.Session{}, false
	}
	return shared.Session{ID: id, Source: shared.SourceClaude}, true
}

// claudeFile is the transcript a Claude request reads: the session's
// main one, or the subagent ?agent= names.
func (t *transcripts) claudeFile(r *http.Request, sid string) (string, error) {
	return t.claudePath(sid, r.URL.Query().Get("agent"))
}

// openCodeAgent refuses a request naming a subagent (?agent=) of an
// OpenCode session, whose subagents are sessions of their own.
func openCodeAgent(r *http.Request) error {
	if r.URL.Query().Has("agent") {
		return Errorf(http.StatusBadRequest, "OpenCode subagents are sessions of their own: open them by id")
	}
	return nil
}

// claudePath is the main transcript of Claude session sid, or that of
// its subagent agent when agent is not "".
func (t *transcripts) claudePath(sid, agent string) (string, error) {
	if agent != "" && !transcript.ValidAgentID(agent) {
		return "", Errorf(http.StatusBadRequest, "malformed agent id")
	}
	path, ok := t.d.Claude.TranscriptPath(sid, agent)
	switch {
	case ok:
		return path, nil
	case agent != "" && t.d.Claude.HasTranscripts(sid):
		return "", Errorf(http.StatusNotFound, "no such subagent in this session")
	}
	return "", Errorf(http.StatusNotFound, "no transcript for this session")
}

// detail answers the page's header. A Claude session the list leaves
// out for a moment (pageSession) is answered too, marked unlisted, with
// what helmd knows without the list: its id, files and models. Before, it
// was a 404, and a page opened then (a link followed, a reload), whose
// messages came, said the session was deleted or moved until it asked
// again; the page keeps the header it had, and its stream's session
// event fills it in once the list reads the file again.
func (t *transcripts) detail(w http.ResponseWriter, r *http.Request) error {
	s, err := t.session(r)
	unlisted := false
	if errors.Is(err, errNoSession) {
		s, unlisted = t.unlisted(shared.Source(r.PathValue("source")), r.PathValue("id"))
		if unlisted {
			err = nil
		}
	}
	if err != nil {
		return err
	}
	d := shared.SessionDetail{Session: s, Transcripts: []string{}, Models: []string{}, Subagents: []shared.Subagent{},
		DurationMs: max(0, s.UpdatedAt-s.CreatedAt), Unlisted: unlisted}
	var last shared.MessagePage
	switch s.Source {
	case shared.SourceClaude:
		files, ok := t.d.Claude.Transcripts(s.ID)
		if !ok {
			return Errorf(http.StatusNotFound, "no transcript for this session")
		}
		d.Transcripts = append(d.Transcripts, files.Main)
		for _, sub := range files.Subagents {
			d.Transcripts = append(d.Transcripts, sub.Path)
			d.Subagents = append(d.Subagents, shared.Subagent{ID: sub.ID, Path: sub.Path})
		}
		d.Models = append(d.Models, files.Models...)
		d.ResumeCommand = resume(s.ProjectPath, "claude --resume "+s.ID)
		if r.URL.Query().Has("agent") {
			d.Agent = agentDetail(files, r.URL.Query().Get("agent"))
		}
		if s.Status == shared.StatusWaiting {
			last, err = t.d.Files.Page(files.Main, transcript.Query{Limit: 4})
		}
	case shared.SourceOpenCode:
		if path := t.d.OpenCode.TranscriptPath(s.ID); path != "" {
			d.Transcripts = append(d.Transcripts, path)
		}
		if models, err := t.d.OpenCode.Models(s.ID); err == nil {
			d.Models = append(d.Models, models...)
		}
		for _, c := range t.d.Sessions.List(func(c *shared.Session) bool {
			return c.Source == shared.SourceOpenCode && c.ParentID == s.ID
		}) {
			d.Subagents = append(d.Subagents, shared.Subagent{ID: c.ID})
		}
		d.ResumeCommand = resume(s.ProjectPath, "opencode --session "+s.ID)
		if s.Status == shared.StatusWaiting {
			last, err = transcript.OpenCodePage(r.Context(), t.d.OpenCode, s.ID, transcript.Query{Limit: 4})
		}
	}
	if err != nil {
		// The header still shows; only the question is missing.
		t.d.Logger.Debug("session page: reading the last message", "session", s.ID, "err", err)
	}
	d.Question = transcript.Question(last)
	if shared.AsksInDialog(&s) {
		d.Question = s.Question // the dialog's question, as the list shows it
	}
	noStore(w)
	return writeJSON(w, d)
}

// agentDetail is the subagent agent of a session's files, as its page's
// header shows it; nil when the session has no such subagent. Not an
// error: the page's messages say the subagent is missing (404), and its
// header still shows the session it was looked for in.
func agentDetail(files claude.Transcripts, agent string) *shared.AgentDetail {
	if !transcript.ValidAgentID(agent) {
		return nil
	}
	s, ok := files.Subagent(agent)
	if !ok {
		return nil
	}
	a := &shared.AgentDetail{ID: s.ID, FirstPrompt: s.FirstPrompt, Path: s.Path, Models: s.Models, Tokens: s.Tokens,
		CostUSD: s.CostUSD, Unpriced: s.Unpriced, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt}
	if a.Models == nil {
		a.Models = []string{}
	}
	a.Type, a.Description = claude.AgentMeta(s.Path)
	return a
}

func (t *transcripts) messages(w http.ResponseWriter, r *http.Request) error {
	s, err := t.pageSession(r)
	if err != nil {
		return err
	}
	q, err := pageQuery(r)
	if err != nil {
		return err
	}
	var page shared.MessagePage
	if s.Source == shared.SourceOpenCode {
		if err := openCodeAgent(r); err != nil {
			return err
		}
		page, err = transcript.OpenCodePage(r.Context(), t.d.OpenCode, s.ID, q)
	} else {
		path, ferr := t.claudeFile(r, s.ID)
		if ferr != nil {
			return ferr
		}
		page, err = t.d.Files.Page(path, q)
	}
	if err != nil {
		return pageError(err)
	}
	noStore(w)
	return writeJSON(w, page)
}

func (t *transcripts) full(w http.ResponseWriter, r *http.Request) error {
	s, err := t.pageSession(r)
	if err != nil {
		return err
	}
	if s.Source == shared.SourceOpenCode {
		// Read whole from the database before the first byte is written.
		var b strings.Builder
		if err := transcript.OpenCodeFull(r.Context(), t.d.OpenCode, s.ID, r.PathValue("ref"), &b); err != nil {
			return pageError(err)
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		noStore(w)
		_, err := io.WriteString(w, b.String())
		return err
	}
	path, err := t.claudeFile(r, s.ID)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	noStore(w)
	cw := &countingWriter{w: w}
	if err := t.d.Files.Full(path, r.PathValue("ref"), cw); err != nil {
		if cw.n > 0 {
			// Too late for a status: the text ends where the file did.
			t.d.Logger.Debug("session page: full text cut short", "session", s.ID, "err", err)
			return nil
		}
		w.Header().Del("Content-Type")
		return pageError(err)
	}
	return nil
}

// pageQuery reads ?before, ?after, ?at=start and ?limit.
func pageQuery(r *http.Request) (transcript.Query, error) {
	v := r.URL.Query()
	q := transcript.Query{Before: v.Get("before"), After: v.Get("after")}
	if q.Before != "" && q.After != "" {
		return q, Errorf(http.StatusBadRequest, "before and after: ask for one")
	}
	if v.Has("at") {
		if v.Get("at") != "start" {
			return q, Errorf(http.StatusBadRequest, "at: want start")
		}
		if q.Before != "" || q.After != "" {
			return q, Errorf(http.StatusBadRequest, "at=start and a cursor: ask for one")
		}
		q.Start = true
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			return q, Errorf(http.StatusBadRequest, "limit: want a positive number (at most %d)", transcript.MaxLimit)
		}
		q.Limit = min(n, transcript.MaxLimit)
	}
	return q, nil
}

// pageError maps the transcript package's errors to statuses.
func pageError(err error) error {
	switch {
	case errors.Is(err, transcript.ErrBadCursor):
		return Errorf(http.StatusBadRequest, "malformed cursor: use one helmd returned")
	case errors.Is(err, transcript.ErrStale):
		return Errorf(http.StatusConflict, "stale cursor: %v; load the last page again", transcript.ErrStale)
	case errors.Is(err, transcript.ErrNotFound), errors.Is(err, opencode.ErrNotInDB):
		return Errorf(http.StatusNotFound, "the transcript is gone")
	case errors.Is(err, opencode.ErrNoPart):
		return Errorf(http.StatusNotFound, "no such text in this session")
	case errors.Is(err, opencode.ErrBusy):
		// The page waited its short busy timeout (opencode's
		// defaultBusyTimeout) already: a second is a fair next try.
		return &Error{Status: http.StatusServiceUnavailable, RetryAfter: "1",
			Message: opencode.ErrBusy.Error() + ": try again in a moment"}
	}
	return err
}

// resume is the command that reopens a session from its project; the
// path is quoted for a POSIX shell.
func resume(project, cmd string) string {
	if project == "" {
		return cmd
	}
	return "cd " + shellQuote(project) + " && " + cmd
}

func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// noStore keeps transcripts out of caches: they hold secrets.
func noStore(w http.ResponseWriter) { w.Header().Set("Cache-Control", "no-store") }

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}
