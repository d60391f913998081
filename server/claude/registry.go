package claude

import (
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// registry owns the mapping path ↔ *file ↔ session id: every transcript
// the Source follows, by path, each filed under the session it belongs
// to, main transcripts apart from subagent ones.
//
// Once a file is added, only the registry writes its sid, so a file is
// always in the one bucket its sid and kind name: moving a legacy agent
// file to the session its records reveal is one call (move), and
// forgetting a file leaves no entry behind under a session it used to
// belong to. A file whose session is not known yet (a legacy agent file
// before its first record) has sid "" and is in no bucket.
//
// It is not safe for concurrent use: the Source's lock guards it.
type registry struct {
	files map[string]*file            // every transcript, by path
	mains map[string]map[string]*file // session id → its main transcripts (copies under two roots: more than one)
	subs  map[string]map[string]*file // session id → its subagent transcripts

	// The stable orders, kept until a change makes them stale, so that a
	// quiet tree is iterated in order without a sort on every tick.
	byPath []*file  // every file, sorted by path; current when pathOK
	ids    []string // every session id with a bucket, sorted; current when idsOK
	pathOK bool
	idsOK  bool
}

func newRegistry() *registry {
	return &registry{
		files: map[string]*file{},
		mains: map[string]map[string]*file{},
		subs:  map[string]map[string]*file{},
	}
}

// len is the number of files registered.
func (r *registry) len() int { return len(r.files) }

// get returns the file registered at path, or nil.
func (r *registry) get(path string) *file { return r.files[path] }

// has reports whether f itself (not merely a file at its path) is
// registered.
func (r *registry) has(f *file) bool { return f != nil && r.files[f.path] == f }

// add registers f under its path and its sid. It returns false, and
// changes nothing, when a file is already registered at that path.
func (r *registry) add(f *file) bool {
	if _, ok := r.files[f.path]; ok {
		return false
	}
	r.files[f.path] = f
	r.pathOK = false
	r.link(f)
	return true
}

// move files f under session sid, taking it out of the bucket of the
// session it was under, and returns that session id ("" when it was in
// none). A file not registered only has its sid set.
func (r *registry) move(f *file, sid string) (from string) {
	from = f.sid
	if from == sid {
		return from
	}
	if !r.has(f) {
		f.sid = sid
		return from
	}
	r.unlink(f)
	f.sid = sid
	r.link(f)
	return from
}

// forget removes f from the registry, path and bucket, and reports
// whether it was registered. A different file registered at the same
// path is left alone.
func (r *registry) forget(f *file) bool {
	if !r.has(f) {
		return false
	}
	r.unlink(f)
	delete(r.files, f.path)
	r.pathOK = false
	return true
}

// sorted returns every file in path order. The slice is a snapshot: the
// caller may add, move and forget while ranging over it, and must not
// modify it.
func (r *registry) sorted() []*file {
	if !r.pathOK {
		out := make([]*file, 0, len(r.files))
		for _, f := range r.files {
			out = append(out, f)
		}
		slices.SortFunc(out, func(a, b *file) int { return strings.Compare(a.path, b.path) })
		r.byPath, r.pathOK = out, true
	}
	return r.byPath
}

// under returns the files below folder dir, in path order, as a snapshot
// like sorted. Sorted paths put a folder's files in one run, so this is
// a binary search, not a pass over every file.
func (r *registry) under(dir string) []*file {
	prefix := dir + string(filepath.Separator)
	all := r.sorted()
	i := sort.Search(len(all), func(i int) bool { return all[i].path >= prefix })
	j := i
	for j < len(all) && strings.HasPrefix(all[j].path, prefix) {
		j++
	}
	return all[i:j:j]
}

// sessions returns the id of every session with a main or subagent
// transcript, each once, sorted; the slice is a snapshot like sorted.
func (r *registry) sessions() []string {
	if !r.idsOK {
		out := make([]string, 0, len(r.mains)+len(r.subs))
		for sid := range r.mains {
			out = append(out, sid)
		}
		for sid := range r.subs {
			if _, ok := r.mains[sid]; !ok {
				out = append(out, sid)
			}
		}
		slices.Sort(out)
		r.ids, r.idsOK = out, true
	}
	return r.ids
}

// mainsOf and subsOf return session sid's transcripts by path; the
// caller must not modify the map.
func (r *registry) mainsOf(sid string) map[string]*file { return r.mains[sid] }

func (r *registry) subsOf(sid string) map[string]*file { return r.subs[sid] }

// bucket is the map of sessions f is filed in, by its kind.
func (r *registry) bucket(f *file) map[string]map[string]*file {
	if f.kind == kindMain {
		return r.mains
	}
	return r.subs
}

func (r *registry) link(f *file) {
	if f.sid == "" {
		return
	}
	m := r.bucket(f)
	if m[f.sid] == nil {
		m[f.sid] = map[string]*file{}
		r.idsOK = false
	}
	m[f.sid][f.path] = f
}

func (r *registry) unlink(f *file) {
	if f.sid == "" {
		return
	}
	m := r.bucket(f)
	delete(m[f.sid], f.path)
	if len(m[f.sid]) == 0 {
		delete(m, f.sid)
		r.idsOK = false
	}
}
