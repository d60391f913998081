package shared

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func busySession() Session {
	return Session{
		ID: "5c1f0b2e-8a4d-4c1e-9f3a-100000000001", Source: SourceClaude,
		ProjectPath: "/home/dev/webapp", ProjectName: "webapp",
		Title: "Fix the flaky login test", FirstPrompt: "the login test fails one run in ten",
		GitBranch: "fix/login", Model: "claude-sonnet-4-5-20250929", MessageCount: 48,
		Tokens:  Tokens{Input: 10, Output: 20, CacheRead: 30, CacheWrite: 40},
		CostUSD: 1.25, Status: StatusWorking, Active: true,
		CreatedAt: 1763900000000, UpdatedAt: 1763990000000, Version: "2.0.14",
	}
}

func change(t *testing.T, old, cur Session) string {
	t.Helper()
	b, err := AppendChange(nil, &old, &cur)
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(b) {
		t.Fatalf("not JSON: %s", b)
	}
	return string(b)
}

func TestAppendChange(t *testing.T) {
	base := busySession()
	tests := []struct {
		name string
		edit func(*Session)
		want string
	}{
		{"a new message", func(s *Session) {
			s.MessageCount = 50
			s.Tokens.Output = 25
			s.CostUSD = 1.5
			s.Status = StatusWaiting
			s.UpdatedAt = 1763990001000
		}, `{"id":"5c1f0b2e-8a4d-4c1e-9f3a-100000000001","source":"claude","messageCount":50,` +
			`"tokens":{"input":10,"output":25,"cacheRead":30,"cacheWrite":40,"cacheWrite1h":0},"costUsd":1.5,"status":"waiting","updatedAt":1763990001000}`},
		{"fields back to their zero value are sent", func(s *Session) {
			s.Active = false
			s.GitBranch = ""
			s.CostUSD = 0
		}, `{"id":"5c1f0b2e-8a4d-4c1e-9f3a-100000000001","source":"claude","gitBranch":"","costUsd":0,"active":false}`},
		{"nothing changed", func(*Session) {},
			`{"id":"5c1f0b2e-8a4d-4c1e-9f3a-100000000001","source":"claude"}`},
		{"hostile text is escaped", func(s *Session) { s.Title = "\"}],\"x\":1\n</script>" },
			`{"id":"5c1f0b2e-8a4d-4c1e-9f3a-100000000001","source":"claude","title":"\"}],\"x\":1\n\u003c/script\u003e"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cur := base
			tc.edit(&cur)
			if got := change(t, base, cur); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

// A waiting session's question, answered, goes back to "": the change
// says so, or the client would keep showing a question nobody asks.
func TestChangeClearsTheQuestion(t *testing.T) {
	waiting := busySession()
	waiting.Status, waiting.Question = StatusWaiting, "Shall I also fix the retry?"
	got := change(t, waiting, busySession())
	if want := `{"id":"5c1f0b2e-8a4d-4c1e-9f3a-100000000001","source":"claude","status":"working","question":""}`; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// Against nothing, a change carries every field that is set: applied to
// an empty session it gives the whole session.
func TestChangeFromNothingIsTheWholeSession(t *testing.T) {
	cur := busySession()
	cur.ParentID = "ses_parent"
	// Every field set, the attention ones too, so the whole JSON is due.
	cur.Status, cur.WaitingFor, cur.WaitingSince, cur.ClearedAt = StatusWaiting, "permission prompt", 1763990000000, 1763990001000
	cur.Question = "Shall I also fix the retry?"
	got := change(t, Session{}, cur)
	whole, _ := json.Marshal(cur)
	if got != string(whole) {
		t.Errorf("got  %s\nwant %s", got, whole)
	}
	if s, err := ApplyChange(Session{}, []byte(got)); err != nil || s != cur {
		t.Errorf("applied: %+v, %v", s, err)
	}
}

// Every field of Session, changed alone, is sent alone and applies back:
// a field added to Session later needs no code here to travel.
func TestEveryFieldTravels(t *testing.T) {
	base := busySession()
	v := reflect.ValueOf(&base).Elem()
	for i := range v.NumField() {
		name := sessionFields[i]
		if name == "id" || name == "source" {
			continue
		}
		cur := base
		f := reflect.ValueOf(&cur).Elem().Field(i)
		switch f.Kind() {
		case reflect.String:
			f.SetString(f.String() + "+")
		case reflect.Int, reflect.Int32, reflect.Int64:
			f.SetInt(f.Int() + 1)
		case reflect.Float64:
			f.SetFloat(f.Float() + 0.5)
		case reflect.Bool:
			f.SetBool(!f.Bool())
		case reflect.Struct: // Tokens
			f.Field(0).SetInt(f.Field(0).Int() + 1)
		default:
			t.Fatalf("field %s: kind %s has no case in this test", name, f.Kind())
		}
		raw := change(t, base, cur)
		var keys map[string]json.RawMessage
		json.Unmarshal([]byte(raw), &keys)
		want := 3 // id, source and the field
		if cur.Remote {
			want = 4 // a remote session's change also names its host: id, source, host, remote
		}
		if _, ok := keys[name]; !ok || len(keys) != want {
			t.Errorf("field %s changed alone: change %s", name, raw)
		}
		if got, err := ApplyChange(base, []byte(raw)); err != nil || got != cur {
			t.Errorf("field %s: applied %+v, %v", name, got, err)
		}
	}
}

func TestDecodeEvent(t *testing.T) {
	a, b := busySession(), busySession()
	b.ID, b.Source = "ses_b", SourceOpenCode
	held := map[string]Session{a.Key(): a, b.Key(): b}
	base := func(k string) (Session, bool) { s, ok := held[k]; return s, ok }

	a2, b2 := a, b
	a2.MessageCount, a2.Status = 49, StatusWaiting
	b2.Title = "renamed"
	fresh := busySession()
	fresh.ID = "never-seen"
	ca, cb, cf := change(t, a, a2), change(t, b, b2), change(t, Session{}, fresh)
	data := `{"type":"session-updated","sessions":[` + ca + `,` + cb + `,` + cf + `],"timestamp":7}`
	ev, err := DecodeEvent(EventSessionUpdated, []byte(data), base)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Type != EventSessionUpdated || ev.Timestamp != 7 || len(ev.Sessions) != 3 ||
		ev.Sessions[0] != a2 || ev.Sessions[1] != b2 || ev.Sessions[2] != fresh {
		t.Errorf("decoded %+v", ev)
	}
	if held[a.Key()] != a {
		t.Error("decoding changed the client's copy")
	}

	// Other types carry whole sessions; the event name wins over the data.
	whole, _ := json.Marshal(Event{Type: "init", Sessions: []Session{a}, Timestamp: 9})
	if ev, err := DecodeEvent(EventSessionCreated, whole, base); err != nil || ev.Type != EventSessionCreated || ev.Sessions[0] != a {
		t.Errorf("created: %+v, %v", ev, err)
	}
	for _, bad := range []string{`{"sessions":[{"id":5}]}`, `{"sessions":{}}`, `nope`} {
		if _, err := DecodeEvent(EventSessionUpdated, []byte(bad), base); err == nil || !strings.Contains(err.Error(), "session-updated") {
			t.Errorf("%s: err %v", bad, err)
		}
	}
}

// FuzzChangeRoundTrip: whatever two states a session goes through, the
// change between them turns the first into the second.
func FuzzChangeRoundTrip(f *testing.F) {
	f.Add("title", "new title", "main", "", 3, 4, 1.5, true)
	f.Add("\x00\"}]", "\u2028\xff", "a\nb", "</script>", -1, 0, 0.0, false)
	f.Fuzz(func(t *testing.T, title1, title2, branch1, branch2 string, n1, n2 int, cost float64, active bool) {
		// Sessions hold valid UTF-8 (they come out of JSON decoders); JSON
		// would turn each invalid byte into U+FFFD, as a rune conversion does.
		valid := func(s string) string { return string([]rune(s)) }
		old := busySession()
		old.Title, old.GitBranch, old.MessageCount = valid(title1), valid(branch1), n1
		cur := old
		cur.Title, cur.GitBranch, cur.MessageCount, cur.CostUSD, cur.Active = valid(title2), valid(branch2), n2, cost, active
		b, err := AppendChange(nil, &old, &cur)
		if err != nil {
			return // NaN or ±Inf: the hub zeroes them before encoding
		}
		if got, err := ApplyChange(old, b); err != nil || got != cur {
			t.Fatalf("round trip: got %+v, %v; want %+v (change %s)", got, err, cur, b)
		}
	})
}

// A remote session's key includes its host, so every change to it must
// name the host too, or the client would apply it to another machine's
// session of the same id.
func TestRemoteChangeNamesItsHost(t *testing.T) {
	local := busySession()
	remote := local
	remote.Host, remote.Remote = "box.example", true
	cur := remote
	cur.MessageCount++
	raw := change(t, remote, cur)
	held := map[string]Session{local.Key(): local, remote.Key(): remote}
	if local.Key() == remote.Key() {
		t.Fatalf("local and remote sessions share the key %q", local.Key())
	}
	data := `{"type":"session-updated","sessions":[` + raw + `],"timestamp":1}`
	ev, err := DecodeEventStrict(EventSessionUpdated, []byte(data), func(k string) (Session, bool) { s, ok := held[k]; return s, ok })
	if err != nil {
		t.Fatal(err)
	}
	if len(ev.Sessions) != 1 || ev.Sessions[0] != cur {
		t.Fatalf("decoded %+v, want %+v (change %s)", ev.Sessions, cur, raw)
	}
}
