package transcript

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"sort"
	"sync"
	"time"

	"vibecraft.sh/helm/server/internal/endsum"
	"vibecraft.sh/helm/server/internal/written"
)

// headBytes is how much of a file's start its identity hashes: enough to
// hold a first record's uuid and timestamp, which a rewrite changes.
const headBytes = 4096

// indexBufSize is the read buffer of an index scan; longer lines are
// skipped through it, never held.
const indexBufSize = 256 << 10

// extend looks for long strings only in lines longer than its buffer: a
// line it reads whole in one chunk cannot hold one. Compiled only while
// that holds.
var _ [longString + 1 - indexBufSize]struct{}

// identity tells one file from another at the same path: the inode, and a
// hash of its first hlen bytes (up to the end of its first line). A file
// replaced by rename has another inode; one truncated and rewritten in
// place has another first record.
type identity struct {
	ino  uint64
	hlen uint16
	hash uint32
}

// lineIndex holds where the shown lines of one transcript start, so a
// page is read by seeking to its lines, never by reading the file.
// Appends extend it from end; a replaced or truncated file rebuilds it.
type lineIndex struct {
	mu   sync.Mutex
	path string
	id   identity
	end  int64 // after the last complete line scanned
	// endSum fingerprints the bytes before end (endsum.Len of them; 0
	// at 0): a file that no longer has them there was rewritten in
	// place, not appended to, even when it grew and its first line
	// stayed.
	endSum uint32
	// win is refresh's scratch: the window of end, loaded by its check
	// (or extend's guard) and carried on by extend. Here, not a local, as
	// reading into it through the file would move a local to the heap at
	// every refresh.
	win endsum.Window
	// guard is extend's reader: it checks that the file still holds the
	// bytes before each read's (endsum.Guard), so a file rewritten in
	// place mid-scan is not indexed as two files' lines.
	guard endsum.Guard
	offs  []int64 // starts of the lines that can be shown, ascending
	// long are the long strings of those lines, in file order (longstr.go).
	long []span
	gen  uint64 // bumped at each rebuild
	// hashed: the head hash covers the whole first line (or headBytes).
	hashed bool
	// counted is len(offs) as Files last counted it (guarded by Files.mu).
	counted int
	// later is what pages searched below themselves (later.go), kept
	// across requests; its own lock, as a page uses it after refresh.
	later laterMemo
	// msgs is where a find found the messages start (findmemo.go).
	msgs msgMemo
}

// snapshot is an index as of one refresh: a page reads only these lines,
// so a concurrent append never changes what one request sees.
type snapshot struct {
	id   identity
	end  int64
	offs []int64
	long []span
	// gen is the index's rebuild count: what later holds of another
	// generation was read in another file.
	gen   uint64
	later *laterMemo
	msgs  *msgMemo
}

// refresh brings the index up to date with the file and returns a
// snapshot of it. The file is opened by the caller, so that what the
// page then reads is the same file the index describes.
func (x *lineIndex) refresh(f *os.File) (snapshot, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	st, err := f.Stat()
	if err != nil {
		return snapshot{}, fmt.Errorf("stat: %w", err)
	}
	ino := inode(st)
	// The bytes before x.end must be those scanned. When the file grew,
	// extend's guard checks them at its first read (and loads x.win, the
	// window of x.end, which extend carries on from the lines it scans),
	// so an append costs no other read; when it did not, they are checked
	// here.
	grew := st.Size() > x.end
	if ino != x.id.ino || st.Size() < x.end || !x.sameHead(f) || !grew && !x.win.Matches(f, x.end, x.endSum) {
		x.rebuild(ino)
	}
	for pass := 1; ; pass++ {
		if !x.hashed && st.Size() > int64(x.id.hlen) {
			if err := x.hashHead(f); err != nil {
				return snapshot{}, err
			}
		}
		if st.Size() <= x.end {
			break
		}
		quiet := time.Since(st.ModTime()) >= written.TailQuiet
		err := x.extend(f, quiet)
		if err == nil {
			break
		}
		if !errors.Is(err, endsum.ErrRewritten) {
			return snapshot{}, err // what was scanned up to x.end stands
		}
		// Rewritten in place, since the last scan or during this one:
		// what was scanned is no one file's. Scan the file as it is now.
		x.rebuild(ino)
		if pass == maxPasses {
			return snapshot{}, err
		}
		if st, err = f.Stat(); err != nil {
			return snapshot{}, fmt.Errorf("stat: %w", err)
		}
	}
	return snapshot{id: x.id, end: x.end, offs: x.offs, long: x.long, gen: x.gen, later: &x.later, msgs: &x.msgs}, nil
}

// maxPasses is how many times one refresh scans a file that is rewritten
// in place while it is scanned, before it gives up (the next refresh
// tries again).
const maxPasses = 3

// rebuild forgets what was scanned, for the file of inode ino to be
// scanned from its start.
func (x *lineIndex) rebuild(ino uint64) {
	x.id, x.end, x.offs, x.long, x.hashed, x.endSum = identity{ino: ino}, 0, nil, nil, false, 0
	x.gen++
	x.win.Reset()
}

// sameHead checks that the bytes the identity hashed are unchanged.
func (x *lineIndex) sameHead(f *os.File) bool {
	if x.id.hlen == 0 {
		return true
	}
	h, err := headHash(f, int(x.id.hlen))
	return err == nil && h == x.id.hash
}

// hashHead (re)hashes the file's head: up to headBytes, and never past
// the end of the first complete line, which is what stays put on append.
func (x *lineIndex) hashHead(f *os.File) error {
	buf := make([]byte, headBytes)
	n, err := f.ReadAt(buf, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read head: %w", err)
	}
	buf = buf[:n]
	if i := bytes.IndexByte(buf, '\n'); i >= 0 {
		buf = buf[:i+1]
	} else if n < headBytes {
		return nil // the first line is still being written
	}
	x.id.hlen, x.id.hash, x.hashed = uint16(len(buf)), crc32.ChecksumIEEE(buf), true
	return nil
}

func headHash(f *os.File, n int) (uint32, error) {
	buf := make([]byte, n)
	if _, err := f.ReadAt(buf, 0); err != nil {
		return 0, fmt.Errorf("read head: %w", err)
	}
	return crc32.ChecksumIEEE(buf), nil
}

// endsLine reports whether the byte before off is a '\n' (or off is 0).
func endsLine(f *os.File, off int64) bool {
	if off == 0 {
		return true
	}
	var b [1]byte
	n, err := f.ReadAt(b[:], off-1)
	return n == 1 && err == nil && b[0] == '\n'
}

// extend scans from end to the last complete line, recording where each
// shown line starts. A last line without its '\n' is left for later,
// unless the file is quiet and it is a whole record, as the list takes
// it (written.TailQuiet): its '\n', when it comes, is then an empty line.
// The bytes before x.end must have the sum x.endSum: the guard checks
// that at the first read (an error wrapping endsum.ErrRewritten, as for
// a rewrite between two reads) and loads x.win with them; the lines
// taken are added to it, and x.endSum is its sum at the new x.end.
func (x *lineIndex) extend(f *os.File, quiet bool) error {
	// x.win follows x.end line by line; summed once, however it returns,
	// if x.end moved (else x.win may not have been loaded).
	from := x.end
	defer func() {
		if x.end != from {
			x.endSum = x.win.Sum()
		}
	}()
	if _, err := f.Seek(x.end, io.SeekStart); err != nil {
		return fmt.Errorf("seek: %w", err)
	}
	x.guard.Reset(f, x.end, x.endSum, &x.win)
	defer x.guard.Reset(nil, 0, 0, nil)
	var src io.Reader = &x.guard
	if testWrapRead != nil {
		src = testWrapRead(src)
	}
	br := bufio.NewReaderSize(src, indexBufSize)
	var sc topScan
	ls := strScan{min: longString}
	pos := x.end
	var line endsum.Window // the end of the line being scanned
	for {
		start := pos
		sc.reset()
		ls.reset()
		line.Reset()
		var err error
		last := byte(0) // the last byte of the line that is not white space
		for first := true; ; first = false {
			var chunk []byte
			chunk, err = br.ReadSlice('\n')
			// A line whole in its first chunk is shorter than the
			// buffer, so than longString: no long string to look for.
			if !first || errors.Is(err, bufio.ErrBufferFull) {
				ls.feed(chunk, pos)
			}
			line.Feed(chunk)
			pos += int64(len(chunk))
			if !sc.done {
				sc.feed(chunk)
			}
			if t := bytes.TrimRight(chunk, " \t\r\n"); len(t) > 0 {
				last = t[len(t)-1]
			}
			if !errors.Is(err, bufio.ErrBufferFull) {
				break
			}
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				return fmt.Errorf("read: %w", err)
			}
			if !quiet || pos == start || !sc.done || last != '}' {
				return nil // x.end stays before an unfinished line
			}
			// A whole record without its '\n', in a quiet file: taken.
			if shown(sc.typ, sc.sub, sc.att) {
				x.add(start, ls.found)
			}
			x.win.Append(&line)
			x.end = pos
			return nil
		}
		if shown(sc.typ, sc.sub, sc.att) {
			x.add(start, ls.found)
		}
		x.win.Append(&line)
		x.end = pos
	}
}

// testWrapRead, set by tests only, wraps what extend reads the file
// through, for a test to change the file between two of its reads.
var testWrapRead func(io.Reader) io.Reader

// add records a shown line that starts at start, with its long strings.
func (x *lineIndex) add(start int64, long []span) {
	x.offs = append(x.offs, start)
	for _, l := range long {
		l.line = start
		x.long = append(x.long, l)
	}
}

// at is the position of offset off among the snapshot's lines: the
// number of lines before it, and whether a line starts exactly there.
func (s *snapshot) at(off int64) (int, bool) {
	i := sort.Search(len(s.offs), func(i int) bool { return s.offs[i] >= off })
	return i, i < len(s.offs) && s.offs[i] == off
}
