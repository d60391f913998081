package claude

import (
	"bytes"
	"strconv"
	"unicode"
	"unicode/utf8"

	"vibecraft.sh/helm/server/internal/jsonstr"
	"vibecraft.sh/helm/server/internal/usertext"
	"vibecraft.sh/helm/server/internal/written"
	"vibecraft.sh/helm/shared"
)

// Capture limits, in raw (escaped) bytes. Prompts are kept to 300 runes;
// a rune is at most 12 raw bytes (a \uXXXX surrogate pair), and a little
// leading white space is allowed for.
const (
	limitID   = 512
	limitText = 300*12 + 256
	maxRunes  = 300
)

// field is a captured string value.
type field struct {
	raw  []byte // as written, escapes included, perhaps cut at the limit
	ok   bool   // the value was a string
	full bool   // raw holds the whole string
	dec  []byte
	done bool // plain and dec are valid: a line asks for a field's value several times
	// plain: raw needs no decoding; bytes returns it as it is
	plain bool
}

func (f *field) reset() {
	// One slice per statement: the compiler then stores only the
	// length, while a tuple assignment stores each slice whole, a GC
	// write barrier apiece whenever a collection runs, which during a
	// cold scan is most of the time (about 5 % of it, for the ~20
	// fields reset per line).
	f.raw = f.raw[:0]
	f.dec = f.dec[:0]
	f.ok, f.full, f.done = false, false, false
}

// bytes is the decoded value; only valid until the next reset. Whoever
// changes raw other than through reset must clear done.
func (f *field) bytes() []byte {
	if !f.done {
		f.plain, f.done = !needsUnescape(f.raw), true
		if !f.plain {
			f.dec = jsonstr.Unescape(f.dec[:0], f.raw)
		}
	}
	if f.plain {
		return f.raw
	}
	return f.dec
}

// is reports whether the field holds exactly s.
func (f *field) is(s string) bool { return f.ok && f.full && string(f.bytes()) == s }

// str is the decoded value as a new string.
func (f *field) str() string { return string(f.bytes()) }

// orNil is the decoded value, nil when there is none (not a string, or
// no such key): empty but not nil for "".
func (f *field) orNil() []byte {
	if !f.ok {
		return nil
	}
	if b := f.bytes(); b != nil {
		return b
	}
	return []byte{}
}

// idList holds a few small byte strings in one buffer.
type idList struct {
	buf  []byte
	ends []int
}

func (l *idList) reset()       { l.buf, l.ends = l.buf[:0], l.ends[:0] }
func (l *idList) add(b []byte) { l.buf = append(l.buf, b...); l.ends = append(l.ends, len(l.buf)) }
func (l *idList) len() int     { return len(l.ends) }
func (l *idList) at(i int) []byte {
	start := 0
	if i > 0 {
		start = l.ends[i-1]
	}
	return l.buf[start:l.ends[i]]
}

// usage is message.usage: the counts, the split of cache writes between
// the 5-minute and 1-hour caches (cache_creation), the speed and the
// server tools used, all of which change what a response costs.
type usage struct {
	input, output, cacheRead, cacheWrite int
	write5m, write1h                     int
	hasSplit                             bool // cache_creation was present
	fast                                 bool // speed "fast"
	usOnly                               bool // inference_geo "us"
	webSearches                          int
}

// content summarises message.content.
type content struct {
	isString, isArray bool
	text              field // the string content, or the first text block's text
	hasText           bool  // some text that is not only white space
	blocks, results   int   // blocks in all, tool_result blocks among them
	others            int   // blocks neither text nor tool_result: an image, a document
	toolUses          idList
	toolResults       idList
}

// record is what one line says, as far as Helm cares. It is reused from
// line to line, so its buffers stop growing after the first few lines.
type record struct {
	typ, subtype, cwd, sessionID, version, gitBranch, timestamp, requestID field
	customTitle, aiTitle, summary                                          field
	isMeta, isSidechain, isCompactSummary, isAPIError                      bool
	// durationMs is a turn_duration record's: how long the turn took.
	durationMs int

	// A progress record's: data.type, and the calls it names (a Bash's
	// bash_progress names its call by parentToolUseID, a hook's
	// hook_progress by both). progress is set once any of them was
	// read, so that the lines without them (nearly all) reset none.
	progType, toolUseID, parentToolUseID field
	progress                             bool

	// An attachment record's: its type, commandMode and origin.kind, and
	// its prompt read as a user record's content (a prompt typed while
	// the session worked is a queued_command attachment). attached is
	// set once the key was read, as progress is.
	attType, attMode, attOrigin field
	attPrompt                   content
	attached                    bool

	// A user record's toolUseResult: its status, isAsync and agentId,
	// which tell a call that started an agent in the background
	// (async_launched). launch is set once the key was read, as
	// progress is.
	resultStatus, resultAgent field
	resultAsync               bool
	launch                    bool

	hasMessage               bool
	msgID, model, stopReason field
	hasUsage                 bool
	usage                    usage
	content                  content

	// lineAt is where the line starts in its file, set by the reader
	// for a line with tool calls only: the offset each pending call
	// keeps (idState.pending).
	lineAt int64

	tsMS    int64 // the timestamp read once for all who ask (at)
	tsState uint8 // 0 not read yet, 1 valid, 2 not a timestamp
	// notAfter is the latest timestamp the current read believes (epoch
	// ms; 0: any), set per read and kept across its lines (see at).
	notAfter int64
	// undated is when a response is filed that has no believable time
	// and no earlier one in its file (responseTime): the file's mtime,
	// or the read's time if that is later. Set per read.
	undated int64

	// The price entry of the last model priced (priceOf) and the minute
	// of the last timestamp read (at): kept from line to line and file
	// to file, never reset.
	pricedModel string
	priced      *priced
	minutes     minuteCache

	// responses, when not nil, is where addUsage puts the responses of
	// the file being read, while there is room: the scan worker lends it
	// (spareMaps) for a file it compacts once read, whose responses then
	// live for that read only. nil: each is allocated. keys is the same
	// for the bytes of the keys of the file's id maps (keyString).
	responses *[]response
	keys      *[]byte

	// The response the last line added or replaced, by its key, and the
	// last message id found in the messages map: the consecutive lines
	// of one response (one per content block, most assistant lines)
	// find them without hashing. Valid only while inRead: reader.lines
	// sets it for the lines of one read, which all go to one aggregate.
	inRead   bool
	lastKey  []byte
	lastResp *response
	lastMsg  []byte
	// held, while not nil, is the aggregate lastResp belongs to, when
	// the usage of its last line (heldUsage, of heldModel) is not priced
	// into it yet (see addUsage). forgetLast settles it.
	held      *aggregate
	heldModel string
	heldUsage usage

	// pack, during a cold scan, holds the first prompts the worker keeps
	// (pack.go); nil otherwise.
	pack *pack
}

// forgetLast ends what inRead allows, once the usage held for the last
// response is priced into its aggregate.
func (r *record) forgetLast(inRead bool) {
	r.settleHeld()
	r.inRead, r.lastResp = inRead, nil
	r.lastKey, r.lastMsg = r.lastKey[:0], r.lastMsg[:0]
}

// at is the record's timestamp in epoch ms, false when it has none.
//
// A time later than the read allows (written.Believed) is no time at
// all: the session then takes its time from its other lines, or the
// file's mtime.
func (r *record) at() (int64, bool) {
	if r.tsState == 0 {
		r.tsState = 2
		if r.timestamp.ok {
			if ms, ok := r.minutes.parse(r.timestamp.bytes()); ok && written.Believed(ms, r.notAfter) == ms {
				r.tsMS, r.tsState = ms, 1
			}
		}
	}
	return r.tsMS, r.tsState == 1
}

func (r *record) reset() {
	for _, f := range []*field{&r.typ, &r.subtype, &r.cwd, &r.sessionID, &r.version, &r.gitBranch,
		&r.timestamp, &r.requestID, &r.customTitle, &r.aiTitle, &r.summary} {
		f.reset()
	}
	r.isMeta, r.isSidechain, r.isCompactSummary, r.isAPIError = false, false, false, false
	r.durationMs = 0
	if r.progress {
		r.progType.reset()
		r.toolUseID.reset()
		r.parentToolUseID.reset()
		r.progress = false
	}
	if r.attached {
		r.resetAttachment()
	}
	if r.launch {
		r.resultStatus.reset()
		r.resultAgent.reset()
		r.resultAsync, r.launch = false, false
	}
	r.tsMS, r.tsState = 0, 0
	r.resetMessage()
}

func (r *record) resetMessage() {
	r.hasMessage, r.hasUsage, r.usage = false, false, usage{}
	r.msgID.reset()
	r.model.reset()
	r.stopReason.reset()
	r.resetContent()
}

func (r *record) resetContent() { r.content.reset() }

func (r *record) resetAttachment() {
	r.attType.reset()
	r.attMode.reset()
	r.attOrigin.reset()
	r.attPrompt.reset()
	r.attached = false
}

func (c *content) reset() {
	c.isString, c.isArray, c.hasText, c.blocks, c.results, c.others = false, false, false, 0, 0, 0
	c.text.reset()
	c.toolUses.reset()
	c.toolResults.reset()
}

// prompt is the content's text without leading IDE context blocks, with
// white space trimmed; only valid until the record is reused.
func (c *content) prompt() []byte {
	return bytes.TrimFunc(usertext.StripIDE(c.text.bytes()), unicode.IsSpace)
}

// promptText is prompt without the lines that mark pasted text (the one
// prompt kept, not every prompt read, pays for looking for them), cut to
// maxRunes runes (shared.CutRunes), as a new string (packed into p's
// chunk when p is not nil).
func (c *content) promptText(p *pack) string {
	b := bytes.TrimFunc(shared.StripPastes(c.prompt()), unicode.IsSpace)
	if utf8.RuneCount(b) > maxRunes {
		b = []byte(shared.CutRunes(string(b), maxRunes))
	}
	return p.string(b)
}

func hasNonSpace(b []byte) bool { return len(bytes.TrimFunc(b, unicode.IsSpace)) > 0 }

// parseInt reads a JSON number as an int: 12, 1.2e3, and clamps negatives
// to 0 (a duration cannot be negative).
func parseInt(b []byte) int {
	if len(b) > 0 && len(b) <= 18 { // plain digits, the usual case, cannot overflow
		n := 0
		for _, c := range b {
			if c < '0' || c > '9' {
				return parseNumber(b)
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	return parseNumber(b)
}

func parseNumber(b []byte) int {
	if n, err := strconv.ParseInt(string(b), 10, 64); err == nil {
		return int(max(n, 0))
	}
	if f, err := strconv.ParseFloat(string(b), 64); err == nil && f > 0 && f < 1e15 {
		return int(f)
	}
	return 0
}

// parseCount reads a JSON number as a token count by the rule of
// shared.TokenCount, as OpenCode's reader does: false for what is none.
func parseCount(b []byte) (int, bool) {
	if len(b) > 0 && len(b) <= 9 { // plain digits, the usual case: below 10^9, no overflow
		n := 0
		for _, c := range b {
			if c < '0' || c > '9' {
				return countOf(b)
			}
			n = n*10 + int(c-'0')
		}
		if n > shared.MaxTokenCount {
			return 0, false
		}
		return n, true
	}
	return countOf(b)
}

func countOf(b []byte) (int, bool) {
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return 0, false // out of range (1e400) or not a number
	}
	return shared.TokenCount(f)
}
