package claude

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"vibecraft.sh/helm/server/internal/endsum"
	"vibecraft.sh/helm/server/internal/regular"
	"vibecraft.sh/helm/server/internal/written"
)

// file is one transcript Helm follows: where it has read to, how the file
// looked then, and the aggregate of the lines read so far.
type file struct {
	path string
	sid  string // the session it is filed under; only the registry changes it once added

	offset  int64 // after the last complete line read
	size    int64
	mtimeNs int64 // the mtime as seen, in Unix ns: a time.Time is 24 bytes (see modTime)
	readAt  int64 // epoch ms of the last read: no record it found was written later
	ino     uint64

	agg    aggregate
	rankTS int64      // with bitRankCopy below, its rank (rankKey) when it was indexed
	rare   *rareState // what few files need; nil for the others

	// The small fields together, so that 100,000 files pay no padding
	// after each. With the rank split in two (a rankKey field pads its
	// bool to 8 bytes), what only a read needs out of the aggregate
	// (idState, idlessSpend), and what few files have out of the file
	// (rareState), the struct is 384 bytes, a size class of its own (it
	// was 568, in the 576 class, with them inline). The flags that few
	// places touch are bits of one byte, which left room for endSum.
	kind    kind // kindMain, kindAgent or kindSubagent
	seen    bool // stat'ed at least once
	indexed bool // its response keys are in the Source's dedup index
	bits    fileBits
	// endSum fingerprints the bytes before offset (endsum.Len of them):
	// a file that no longer has them there was rewritten, not appended
	// to, and is read again whole. 0 while offset is.
	endSum uint32
}

// fileBits are a file's rarely touched flags.
type fileBits uint8

const (
	bitFromCache fileBits = 1 << iota // seeded from the scan cache and not refreshed since
	bitHintTried                      // loadHint looked for sessions-index.json
	bitRankCopy                       // see rankTS
	// bitBadTail: the last line, without '\n', was not a whole record at
	// the current size; cleared whenever the size changes.
	bitBadTail
	// bitWalked: met by the walk under way (forgetUnwalked), rather than
	// a set of 100,000 paths made at each refresh to tell the same.
	bitWalked
)

func (f *file) has(b fileBits) bool { return f.bits&b != 0 }

func (f *file) set(b fileBits, on bool) {
	if on {
		f.bits |= b
	} else {
		f.bits &^= b
	}
}

// rareState is what a file needs only after a reset, or when its
// records name no cwd: out of the file, as most files never do.
type rareState struct {
	dropped *aggregate // the state a reset discarded, for the index to release
	hintCwd string     // from sessions-index.json, when no record has a cwd
	// counts are what the lines read since the last reset passed over:
	// what the file adds to Stats.OddCounts, MalformedLines and
	// UnknownRecords, saved in the scan cache so that a restart that
	// reads the file no more still counts them. Few files have any.
	counts lineCounts
}

// lineCounts are a file's lines, as last read, that counted for less
// than they said.
type lineCounts struct {
	odd       int // usage counts read as none (lineResult.odd)
	malformed int // lines that are no JSON record (lineResult.malformed)
	unknown   int // records of a type Helm does not know
}

func (c lineCounts) plus(o lineCounts) lineCounts {
	return lineCounts{c.odd + o.odd, c.malformed + o.malformed, c.unknown + o.unknown}
}

func (c lineCounts) minus(o lineCounts) lineCounts {
	return c.plus(lineCounts{-o.odd, -o.malformed, -o.unknown})
}

// counts is f's lineCounts, as last read.
func (f *file) counts() lineCounts {
	if f.rare == nil {
		return lineCounts{}
	}
	return f.rare.counts
}

// addCounts adds c to f's counts.
func (f *file) addCounts(c lineCounts) {
	if c != (lineCounts{}) {
		f.setRare(func(r *rareState) { r.counts = r.counts.plus(c) })
	}
}

// hintCwd is the project path sessions-index.json gives f's session.
func (f *file) hintCwd() string {
	if f.rare == nil {
		return ""
	}
	return f.rare.hintCwd
}

// setRare sets what fn sets of f's rareState, making one if needed and
// dropping it once it holds nothing.
func (f *file) setRare(fn func(r *rareState)) {
	if f.rare == nil {
		f.rare = &rareState{}
	}
	fn(f.rare)
	if *f.rare == (rareState{}) {
		f.rare = nil
	}
}

func newFile(path string, k kind) *file {
	return &file{path: path, kind: k, sid: sessionOf(path, k), agg: newAggregate()}
}

// readStats is what one refresh did, for Stats.
type readStats struct {
	changed bool // size, mtime or inode changed since the last refresh
	read    bool // the file had new bytes and was read
	bytes   int64
	lines   int
	found   lineCounts // what the lines read passed over
	// delta is how f's counts moved: up by found, down by what a reset
	// let go. The Stats of the files followed move by it.
	delta lineCounts
	reset bool // re-read whole: truncated or replaced
}

var errGone = errors.New("transcript gone")

// tailQuiet is how long a file must stay unchanged before a last line
// without '\n' that is a whole JSON record is consumed (written.TailQuiet).
const tailQuiet = written.TailQuiet

// hasTail reports whether f has bytes after its last complete line.
func (f *file) hasTail() bool { return f.seen && f.offset < f.size && !f.has(bitBadTail) }

// refresh brings f up to date with the file on disk: nothing when it did
// not change, the new lines when it grew, everything when it shrank or was
// replaced; a last line without '\n' is consumed once the file has not
// changed for tailQuiet before now. info, when not nil, is a fresh stat of
// the path. It returns errGone when the file no longer exists.
func (f *file) refresh(r *reader, info *fileStat, now time.Time) (readStats, error) {
	before := f.counts()
	rs, err := f.refreshState(r, info, now)
	rs.delta = f.counts().minus(before)
	return rs, err
}

// refreshState is refresh but for the counts' move.
func (f *file) refreshState(r *reader, info *fileStat, now time.Time) (readStats, error) {
	var rs readStats
	if f.readAt == 0 {
		f.readAt = now.UnixMilli() // seeded from the cache: read before now
	}
	if info == nil {
		st, err := statPath(f.path)
		if errors.Is(err, fs.ErrNotExist) {
			return rs, errGone
		}
		if err != nil {
			return rs, fmt.Errorf("stat %s: %w", f.path, err)
		}
		info = &st
	}
	ino := info.ino
	quiet := !now.Before(info.modTime().Add(tailQuiet))
	if f.seen && info.size == f.size && info.mtimeNs == f.mtimeNs && ino == f.ino && !(quiet && f.hasTail()) {
		return rs, nil
	}
	// The same size at another mtime is a rewrite in place (an editor
	// that redacts a secret and keeps the inode), not a touch: Claude
	// Code only appends, and a touch alone raises no event, so this is
	// met at a restart, a refresh or a poll, where reading the file
	// again is what a fresh helmd does anyway.
	rewritten := info.size == f.size && info.mtimeNs != f.mtimeNs
	if f.seen && (ino != f.ino || info.size < f.size || info.size < f.offset || rewritten) {
		f.reset()
		rs.reset = true
	}
	rs.changed = true
	f.agg.askMissed = false // the question's line may be there again
	if info.size != f.size {
		f.set(bitBadTail, false) // it was about another size
	}
	f.seen, f.size, f.mtimeNs, f.ino = true, info.size, info.mtimeNs, ino
	if info.size <= f.offset {
		return rs, nil // an empty file, or a partial line still unfinished
	}
	fh, err := regular.Open(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return rs, errGone
	}
	if err != nil {
		return rs, fmt.Errorf("open %s: %w", f.path, err)
	}
	defer fh.Close()
	for pass := 1; ; pass++ {
		res, err := f.read(r, fh, quiet, min(f.modTime().UnixMilli(), now.UnixMilli()), now, &rs)
		if !errors.Is(err, endsum.ErrRewritten) {
			// Not a whole record: do not try again until the size changes.
			f.set(bitBadTail, quiet && f.offset < f.size && err == nil)
			rs.read, rs.lines = true, res.lines
			rs.found.odd, rs.found.malformed = res.odd, res.malformed
			f.addCounts(rs.found)
			if err != nil {
				return rs, fmt.Errorf("%s: %w", f.path, err)
			}
			return rs, nil
		}
		// The file was rewritten in place: since the last read (at f.offset
		// it no longer holds the bytes read before it), or during this one
		// (after a read, the bytes before the next were no longer those
		// read). What this pass found belongs to no one file: read the file
		// again from its start, as it is now.
		f.reset()
		rs.reset, rs.found = true, lineCounts{}
		if pass == maxPasses {
			// Rewritten at every pass: the next refresh tries again, whatever
			// the stat says then (no mtime is 0).
			f.mtimeNs = 0
			return rs, fmt.Errorf("%s: %w", f.path, err)
		}
		st, err := fh.Stat()
		if err != nil {
			return rs, fmt.Errorf("stat %s: %w", f.path, err)
		}
		f.size, f.mtimeNs = st.Size(), st.ModTime().UnixNano()
		f.set(bitBadTail, false)
		quiet = !now.Before(st.ModTime().Add(tailQuiet))
	}
}

// maxPasses is how many times one refresh reads a file that is rewritten
// in place while it is read, before it leaves it to the next refresh.
const maxPasses = 3

// read is one pass of refresh over fh: the lines after f.offset, checked
// to follow the bytes read before it (endsum.Guard). On an error wrapping
// endsum.ErrRewritten, f is left for the caller to reset. undated is the
// time given records without one.
func (f *file) read(r *reader, fh *os.File, quiet bool, undated int64, now time.Time, rs *readStats) (lineResult, error) {
	if !f.agg.materialize() { // the cache's id sets, needed from here on
		f.reset()
		rs.reset = true
	}
	f.agg.maps()
	conversation := f.kind == kindMain
	buf := answerBufs.Get().(*[]byte)
	f.agg.answer = (*buf)[:0]
	start := f.offset
	r.rec.notAfter = written.NotAfter(now)
	r.rec.undated = undated
	// The bytes before offset, as they were read: a file that was only
	// appended to still has them. The guard checks them at the first read
	// (one ReadAt, not counted in Stats.BytesRead), and loads r.end with
	// them, the window the read carries on to its new offset.
	res, err := r.lines(fh, start, f.endSum, quiet, func(rec *record, ok bool) {
		if ok && rec.content.toolUses.len() > 0 {
			rec.lineAt = start + r.n - int64(r.br.Buffered()) - r.length // as answerAt
		}
		if ok && !f.agg.apply(rec, conversation) {
			rs.found.unknown++
		}
		if f.agg.fresh { // this line is the last answer so far: note where it is
			f.agg.fresh = false
			f.agg.answerAt = start + r.n - int64(r.br.Buffered()) - r.length
		}
	})
	if *buf = f.agg.settleQuestion(); cap(*buf) <= maxLentAnswer {
		answerBufs.Put(buf)
	}
	rs.bytes += res.bytesRead
	f.agg.shareSessionID(f.sid)
	f.readAt = now.UnixMilli()
	if res.offset != f.offset {
		f.endSum = r.end.Sum()
	}
	f.offset = res.offset
	return res, err
}

// shareSessionID makes a's session id, when it is sid, the same string as
// sid: a transcript's records almost always name the session its file
// is named after, and two copies of the id were 5 MB at 100,000 sessions.
func (a *aggregate) shareSessionID(sid string) {
	if a.sessionID == sid {
		a.sessionID = sid
	}
}

// reset forgets what was read, to read the file again from its start.
func (f *file) reset() {
	if f.indexed {
		old := f.agg
		f.setRare(func(r *rareState) { r.dropped = &old })
		f.indexed = false
	}
	if f.counts() != (lineCounts{}) {
		f.setRare(func(r *rareState) { r.counts = lineCounts{} }) // they were the discarded state's
	}
	f.offset, f.endSum, f.agg = 0, 0, newAggregate()
	f.set(bitHintTried, false)
}

// parent is the session f belongs to by what is known of it now: its
// path, or for a legacy agent file the first sessionId of its records
// ("" until one is read, and again after a reset). When it differs from
// f.sid, the registry moves f (settle).
func (f *file) parent() string {
	if f.kind == kindAgent {
		return f.agg.sessionID
	}
	return f.sid
}

// lastWrite is when the session last wrote to the file, in epoch ms:
// what "recently written" is measured from, for a working or waiting
// status and the start of a wait. It is the later of the last record's
// time and the file's mtime, with two exceptions:
//   - A record dated after the read that found it was written by a clock
//     ahead of this one (a skewed machine, a transcript copied from one):
//     its time says nothing, and counted from its date it would keep its
//     session working until then. The mtime alone counts.
//   - An mtime more than copySlack after the last record is not the
//     session's write: the file was copied, restored, synced or touched,
//     and a session that ended a year ago would wait for its user again
//     (and count in Needs you) for a working day after a backup was
//     restored. The record's time alone counts. Within copySlack the
//     mtime counts: a line still being written, a record with no time (a
//     title, a summary) written just after the turn.
//   - A recap is the last dated record (aggregate.recapLast): the mtime
//     is its write, which lastTS leaves out too. The record's time alone
//     counts.
func (f *file) lastWrite() int64 {
	ts, mtime := f.agg.lastTS, f.modTime().UnixMilli()
	switch {
	case ts <= 0 || f.readAt > 0 && ts > f.readAt:
		return mtime
	case f.agg.recapLast, mtime > ts+copySlack.Milliseconds():
		return ts
	}
	return max(ts, mtime)
}

// copySlack is how long after a file's last record its mtime still counts
// as the session's write (see lastWrite). Long enough for what Claude Code
// writes after a turn's last dated record, short against the hours or
// days by which a copy or a restore postdates it.
const copySlack = 30 * time.Minute

// modTime is the file's mtime when last stat'ed; the zero Time before.
func (f *file) modTime() time.Time {
	if !f.seen {
		return time.Time{}
	}
	return time.Unix(0, f.mtimeNs)
}
