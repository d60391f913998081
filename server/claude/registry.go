package claude

import (
	"iter"
	"slices"
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
	files map[string]*file // every transcript, by path
	mains bucket           // session id → its main transcripts (copies under two roots: more than one)
	subs  bucket           // session id → its subagent transcripts
}

// bucket files transcripts under their session: the first by path in
// first, and all of them, sorted by path, in more when there are two or
// more. Almost every session has one main transcript: at 100,000
// sessions a slice of one each, in a map of slices, was 5 MB more than a
// map of pointers (a map of maps each, 30 MB).
type bucket struct {
	first map[string]*file
	more  map[string][]*file
}

func newBucket() bucket {
	return bucket{first: map[string]*file{}, more: map[string][]*file{}}
}

// of returns session sid's files in path order, in one when there is
// only one (so that the common case allocates nothing); the caller must
// not modify the slice, nor keep it past a change.
func (b bucket) of(sid string, one *[1]*file) []*file {
	if fs, ok := b.more[sid]; ok {
		return fs
	}
	f, ok := b.first[sid]
	if !ok {
		return nil
	}
	one[0] = f
	return one[:]
}

// set files fs, sorted by path, under sid; none: sid has no file.
func (b bucket) set(sid string, fs []*file) {
	switch len(fs) {
	case 0:
		delete(b.first, sid)
		delete(b.more, sid)
	case 1:
		b.first[sid] = fs[0]
		delete(b.more, sid)
	default:
		b.first[sid] = fs[0]
		b.more[sid] = fs
	}
}

func newRegistry() *registry {
	return &registry{files: map[string]*file{}, mains: newBucket(), subs: newBucket()}
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
	return true
}

// sorted returns every file in path order.
func (r *registry) sorted() []*file { return r.matching(func(*file) bool { return true }) }

// matching returns the files for which keep is true, in path order, as
// a new slice: the caller may add, move and forget while ranging over
// it. It is one pass over the map and a sort of what matched only, so
// the paths that run on every event or tick (a folder's files, the tails
// due, the files gone) pay no sort of the whole tree.
func (r *registry) matching(keep func(*file) bool) []*file {
	var out []*file
	for _, f := range r.files {
		if keep(f) {
			out = append(out, f)
		}
	}
	slices.SortFunc(out, byPath)
	return out
}

func byPath(a, b *file) int { return strings.Compare(a.path, b.path) }

// sessions yields the id of every session with a main or subagent
// transcript, once each, in no particular order: the Source sorts the
// sessions it builds by a total order of its own (newest first), so
// sorting thousands of ids first would only add a sort.
func (r *registry) sessions() iter.Seq[string] {
	return func(yield func(string) bool) {
		for sid := range r.mains.first {
			if !yield(sid) {
				return
			}
		}
		for sid := range r.subs.first {
			if _, ok := r.mains.first[sid]; !ok && !yield(sid) {
				return
			}
		}
	}
}

// mainSessions is the number of sessions with a main transcript, a
// capacity hint for a list of sessions.
func (r *registry) mainSessions() int { return len(r.mains.first) }

// mainsOf and subsOf return session sid's transcripts in path order
// (see bucket.of): one is where a single one is returned, usually a
// variable of the caller's.
func (r *registry) mainsOf(sid string, one *[1]*file) []*file { return r.mains.of(sid, one) }

func (r *registry) subsOf(sid string, one *[1]*file) []*file { return r.subs.of(sid, one) }

// bucketOf is the bucket f is filed in, by its kind.
func (r *registry) bucketOf(f *file) bucket {
	if f.kind == kindMain {
		return r.mains
	}
	return r.subs
}

func (r *registry) link(f *file) {
	if f.sid == "" {
		return
	}
	b := r.bucketOf(f)
	if fs, ok := b.more[f.sid]; ok {
		i, found := slices.BinarySearchFunc(fs, f, byPath)
		if found {
			fs[i] = f
			b.first[f.sid] = fs[0]
			return
		}
		// A new slice, never an insert in place: a caller may still
		// hold the old one (mainsOf).
		b.set(f.sid, slices.Insert(slices.Clip(fs), i, f))
		return
	}
	switch g, ok := b.first[f.sid]; {
	case !ok || g.path == f.path:
		b.first[f.sid] = f
	case byPath(f, g) < 0:
		b.set(f.sid, []*file{f, g})
	default:
		b.set(f.sid, []*file{g, f})
	}
}

func (r *registry) unlink(f *file) {
	if f.sid == "" {
		return
	}
	b := r.bucketOf(f)
	if fs, ok := b.more[f.sid]; ok {
		i, found := slices.BinarySearchFunc(fs, f, byPath)
		if found && fs[i] == f {
			b.set(f.sid, slices.Delete(slices.Clone(fs), i, i+1))
		}
		return
	}
	if b.first[f.sid] == f {
		delete(b.first, f.sid)
	}
}
