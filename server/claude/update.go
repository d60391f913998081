package claude

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"vibecraft.sh/helm/shared"
)

// Update re-examines hinted paths, from a file watcher. A path may be a
// transcript, a subagent file, a folder (a root, projects/, a project, a
// session's folder or its subagents/), a sessions/<pid>.json or its
// folder, or something irrelevant, which is ignored; it may exist or be
// gone. A folder has its known files re-checked and new ones discovered.
// Update returns the sessions that changed, in their new state, and the
// IDs of sessions that are gone.
func (s *Source) Update(ctx context.Context, paths []string) (changed []shared.Session, removed []string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	touched := map[string]bool{}
	for _, p := range paths {
		if err = ctx.Err(); err != nil {
			break
		}
		if p == "" {
			continue
		}
		p = filepath.Clean(p)
		for _, root := range s.roots {
			k, ok := classify(root, p)
			if !ok {
				continue
			}
			switch {
			case k.isTranscript():
				s.refreshOne(p, k, touched)
			case k.isFolder():
				if e := s.refreshFolder(ctx, p, k, touched); e != nil {
					err = e
				}
				if k == kindRoot {
					s.reloadPIDs(root, touched)
				}
			case k == kindPIDDir:
				s.reloadPIDs(root, touched)
			case k == kindPIDFile:
				s.reloadPIDFile(p, touched)
			}
			break
		}
	}
	changed, removed = s.rebuild(touched, s.now())
	return changed, removed, err
}

// rebuild builds the touched sessions at now: those that exist are
// changed, those reported before that no longer do are removed.
func (s *Source) rebuild(touched map[string]bool, now time.Time) (changed []shared.Session, removed []string) {
	live := s.livePIDsAt(now)
	ids := make([]string, 0, len(touched))
	for sid := range touched {
		ids = append(ids, sid)
	}
	slices.Sort(ids)
	for _, sid := range ids {
		if sess, ok := s.build(sid, live, now); ok {
			changed = append(changed, sess)
			s.reported[sid] = true
			continue
		}
		s.aging.noteDue(sid, 0)
		if s.reported[sid] {
			removed = append(removed, sid)
			delete(s.reported, sid)
		}
	}
	s.st.setCounts(s.reg.len(), len(s.reported))
	return changed, removed
}

// refreshFolder re-checks the transcripts known under dir, forgets those
// gone, and reads those new.
func (s *Source) refreshFolder(ctx context.Context, dir string, k kind, touched map[string]bool) error {
	list := walk(dir, k, nil, s.reg, s.st.skipPath)
	prefix := dir + string(filepath.Separator)
	s.forgetUnwalked(list, func(f *file) bool { return strings.HasPrefix(f.path, prefix) }, touched)
	return s.refreshFound(ctx, list, touched)
}

// reloadPIDs re-reads a root's process registry.
func (s *Source) reloadPIDs(root string, touched map[string]bool) {
	prefix := filepath.Join(root, "sessions") + string(filepath.Separator)
	fresh := readPIDDir(root)
	for path, old := range s.pids {
		if !strings.HasPrefix(path, prefix) {
			continue
		}
		if e, ok := fresh[path]; !ok || e != old.asRead() {
			touched[old.SessionID] = true
			delete(s.pids, path)
		}
	}
	for path, e := range fresh {
		if _, ok := s.pids[path]; !ok {
			touched[e.SessionID] = true
			s.pids[path] = e
		}
	}
}

// reloadPIDFile re-reads one registry file.
func (s *Source) reloadPIDFile(path string, touched map[string]bool) {
	old, had := s.pids[path]
	e, ok := readPIDFile(path)
	if had && (!ok || e != old.asRead()) {
		touched[old.SessionID] = true
		delete(s.pids, path)
		had = false
	}
	if ok && !had {
		touched[e.SessionID] = true
		s.pids[path] = e
	}
}
