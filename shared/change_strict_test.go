package shared

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
)

// A strict decoder refuses a partial change to a session the client does
// not hold: that is the sign the copies diverged, which the client must
// notice rather than invent a session of blanks.
func TestDecodeEventStrict(t *testing.T) {
	a := busySession()
	moved := a
	moved.Model, moved.UpdatedAt = "claude-opus-4-5", a.UpdatedAt+1
	other := busySession()
	other.ID = "never-held"
	otherMoved := other
	otherMoved.Status = StatusIdle
	partial := change(t, other, otherMoved) // no createdAt, no updatedAt
	withTime := other
	withTime.UpdatedAt++
	partialWithTime := change(t, other, withTime) // updatedAt, but no createdAt
	zeroTimes := `{"id":"never-held","source":"claude","title":"x","createdAt":0,"updatedAt":0}`

	holdsA := func(k string) (Session, bool) {
		if k == a.Key() {
			return a, true
		}
		return Session{}, false
	}
	ev := func(entries ...string) []byte {
		b := `{"type":"session-updated","sessions":[`
		for i, e := range entries {
			if i > 0 {
				b += ","
			}
			b += e
		}
		return []byte(b + `],"timestamp":1}`)
	}
	tests := []struct {
		name   string
		typ    EventType
		data   []byte
		base   func(string) (Session, bool)
		want   []Session
		noBase bool // the error wraps ErrNoBase
		bad    bool // another error
	}{
		{"a change to a held session", EventSessionUpdated, ev(change(t, a, moved)), holdsA, []Session{moved}, false, false},
		{"a session the stream never sent comes whole", EventSessionUpdated, ev(change(t, Session{}, other)), holdsA, []Session{other}, false, false},
		{"whole, with no base function", EventSessionUpdated, ev(change(t, Session{}, other)), nil, []Session{other}, false, false},
		{"a partial change without a base", EventSessionUpdated, ev(partial), holdsA, nil, true, false},
		{"a partial change with updatedAt but no createdAt", EventSessionUpdated, ev(partialWithTime), holdsA, nil, true, false},
		{"times sent as zero", EventSessionUpdated, ev(zeroTimes), holdsA, nil, true, false},
		{"partial after the same session whole in one event", EventSessionUpdated,
			ev(change(t, Session{}, other), partial), holdsA, []Session{other, otherMoved}, false, false},
		{"one diverged entry fails the event", EventSessionUpdated, ev(change(t, a, moved), partial), holdsA, nil, true, false},
		{"created sessions are whole: no check", EventSessionCreated,
			[]byte(`{"type":"session-created","sessions":[{"id":"n","source":"claude"}],"timestamp":1}`), holdsA,
			[]Session{{ID: "n", Source: SourceClaude}}, false, false},
		{"hostile: a time that is not a number", EventSessionUpdated,
			ev(`{"id":"never-held","source":"claude","createdAt":"soon","updatedAt":1}`), holdsA, nil, false, true},
		{"hostile: markup in the id", EventSessionUpdated, ev(`{"id":"<script>","source":"claude","model":"x"}`), holdsA, nil, true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodeEventStrict(tc.typ, tc.data, tc.base)
			switch {
			case tc.noBase:
				if !errors.Is(err, ErrNoBase) {
					t.Fatalf("err = %v, want ErrNoBase", err)
				}
				return
			case tc.bad:
				if err == nil || errors.Is(err, ErrNoBase) {
					t.Fatalf("err = %v, want a decode error", err)
				}
				return
			case err != nil:
				t.Fatal(err)
			}
			if len(got.Sessions) != len(tc.want) {
				t.Fatalf("sessions = %+v, want %+v", got.Sessions, tc.want)
			}
			for i := range tc.want {
				if got.Sessions[i] != tc.want[i] {
					t.Errorf("session %d = %+v, want %+v", i, got.Sessions[i], tc.want[i])
				}
			}
		})
	}
	// The lenient decoder, which server-side test clients use, still
	// applies such a change to an empty session.
	if got, err := DecodeEvent(EventSessionUpdated, ev(partial), holdsA); err != nil || got.Sessions[0].Status != StatusIdle {
		t.Errorf("lenient: %+v, %v", got, err)
	}
}

// FuzzDecodeEventStrict: whatever the data, the strict decoder does not
// panic, and what it accepts is either a change to a held session or a
// session with both its times; a change between two real states of a
// held session always applies, and one of an unheld session is accepted
// exactly when it is whole.
func FuzzDecodeEventStrict(f *testing.F) {
	f.Add([]byte(`{"sessions":[{"id":"x","source":"claude","model":"m"}]}`), "t", int64(1), int64(2), true)
	f.Add([]byte(`{"sessions":[{"id":"5c1f0b2e-8a4d-4c1e-9f3a-100000000001","source":"claude"}]}`), "", int64(0), int64(5), false)
	f.Add([]byte(`{"sessions":[{"id":"x","source":"claude","createdAt":1,"updatedAt":1},{"id":"x","source":"claude","title":null}]}`), "\xff", int64(-1), int64(0), true)
	f.Fuzz(func(t *testing.T, data []byte, title string, created, updated int64, held bool) {
		old := busySession()
		base := func(k string) (Session, bool) {
			if held && k == old.Key() {
				return old, true
			}
			return Session{}, false
		}
		if ev, err := DecodeEventStrict(EventSessionUpdated, data, base); err == nil {
			var wire struct{ Sessions []json.RawMessage }
			if json.Unmarshal(data, &wire) != nil || len(wire.Sessions) != len(ev.Sessions) {
				t.Fatalf("accepted %q as %+v", data, ev)
			}
			seen := map[string]bool{}
			for _, s := range ev.Sessions {
				if _, ok := base(s.Key()); !ok && !seen[s.Key()] && (s.CreatedAt == 0 || s.UpdatedAt == 0) {
					t.Fatalf("accepted a partial change to an unheld session: %+v from %q", s, data)
				}
				seen[s.Key()] = true
			}
		}

		cur := old
		cur.Title, cur.CreatedAt, cur.UpdatedAt = string([]rune(title)), created, updated
		from := Session{}
		if held {
			from = old
		}
		b, err := AppendChange(nil, &from, &cur)
		if err != nil {
			t.Fatal(err)
		}
		data = []byte(`{"type":"session-updated","sessions":[` + string(b) + `],"timestamp":1}`)
		ev, err := DecodeEventStrict(EventSessionUpdated, data, base)
		whole := created != 0 && updated != 0
		switch {
		case held || whole:
			if err != nil || len(ev.Sessions) != 1 || ev.Sessions[0] != cur {
				t.Fatalf("a real change failed: %+v, %v (change %s)", ev, err, b)
			}
		case !errors.Is(err, ErrNoBase):
			t.Fatalf("a change to an unheld session without times: %+v, %v (change %s)", ev, err, b)
		}
	})
}

// BenchmarkDecodeEvent compares the strict decoder with the lenient one
// on a typical update (a new message in each of 20 held sessions).
func BenchmarkDecodeEvent(b *testing.B) {
	held := map[string]Session{}
	data := []byte(`{"type":"session-updated","sessions":[`)
	for i := range 20 {
		old := busySession()
		old.ID = fmt.Sprint("s", i)
		cur := old
		cur.MessageCount++
		cur.UpdatedAt++
		cur.Status = StatusWaiting
		held[old.Key()] = old
		if i > 0 {
			data = append(data, ',')
		}
		var err error
		if data, err = AppendChange(data, &old, &cur); err != nil {
			b.Fatal(err)
		}
	}
	data = append(data, `],"timestamp":1}`...)
	base := func(k string) (Session, bool) { s, ok := held[k]; return s, ok }
	for _, bc := range []struct {
		name   string
		decode func(EventType, []byte, func(string) (Session, bool)) (Event, error)
	}{{"lenient", DecodeEvent}, {"strict", DecodeEventStrict}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := bc.decode(EventSessionUpdated, data, base); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
