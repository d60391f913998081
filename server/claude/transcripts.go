package claude

import (
	"encoding/json"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"vibecraft.sh/helm/server/internal/regular"
	"vibecraft.sh/helm/server/pricing"
	"vibecraft.sh/helm/shared"
)

// Transcripts are the files one session is read from, for the session page.
type Transcripts struct {
	Main      string     // the main transcript
	Subagents []Subagent // by path
	Models    []string   // every model its responses name, sorted
}

// Subagent is one subagent transcript of a session, with what its own
// lines say: a subagent's page shows these rather than its parent's.
type Subagent struct {
	ID   string // from the file name: agent-<id>.jsonl
	Path string

	FirstPrompt string        // the task it was given ("Warmup" skipped)
	Models      []string      // every model its responses name, sorted
	Tokens      shared.Tokens // of its own responses, as the parent's sum counts them
	CostUSD     float64
	// Unpriced says CostUSD leaves out tokens of a model helmd has no
	// price for (as shared.Session's): its page must not read "$0".
	Unpriced             bool
	CreatedAt, UpdatedAt int64 // epoch ms of its first record and its latest; 0 when none is dated
}

// Subagent is the subagent of id among t's; false when t has none.
func (t Transcripts) Subagent(id string) (Subagent, bool) {
	for _, s := range t.Subagents {
		if s.ID == id {
			return s, true
		}
	}
	return Subagent{}, false
}

// Transcripts returns the files of session sid as the last Scan or Update
// saw them; false when no main transcript carries that id. The paths come
// from the tree Helm walked, never from sid itself.
func (s *Source) Transcripts(sid string) (Transcripts, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var one [1]*file
	main := primary(s.reg.mainsOf(sid, &one))
	if main == nil {
		return Transcripts{}, false
	}
	t := Transcripts{Main: main.path}
	models := map[string]bool{}
	for _, m := range main.agg.models {
		models[m] = true
	}
	for _, f := range s.reg.subsOf(sid, &one) {
		id := agentIDOf(f.path)
		own := f.agg.total.sub(f.agg.shadowed())
		sub := Subagent{ID: id, Path: f.path, FirstPrompt: f.agg.firstPrompt, Tokens: own.tokens,
			CostUSD: pricing.Dollars(own.nano), CreatedAt: f.agg.firstTS, UpdatedAt: f.agg.lastTS,
			Unpriced: f.agg.hasUnpriced(true)} // its own figures count its id-less usage, as own does
		for _, m := range f.agg.models {
			models[m] = true
			if m != "" && m != "<synthetic>" && !slices.Contains(sub.Models, m) {
				sub.Models = append(sub.Models, m)
			}
		}
		slices.Sort(sub.Models)
		t.Subagents = append(t.Subagents, sub)
	}
	for m := range models {
		if m != "" && m != "<synthetic>" {
			t.Models = append(t.Models, m)
		}
	}
	slices.Sort(t.Models)
	return t, true
}

// agentIDOf is the id of the subagent whose transcript is at path
// (…/subagents/agent-<id>.jsonl).
func agentIDOf(path string) string {
	return strings.TrimSuffix(strings.TrimPrefix(filepath.Base(path), "agent-"), ".jsonl")
}

// TranscriptPath is the file Transcripts names for session sid's main
// transcript, or for its subagent agent when agent is not "", without
// gathering what the files hold (every subagent's figures, under the
// lock the scan takes): a session page asks at each request.
func (s *Source) TranscriptPath(sid, agent string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var one [1]*file
	main := primary(s.reg.mainsOf(sid, &one))
	switch {
	case main == nil:
		return "", false
	case agent == "":
		return main.path, true
	}
	for _, f := range s.reg.subsOf(sid, &one) {
		if agentIDOf(f.path) == agent {
			return f.path, true
		}
	}
	return "", false
}

// HasTranscripts reports whether Transcripts would find sid's files, without
// gathering what they hold: a page stream asks at each write to its file.
func (s *Source) HasTranscripts(sid string) bool {
	_, ok := s.TranscriptPath(sid, "")
	return ok
}

// maxAgentMeta bounds the read of a subagent's meta file: it holds two
// short strings.
const maxAgentMeta = 64 << 10

// AgentMeta reads what Claude Code wrote about a subagent beside its
// transcript (subagents/agent-<id>.jsonl): agent-<id>.meta.json, as
// {"agentType":"Explore","description":"Explore code"}. Both are ""
// when the file is missing, too large or not that JSON: older versions
// write none. The strings are the file's, untrusted: shown as text, cut
// to maxRunes runes, as titles are.
func AgentMeta(transcript string) (agentType, description string) {
	if !strings.HasSuffix(transcript, ".jsonl") {
		return "", ""
	}
	f, err := regular.Open(strings.TrimSuffix(transcript, ".jsonl") + ".meta.json")
	if err != nil {
		return "", ""
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxAgentMeta+1))
	if err != nil || len(b) > maxAgentMeta {
		return "", ""
	}
	var m struct {
		AgentType   string `json:"agentType"`
		Description string `json:"description"`
	}
	if json.Unmarshal(b, &m) != nil {
		return "", ""
	}
	return shared.CutRunes(strings.TrimSpace(m.AgentType), maxRunes), shared.CutRunes(strings.TrimSpace(m.Description), maxRunes)
}
