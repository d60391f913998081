package claude

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"

	"vibecraft.sh/helm/server/internal/calldigest"
	"vibecraft.sh/helm/server/internal/dialog"
	"vibecraft.sh/helm/server/internal/regular"
	"vibecraft.sh/helm/shared"
)

// A permission dialog is named by its hook with the digest of the call
// it asks for (calldigest.Of of tool_name and tool_input). The scan
// keeps of each pending call only the offset of the line that holds it
// (idState.pending): digesting, or even copying, every call's input
// made each line of a scan pay for what is asked of a few. Asks, which
// runs only when a waiting dialog meets a newer record, reads those
// lines again.

// Asks reports whether session id's transcripts hold, without its
// result yet and not yet running, a tool call whose digest is dialog
// (calldigest.Sum.String): the call a PermissionRequest hook named,
// whose dialog then still waits for its user however many records
// (another call's result) came since. Once a progress record tells the
// call runs (aggregate.progress), the user allowed it: Claude Code fires
// no hook then, and the call's result can be minutes away (an npm test,
// a subagent's work), so the dialog's wait ends at the next record, as
// any wait does.
//
// The calls of its subagents' transcripts count too: a subagent's
// dialog comes with the session's id. They count only while the main
// transcript has a call pending (the Task call a subagent runs in): a
// subagent stopped with its process leaves calls without a result in a
// file never written again, which a new prompt, ending the main one's,
// ends too.
func (s *Source) Asks(id, dialog string) bool {
	want, ok := calldigest.Parse(dialog)
	if !ok || want == (calldigest.Sum{}) {
		return false
	}
	// The lock only to copy what the files say: reading them is I/O,
	// which a scan or a stream must not wait for.
	type pending struct {
		src   callSource
		calls []pendingCall
	}
	var each []pending
	s.mu.Lock()
	var one [1]*file
	if main := primary(s.reg.mainsOf(id, &one)); main != nil {
		if calls := main.agg.pendingCalls(); len(calls) > 0 {
			each = append(each, pending{callSource{main.path, main.ino}, calls})
			for _, f := range s.reg.subsOf(id, &one) {
				if calls := f.agg.pendingCalls(); len(calls) > 0 {
					each = append(each, pending{callSource{f.path, f.ino}, calls})
				}
			}
		}
	}
	s.mu.Unlock()
	for _, p := range each {
		held, err := s.asked.holds(p.src, p.calls, want)
		if err != nil {
			// A file gone or replaced since the scan: the next one says so.
			s.log.Debug("claude: reading a pending call", "err", err)
		}
		if held {
			return true
		}
	}
	return false
}

// Dialog is the dialog session id waits on when its wait is told only
// as a permission prompt (Claude Code's Notification hook and its
// registry say so of a question and a plan too), named from its
// transcript, or from its subagent's while a subagent runs (dialogCalls):
// the reason and question of its first call pending and not
// running, when that call's dialog asks no permission (AskUserQuestion,
// ExitPlanMode). Claude Code shows a turn's dialogs one at a time, in
// the order of its calls. Of any other first call "" (the wait stays a
// permission prompt): a call before the one asked about may be running
// with no record to tell (a Read's result comes a moment later), and
// naming the wrong tool is worse than naming none.
func (s *Source) Dialog(id string) (reason, question string) {
	// The lock only to copy what the files say, as for Asks.
	s.mu.Lock()
	var one, oneSub [1]*file
	main := primary(s.reg.mainsOf(id, &one))
	var src callSource
	var calls []pendingCall
	if main != nil {
		src, calls = dialogCalls(main, s.reg.subsOf(id, &oneSub))
	}
	s.mu.Unlock()
	return s.dialogAsked(src, calls)
}

// dialogCalls is the file whose pending calls name the dialog a session
// waits on, and those calls: its main transcript's; or, while every call
// pending there runs (a Task's subagent at work, its agent_progress
// told), a subagent's, whose dialogs come with the session's id: the
// one subagent with a call neither answered nor running. With two such
// subagents at once, none: which dialog Claude Code shows first is not
// known, and naming the wrong one is worse than naming none. (A subagent
// killed mid-call, with -9, leaves such a call for good: with a live
// one beside it, none is named either.)
func dialogCalls(main *file, subs []*file) (callSource, []pendingCall) {
	calls := main.agg.pendingCalls()
	if len(calls) == 0 {
		return callSource{}, nil
	}
	for _, c := range calls {
		if !c.started {
			return callSource{main.path, main.ino}, calls
		}
	}
	var src callSource
	var found []pendingCall
	for _, f := range subs {
		sc := f.agg.pendingCalls()
		if !slices.ContainsFunc(sc, func(c pendingCall) bool { return !c.started }) {
			continue
		}
		if found != nil {
			return callSource{}, nil
		}
		src, found = callSource{f.path, f.ino}, sc
	}
	return src, found
}

// dialogAsked is Dialog of the calls pending in src. A call's line is
// read once (asked), so that a build, under s.mu as for question, pays
// the read only the first time.
//
// The first call is of the first line that holds one (calls are in the
// order of their lines), and of that line's message the first block:
// parallel calls share a line, which lineReader reads once for all.
func (s *Source) dialogAsked(src callSource, calls []pendingCall) (reason, question string) {
	var fh *lineReader
	defer func() { fh.close() }()
	var first memoSum
	line := int64(-1)
	for _, c := range calls {
		if c.started {
			continue
		}
		if line >= 0 && c.at != line {
			break
		}
		m, err := s.asked.call(&fh, src, c)
		if err != nil {
			// A file gone or replaced since the scan: the next one says so.
			s.log.Debug("claude: reading a pending call", "err", err)
			return "", ""
		}
		if line < 0 || m.block < first.block {
			first = m
		}
		line = c.at
	}
	return first.reason, first.question
}

// pendingCall is a tool call without a result: its tool_use id, the
// offset of the line that holds it, and whether a progress record told
// that it runs (aggregate.progress).
type pendingCall struct {
	id      string
	at      int64
	started bool
}

// pendingCalls copies a's pending calls, in the order of their lines:
// from its map or, while a quiet file's id sets are still encoded, from
// the blob, without building the maps (a dialog can wait longer than a
// file stays uncompacted: compactQuiet).
func (a *aggregate) pendingCalls() []pendingCall {
	var pending map[string]int64
	if a.lazy == nil {
		pending = a.pending
	} else { // idState is nil while the id sets are encoded
		d := a.lazy.ids()
		for range d.count() { // the responses, as materialize reads them
			d.key()
			d.uint()
			d.spend()
			d.int()
		}
		for range d.count() { // the message ids given by reference
			d.uint()
		}
		for range d.count() { // the others, whole
			d.u64()
		}
		if pending = d.calls(); d.err != nil {
			return nil // a blob that does not decode names no call
		}
	}
	calls := make([]pendingCall, 0, len(pending))
	for k, v := range pending {
		at, started := callAt(v)
		calls = append(calls, pendingCall{k, at, started})
	}
	slices.SortFunc(calls, func(x, y pendingCall) int { return cmp.Compare(x.at, y.at) })
	return calls
}

// maxCallLine bounds the bytes of one line Asks reads to digest a call
// of it. A longer line names no call, and the dialog's wait ends at the
// next record, as it did before dialogs were matched with calls: a hook
// refuses a payload of over a MiB anyway (hook.MaxPayload), so only a
// small call beside a huge one in one line is lost so.
const maxCallLine = 1 << 20

// maxMemo bounds the digests callMemo keeps: far more than the calls of
// the dialogs that wait at once.
const maxMemo = 256

// callSource is the file pending calls were read of: its path, and its
// inode then, so that a file replaced since (another inode) is not read
// at offsets of the one it replaced.
type callSource struct {
	path string
	ino  uint64
}

// callKey names one call of one file: a line Claude Code wrote is never
// written again (it appends), so its digest is the same however often
// a waiting dialog asks.
type callKey struct {
	src callSource
	id  string
	at  int64
}

// memoSum is what a call's line says of it: its digest, ok false when
// the line did not hold it (the file rewritten since it was read); and,
// when its tool's dialog asks no permission, that dialog's reason
// (shared.DialogReason) and question (dialog.Question), which a wait
// told only as "permission prompt" is named by (Source.dialogAsked).
type memoSum struct {
	sum              calldigest.Sum
	ok               bool
	reason, question string
	block            int // the call's place among its message's blocks: the calls of one line come in that order
}

// callMemo keeps the digests of the calls Asks read, so that a session
// asked again at each newer record does not read its lines again.
type callMemo struct {
	mu   sync.Mutex
	sums map[callKey]memoSum
}

func (m *callMemo) get(k callKey) (memoSum, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sums[k]
	return s, ok
}

func (m *callMemo) put(k callKey, s memoSum) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.sums == nil || len(m.sums) >= maxMemo {
		m.sums = map[callKey]memoSum{} // bounded: the waits of now ask again
	}
	m.sums[k] = s
}

// holds reports whether one of calls, pending in src, has digest want.
// Each is digested once (memo); those not yet are read from the file,
// opened once, each line once. An error (no call held) says why the
// file could not be read.
func (m *callMemo) holds(src callSource, calls []pendingCall, want calldigest.Sum) (bool, error) {
	var fh *lineReader
	defer func() { fh.close() }() // fh as it is at the end, not nil as now
	for _, c := range calls {
		if c.started {
			// Allowed and running: its dialog is over, whatever its
			// digest, and its line need not be read.
			continue
		}
		s, err := m.call(&fh, src, c)
		if err != nil {
			return false, err
		}
		if s.ok && s.sum == want {
			return true, nil
		}
	}
	return false, nil
}

// call is what the line of c, pending in src, says of it: from the memo,
// or read from the file, which *fh holds once opened (nil until then,
// for the caller to close).
func (m *callMemo) call(fh **lineReader, src callSource, c pendingCall) (memoSum, error) {
	k := callKey{src, c.id, c.at}
	if s, ok := m.get(k); ok {
		return s, nil
	}
	if *fh == nil {
		r, err := openLines(src)
		if err != nil {
			return memoSum{}, err // gone, or not the file read: no call to match
		}
		*fh = r
	}
	line, whole, final, err := (*fh).line(c.at)
	if err != nil {
		return memoSum{}, err
	}
	var s memoSum
	if whole { // a longer line names no call (maxCallLine)
		s = readCall(line, c.id)
	}
	if final {
		m.put(k, s)
	}
	return s, nil
}

// lineReader reads the lines pending calls are on, keeping the last one
// read: the parallel calls of one message share it.
type lineReader struct {
	f                 *os.File
	at                int64
	buf               []byte
	whole, final, got bool
}

// errReplaced says a file has another inode than when it was read.
var errReplaced = errors.New("replaced since it was read")

// close closes r's file; a nil r was never opened.
func (r *lineReader) close() {
	if r != nil {
		r.f.Close()
	}
}

func openLines(src callSource) (*lineReader, error) {
	fh, err := regular.Open(src.path)
	if err != nil {
		return nil, fmt.Errorf("asks: %w", err)
	}
	info, err := fh.Stat()
	if err == nil && inode(info) != src.ino {
		err = errReplaced
	}
	if err != nil {
		fh.Close()
		return nil, fmt.Errorf("asks %s: %w", src.path, err)
	}
	return &lineReader{f: fh}, nil
}

// line returns the line that starts at offset at, without its '\n':
// whole is false when it is longer than maxCallLine, of which it holds
// the first maxCallLine bytes. final is false when the file ended
// before the line did: a line still being written, or an offset of a
// file since cut, which another look may find otherwise.
func (r *lineReader) line(at int64) (line []byte, whole, final bool, err error) {
	if r.got && r.at == at {
		return r.buf, r.whole, r.final, nil
	}
	r.got, r.at, r.buf, r.whole, r.final = false, at, r.buf[:0], true, true
	br := bufio.NewReaderSize(io.NewSectionReader(r.f, at, maxCallLine+1), 64<<10)
	for {
		chunk, err := br.ReadSlice('\n')
		r.buf = append(r.buf, chunk...)
		if err == nil {
			r.buf = r.buf[:len(r.buf)-1]
			break
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if !errors.Is(err, io.EOF) {
			return nil, false, false, fmt.Errorf("asks: read: %w", err)
		}
		if len(r.buf) > maxCallLine {
			r.buf, r.whole = r.buf[:maxCallLine], false
		} else {
			r.final = false // the file ended before the line
		}
		break
	}
	if at == 0 {
		r.buf = bytes.TrimPrefix(r.buf, utf8BOM) // as reader.lines
	}
	r.got = true
	return r.buf, r.whole, r.final, nil
}

// readCall is what line says of tool call id: its digest and, of a
// dialog that asks no permission, its reason and question. The digest
// is of the last tool_use block of its message's content with that id,
// as encoding/json reads the line, and so as the hook, which has the
// call as Claude Code sends it, digests it; ok is false when line holds
// no such call, or one without an input. The reason needs only the
// tool's name: a call without an input still
// shows a question's dialog, of no known text.
func readCall(line []byte, id string) (s memoSum) {
	var rec map[string]json.RawMessage
	if json.Unmarshal(line, &rec) != nil {
		return s
	}
	var msg map[string]json.RawMessage
	if json.Unmarshal(rec["message"], &msg) != nil {
		return s
	}
	var blocks []map[string]json.RawMessage
	if json.Unmarshal(msg["content"], &blocks) != nil {
		return s
	}
	for i, b := range slices.Backward(blocks) {
		// A block without an id is no call, not one whose id is "".
		if jsonString(b["type"]) != "tool_use" || !isJSONString(b["id"]) || jsonString(b["id"]) != id {
			continue
		}
		s.block = i
		name := jsonString(b["name"])
		input, has := b["input"]
		if s.reason = shared.DialogReason(name); s.reason != "" && has {
			s.question = dialog.Question(name, input)
		}
		if has {
			s.sum, s.ok = calldigest.Of(name, input)
		}
		return s
	}
	return s
}

// isJSONString reports whether raw, a value of a line encoding/json has
// read, is a string (null unmarshals into a string too, but is none).
func isJSONString(raw json.RawMessage) bool { return len(raw) > 0 && raw[0] == '"' }

// jsonString is raw as a JSON string; "" when it is not one.
func jsonString(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

// Ended reports whether session id's process is known to have ended: its
// newest registry entry (~/.claude/sessions/<pid>.json) names a process
// that is dead, or a PID given since to another (livePIDs). A process
// killed (kill -9, a closed terminal) sends no SessionEnd hook and leaves
// its entry behind; the hook that last told of its wait would otherwise
// show it waiting for a user nobody can answer for the hint's whole TTL.
// false when no entry names the session: nothing is known.
func (s *Source) Ended(id string) bool {
	s.mu.Lock()
	mine := map[string]pidEntry{}
	for path, e := range s.pids {
		if e.SessionID == id {
			mine[path] = e
		}
	}
	s.mu.Unlock()
	e, ok := livePIDs(mine, pidEntry.gone)[id] // the liveness checks are syscalls: outside the lock
	return ok && e.ended
}
