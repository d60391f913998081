package claude

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"slices"
	"sync"
	"time"

	"vibecraft.sh/helm/shared"
)

// The scan cache is a compact binary form, chosen over gob and JSON for
// load speed: varints and length-prefixed strings, decoded in one pass
// with no reflection. Its layout:
//
//	magic, uvarint version, build stamp, roots, file count, files…, CRC-32C
//
// The checksum (of everything before it) makes a torn or corrupt file
// fail as a whole, so no half-read state ever reaches a Source.
//
// Bump cacheVersion whenever the layout, or what an aggregate means
// (parsing, the rules in aggregate.go), changes: a cache written by
// other rules would give other results than a fresh read.
const (
	cacheMagic   = "helm/claude-scan\n"
	cacheVersion = 29 // 2: per-response cost, 1-hour writes, subagent prompts; 3: question; 4: response times; 5: the question's line; 6: message ids by reference; 7: the question's line by its offset alone; 8: the question's line without its Markdown; 9: the working time; 10: a prompt cut short ends with "…" (written here, but the number stayed 9); 11: the question's line passes over a short heading, a label and a fenced block; 12: and a table's rows; 13: a sum of the bytes before the offset, not the byte; 14: response keys and message ids as hashes (rkey); 15: a response that ends the turn ends the calls left without a result; 16: each pending tool call with the offset of its line (Source.Asks); 17: and a subagent transcript's pending calls; 18: and whether a progress record told that each runs (its offset's complement, as a signed varint); 19: a question line's runs of white space are one space (shared.QuestionLine); 20: bash mode's input and output are not prompts (usertext); 21: a compaction summary is not a prompt; 22: an image with no text is; 23: a slash command or bash input ends the pending calls; 24: a failed API call's record (isApiErrorMessage) is not a message; 25: a token count that is none (a fraction, a negative, past MaxTokenCount) is 0, not cut; 26: each file's count of those (Stats.OddCounts); 27: and of its malformed lines and unknown records (Stats.MalformedLines, UnknownRecords); 28: four record types known (atis-latch, frame-link, artifact-comment-monitor, artifact-autoreact-ledger), a recap (away_summary) that dates nothing and whether one is the last dated record, a prompt typed while the session worked (queued_command) counted, and a first prompt without the lines that mark pasted text; 29: the agents a transcript started in the background and no notification reported (the blob's second part), a task notification starts a turn, nine state record types known (relocated … cost-state)
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

var errCacheFormat = errors.New("not a valid scan cache")

// encoder appends the cache's primitives to b.
type encoder struct {
	b   []byte
	ids []byte // scratch for id sets
}

func (e *encoder) uint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }
func (e *encoder) int(v int64)   { e.b = binary.AppendVarint(e.b, v) }
func (e *encoder) str(s string)  { e.uint(uint64(len(s))); e.b = append(e.b, s...) }

// u64 writes v in 8 bytes: a hash is as long as a varint could make it.
func (e *encoder) u64(v uint64) { e.b = binary.LittleEndian.AppendUint64(e.b, v) }
func (e *encoder) key(k rkey)   { e.u64(k.msg); e.u64(k.req) }

func (e *encoder) spend(s spend) {
	t := s.tokens
	e.int(int64(t.Input))
	e.int(int64(t.Output))
	e.int(int64(t.CacheRead))
	e.int(int64(t.CacheWrite))
	e.int(int64(t.CacheWrite1h))
	e.int(s.nano)
}

// cacheChunk is how much writeCache encodes before handing it to w. A
// variable only so that a test can save a cache of many chunks without
// scanning megabytes of transcripts under -race; nothing else sets it.
var cacheChunk = 256 << 10

// writeCache writes the state of every transcript that was read, for
// roots under build stamp build, to w, a few files at a time
// through a buffer of about cacheChunk: the cache of 100,000 sessions is
// 200 MB, which encoded whole in memory before the write set the
// server's peak heap after each save. The checksum is computed as it
// goes. mu is held while files are encoded and released while their
// bytes are written.
func writeCache(w io.Writer, mu sync.Locker, build string, roots []string, files []*file) error {
	e := encoder{b: make([]byte, 0, 2*cacheChunk)}
	var sum uint32
	flush := func() error {
		sum = crc32.Update(sum, castagnoli, e.b)
		_, err := w.Write(e.b)
		e.b = e.b[:0]
		return err
	}
	e.b = append(e.b, cacheMagic...)
	e.uint(cacheVersion)
	e.str(build)
	e.uint(uint64(len(roots)))
	for _, r := range roots {
		e.str(r)
	}
	e.uint(uint64(len(files)))
	for i := 0; i < len(files); {
		mu.Lock()
		for ; i < len(files) && len(e.b) < cacheChunk; i++ {
			e.file(files[i])
		}
		mu.Unlock()
		if err := flush(); err != nil {
			return err
		}
	}
	if err := flush(); err != nil {
		return err
	}
	_, err := w.Write(binary.LittleEndian.AppendUint32(nil, sum))
	return err
}

func (e *encoder) file(f *file) {
	e.str(f.path)
	e.uint(uint64(f.kind))
	e.str(f.sid)
	e.int(f.offset)
	e.int(f.size)
	mtime := f.modTime()
	e.int(mtime.Unix())
	e.uint(uint64(mtime.Nanosecond()))
	e.uint(f.ino)
	e.uint(uint64(f.endSum))
	e.agg(&f.agg)
	c := f.counts()
	e.uint(uint64(c.odd))
	e.uint(uint64(c.malformed))
	e.uint(uint64(c.unknown))
}

func (e *encoder) agg(a *aggregate) {
	for _, s := range []string{a.sessionID, a.cwd, a.version, a.gitBranch, a.model,
		a.customTitle, a.aiTitle, a.summary, a.firstPrompt} {
		e.str(s)
	}
	// The question, or where its line is when dropQuestion let it go;
	// with whether a recap is the last dated record, in one number.
	flags := uint64(0)
	if a.kept {
		flags |= 1
	}
	if a.recapLast {
		flags |= 2
	}
	e.uint(flags)
	e.str(a.question)
	e.uint(uint64(a.askAt))
	e.int(a.firstTS)
	e.int(a.lastTS)
	e.uint(uint64(a.prompts))
	e.uint(uint64(a.anonymous))
	e.uint(uint64(a.turn))

	// Models are written once and referred to by index + 1 (0 is ""),
	// as the aggregate shares them. A name outside a.models cannot
	// happen (intern made them all), but would be added, not lost.
	models := a.models
	index := func(m string) uint64 {
		if m == "" {
			return 0
		}
		if i := slices.Index(models, m); i >= 0 {
			return uint64(i) + 1
		}
		models = append(models[:len(models):len(models)], m)
		return uint64(len(models))
	}
	var resps []encodedResponse
	if a.lazy == nil {
		resps = make([]encodedResponse, 0, len(a.responses))
		for k, r := range a.responses {
			resps = append(resps, encodedResponse{k, uint64(r.model), r.spent(), r.at})
		}
	}

	e.uint(uint64(len(models)))
	for _, m := range models {
		e.str(m)
	}
	// The totals; shadow is not saved: which responses another file
	// owns is worked out again as the files are met (dedup.go).
	e.spend(a.total)
	var idless idlessSpend
	if a.idless != nil {
		idless = *a.idless
	}
	e.spend(idless.anon)
	e.uint(uint64(len(idless.cells)))
	for k, sp := range idless.cells {
		e.int(k.at)
		e.uint(index(k.model))
		e.spend(sp)
	}

	// The id sets come last, length-prefixed, so that a load can keep
	// them encoded until the file grows (see lazyIDs); still encoded,
	// they are written back as they are.
	e.uint(uint64(a.messageCount()))
	if a.lazy != nil {
		e.uint(uint64(len(a.lazy.blob)))
		e.b = append(e.b, a.lazy.blob...)
		return
	}
	outer := e.b
	e.b = e.ids[:0]
	e.idSets(resps, a)
	e.ids, e.b = e.b, outer
	e.uint(uint64(len(e.ids)))
	e.b = append(e.b, e.ids...)
}

// encodedResponse is a response as the id sets hold it: its model by
// index + 1 into the aggregate's models (0 is "").
type encodedResponse struct {
	key   rkey
	model uint64
	s     spend
	at    int64
}

// idSets writes the id sets of a, its responses given as resps (which
// it sorts by key): the blob lazyIDs holds, in the cache and in a
// compacted aggregate.
//
// The blob opens with the file's working time and its agents at work in
// the background: build reads them of every file without decoding the
// rest.
func (e *encoder) idSets(resps []encodedResponse, a *aggregate) {
	e.uint(uint64(a.workMs))
	e.uint(uint64(len(a.background)))
	for _, id := range a.background {
		e.str(id)
	}
	slices.SortFunc(resps, func(x, y encodedResponse) int { return x.key.compare(y.key) })
	e.uint(uint64(len(resps)))
	for _, r := range resps {
		e.key(r.key)
		e.uint(r.model)
		e.spend(r.s)
		e.int(r.at)
	}
	e.messages(resps, a.messages)
	e.calls(a.pending)
}

// messages writes the message ids of a file. Almost every one is the
// message of a response, so it is written as the index of the first such
// response in resps, sorted by key: a varint rather than 8 bytes of
// hash. The rest (an id with no usage) are written whole after them.
func (e *encoder) messages(resps []encodedResponse, messages *idSet) {
	// The first response of each message id in messages, counted, then
	// written: two passes rather than a list, as compact runs for every
	// file of a cold scan.
	refs := func(fn func(i int)) {
		for i, r := range resps {
			if i > 0 && resps[i-1].key.msg == r.key.msg {
				continue // keys sorted: a message's responses are side by side
			}
			if messages.has(r.key.msg) {
				fn(i)
			}
		}
	}
	n := 0
	refs(func(int) { n++ })
	e.uint(uint64(n))
	refs(func(i int) { e.uint(uint64(i)) })
	rest := messages.len() - n
	e.uint(uint64(rest))
	if rest == 0 {
		// Every id was a reference, the case of nearly every file: the
		// loop below would look each one up again to write nothing.
		return
	}
	messages.each(func(m uint64) {
		if j := firstKeyFrom(resps, m); j < len(resps) && resps[j].key.msg == m {
			return // written as a reference
		}
		e.u64(m)
	})
}

// calls writes the pending tool calls: each id, then the offset of its
// line, as idState.pending holds it (its complement once the call runs:
// callAt), signed.
func (e *encoder) calls(m map[string]int64) {
	e.uint(uint64(len(m)))
	for k, v := range m {
		e.str(k)
		e.int(v)
	}
}

// decoder reads what encoder wrote. Errors are sticky: after the first,
// every read returns a zero value and the caller checks err once.
type decoder struct {
	b   []byte
	err error
	// pk, when set, takes the copies of what a load keeps of the cache's
	// bytes (the id sets' blobs); nil allocates each alone.
	pk *pack
}

func (d *decoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: bad %s", errCacheFormat, what)
	}
	d.b = nil
}

func (d *decoder) uint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail("number")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) int() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail("number")
		return 0
	}
	d.b = d.b[n:]
	return v
}

// u64 reads what encoder.u64 wrote.
func (d *decoder) u64() uint64 {
	if len(d.b) < 8 {
		d.fail("number")
		return 0
	}
	v := binary.LittleEndian.Uint64(d.b)
	d.b = d.b[8:]
	return v
}

func (d *decoder) key() rkey {
	msg := d.u64()
	return rkey{msg, d.u64()}
}

func (d *decoder) str() string { return string(d.raw()) }

// raw reads a string's bytes, which stay the blob's.
func (d *decoder) raw() []byte {
	n := d.uint()
	if n > uint64(len(d.b)) {
		d.fail("string")
		return nil
	}
	b := d.b[:n]
	d.b = d.b[n:]
	return b
}

// agents reads the agents at work in the background that open an id
// sets blob after its working time (encoder.idSets): their ids when keep
// is set, else passed over; nil for none.
func (d *decoder) agents(keep bool) []string {
	n := d.small(maxBackground, "background agents")
	if n == 0 {
		return nil
	}
	var ids []string
	if keep {
		ids = make([]string, 0, n)
	}
	for range n {
		if b := d.raw(); keep {
			ids = append(ids, string(b))
		}
	}
	return ids
}

// count reads a number of elements, each at least one byte long, so a
// corrupt count cannot make a huge allocation.
func (d *decoder) count() int {
	n := d.uint()
	if n > uint64(len(d.b)) {
		d.fail("count")
		return 0
	}
	return int(n)
}

// small reads a count that must not exceed limit.
func (d *decoder) small(limit uint64, what string) uint64 {
	v := d.uint()
	if v > limit {
		d.fail(what)
		return 0
	}
	return v
}

func (d *decoder) spend() spend {
	t := shared.Tokens{Input: int(d.int()), Output: int(d.int()), CacheRead: int(d.int()),
		CacheWrite: int(d.int()), CacheWrite1h: int(d.int())}
	return spend{tokens: t, nano: d.int()}
}

// decodeCache checks data (magic, version, checksum, build stamp and
// roots) and returns the transcripts it holds, by path.
func decodeCache(data []byte, build string, roots []string) (map[string]*file, error) {
	if len(data) < len(cacheMagic)+4 || string(data[:len(cacheMagic)]) != cacheMagic {
		return nil, fmt.Errorf("%w: no magic", errCacheFormat)
	}
	body := data[:len(data)-4]
	if crc32.Checksum(body, castagnoli) != binary.LittleEndian.Uint32(data[len(data)-4:]) {
		return nil, fmt.Errorf("%w: checksum mismatch", errCacheFormat)
	}
	d := decoder{b: body[len(cacheMagic):]}
	if v := d.uint(); d.err == nil && v != cacheVersion {
		return nil, fmt.Errorf("%w: version %d, want %d", errCacheFormat, v, cacheVersion)
	}
	if b := d.str(); d.err == nil && b != build {
		return nil, fmt.Errorf("%w: written by build %q", errCacheFormat, b)
	}
	n := d.count()
	written := make([]string, 0, n)
	for range n {
		written = append(written, d.str())
	}
	if d.err == nil && !slices.Equal(written, roots) {
		return nil, fmt.Errorf("%w: written for roots %q", errCacheFormat, written)
	}
	n = d.count()
	files := make(map[string]*file, n)
	if n >= packMinFiles {
		d.pk = &pack{}
	}
	for range n {
		f := d.file()
		if d.err != nil {
			break
		}
		files[f.path] = f
	}
	if d.err == nil && len(d.b) != 0 {
		d.fail("length")
	}
	if d.err != nil {
		return nil, d.err
	}
	return files, nil
}

func (d *decoder) file() *file {
	f := &file{seen: true, bits: bitFromCache}
	f.path = d.str()
	f.kind = kind(d.small(uint64(kindPIDFile), "kind"))
	f.sid = d.str()
	f.offset, f.size = d.int(), d.int()
	sec, nsec := d.int(), d.small(999_999_999, "mtime")
	f.mtimeNs = time.Unix(sec, int64(nsec)).UnixNano()
	f.ino = d.uint()
	f.endSum = uint32(d.small(math.MaxUint32, "end sum"))
	if !f.kind.isTranscript() || f.offset < 0 || f.offset > f.size {
		d.fail("file state")
	}
	if sid := sessionOf(f.path, f.kind); sid == f.sid {
		f.sid = sid // a part of the path, not a string of its own
	}
	f.agg = d.agg()
	f.agg.shareSessionID(f.sid)
	c := lineCounts{odd: int(d.small(math.MaxInt32, "odd count")), malformed: int(d.small(math.MaxInt32, "malformed count")),
		unknown: int(d.small(math.MaxInt32, "unknown count"))}
	if c != (lineCounts{}) {
		f.rare = &rareState{counts: c}
	}
	return f
}

func (d *decoder) agg() aggregate {
	var a aggregate
	for _, s := range []*string{&a.sessionID, &a.cwd, &a.version, &a.gitBranch, &a.model,
		&a.customTitle, &a.aiTitle, &a.summary, &a.firstPrompt} {
		*s = d.str()
	}
	flags := d.small(3, "question")
	a.kept, a.recapLast = flags&1 != 0, flags&2 != 0
	a.question = d.str()
	a.askAt = uint32(d.small(noAsk, "question"))
	// What many files repeat is shared, as a read shares it (setLastShared).
	a.cwd, a.version, a.gitBranch, a.model = interned(a.cwd), interned(a.version), interned(a.gitBranch), interned(a.model)
	a.firstTS, a.lastTS = d.int(), d.int()
	a.prompts = int32(d.small(math.MaxInt32, "count"))
	a.anonymous = int32(d.small(math.MaxInt32, "count"))
	a.turn = turn(d.small(uint64(turnEnded), "turn"))

	n := d.count()
	a.models = make([]string, 0, n)
	for range n {
		a.models = append(a.models, interned(d.str()))
	}
	a.total = d.spend()
	if anon, n := d.spend(), d.count(); anon != (spend{}) || n > 0 {
		a.idless = &idlessSpend{anon: anon, cells: make(map[slotModel]spend, n)}
		for range n {
			at := d.int()
			i := d.small(uint64(len(a.models)), "model")
			m := ""
			if i > 0 {
				m = a.models[i-1]
			}
			a.idless.cells[slotModel{at, m}] = d.spend()
		}
	}
	messages := int(d.small(1<<40, "count"))
	n = d.count()
	if d.err == nil {
		// Copied: a sub-slice would keep the whole cache's buffer alive
		// while helmd runs, for the sake of its id sets, a sixth of it (at
		// 100,000 sessions, 12 MB of a 79 MB cache: helmd restarted over
		// it sat at 325 MB, 66 MB more than it needed).
		a.lazy = &lazyIDs{blob: d.pk.bytes(d.b[:n]), messages: messages}
		d.b = d.b[n:]
	}
	// idState stays nil: only apply writes it, and refresh
	// materializes it before it.
	return a
}

// firstKeyFrom is the index of the first of resps, sorted by key, whose
// message is not below m (slices.BinarySearchFunc, without a closure).
func firstKeyFrom(resps []encodedResponse, m uint64) int {
	lo, hi := 0, len(resps)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if resps[mid].key.msg < m {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// messages reads what encoder.messages wrote; keys are the response
// keys, in the order written.
func (d *decoder) messages(keys []rkey) *idSet {
	refs := d.count()
	m := newIDSet(refs)
	for range refs {
		i := d.small(uint64(len(keys)), "message")
		if d.err != nil || i == uint64(len(keys)) {
			d.fail("message")
			return m
		}
		m.add(keys[i].msg)
	}
	rest := d.count()
	if uint64(rest) > uint64(len(d.b))/8 {
		d.fail("messages")
		return m
	}
	for range rest {
		m.add(d.u64())
	}
	return m
}

// calls reads what encoder.calls wrote.
func (d *decoder) calls() map[string]int64 {
	n := d.count()
	m := make(map[string]int64, n)
	for range n {
		k := d.str()
		m[k] = d.int() // any value is an offset, or a running call's (callAt)
	}
	return m
}
