package claude

import (
	"path/filepath"
	"slices"
	"strings"
)

// Transcripts are the files one session is read from, for the session page.
type Transcripts struct {
	Main      string     // the main transcript
	Subagents []Subagent // by path
	Models    []string   // every model its responses name, sorted
}

// Subagent is one subagent transcript of a session.
type Subagent struct {
	ID   string // from the file name: agent-<id>.jsonl
	Path string
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
		id := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f.path), "agent-"), ".jsonl")
		t.Subagents = append(t.Subagents, Subagent{ID: id, Path: f.path})
		for _, m := range f.agg.models {
			models[m] = true
		}
	}
	for m := range models {
		if m != "" && m != "<synthetic>" {
			t.Models = append(t.Models, m)
		}
	}
	slices.Sort(t.Models)
	return t, true
}
