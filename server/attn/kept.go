package attn

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"slices"
	"time"
	"unicode"
	"unicode/utf8"

	"vibecraft.sh/helm/server/internal/calldigest"
	"vibecraft.sh/helm/shared"
)

// The hints of listed sessions are kept in a file, as the clears are, so
// that a restart of helmd shows what it showed before: a permission
// prompt known only from its hook (the transcript shows a tool call, as
// it does while the tool runs) would otherwise leave "Needs you", and
// its hook telling of it again would be taken for a new wait, pushed
// again. A hint is kept with the start of its wait.
//
// The file is written whole at every change a restart needs (saveDue),
// so it holds only what a restart reads: not the hook's event name (read
// of a hook as it comes, never of one held), nor the expiry, which is
// the hint's time plus the TTL in force, nor a wait's start when it is
// the hint's own time. A permission dialog's wait keeps the digest its
// hook named the dialog by, or a restart could not tell that its call is
// still pending (AskCalls) and would end the wait at the next record.
// At maxHints permission prompts that is ~192 bytes a hint
// (TestHintsFileAtItsBound).

// maxHintsFile bounds what loading the hints file may read: maxHints
// hints of a few hundred bytes each.
const maxHintsFile = 4 << 20

// hintsFile is the file's layout.
type hintsFile struct {
	Version int        `json:"version"`
	Hints   []keptHint `json:"hints"`
}

// keptHint is a hint as kept; times are epoch ms. Files written before
// had "event" and "expires" too: both are ignored.
type keptHint struct {
	Source     shared.Source `json:"source"`
	ID         string        `json:"id"`
	Status     shared.Status `json:"status"`
	WaitingFor string        `json:"waitingFor,omitempty"`
	Active     bool          `json:"active"`
	At         int64         `json:"at"`
	Since      int64         `json:"since,omitempty"` // before At only
	// Dialog is the digest a permission dialog's hook named it by
	// (calldigest.Sum.String). Raw, so that a value of any other shape
	// loads as none rather than losing the whole file; absent in files
	// written before it was kept.
	Dialog json.RawMessage `json:"dialog,omitempty"`
	// Question is what a question's or a plan's dialog asks (Hint.
	// Question); absent in files written before it was kept.
	Question string `json:"question,omitempty"`
}

// maxText bounds a kept reason: the hook package's are far shorter (a reason names a tool of at most 64 runes).
const maxText = 512

// KeepHints keeps the hints of listed sessions in path from now on, and
// loads those kept there that still hold at now: each applies when a
// scan reports its session, and is dropped with the first full scan
// that does not. A missing file is none kept; an unreadable or damaged
// one is logged and replaced on the next save, so it never stops helmd.
func (o *Overlay) KeepHints(path string, log *slog.Logger, now time.Time) {
	if log == nil {
		log = slog.Default()
	}
	o.file = path
	kept, err := loadHints(path, o.ttl, now)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		log.Warn("hook hints not loaded; starting with none", "file", path, "err", err)
	}
	o.kept = kept
}

func loadHints(path string, ttl time.Duration, now time.Time) (map[string]*hint, error) {
	data, err := readState(path, maxHintsFile)
	if err != nil {
		return nil, err
	}
	var f hintsFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	kept := map[string]*hint{}
	for _, k := range f.Hints {
		if h, ok := k.hint(ttl, now); ok && len(kept) < maxHints {
			kept[h.Key()] = h
		}
	}
	return kept, nil
}

// hint is k as held, if it is one a hook could have made and it still
// holds at now. The file is Helm's own, but a damaged or edited one must
// not put a wait without end, or text no hook sent, on the list.
func (k keptHint) hint(ttl time.Duration, now time.Time) (*hint, bool) {
	if k.Source != shared.SourceClaude && k.Source != shared.SourceOpenCode || !ValidID(k.ID) || !plainText(k.WaitingFor) {
		return nil, false
	}
	switch k.Status {
	case shared.StatusWorking:
		ttl = workingTTL
	case shared.StatusWaiting:
	case shared.StatusIdle:
		k.WaitingFor = ""
	default:
		return nil, false
	}
	at := time.UnixMilli(k.At)
	if k.At <= 0 || at.After(now.Add(time.Minute)) { // a minute of clock skew
		return nil, false
	}
	expires := at.Add(ttl) // the TTL in force
	if !now.Before(expires) {
		return nil, false
	}
	if k.Since < 0 || k.Since > k.At || k.Status != shared.StatusWaiting {
		k.Since = 0
	}
	h := &hint{
		Hint: Hint{Source: k.Source, ID: k.ID, Status: k.Status,
			WaitingFor: k.WaitingFor, Active: k.Active, At: at},
		expires: expires,
		since:   k.Since,
	}
	if k.Status == shared.StatusWaiting {
		if d, ok := keptDialog(k.Dialog); ok {
			// As the hook named it: its call still pending outlasts newer
			// records (stillAsked), and the same dialog told again is the
			// same wait (anotherDialog).
			h.dialog = d
		} else if fromDialog(k.WaitingFor) {
			// Only a PermissionRequest names the tool: its wait is a
			// dialog's, and the next PermissionRequest another dialog.
			h.dialog = unnamed
		}
		if fromDialog(k.WaitingFor) && len(k.Question) <= 4*shared.MaxQuestion {
			// Made safe again, as the hook's line was: the file may have
			// been damaged or edited.
			h.Question = shared.QuestionText(k.Question)
		}
	}
	return h, true
}

// keptDialog is the dialog digest raw holds, as the hook package writes
// it (lower-case hex, which anotherDialog compares); ok is false for
// anything else, unnamed included: such a dialog is not named.
func keptDialog(raw json.RawMessage) (string, bool) {
	var s string
	if len(raw) == 0 || json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	sum, ok := calldigest.Parse(s)
	if !ok {
		return "", false
	}
	return sum.String(), true
}

// plainText reports whether s can be a kept reason: short,
// valid UTF-8, printable.
func plainText(s string) bool {
	if len(s) > maxText || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

// Hooks fire several times a turn for each running session, and the file
// holds every listed session's hint (about 1 MB at maxHints): it is not
// rewritten for each. A change a restart needs (a hint that shows its
// session otherwise: a new wait, another kind of wait, an end) is
// written at most once per urgentGap; one it can do without (a wait told
// again moves only its time, or names its ask otherwise: sameShown; a
// hint that the files or its expiry outdate is outdated again by the
// scan or the load after a restart) at most once per lazyGap. Shutdown
// writes what is left (Flush): only a crash loses the last urgentGap of
// the changes a restart needs.
const (
	urgentGap = time.Second
	lazyGap   = 30 * time.Second
)

// saveDue is when the hints file is next due to be written; zero when
// nothing changed since its last write.
func (o *Overlay) saveDue() time.Time {
	if o.file == "" || !o.dirty {
		return time.Time{}
	}
	if o.urgent {
		return o.savedAt.Add(urgentGap)
	}
	return o.savedAt.Add(lazyGap)
}

// saveHints writes the hints of listed sessions, and those loaded that no
// scan has met yet, when they changed since the last save and the write
// is due at now, or when all.
func (o *Overlay) saveHints(now time.Time, all bool) error {
	due := o.saveDue()
	if due.IsZero() || !all && now.Before(due) {
		return nil
	}
	// Tried now, written or not: a failing disk is tried again a gap
	// later, not in a loop of Run's save timer.
	o.savedAt = now
	out := make([]keptHint, 0, len(o.kept))
	add := func(h *hint) {
		k := keptHint{Source: h.Source, ID: h.ID, Status: h.Status, WaitingFor: h.WaitingFor,
			Active: h.Active, At: h.At.UnixMilli(), Since: h.since}
		if h.Status == shared.StatusWaiting {
			k.Question = h.Question
		}
		if k.Since >= k.At {
			k.Since = 0 // the wait starts at the hint: loading dates it from At
		}
		if d, ok := calldigest.Parse(h.dialog); ok && h.Status == shared.StatusWaiting {
			k.Dialog = json.RawMessage(`"` + d.String() + `"`) // hex: nothing to escape
		}
		out = append(out, k)
	}
	for _, h := range o.hints {
		if h.known { // one of no listed session would show nothing after a restart
			add(h)
		}
	}
	for _, h := range o.kept {
		add(h)
	}
	if len(out) > maxHints { // the newest, as loading keeps at most maxHints
		slices.SortFunc(out, func(a, b keptHint) int { return cmp.Compare(b.At, a.At) })
		out = out[:maxHints]
	}
	data, err := json.Marshal(hintsFile{Version: 1, Hints: out})
	if err != nil {
		return fmt.Errorf("hook hints: %w", err)
	}
	if err := writeState(o.file, data); err != nil {
		return fmt.Errorf("hook hints: %w", err)
	}
	o.dirty, o.urgent = false, false
	return nil
}
