package claude

import (
	"path/filepath"
	"slices"
	"strings"
	"time"

	"vibecraft.sh/helm/server/pricing"
	"vibecraft.sh/helm/shared"
)

// untitled is the title of a session with nothing better to show.
const untitled = "Untitled session"

// build computes session sid from memory; false when it has no
// transcript with a complete line yet: a file Claude Code has just
// created is not shown as an "Untitled session" for the moment before its
// first line lands. A session with only subagent transcripts (its own
// was deleted or never copied) is still shown, for its spend.
func (s *Source) build(sid string, live map[string]pidEntry, now time.Time) (shared.Session, bool) {
	var oneMain, oneSub [1]*file
	mains := s.reg.mainsOf(sid, &oneMain)
	subs := s.reg.subsOf(sid, &oneSub)
	main := primary(mains)
	if main == nil {
		return s.buildOrphan(sid, subs, live, now)
	}
	if main.offset == 0 {
		return shared.Session{}, false
	}
	a := &main.agg
	sess := shared.Session{
		ID:           sid,
		Source:       shared.SourceClaude,
		ProjectPath:  a.cwd,
		Title:        title(a),
		FirstPrompt:  a.firstPrompt,
		GitBranch:    a.gitBranch,
		Model:        a.model,
		MessageCount: int(a.prompts) + a.messageCount() + int(a.anonymous),
		CreatedAt:    a.firstTS,
		UpdatedAt:    a.lastTS,
		WorkMs:       a.workTime(),
		Version:      a.version,
	}
	if sess.ProjectPath == "" {
		sess.ProjectPath = main.hintCwd()
	}
	sess.ProjectName = lastElement(sess.ProjectPath)
	if sess.CreatedAt == 0 {
		sess.CreatedAt = main.modTime().UnixMilli()
	}
	if sess.UpdatedAt == 0 {
		sess.UpdatedAt = main.modTime().UnixMilli()
	}

	// Tokens and cost: every response of the session's transcripts and
	// subagents that no earlier file holds (dedup.go). A copy of the
	// transcript under another root shares its responses with the
	// primary, so only their unmatched (id-less) usage needs leaving out.
	var sp spend
	for _, f := range mains {
		own := f.agg.total.sub(f.agg.shadowed())
		if f != main {
			own = own.sub(f.agg.anon())
		}
		sp = sp.add(own)
	}
	sp, lastWrite := addSubagents(sp, subs, main.lastWrite())
	sess.Tokens, sess.CostUSD = sp.tokens, pricing.Dollars(sp.nano)
	sess.Unpriced = unpricedIn(main, mains, subs) // a subagent's unknown model counts for its parent

	act := activity{turn: a.turn, lastWrite: lastWrite}
	if a.turn == turnEnded {
		act.background = backgroundWrite(main, subs)
	}
	s.setStatus(&sess, act, live[sid], a.customTitle, now)
	if sess.Status == shared.StatusWaiting {
		if shared.UnnamedPermission(sess.WaitingFor) {
			// The registry's "permission prompt", of a question too.
			if reason, question := s.dialogAsked(dialogCalls(main, subs)); reason != "" {
				sess.WaitingFor, sess.Question = reason, question // what the dialog asks, not the text before it
			}
		}
		if sess.Question == "" {
			sess.Question = main.question()
		}
	}
	return sess, true
}

// addSubagents adds the spend of subagent files to sp, and returns it
// with the latest write among them and lastWrite. A subagent file of the
// same name under two roots is one transcript: its id-less usage is
// counted once (its responses are shared, so the index counts them once).
func addSubagents(sp spend, subs []*file, lastWrite int64) (spend, int64) {
	seen := make(map[string]bool, len(subs))
	for _, f := range subs {
		own := f.agg.total.sub(f.agg.shadowed())
		name := filepath.Base(f.path)
		if seen[name] {
			own = own.sub(f.agg.anon())
		}
		seen[name] = true
		sp = sp.add(own)
		lastWrite = max(lastWrite, f.lastWrite())
	}
	return sp, lastWrite
}

// backgroundWrite is when the last of the agents main's session started
// in the background, and no notification reported, wrote its transcript
// (subagents/agent-<agentId>.jsonl); 0 when none works. An agent whose
// process was killed is never reported, but its transcript goes quiet:
// its write ages out of the active window like any other.
func backgroundWrite(main *file, subs []*file) int64 {
	ids := main.agg.backgroundOf()
	if len(ids) == 0 {
		return 0
	}
	var last int64
	for _, f := range subs {
		name := strings.TrimSuffix(filepath.Base(f.path), ".jsonl")
		if id, ok := strings.CutPrefix(name, "agent-"); ok && slices.Contains(ids, id) {
			last = max(last, f.lastWrite())
		}
	}
	return last
}

// subagentPrefix starts the title of a session known only from its
// subagents' transcripts, so the list says why it has no conversation.
const subagentPrefix = "Subagent: "

// buildOrphan shows the subagent transcripts of a session whose own
// transcript is missing, so that no spend disappears from the list: the
// title is its first prompt after subagentPrefix, the rest comes from the
// subagent files, earliest first. Subagent records are not prompts or
// responses of the conversation, so its message count is 0.
func (s *Source) buildOrphan(sid string, subs []*file, live map[string]pidEntry, now time.Time) (shared.Session, bool) {
	read := make([]*file, 0, len(subs))
	for _, f := range subs {
		if f.offset > 0 {
			read = append(read, f)
		}
	}
	if len(read) == 0 {
		return shared.Session{}, false
	}
	slices.SortFunc(read, func(a, b *file) int {
		if ranksBefore(a, b) {
			return -1
		}
		return 1
	})
	sess := shared.Session{ID: sid, Source: shared.SourceClaude}
	first := func(dst *string, v string) {
		if *dst == "" {
			*dst = v
		}
	}
	for _, f := range read {
		a := &f.agg
		first(&sess.ProjectPath, a.cwd)
		first(&sess.FirstPrompt, a.firstPrompt)
		first(&sess.GitBranch, a.gitBranch)
		first(&sess.Version, a.version)
		if a.model != "" {
			sess.Model = a.model // the latest file's model wins: files are in time order
		}
		if a.firstTS != 0 && (sess.CreatedAt == 0 || a.firstTS < sess.CreatedAt) {
			sess.CreatedAt = a.firstTS
		}
		sess.UpdatedAt = max(sess.UpdatedAt, a.lastTS)
	}
	sess.ProjectName = lastElement(sess.ProjectPath)
	sess.Title = subagentPrefix + untitled
	if p := strings.TrimSpace(sess.FirstPrompt); !shared.Blank(p) {
		sess.Title = shared.CutRunes(subagentPrefix+p, maxRunes)
	}
	sp, lastWrite := addSubagents(spend{}, subs, 0)
	sess.Tokens, sess.CostUSD = sp.tokens, pricing.Dollars(sp.nano)
	sess.Unpriced = unpricedIn(nil, nil, subs)
	if sess.CreatedAt == 0 {
		sess.CreatedAt = lastWrite
	}
	if sess.UpdatedAt == 0 {
		sess.UpdatedAt = lastWrite
	}
	s.setStatus(&sess, activity{turn: turnNone, lastWrite: lastWrite}, live[sid], "", now)
	return sess, true
}

// title applies DESIGN §2: the last custom title, else the last AI title,
// else a summary, else the first real prompt. One that shows nothing (only
// zero-width or white space: shared.Blank) is no title: the next is taken.
func title(a *aggregate) string {
	for _, t := range []string{a.customTitle, a.aiTitle, a.summary, a.firstPrompt} {
		if t = strings.TrimSpace(t); !shared.Blank(t) {
			return shared.CutRunes(t, maxRunes)
		}
	}
	return untitled
}

// lastElement is a project's name: the last element of its path, with
// either separator (a transcript written on Windows has C:\dev\x).
func lastElement(p string) string {
	p = strings.TrimRight(p, `/\`)
	if p == "" {
		return ""
	}
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}

// primary picks the transcript that represents a session when more than
// one file carries its id (copies in two roots): the most recently
// written, then the first by path.
func primary(files []*file) *file {
	var best *file
	for _, f := range files {
		if best == nil || f.lastWrite() > best.lastWrite() || f.lastWrite() == best.lastWrite() && f.path < best.path {
			best = f
		}
	}
	return best
}
