package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"vibecraft.sh/helm/server/internal/fixture"
	"vibecraft.sh/helm/shared"
)

// TestWebSocketFollowsATranscript: through a real helmd, a subscribe on
// the socket gets the session's last page, then each append, as the same
// pages GET …/messages?after= answers; an unsubscribe is answered, and a
// session that does not exist is refused.
func TestWebSocketFollowsATranscript(t *testing.T) {
	root := t.TempDir()
	const sid = "5e55a0e0-0000-4000-8000-00000000f011"
	const cwd = "/home/dev/follow"
	path := fixture.Path(root, cwd, sid)
	now := time.Now()
	fixture.Append(t, path, fixture.User(sid, cwd, "follow me", now))
	base := startGuardedHelmd(t, root)
	bearer := map[string]string{"Authorization": "Bearer " + testToken}
	waitFor(t, "the session", func() bool {
		resp := get(t, base+"/api/sessions/claude/"+sid, bearer)
		return resp.StatusCode == http.StatusOK
	})

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/api/sessions/ws",
		&websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + testToken}}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	type msg struct {
		Event, Session, ID, Request, Error string
		OK                                 bool
		Data                               json.RawMessage
	}
	// next skips the list's events: they are the SSE stream's, tested
	// elsewhere.
	next := func() msg {
		t.Helper()
		for {
			_, b, err := conn.Read(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var m msg
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			switch m.Event {
			case "init", "keepalive", "refresh", "session-created", "session-updated", "session-deleted":
				continue
			}
			return m
		}
	}
	send := func(s string) {
		t.Helper()
		if err := conn.Write(ctx, websocket.MessageText, []byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	restPage := func(after string) shared.MessagePage {
		t.Helper()
		u := base + "/api/sessions/claude/" + sid + "/messages"
		if after != "" {
			u += "?after=" + url.QueryEscape(after)
		}
		var p shared.MessagePage
		if err := json.NewDecoder(get(t, u, bearer).Body).Decode(&p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	pageOf := func(m msg) shared.MessagePage {
		t.Helper()
		var p shared.MessagePage
		if m.Event != "messages" || m.Session != "claude:"+sid || json.Unmarshal(m.Data, &p) != nil || m.ID != p.After {
			t.Fatalf("want a messages event of claude:%s with its page's cursor as id, got %+v", sid, m)
		}
		return p
	}

	send(`{"type":"subscribe","session":"claude:5e55a0e0-0000-4000-8000-00000000dead"}`)
	if m := next(); m.Event != "reply" || m.OK || m.Error != "no such session" {
		t.Fatalf("unknown session: %+v", m)
	}
	send(`{"type":"subscribe","session":"claude:` + sid + `"}`)
	if m := next(); m.Event != "reply" || !m.OK || m.Request != "subscribe" {
		t.Fatalf("subscribe: %+v", m)
	}
	first := pageOf(next())
	if want := restPage(""); !reflect.DeepEqual(first, want) {
		t.Fatalf("first page over the socket %+v\nGET …/messages %+v", first, want)
	}

	fixture.Append(t, path, fixture.Assistant(sid, cwd, "msg_f1", "end_turn", now.Add(time.Second)))
	got := pageOf(next())
	if want := restPage(first.After); !reflect.DeepEqual(got, want) || len(got.Messages) == 0 ||
		got.Messages[len(got.Messages)-1].Role != "assistant" {
		t.Fatalf("after the append, over the socket %+v\nGET …/messages?after= %+v", got, want)
	}

	send(`{"type":"unsubscribe","session":"claude:` + sid + `"}`)
	if m := next(); m.Event != "reply" || !m.OK || m.Request != "unsubscribe" {
		t.Fatalf("unsubscribe: %+v", m)
	}
}
