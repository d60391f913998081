package fleet

import (
	"math"

	"vibecraft.sh/helm/server/internal/jsonread"
	"vibecraft.sh/helm/shared"
)

// A hub reads every session value another machine writes; with
// encoding/json that was the largest part of its CPU per arriving session
// (reflection, a validating pre-scan, then the decode). fastSession reads
// the values helmd itself writes (json.Marshal of shared.Session) in one
// pass with jsonread, which checks as it reads. It takes only the exact
// field names and values of their fields' types; anything else (a key
// with an escape, one encoding/json would match without regard to case,
// an unknown field, a number that does not fit) it leaves to
// encoding/json (decodeSession), so what a value means never depends on
// which decoder read it. FuzzFastSession checks that against
// encoding/json.

// fastSession decodes b into *s (zero on entry), reporting false when it
// did not, or could not be sure to, read it as encoding/json does.
func fastSession(b []byte, s *shared.Session) bool {
	d := jsonread.New(b)
	return d.Object(0, func(key []byte) bool { return sessionField(d, key, s) }) && d.End()
}

// sessionField reads the value of one of a session's keys. A key given
// twice takes its last value, as with encoding/json; a second "tokens"
// decodes into the struct the first filled, as encoding/json does.
func sessionField(d *jsonread.Reader, key []byte, s *shared.Session) bool {
	// A switch on string(key) does not allocate.
	switch string(key) {
	case "id":
		return d.StringInto(&s.ID)
	case "source":
		return d.StringInto((*string)(&s.Source))
	case "projectPath":
		return d.StringInto(&s.ProjectPath)
	case "projectName":
		return d.StringInto(&s.ProjectName)
	case "title":
		return d.StringInto(&s.Title)
	case "firstPrompt":
		return d.StringInto(&s.FirstPrompt)
	case "gitBranch":
		return d.StringInto(&s.GitBranch)
	case "model":
		return d.StringInto(&s.Model)
	case "messageCount":
		return d.IntInto(&s.MessageCount)
	case "tokens":
		return d.StructInto(1, func(key []byte) bool { return tokensField(d, key, &s.Tokens) })
	case "costUsd":
		return d.Float64Into(&s.CostUSD)
	case "status":
		return d.StringInto((*string)(&s.Status))
	case "waitingFor":
		return d.StringInto(&s.WaitingFor)
	case "waitingSince":
		return d.Int64Into(&s.WaitingSince)
	case "clearedAt":
		return d.Int64Into(&s.ClearedAt)
	case "active":
		return d.BoolInto(&s.Active)
	case "createdAt":
		return d.Int64Into(&s.CreatedAt)
	case "updatedAt":
		return d.Int64Into(&s.UpdatedAt)
	case "workMs":
		return d.Int64Into(&s.WorkMs)
	case "version":
		return d.StringInto(&s.Version)
	case "parentId":
		return d.StringInto(&s.ParentID)
	case "host":
		return d.StringInto(&s.Host)
	case "remote":
		return d.BoolInto(&s.Remote)
	case "hostOffline":
		return d.BoolInto(&s.HostOffline)
	case "hostClockAheadMs":
		// encoding/json refuses a number past an int32: so does the
		// caller's, when this declines it.
		var ms int64
		if !d.Int64Into(&ms) || ms < math.MinInt32 || ms > math.MaxInt32 {
			return false
		}
		s.HostClockAheadMs = int32(ms)
		return true
	case "unpriced":
		return d.BoolInto(&s.Unpriced)
	case "question":
		return d.StringInto(&s.Question)
	}
	return false // unknown, or a name encoding/json matches without regard to case
}

func tokensField(d *jsonread.Reader, key []byte, t *shared.Tokens) bool {
	switch string(key) {
	case "input":
		return d.IntInto(&t.Input)
	case "output":
		return d.IntInto(&t.Output)
	case "cacheRead":
		return d.IntInto(&t.CacheRead)
	case "cacheWrite":
		return d.IntInto(&t.CacheWrite)
	case "cacheWrite1h":
		return d.IntInto(&t.CacheWrite1h)
	}
	return false
}
