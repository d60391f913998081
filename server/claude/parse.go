package claude

import (
	"vibecraft.sh/helm/server/internal/jsonstr"
	"vibecraft.sh/helm/server/internal/usertext"
)

// parser extracts a record from one line with a scanner, descending only
// into the few objects Helm reads (the line, message, usage, content and
// its blocks) and skipping every other value unread. Its recursion is
// bounded by that fixed shape; anything deeper goes through scanner.skip.
//
// It walks the whole line, the skipped values included. Reading only a
// line's head and tail and jumping over its middle (message.content, a
// toolUseResult) was considered and left: the middle is what the session
// rules need on nearly every line (tool_use and tool_result ids for the
// status, the text of each user record for the message count, the
// answer's text for the question line), a line malformed in its middle
// must still be counted as malformed, and a value jumped over backward
// cannot be told from several members without walking it.
type parser struct {
	s   scanner
	key []byte
	num []byte
	// the block being read: its fields may come in any order
	btype, btext, bid, btuid field
	speed                    field // usage.speed
	// odd counts the usage counts of the line read as none
	// (shared.TokenCount): a fraction, a negative, a number past any
	// request's, a string. The reader adds it up for a line it takes.
	odd int
}

// keyLimit is longer than any escaped form of a key Helm reads, so a cut
// key can never match one.
const keyLimit = 256

// parseLine fills r from a line that starts with first and continues with
// the chunks more returns (nil: first is the whole line). It reports false
// for a malformed line; r is then partly filled and must be ignored.
// Like encoding/json into a map, a key given twice takes its last value.
func (p *parser) parseLine(r *record, first []byte, more func() []byte) bool {
	r.reset()
	p.odd = 0
	p.s.reset(first, more)
	s := &p.s
	if s.peek() != '{' {
		s.bad = true
		return false
	}
	p.object(func(k []byte) bool {
		switch string(k) {
		case "type":
			p.strField(&r.typ, limitID)
		case "subtype":
			p.strField(&r.subtype, limitID)
		case "cwd":
			p.strField(&r.cwd, 4096)
		case "sessionId":
			p.strField(&r.sessionID, limitID)
		case "version":
			p.strField(&r.version, limitID)
		case "gitBranch":
			p.strField(&r.gitBranch, limitID)
		case "timestamp":
			p.strField(&r.timestamp, limitID)
		case "requestId":
			p.strField(&r.requestID, limitID)
		case "customTitle":
			p.strField(&r.customTitle, limitText)
		case "aiTitle":
			p.strField(&r.aiTitle, limitText)
		case "summary":
			p.strField(&r.summary, limitText)
		case "durationMs":
			r.durationMs = p.integer()
		case "isMeta":
			r.isMeta = p.boolean()
		case "isSidechain":
			r.isSidechain = p.boolean()
		case "isCompactSummary":
			r.isCompactSummary = p.boolean()
		case "isApiErrorMessage":
			r.isAPIError = p.boolean()
		case "toolUseID":
			r.progress = true
			p.strField(&r.toolUseID, limitID)
		case "parentToolUseID":
			r.progress = true
			p.strField(&r.parentToolUseID, limitID)
		case "data":
			// A progress record's: only its type is read.
			r.progress = true
			r.progType.reset()
			if s.peek() != '{' {
				return false
			}
			p.member("type", &r.progType)
		case "attachment":
			r.resetAttachment()
			r.attached = true
			if s.peek() != '{' {
				return false
			}
			p.attachment(r)
		case "toolUseResult":
			// Only its status, isAsync and agentId (aggregate.launched):
			// the rest (a file read, a command's output) is skipped as
			// any unread value is.
			r.launch, r.resultAsync = true, false
			r.resultStatus.reset()
			r.resultAgent.reset()
			if s.peek() != '{' {
				return false
			}
			p.object(func(k []byte) bool {
				switch string(k) {
				case "status":
					p.strField(&r.resultStatus, limitID)
				case "isAsync":
					r.resultAsync = p.boolean()
				case "agentId":
					p.strField(&r.resultAgent, limitID)
				default:
					return false
				}
				return true
			})
		case "message":
			r.resetMessage()
			if s.peek() == '{' {
				r.hasMessage = true
				p.message(r)
			} else {
				s.skip()
			}
		default:
			return false
		}
		return true
	})
	if s.bad {
		return false
	}
	if s.next() != eol { // only white space may follow the object
		s.bad = true
	}
	return !s.bad
}

// object reads an object whose '{' is next, calling member for each key
// with the scanner before the value. member reads the value and returns
// true, or returns false to have it skipped.
func (p *parser) object(member func(key []byte) bool) {
	s := &p.s
	if !s.expect('{') {
		return
	}
	if s.peek() == '}' {
		s.pos++
		return
	}
	for !s.bad {
		if k, ok := s.key(keyLimit); ok {
			if !member(k) {
				s.skip()
			}
			if !s.follows('}') {
				return
			}
			continue
		}
		if s.peek() != '"' {
			s.bad = true
			return
		}
		p.key = p.key[:0]
		full := s.str(&p.key, keyLimit)
		if !s.expect(':') {
			return
		}
		k := p.key
		if !full {
			k = nil // too long to be a key we read
		} else if needsUnescape(k) {
			k = jsonstr.Unescape(nil, k)
		}
		if k == nil || !member(k) {
			s.skip()
		}
		if !s.follows('}') {
			return
		}
	}
}

// array reads an array whose '[' is next, calling elem before each value;
// elem must consume it.
func (p *parser) array(elem func()) {
	s := &p.s
	if !s.expect('[') {
		return
	}
	if s.peek() == ']' {
		s.pos++
		return
	}
	for !s.bad {
		elem()
		if !s.follows(']') {
			return
		}
	}
}

// member reads an object whose '{' is next, capturing its string member
// name into f (the last, if given twice) and skipping the others.
func (p *parser) member(name string, f *field) {
	p.object(func(k []byte) bool {
		if string(k) != name {
			return false
		}
		p.strField(f, limitID)
		return true
	})
}

// strField captures a string value into f, or skips a value of another
// type and leaves f empty.
func (p *parser) strField(f *field, limit int) {
	f.reset()
	if p.s.peek() != '"' {
		p.s.skip()
		return
	}
	f.full = p.s.str(&f.raw, limit)
	f.ok = !p.s.bad
}

// boolean reads true as true and any other value as false.
func (p *parser) boolean() bool {
	if p.s.peek() == 't' {
		p.s.pos++
		p.s.literal("rue")
		return !p.s.bad
	}
	p.s.skip()
	return false
}

// integer reads a number as an int, and any other value as 0.
func (p *parser) integer() int {
	c := p.s.peek()
	if c != '-' && (c < '0' || c > '9') {
		p.s.skip()
		return 0
	}
	p.num = p.num[:0]
	p.s.number(&p.num)
	return parseInt(p.num)
}

// count reads a token count of usage (shared.TokenCount); a value that
// is none, JSON null aside (an absent count), is counted in p.odd.
func (p *parser) count() int {
	c := p.s.peek()
	if c != '-' && (c < '0' || c > '9') {
		if c != 'n' {
			p.odd++
		}
		p.s.skip()
		return 0
	}
	p.num = p.num[:0]
	p.s.number(&p.num)
	n, ok := parseCount(p.num)
	if !ok {
		p.odd++
	}
	return n
}

func (p *parser) message(r *record) {
	p.object(func(k []byte) bool {
		switch string(k) {
		case "id":
			p.strField(&r.msgID, limitID)
		case "model":
			p.strField(&r.model, limitID)
		case "stop_reason":
			p.strField(&r.stopReason, limitID)
		case "usage":
			r.hasUsage, r.usage = false, usage{}
			if p.s.peek() != '{' {
				return false
			}
			r.hasUsage = true
			p.usage(&r.usage)
		case "content":
			r.resetContent()
			p.content(&r.content)
		default:
			return false
		}
		return true
	})
}

// attachment reads an attachment record's object: what tells a prompt
// the user typed while the session worked (queuedPrompt), and its text.
func (p *parser) attachment(r *record) {
	p.object(func(k []byte) bool {
		switch string(k) {
		case "type":
			p.strField(&r.attType, limitID)
		case "commandMode":
			p.strField(&r.attMode, limitID)
		case "prompt":
			r.attPrompt.reset()
			p.content(&r.attPrompt)
		case "origin":
			r.attOrigin.reset()
			if p.s.peek() != '{' {
				return false
			}
			p.member("kind", &r.attOrigin)
		default:
			return false
		}
		return true
	})
}

func (p *parser) usage(u *usage) {
	p.object(func(k []byte) bool {
		switch string(k) {
		case "input_tokens":
			u.input = p.count()
		case "output_tokens":
			u.output = p.count()
		case "cache_read_input_tokens":
			u.cacheRead = p.count()
		case "cache_creation_input_tokens":
			u.cacheWrite = p.count()
		case "cache_creation":
			if p.s.peek() != '{' {
				return false
			}
			u.hasSplit = true
			p.object(func(k []byte) bool {
				switch string(k) {
				case "ephemeral_5m_input_tokens":
					u.write5m = p.count()
				case "ephemeral_1h_input_tokens":
					u.write1h = p.count()
				default:
					return false
				}
				return true
			})
		case "speed":
			p.strField(&p.speed, limitID)
			u.fast = p.speed.is("fast")
		case "inference_geo":
			p.strField(&p.speed, limitID) // the same scratch: read and done
			u.usOnly = p.speed.is("us")
		case "server_tool_use":
			if p.s.peek() != '{' {
				return false
			}
			p.object(func(k []byte) bool {
				if string(k) != "web_search_requests" {
					return false
				}
				u.webSearches = p.count()
				return true
			})
		default:
			return false
		}
		return true
	})
}

// content reads message.content: a string, or an array of blocks.
func (p *parser) content(c *content) {
	switch p.s.peek() {
	case '"':
		c.isString = true
		c.text.full = p.s.str(&c.text.raw, limitText)
		c.text.ok = !p.s.bad
		c.hasText = hasNonSpace(c.text.bytes())
	case '[':
		c.isArray = true
		p.array(func() {
			if p.s.peek() != '{' {
				p.s.skip()
				return
			}
			p.block(c)
		})
	default:
		p.s.skip()
	}
}

// block reads one content block and adds what it says to c.
func (p *parser) block(c *content) {
	for _, f := range []*field{&p.btype, &p.btext, &p.bid, &p.btuid} {
		f.reset()
	}
	p.object(func(k []byte) bool {
		switch string(k) {
		case "type":
			p.strField(&p.btype, limitID)
		case "text":
			p.strField(&p.btext, limitText)
		case "id":
			p.strField(&p.bid, limitID)
		case "tool_use_id":
			p.strField(&p.btuid, limitID)
		default:
			return false
		}
		return true
	})
	if p.s.bad {
		return
	}
	c.blocks++
	switch {
	case p.btype.is("text"):
		if p.btext.ok && hasNonSpace(p.btext.bytes()) {
			// The first text decides, unless it is only IDE context
			// (an opened file, a selection): the prompt follows it.
			if !c.hasText || !hasNonSpace(usertext.StripIDE(c.text.bytes())) {
				// Emptied, then appended to, in two statements: the
				// compiler stores only the length unless append grows.
				c.text.raw = c.text.raw[:0]
				c.text.raw = append(c.text.raw, p.btext.raw...)
				c.text.ok, c.text.full = true, p.btext.full
				// hasNonSpace decoded the block's text: keep that, not decode it again
				c.text.dec = c.text.dec[:0]
				c.text.dec = append(c.text.dec, p.btext.dec...)
				c.text.plain, c.text.done = p.btext.plain, p.btext.done
			}
			c.hasText = true
		}
	case p.btype.is("tool_use"):
		if p.bid.ok {
			c.toolUses.add(p.bid.bytes())
		}
	case p.btype.is("tool_result"):
		c.results++
		if p.btuid.ok {
			c.toolResults.add(p.btuid.bytes())
		}
	}
	if !p.btype.is("text") && !p.btype.is("tool_result") {
		// An image, a document: a user record of these and no text
		// is a prompt (a pasted screenshot), as the page shows it
		// (transcript.kindOf counts them alike).
		c.others++
	}
}
