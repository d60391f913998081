package claude

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
)

// file is one transcript Helm follows: where it has read to, how the file
// looked then, and the aggregate of the lines read so far.
type file struct {
	path string
	kind kind   // kindMain, kindAgent or kindSubagent
	sid  string // the session it belongs to ("" for a legacy agent file until read)

	offset int64 // after the last complete line read
	size   int64
	mtime  time.Time
	ino    uint64
	seen   bool // stat'ed at least once

	fromCache bool // seeded from the scan cache and not refreshed since

	agg       aggregate
	indexed   bool       // its response keys are in the Source's dedup index
	rankTS    int64      // agg.firstTS when it was indexed
	dropped   *aggregate // the state a reset discarded, for the index to release
	hintCwd   string // from sessions-index.json, when no record has a cwd
	hintTried bool
}

func newFile(path string, k kind) *file {
	return &file{path: path, kind: k, sid: sessionOf(path, k), agg: newAggregate()}
}

// readStats is what one refresh did, for Stats.
type readStats struct {
	changed          bool // size, mtime or inode changed since the last refresh
	read             bool // the file had new bytes and was read
	bytes            int64
	lines, malformed int
	unknown          int
	reset            bool // re-read whole: truncated or replaced
}

var errGone = errors.New("transcript gone")

// refresh brings f up to date with the file on disk: nothing when it did
// not change, the new lines when it grew, everything when it shrank or was
// replaced. info, when not nil, is a fresh stat of the path. It returns
// errGone when the file no longer exists.
func (f *file) refresh(r *reader, info os.FileInfo) (readStats, error) {
	var rs readStats
	if info == nil {
		st, err := os.Stat(f.path)
		if errors.Is(err, fs.ErrNotExist) {
			return rs, errGone
		}
		if err != nil {
			return rs, fmt.Errorf("stat %s: %w", f.path, err)
		}
		info = st
	}
	ino := inode(info)
	if f.seen && info.Size() == f.size && info.ModTime().Equal(f.mtime) && ino == f.ino {
		return rs, nil
	}
	if f.seen && (ino != f.ino || info.Size() < f.size || info.Size() < f.offset) {
		f.reset()
		rs.reset = true
	}
	rs.changed = true
	f.seen, f.size, f.mtime, f.ino = true, info.Size(), info.ModTime(), ino
	if info.Size() <= f.offset {
		return rs, nil // only a touch, or a partial line still unfinished
	}
	fh, err := os.Open(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return rs, errGone
	}
	if err != nil {
		return rs, fmt.Errorf("open %s: %w", f.path, err)
	}
	defer fh.Close()
	if f.offset > 0 && !continues(fh, f.offset) {
		// Rewritten in place to a larger size: what was read is not what
		// the file holds now.
		f.reset()
		rs.reset = true
	}
	if !f.agg.materialize() { // the cache's id sets, needed from here on
		f.reset()
		rs.reset = true
	}
	conversation := f.kind == kindMain
	res, err := r.lines(fh, f.offset, func(rec *record, ok bool) {
		if ok && !f.agg.apply(rec, conversation) {
			rs.unknown++
		}
	})
	f.offset = res.offset
	rs.read, rs.bytes, rs.lines, rs.malformed = true, res.bytesRead, res.lines, res.malformed
	if f.kind == kindAgent && f.sid == "" {
		f.sid = f.agg.sessionID
	}
	if err != nil {
		return rs, fmt.Errorf("%s: %w", f.path, err)
	}
	return rs, nil
}

// reset forgets what was read, to read the file again from its start.
func (f *file) reset() {
	if f.indexed {
		old := f.agg
		f.dropped, f.indexed = &old, false
	}
	f.offset, f.agg, f.hintTried = 0, newAggregate(), false
	if f.kind == kindAgent {
		f.sid = "" // its records will say again whose subagent it is
	}
}

// lastWrite is the later of the last record's time and the file's mtime,
// in epoch ms: what "recently written" is measured from.
func (f *file) lastWrite() int64 {
	return max(f.agg.lastTS, f.mtime.UnixMilli())
}

// continues reports whether the byte before offset is still the '\n' that
// ended the last line read, as it is in a file that was only appended to.
// It is one byte, and not counted in Stats.BytesRead.
func continues(fh *os.File, offset int64) bool {
	var b [1]byte
	n, err := fh.ReadAt(b[:], offset-1)
	return n == 1 && err == nil && b[0] == '\n'
}
