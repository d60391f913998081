package transcript

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"

	"vibecraft.sh/helm/shared"
)

// Page sizes.
const (
	DefaultLimit = 50
	MaxLimit     = 200
	// pageBudget bounds the cut records one page decodes: a page of
	// records that are each near their limits stops early, with a
	// cursor for the rest.
	pageBudget = 8 << 20
	// maxPageLines bounds the lines one page reads, for transcripts
	// whose shown lines are mostly records with nothing to show.
	maxPageLines = 20000
	// lineBufSize is the read buffer of a page: lines longer than it
	// stream through it.
	lineBufSize = 64 << 10
)

// ErrNotFound is a transcript that does not exist (any more).
var ErrNotFound = errors.New("transcript not found")

// Query asks for one page: the messages before Before (the last ones when
// both cursors are empty), or those from After on; Start asks for the
// first ones (the cursors are then empty).
type Query struct {
	Before, After string
	Limit         int
	Start         bool
}

// pager reads one page of one open file.
type pager struct {
	f     *os.File
	snap  snapshot
	br    *bufio.Reader
	c     cutter
	buf   []byte
	cache map[int]*parsed
	spent int
	at    int64 // the file offset of br's next byte; -1: unknown
	// skipped counts the bytes of long strings passed over unread.
	skipped int64
	skel    []byte     // a find's scratch: the skeleton of a line (findskip.go)
	shows   []lineShow // a find's scratch: what the lines of a known message may show (findmemo.go)
	// tagged holds what tagged read: a page groups its lines more than
	// once, and each read goes through the whole string.
	tagged map[tagKey]tagRead
}

// newPager reads the lines of f that snap indexes.
func newPager(f *os.File, snap snapshot) *pager {
	return &pager{f: f, snap: snap, br: bufio.NewReaderSize(nil, lineBufSize), cache: map[int]*parsed{}, at: -1}
}

type tagKey struct {
	at  int64
	tag uint8
}

type tagRead struct {
	text string
	cut  *shared.Cut
}

// grouper is a grouper of this page's lines.
func (p *pager) grouper(atStart bool) *grouper {
	g := newGrouper(atStart, p.ref)
	g.tags = p.tag
	return g
}

// tag is a tagReader.
func (p *pager) tag(at int64, tag uint8) (string, *shared.Cut) {
	k := tagKey{at, tag}
	if r, ok := p.tagged[k]; ok {
		return r.text, r.cut
	}
	var r tagRead
	head, size, err := tagHead(p.f, at, p.snap.end, tag)
	switch {
	case err != nil:
		// Not a string helmd can read (a hostile line): shown as an
		// output left out would be, not at all.
		slog.Debug("read a cut output's tag", "tag", outputTags[tag-1], "err", err)
	case size > int64(len(head)):
		r = tagRead{head, &shared.Cut{Bytes: size, Ref: p.ref(at, tag)}}
	default:
		r.text = head
	}
	p.spent += len(r.text)
	if p.tagged == nil {
		p.tagged = map[tagKey]tagRead{}
	}
	p.tagged[k] = r
	return r.text, r.cut
}

// Page answers q from the transcript at path.
func (t *Files) Page(path string, q Query) (shared.MessagePage, error) {
	f, snap, err := t.open(path)
	if err != nil {
		return shared.MessagePage{}, err
	}
	defer f.Close()
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	p := newPager(f, snap)
	switch {
	case q.Start:
		// As after a cursor before the first line, which has no message
		// to send again: limit counts the ones sent.
		return p.after(0, limit-1)
	case q.After != "":
		pos, err := p.position(q.After)
		if err != nil {
			return shared.MessagePage{}, err
		}
		return p.after(pos, limit)
	case q.Before != "":
		pos, err := p.position(q.Before)
		if err != nil {
			return shared.MessagePage{}, err
		}
		return p.before(pos, limit)
	}
	return p.before(snap.end, limit)
}

// position decodes a cursor and checks that it names a message start of
// this very file.
func (p *pager) position(cursor string) (int64, error) {
	pos, err := decodeCursor(cursor)
	if err != nil || pos.kind != kindLine {
		return 0, ErrBadCursor
	}
	if err := pos.check(p.f, &p.snap); err != nil {
		return 0, err
	}
	// A line start, or a '\n' at off: a page's end cursor is made at the
	// file's end, which after a last line taken without its '\n' (a
	// quiet file, index.go) is just before it; once the '\n' comes, that
	// cursor names the end of that line, a line boundary, not a place in
	// one.
	if _, exact := p.snap.at(pos.off); !exact && pos.off != p.snap.end && !endsLine(p.f, pos.off) && !endsLine(p.f, pos.off+1) {
		return 0, ErrBadCursor // mid-line: not a cursor helmd made
	}
	return pos.off, nil
}

func (p *pager) cursor(off int64) string {
	return p.sealed(position{kind: kindLine, off: off})
}

// ref is a refMaker.
func (p *pager) ref(at int64, tag uint8) string {
	if tag != 0 {
		return p.sealed(position{kind: kindTag, off: at, tag: tag})
	}
	return p.sealed(position{kind: kindRef, off: at})
}

// sealed is the cursor pos, of this file and sealed (cursor.go): one
// small read of the bytes around its offset, most often in the page
// cache already.
func (p *pager) sealed(pos position) string {
	off := pos.off
	pos.id, pos.sealed = p.snap.id, true
	pos.after, pos.sum = seal(p.f, off, p.snap.end)
	return encodeCursor(pos)
}

// before is the last limit messages that start before off.
func (p *pager) before(off int64, limit int) (shared.MessagePage, error) {
	j, _ := p.snap.at(off)
	want := 2*limit + 8
	for {
		i := max(0, j-want)
		g := p.grouper(i == 0)
		for k := i; k < j; k++ {
			pr, err := p.line(k)
			if err != nil {
				return shared.MessagePage{}, err
			}
			g.add(pr)
		}
		cands := g.groups[g.unsure:]
		full := i == 0 || countShown(cands) >= limit
		if !full && (p.spent > pageBudget || j-i >= maxPageLines) {
			if len(cands) == 0 {
				cands = g.groups // the budget ran out inside one message
			}
			full = true
		}
		if full {
			page, shown := p.pick(cands, limit, i == 0, off)
			p.markLater(page.Messages, off)
			p.settle(shown, off)
			return page, nil
		}
		// Read further back by what the lines read so far held per
		// message, and a little more: most pages need one more read.
		if shown := countShown(cands); shown > 0 {
			want = max(want*5/4+8, (j-i)*(limit+1)/shown+8)
		} else {
			want *= 2
		}
		want = min(want, maxPageLines)
	}
}

// pick keeps the last limit shown messages of cands; it returns the
// page and the groups it covers.
func (p *pager) pick(cands []*group, limit int, atStart bool, off int64) (shared.MessagePage, []*group) {
	out := shared.MessagePage{Messages: []shared.Message{}}
	first := len(cands)
	for n := 0; first > 0 && n < limit; {
		first--
		if len(cands[first].msg.Blocks) > 0 {
			n++
		}
	}
	for _, gr := range cands[first:] {
		if len(gr.msg.Blocks) > 0 {
			gr.msg.Cursor = p.cursor(gr.off)
			out.Messages = append(out.Messages, gr.msg)
		}
	}
	earlier := !atStart
	for _, gr := range cands[:first] {
		earlier = earlier || len(gr.msg.Blocks) > 0
	}
	if earlier && first < len(cands) {
		out.Before = p.cursor(cands[first].off)
	}
	if n := len(out.Messages); n > 0 {
		out.After = out.Messages[n-1].Cursor
	} else {
		out.After = p.cursor(off)
	}
	return out, cands[first:]
}

// after is the message at off, sent again because it may have grown, and
// up to limit messages after it.
func (p *pager) after(off int64, limit int) (shared.MessagePage, error) {
	j, _ := p.snap.at(off)
	g := p.grouper(true)
	more := false
	end := p.snap.end // of the page's lines
	for k := j; k < len(p.snap.offs); k++ {
		pr, err := p.line(k)
		if err != nil {
			return shared.MessagePage{}, err
		}
		before := len(g.groups)
		g.add(pr)
		if len(g.groups) > before && (countShown(g.groups[:before]) > limit || p.spent > pageBudget || k-j >= maxPageLines) {
			g.groups = g.groups[:before] // the line that opened one message too many
			more, end = true, p.snap.offs[k]
			break
		}
	}
	out := shared.MessagePage{Messages: []shared.Message{}, More: more}
	for _, gr := range g.groups {
		if len(gr.msg.Blocks) > 0 {
			gr.msg.Cursor = p.cursor(gr.off)
			out.Messages = append(out.Messages, gr.msg)
		}
	}
	if j > 0 {
		out.Before = p.cursor(off)
	}
	out.After = p.cursor(off)
	if n := len(out.Messages); n > 0 {
		out.After = out.Messages[n-1].Cursor
	} else if len(g.groups) > 0 {
		out.After = p.cursor(g.groups[len(g.groups)-1].off)
	}
	p.markLater(out.Messages, end)
	p.settle(g.groups, end)
	return out, nil
}

// skip passes over the next gap bytes of the file: through the buffer
// when they are in it, else by seeking.
func (p *pager) skip(gap int64) error {
	p.skipped += gap
	if b := int64(p.br.Buffered()); gap <= b {
		_, err := p.br.Discard(int(gap))
		return err
	} else if _, err := p.f.Seek(gap-b, io.SeekCurrent); err != nil {
		return fmt.Errorf("seek: %w", err)
	}
	p.br.Reset(p.f)
	return nil
}

func countShown(gs []*group) int {
	n := 0
	for _, g := range gs {
		if len(g.msg.Blocks) > 0 {
			n++
		}
	}
	return n
}

// line reads and decodes indexed line k (once per page).
func (p *pager) line(k int) (*parsed, error) { return p.lineFor(k, nil) }

// lineFor is line for a find with prefilter pf: a line that cannot show
// its term is decoded from its skeleton (findskip.go).
func (p *pager) lineFor(k int, pf *prefilter) (*parsed, error) {
	show := showAll
	if pf != nil {
		show = showAsked
	}
	return p.lineAs(k, pf, show)
}

// lineShow is what a find knows of whether a line may show its term.
type lineShow uint8

const (
	showAll   lineShow = iota // a page: every line decoded whole
	showAsked                 // unknown: the prefilter is asked
	showMay                   // it may: decoded whole
	showNot                   // it cannot: decoded from its skeleton when that places it
)

// lineAs is line k decoded as show says, for a find of prefilter pf.
func (p *pager) lineAs(k int, pf *prefilter, show lineShow) (*parsed, error) {
	if pr := p.cache[k]; pr != nil {
		return pr, nil
	}
	off := p.snap.offs[k]
	// Lines of a page are mostly read in file order: keep what the
	// buffer holds when the next line starts in it.
	if gap := off - p.at; p.at < 0 || gap < 0 || gap > int64(p.br.Buffered()) {
		if _, err := p.f.Seek(off, io.SeekStart); err != nil {
			return nil, fmt.Errorf("seek: %w", err)
		}
		p.br.Reset(p.f)
	} else if _, err := p.br.Discard(int(gap)); err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	out, n, err := p.c.record(p.br, p.buf, spansOf(p.snap.long, off), p.skip)
	p.at = off + n
	pr := &parsed{off: off, size: n}
	switch {
	case errors.Is(err, errTooBig):
		pr.tooBig = true
		pr.typ = recordType(p.f, off, n)
	case errors.Is(err, io.EOF):
		// Gone since the index was made: shown as nothing.
	case err != nil:
		return nil, err
	default:
		p.buf = out[:0]
		var l line
		if show == showAsked {
			show = showNot
			if pf.mayShow(out) {
				show = showMay
			}
		}
		if show == showNot {
			var cs []content
			if decodeSkeleton(p, out, &l) && skipped(&l, &cs) {
				pr.l, pr.cs, pr.placed = &l, cs, true
				break
			}
			l = line{}
		}
		if decodeLine(out, &l) == nil {
			pr.l = &l
			pr.cs = blocks(l.Message.Content)
			pr.bytes = len(out)
			p.spent += len(out)
			// What a find for a term it cannot show learns of it: no
			// more than that it cannot, unless the page makes texts of
			// it that it does not hold as they read (findskip.go).
			pr.placed = show != showAll && l.Type != "system" && !serverResult(pr.cs)
		}
	}
	p.cache[k] = pr
	return pr, nil
}

// decodeLine decodes one record. A control character written raw inside
// a string (JSON wants it escaped) fails encoding/json, while the list's
// lenient reader takes the record: such a line is decoded again with
// those characters escaped, so the page shows what the list counts.
func decodeLine(b []byte, l *line) error {
	// A file saved by a Windows editor may start with a byte order mark.
	b = bytes.TrimPrefix(b, utf8BOM)
	orig := *l
	if fastLine(b, l) {
		return nil
	}
	*l = orig
	err := json.Unmarshal(b, l)
	var syn *json.SyntaxError
	if err == nil || !errors.As(err, &syn) || !hasRawControl(b) {
		return err
	}
	*l = line{}
	return json.Unmarshal(escapeRawControls(b), l)
}

func hasRawControl(b []byte) bool {
	for _, c := range b {
		if c < 0x20 && c != '\n' { // a line's own end, outside any string
			return true
		}
	}
	return false
}

// escapeRawControls writes each control character inside a string of b
// as a \u escape; outside strings, white space is left as it is.
func escapeRawControls(b []byte) []byte {
	out := make([]byte, 0, len(b)+32)
	inStr, esc := false, false
	for _, c := range b {
		switch {
		case !inStr:
			inStr = c == '"'
		case esc:
			esc = false
		case c == '\\':
			esc = true
		case c == '"':
			inStr = false
		case c < 0x20:
			out = append(out, '\\', 'u', '0', '0', hexDigit[c>>4], hexDigit[c&0xf])
			continue
		}
		out = append(out, c)
	}
	return out
}

const hexDigit = "0123456789abcdef"

// recordType is the top-level type of the n-byte record at off, one too
// large to decode: the grouper places it by its role. Claude Code writes
// "type" near a record's start; a record that has it last is scanned
// through once more, which its size bounds as it bounded the read.
func recordType(f io.ReaderAt, off, n int64) string {
	var s topScan
	buf := make([]byte, 32<<10)
	for at, end := off, off+n; at < end && !s.done; {
		k, err := f.ReadAt(buf[:min(int64(len(buf)), end-at)], at)
		s.feed(buf[:k])
		at += int64(k)
		if err != nil {
			break // cut short since: what was read says what it can
		}
	}
	return s.typ
}

// utf8BOM is the byte order mark a file may start with.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}
