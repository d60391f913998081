package claude

import (
	"math"
	"slices"
	"sync"
	"unique"
	"unsafe"

	"vibecraft.sh/helm/server/internal/usertext"
	"vibecraft.sh/helm/shared"
)

// turn is where the conversation stands at the end of what was read, for
// the status rules (see status.go).
type turn uint8

const (
	turnNone       turn = iota
	turnPrompt          // a prompt waits for its reply
	turnToolResult      // tool results went back; the model goes on
	turnResponding      // a response is streaming, or asked for a tool
	turnEnded           // the assistant ended its turn
)

// aggregate is everything Helm keeps from the lines of one file: running
// totals, so that a line appended to a 500 MB transcript costs the parse
// of that line and a few map updates, never a pass over what was read.
type aggregate struct {
	sessionID                     string // the first sessionId of a record
	cwd, version, gitBranch       string
	model                         string // last non-synthetic model
	customTitle, aiTitle, summary string
	firstPrompt                   string
	firstTS, lastTS               int64 // epoch ms of the first record and the latest; 0 = none yet

	// Counts of one file, which cannot reach 2^31: as int32 side by side
	// they take 8 bytes (see file for the size class this buys).
	prompts   int32 // real user prompts
	anonymous int32 // assistant lines without an id

	models   []string     // model names seen, to share strings
	total    spend        // every response of the file, as it last read
	idless   *idlessSpend // the responses without an id; nil while there are none
	*idState              // the id maps and a read's scratch; nil while lazy holds them

	// question is the last answer's first line (shared.QuestionLine),
	// "" once a prompt follows it. Only a waiting session shows it, and
	// only a session written in the waiting window can wait but for a
	// live process saying so: an older file keeps where that answer's
	// line starts (askAt) and lets the line go (dropQuestion); the line
	// is read again if it is asked for (question.go).
	question string

	lazy *lazyIDs // messages, responses and pending still encoded: from the scan cache, or compacted (cacheids.go)

	// Small fields last, together, so that 100,000 aggregates pay no
	// padding after each.
	turn turn
	kept bool // question holds the line; else askAt says where it is
	// askMissed: the line at askAt was looked for and was not the
	// answer (the file was rewritten since it was read), or the file
	// was gone; not looked for again until a refresh sees the file
	// change (question.go). In the padding before askAt: no bytes more.
	askMissed bool
	// recapLast: a recap is the last dated record (isRecap), so the
	// file's mtime is its write, not the session's (file.lastWrite).
	// The padding's last byte.
	recapLast bool
	askAt     uint32 // the offset of the last answer's line; noAsk when none, or past 4 GB
}

// maxWorkMs bounds a file's working time as the cache may give it: no
// sum of turns reaches it.
const maxWorkMs = 1 << 53

// noAsk is askAt when there is no answer's line to read again: none, or
// one too far into its file for askAt (its question is then kept).
const noAsk = math.MaxUint32

// idState is the part of an aggregate that only a file being read, or
// written to, needs: the maps of ids that a new line is checked against,
// what the dedup index has not seen yet, and the last answer of a read.
// Once a quiet file is compacted (cacheids.go) its aggregate holds none
// of it: at 100,000 transcripts these fields inline were 112 bytes of
// each file's struct, and moving them here took the file a size class
// down (see file).
//
// An aggregate holds an idState exactly when it does not hold lazy: one
// from newAggregate or materialize has one, compact drops it. Its maps
// are nil until a read needs them (maps), so a file created but not yet
// read pays no empty maps.
type idState struct {
	messages  *idSet             // distinct assistant message ids, by idHash (see rkey)
	responses map[rkey]*response // by message id + request id
	// pending are the tool calls of this turn without a result, by
	// tool_use id: the offset of the line that holds each, which
	// Source.Asks reads again to tell the call a permission dialog names
	// (asks.go). An offset, not the call's input: the scan reads every
	// call, and nearly all have their result a few lines later. A call
	// a progress record told runs holds its offset's complement (^at, a
	// negative number: callAt), in the same map rather than another,
	// which every rule that clears or deletes a call would have to keep
	// in step.
	pending map[string]int64
	dirty   []rkey // response keys added or changed since the index saw them
	shadow  spend  // the part of total from responses another file owns (dedup.go)

	// answer is the text of the last answer read since question was
	// last settled: a read keeps only the last one and settles it once
	// (settleQuestion), rather than computing a line for every answer of
	// the file.
	answer   []byte
	answered bool // answer holds an answer not yet settled

	// workMs is the sum of the file's turn_duration records: the time
	// the session spent working, not the idle hours between its turns.
	// Here rather than in the aggregate: a file struct 8 bytes larger
	// takes the next size class (see file); compacted, the blob holds it.
	workMs int64
	// fresh is set by the line that became the answer, for the reader
	// to note where that line starts (answerAt) once it returns.
	fresh    bool
	answerAt int64

	// background are the agents the model started in the background
	// and no task notification has reported yet, by agentId, oldest
	// first (launched). Compacted, the blob holds them (backgroundOf).
	background []string
}

// idlessSpend is what the responses without an id spent: they cannot be
// matched across files, so they are kept apart (build, usage.go). Most
// transcripts have none, so an aggregate holds it only once one is read.
type idlessSpend struct {
	anon  spend               // the part of total from responses without an id
	cells map[slotModel]spend // anon by 15-minute slot and model (usage.go)
}

func newAggregate() aggregate {
	return aggregate{idState: &idState{}, kept: true, askAt: noAsk}
}

// maps makes a's id maps where they are nil, before lines are applied
// to it: once per read, so that apply writes to them without a check per
// line.
func (a *aggregate) maps() {
	if a.messages == nil {
		a.messages = newIDSet(0)
	}
	if a.responses == nil {
		a.responses = map[rkey]*response{}
	}
	if a.pending == nil {
		a.pending = map[string]int64{}
	}
}

// shadowed is the part of a's total that other files bill: none while
// its ids are compacted, as compact refuses a file with any.
func (a *aggregate) shadowed() spend {
	if a.idState == nil {
		return spend{}
	}
	return a.shadow
}

// anon is the part of a's total from responses without an id.
func (a *aggregate) anon() spend {
	if a.idless == nil {
		return spend{}
	}
	return a.idless.anon
}

// knownTypes are the record types Helm recognises; others are counted as
// unknown. Types it recognises but does not use still date the session.
var knownTypes = map[string]bool{
	"user": true, "assistant": true, "system": true, "summary": true, "progress": true,
	"attachment": true, "file-history-snapshot": true, "queue-operation": true,
	"custom-title": true, "ai-title": true, "last-prompt": true, "permission-mode": true,
	"mode": true, "agent-name": true, "agent-setting": true, "pr-link": true,
	"bridge-session": true, "tag": true,
	// Seen in transcripts of September 2026 (anthropics/claude-code#92735).
	"atis-latch": true, "frame-link": true, "artifact-comment-monitor": true,
	"artifact-autoreact-ledger": true,
	// The rest of the state records 2.1.266's writer emits, by a reading
	// of its bundle published in September 2026.
	"relocated": true, "agent-color": true, "isolation-latch": true, "ended": true,
	"file-history-delta": true, "attribution-snapshot": true, "content-replacement": true,
	"worktree-state": true, "cost-state": true,
}

// isKnownType is knownTypes[string(t)] with the two types of most lines
// answered first, without hashing.
func isKnownType(t []byte) bool {
	switch string(t) {
	case "assistant", "user":
		return true
	}
	return knownTypes[string(t)]
}

// apply adds one record to a. conversation is false for subagent files,
// whose records only contribute tokens, times and pending calls. It returns false for a
// record of an unknown type, which changes nothing.
func (a *aggregate) apply(r *record, conversation bool) bool {
	if !r.typ.ok || !isKnownType(r.typ.bytes()) {
		return false
	}
	if a.sessionID == "" && r.sessionID.ok {
		a.sessionID = r.sessionID.str()
	}
	if a.cwd == "" && r.cwd.ok && len(r.cwd.raw) > 0 {
		a.cwd = interned(r.cwd.str())
	}
	setLastShared(&a.version, &r.version)
	setLastShared(&a.gitBranch, &r.gitBranch)
	if ms, ok := r.at(); ok {
		a.recapLast = isRecap(r)
		if !a.recapLast {
			if a.firstTS == 0 {
				a.firstTS = ms
			}
			// The latest, not the last: a queued or replayed record may
			// carry an earlier time than the line before it.
			a.lastTS = max(a.lastTS, ms)
		}
	}
	sidechain := r.isSidechain || !conversation
	switch string(r.typ.bytes()) {
	case "summary":
		setLast(&a.summary, &r.summary)
	case "custom-title":
		setLast(&a.customTitle, &r.customTitle)
	case "ai-title":
		setLast(&a.aiTitle, &r.aiTitle)
	case "user":
		if !sidechain {
			a.user(r)
		} else if !conversation {
			a.subagentPrompt(r)
			a.subagentResults(r)
		}
	case "assistant":
		a.assistant(r, sidechain)
		if !conversation {
			a.keepCalls(r)
		}
		if !conversation && r.model.ok && len(r.model.raw) > 0 && !r.model.is("<synthetic>") {
			setLastShared(&a.model, &r.model) // shown only for a session known from its subagents alone
		}
	case "progress":
		a.progress(r)
	case "attachment":
		if !sidechain && queuedPrompt(r) {
			a.queuedPrompt(r)
		} else if !sidechain && r.attType.is("queued_command") && r.attPrompt.hasText {
			// A notification queued while the session worked.
			if id, ok := usertext.TaskID(r.attPrompt.text.bytes()); ok {
				a.reported(id)
			}
		}
	case "system":
		if !sidechain && r.subtype.is("turn_duration") {
			// A turn's time, by Claude Code's own clock; a value past
			// shared.MaxTurnMs is garbage, counted as none.
			if r.durationMs > 0 && int64(r.durationMs) <= shared.MaxTurnMs {
				a.workMs += int64(r.durationMs)
			}
		}
		if !sidechain && (r.subtype.is("turn_duration") || r.subtype.is("stop_hook_summary")) && len(a.pending) == 0 {
			a.turn = turnEnded
		}
	}
	return true
}

// isRecap reports whether r is a recap: the summary of the session so
// far that Claude Code (2.1.108 and later) writes into a session left
// idle for some minutes, as a system record of subtype away_summary.
// It is no one's activity: dated as the session's, it moved a session
// that waits for its user to "active", restarted its wait, and brought
// back a wait the user had cleared, minutes after the turn had ended.
func isRecap(r *record) bool {
	return r.typ.is("system") && r.subtype.is("away_summary")
}

// setLast keeps the last non-empty value of a field.
func setLast(dst *string, f *field) {
	if !f.ok || len(f.raw) == 0 {
		return
	}
	if b := f.bytes(); string(b) != *dst { // no allocation when unchanged
		*dst = string(b)
	}
}

// setLastShared is setLast for a value many files repeat (a project
// path, a version, a branch, a model): the string is interned, so
// 100,000 transcripts of one project hold its path once.
func setLastShared(dst *string, f *field) {
	if !f.ok || len(f.raw) == 0 {
		return
	}
	if b := f.bytes(); string(b) != *dst {
		*dst = interned(string(b))
	}
}

// interned is the one copy of s's value that every file shares,
// released by the runtime once no file holds it.
func interned(s string) string { return unique.Make(s).Value() }

func (a *aggregate) user(r *record) {
	c := &r.content
	for i := range c.toolResults.len() {
		delete(a.pending, string(c.toolResults.at(i)))
	}
	if c.results > 0 {
		a.turn = turnToolResult
	}
	a.launched(r)
	if c.hasText {
		// Before isMeta: some builds mark a notification so.
		if id, ok := usertext.TaskID(c.text.bytes()); ok {
			a.reported(id)
			return
		}
	}
	if r.isMeta || !c.hasText && c.others == 0 {
		return
	}
	if r.isCompactSummary {
		// The summary a compaction left, written in the user's name:
		// the page shows it as a "Conversation compacted" separator,
		// neither a prompt nor the title. Counted, the header's count
		// was one more than the rows below it per compaction.
		return
	}
	k := textEmpty
	if c.hasText {
		k = userText(c)
	}
	if k == textEmpty && c.others > 0 {
		// A screenshot pasted and sent with no words (or with only the
		// IDE context an editor adds): a prompt all the same, the
		// page's "You" row, and the model answers it. It has no text
		// for the title or first prompt.
		k = textPrompt
	}
	switch {
	case k == textInterrupt:
		// The user stopped the turn: nothing more comes until they type,
		// and the tool calls it cut off never get their results.
		clear(a.pending)
		a.turn, a.answered = turnEnded, false // it waits because it was stopped, not because it asked
		a.noQuestion()
		return
	case k == textCommand:
		// The user typed a slash command or a shell command: a call the
		// last turn left without a result (its process killed, the
		// session resumed) is over, as it is for a prompt, and as the
		// page shows it (transcript, over.go). Kept, it held the turn
		// open past the turn_duration that ends it. The turn is left as
		// it is: a local command (/cost) gets no answer.
		clear(a.pending)
		return
	case k != textPrompt:
		return
	}
	a.prompts++
	// Compared as bytes: a string of every prompt cost an allocation
	// per user line, and only the first one is kept.
	text := c.prompt()
	if string(text) == "Warmup" {
		return
	}
	if a.firstPrompt == "" && len(text) > 0 {
		a.firstPrompt = c.promptText(r.pack)
	}
	// A new prompt ends whatever the last turn left unanswered
	// (an interrupted tool call never gets its result).
	clear(a.pending)
	a.turn, a.answered = turnPrompt, false
	a.noQuestion()
}

// queuedPrompt reports whether r is a prompt the user typed while the
// session worked: Claude Code records it as a queued_command attachment,
// never as a user record, and shows it in the conversation.
func queuedPrompt(r *record) bool {
	return r.attached && r.attType.is("queued_command") && usertext.QueuedByUser(r.attMode.orNil(), r.attOrigin.orNil())
}

// queuedPrompt counts a prompt typed while the session worked, as the
// page shows it (a "You" row), and may be the first prompt. It leaves a
// turn that goes on and its calls alone: it was typed in that turn. One
// written after the turn ended (typed as it ended) starts the next, as
// a prompt does.
func (a *aggregate) queuedPrompt(r *record) {
	c := &r.attPrompt
	if !c.isString || !c.hasText || userText(c) != textPrompt { // a string, as the page takes it
		return
	}
	a.prompts++
	if a.firstPrompt == "" && len(c.prompt()) > 0 {
		a.firstPrompt = c.promptText(r.pack)
	}
	if a.turn == turnEnded || a.turn == turnNone {
		a.turn, a.answered = turnPrompt, false
	}
	a.noQuestion()
}

// maxBackground bounds the agents a transcript keeps as working in the
// background: one that started more and never had them reported (its
// process killed) keeps the latest.
const maxBackground = 32

// launched notes an agent the model started in the background, which r,
// a tool result, tells by its toolUseResult: status "async_launched"
// (or, without a status, isAsync), and the agent's agentId. That is the
// default of Claude Code's Agent tool in 2026; an agent run in the
// foreground has its agentId there too, with the status "completed".
// The call's result comes back at once, the turn may end, and the agent
// works on, writing its own transcript (subagents/agent-<agentId>.jsonl),
// until a task notification reports it and wakes the model. Until then
// the session is not waiting for its user (backgroundWrite, status).
func (a *aggregate) launched(r *record) {
	if !r.launch || !(r.resultStatus.is("async_launched") || r.resultAsync && !r.resultStatus.ok) || !r.resultAgent.ok || !r.resultAgent.full {
		return
	}
	id := r.resultAgent.bytes()
	if len(id) == 0 || slices.Contains(a.background, string(id)) {
		return
	}
	if len(a.background) == maxBackground {
		a.background = slices.Delete(a.background, 0, 1)
	}
	a.background = append(a.background, string(id))
}

// reported ends the background task a notification reports (id nil: one
// that names none, which ends nothing), and starts the next turn if the
// last had ended: Claude Code hands the notification to the model, which
// answers it, as it does a prompt. It is not the user's prompt: nothing
// is counted, and a question the session asked stays its question.
func (a *aggregate) reported(id []byte) {
	if i := slices.Index(a.background, string(id)); i >= 0 {
		a.background = slices.Delete(a.background, i, i+1)
	}
	if a.turn == turnEnded || a.turn == turnNone {
		a.turn = turnPrompt
	}
}

// subagentPrompt keeps the first prompt of a subagent transcript, the
// title of its session if the parent transcript is missing.
func (a *aggregate) subagentPrompt(r *record) {
	c := &r.content
	if a.firstPrompt != "" || r.isMeta || !c.hasText || userText(c) != textPrompt {
		return
	}
	if text := c.promptText(r.pack); text != "Warmup" {
		a.firstPrompt = text
	}
}

// keepCalls keeps the tool calls r's response asks for as pending, the
// offset of their line with each (idState.pending), for the main
// transcript (assistant) and a subagent's alike; of a subagent's,
// nothing else of the turn is kept: the session's status is its main
// transcript's. A subagent's permission dialog comes with the session's
// id, and waits while its call is without a result (Source.Asks).
func (a *aggregate) keepCalls(r *record) {
	if r.stopReason.ok && !r.stopReason.is("tool_use") && !r.stopReason.is("pause_turn") {
		// A response that ends the turn waits on no call: one an
		// earlier response left without a result (its process killed,
		// the session resumed) is over, not running.
		clear(a.pending)
	}
	c := &r.content
	for i := range c.toolUses.len() {
		a.pending[r.keyString(c.toolUses.at(i))] = r.lineAt
	}
}

// progress notes that the pending call a progress record names runs:
// Claude Code writes them while a tool works (bash_progress, each
// record of a Task's subagent as agent_progress…), so once one names a
// call, its permission dialog, if it asked one, was allowed, and no
// longer waits (Source.Asks) though the call's result may be minutes
// away. Not a hook's hook_progress: PreToolUse hooks run before the
// dialog shows. A Bash call is named by parentToolUseID (its toolUseID
// is "bash-progress-N"), a Task's agent_progress by parentToolUseID
// too, a hook's by both: either names it.
func (a *aggregate) progress(r *record) {
	if !r.progType.ok || len(r.progType.raw) == 0 || r.progType.is("hook_progress") {
		return
	}
	a.started(&r.toolUseID)
	a.started(&r.parentToolUseID)
}

// started marks the pending call f names as running, if there is one.
// The key is copied only the first time: a call's later progress
// records find it marked.
func (a *aggregate) started(f *field) {
	if !f.ok || !f.full || len(f.raw) == 0 {
		return
	}
	id := f.bytes()
	if at, ok := a.pending[string(id)]; ok && at >= 0 {
		a.pending[string(id)] = ^at
	}
}

// callAt is the offset of a pending call's line, as idState.pending
// holds it, and whether a progress record told that the call runs.
func callAt(v int64) (at int64, started bool) {
	if v < 0 {
		return ^v, true
	}
	return v, false
}

// subagentResults ends the pending calls of a subagent transcript whose
// results a user record carries, or all of them when the user stopped it.
func (a *aggregate) subagentResults(r *record) {
	c := &r.content
	for i := range c.toolResults.len() {
		delete(a.pending, string(c.toolResults.at(i)))
	}
	if !r.isMeta && c.hasText && userText(c) == textInterrupt {
		clear(a.pending)
	}
}

func (a *aggregate) assistant(r *record, sidechain bool) {
	var key rkey // the key of this line's response, when addUsage hashed it
	var hashed bool
	if r.hasUsage {
		key, hashed = a.addUsage(r)
	}
	if r.model.ok && len(r.model.raw) > 0 && !r.model.is("<synthetic>") && !sidechain {
		setLastShared(&a.model, &r.model)
	}
	if sidechain {
		return
	}
	switch {
	case r.isAPIError:
		// A failed call's record is no answer: the page shows it as a
		// system notice, and the header's count is the page's rows.
	case r.msgID.ok && len(r.msgID.raw) > 0:
		id := r.msgID.bytes()
		if r.inRead && len(r.lastMsg) > 0 && string(id) == string(r.lastMsg) {
			// an id already found in messages, which a read never shrinks
		} else {
			h := key.msg // hashed once for both maps
			if !hashed {
				h = idHash(id)
			}
			a.messages.add(h)
		}
		if r.inRead {
			r.lastMsg = append(r.lastMsg[:0], id...)
		}
	default:
		a.anonymous++
	}
	a.keepCalls(r)
	c := &r.content
	if c.hasText {
		// Kept as it is read, so the row's question costs no re-read.
		a.answer, a.answered, a.fresh = append(a.answer[:0], c.text.bytes()...), true, true
		if r.isAPIError {
			// A failed call's record: its question line says so in
			// words, as the page does, not with the API's JSON body.
			if line, ok := shared.APIErrorLine(string(a.answer)); ok {
				a.answer = append(a.answer[:0], line...)
			}
		}
	}
	switch {
	case len(a.pending) > 0, !r.stopReason.ok, r.stopReason.is("tool_use"), r.stopReason.is("pause_turn"):
		a.turn = turnResponding
	default: // end_turn, stop_sequence, max_tokens, refusal: the turn is over
		a.turn = turnEnded
	}
}

// intern returns the model name of f as a string shared with earlier
// records, so a line costs no allocation for it.
func (a *aggregate) intern(f *field) string {
	if !f.ok {
		return ""
	}
	b := f.bytes()
	for _, m := range a.models {
		if m == string(b) {
			return m
		}
	}
	m := interned(string(b))
	a.models = append(a.models, m)
	return m
}

// settleQuestion turns the last answer read into the question line, and
// lets its text go: it returns the buffer, which the aggregate no longer
// holds. The reader calls it at the end of each read.
func (a *aggregate) settleQuestion() []byte {
	if a.answered {
		// No copy of the answer: QuestionLine only reads it, and returns
		// a line of its own. (A copy per file was 100 MB of garbage at
		// 100,000.)
		a.question = shared.QuestionLine(unsafe.String(unsafe.SliceData(a.answer), len(a.answer)))
		a.kept, a.askAt = true, noAsk // kept for good if too far to note
		if a.answerAt < noAsk {
			a.askAt = uint32(a.answerAt)
		}
	}
	buf := a.answer
	a.answer, a.answered = nil, false
	return buf
}

// answerBufs lends each read the buffer its aggregate keeps the last
// answer in until settleQuestion: one buffer per reading goroutine rather
// than one per file read, which for a cold scan of 100,000 files was
// 200 MB of garbage. A buffer grown past maxLentAnswer is not kept.
var answerBufs = sync.Pool{New: func() any { return new([]byte) }}

const maxLentAnswer = 64 << 10
