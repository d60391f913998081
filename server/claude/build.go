package claude

import (
	"math"
	"slices"
	"strings"
	"time"

	"vibecraft.sh/helm/server/pricing"
	"vibecraft.sh/helm/shared"
)

// untitled is the title of a session with nothing better to show.
const untitled = "Untitled session"

// build computes session sid from memory; false when it has no main
// transcript (only subagent files, or none) or its transcript has no
// complete line yet: a file Claude Code has just created is not shown as
// an "Untitled session" for the moment before its first line lands.
func (s *Source) build(sid string, live map[string]pidEntry, now time.Time) (shared.Session, bool) {
	main := primary(s.mains[sid])
	if main == nil || main.offset == 0 {
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
		MessageCount: a.prompts + a.messageCount() + a.anonymous,
		CreatedAt:    a.firstTS,
		UpdatedAt:    a.lastTS,
		Version:      a.version,
	}
	if sess.ProjectPath == "" {
		sess.ProjectPath = main.hintCwd
	}
	sess.ProjectName = lastElement(sess.ProjectPath)
	if sess.CreatedAt == 0 {
		sess.CreatedAt = main.mtime.UnixMilli()
	}
	if sess.UpdatedAt == 0 {
		sess.UpdatedAt = main.mtime.UnixMilli()
	}

	// Tokens and cost: the main transcript and every subagent's, priced
	// per model (cost is linear, so per-model totals price exactly as
	// per-response sums would), in a fixed order so the float sum is
	// the same on every call.
	byModel := map[string]shared.Tokens{}
	lastWrite := main.lastWrite()
	add := func(f *file) {
		for m, t := range f.agg.byModel {
			byModel[m] = byModel[m].Add(t)
		}
	}
	add(main)
	for _, sub := range sortedFiles(s.subs[sid]) {
		add(sub)
		lastWrite = max(lastWrite, sub.lastWrite())
	}
	models := make([]string, 0, len(byModel))
	for m := range byModel {
		models = append(models, m)
	}
	slices.Sort(models)
	var cost float64
	for _, m := range models {
		t := byModel[m]
		sess.Tokens = sess.Tokens.Add(t)
		c, _ := pricing.Cost(m, t)
		cost += c
	}
	sess.CostUSD = math.Round(cost*1e9) / 1e9 // nano-dollars: stable across summation orders

	pe, isLive := live[sid]
	sess.Status, sess.Active = s.status(a.turn, lastWrite, pe, isLive, now)
	return sess, true
}

// title applies DESIGN §2: the last custom title, else the last AI title,
// else a summary, else the first real prompt.
func title(a *aggregate) string {
	for _, t := range []string{a.customTitle, a.aiTitle, a.summary, a.firstPrompt} {
		if t = strings.TrimSpace(t); t != "" {
			return cut(t, maxRunes)
		}
	}
	return untitled
}

// cut shortens s to n runes.
func cut(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
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
func primary(files map[string]*file) *file {
	var best *file
	for _, f := range files {
		if best == nil || f.lastWrite() > best.lastWrite() || f.lastWrite() == best.lastWrite() && f.path < best.path {
			best = f
		}
	}
	return best
}

func sortedFiles(m map[string]*file) []*file {
	out := make([]*file, 0, len(m))
	for _, f := range m {
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b *file) int { return strings.Compare(a.path, b.path) })
	return out
}
