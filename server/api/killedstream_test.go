package api

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"vibecraft.sh/helm/server/transcript"
	"vibecraft.sh/helm/shared"
)

// apiErrorLine is a system record of a failed API request: a message of
// its own on the page.
func apiErrorLine(uuid string) string {
	return `{"type":"system","subtype":"api_error","uuid":"` + uuid + `","timestamp":"2026-03-02T09:16:00Z","error":{"message":"overloaded"}}` + "\n"
}

func callLine(uuid, msgID, callID string) string {
	return claudeLine("assistant", uuid, map[string]any{"id": msgID, "role": "assistant", "model": "claude-opus-4-5-20251101",
		"content": []any{map[string]any{"type": "tool_use", "id": callID, "name": "Bash", "input": map[string]any{"command": "make test"}}}}, "")
}

func promptLine(uuid, text string) string {
	return claudeLine("user", uuid, map[string]any{"role": "user", "content": text}, "")
}

func answerLine(uuid, msgID, text string) string {
	return claudeLine("assistant", uuid, map[string]any{"id": msgID, "role": "assistant", "model": "claude-opus-4-5-20251101",
		"content": []any{map[string]any{"type": "text", "text": text}}, "stop_reason": "end_turn"}, "")
}

// testStream is a page stream of the transcript at path, driven by the
// test (update as a poke would), and the pages it sent.
func testStream(t *testing.T, files *transcript.Files, path, after string) (*pageStream, *[]shared.MessagePage) {
	t.Helper()
	var sent []shared.MessagePage
	ps := &pageStream{ctx: context.Background(), q: transcript.Query{After: after},
		read: func(_ context.Context, q transcript.Query) (shared.MessagePage, error) { return files.Page(path, q) }}
	ps.emit = func(typ, _ string, data []byte) error {
		var p shared.MessagePage
		if err := json.Unmarshal(data, &p); typ != "messages" || err != nil {
			t.Fatalf("event %s %s (%v), want messages", typ, data, err)
		}
		sent = append(sent, p)
		return nil
	}
	first, err := ps.read(ps.ctx, ps.q)
	if err != nil {
		t.Fatal(err)
	}
	if err := ps.start(first, false); err != nil {
		t.Fatal(err)
	}
	return ps, &sent
}

func appendLines(t *testing.T, path string, lines ...string) {
	t.Helper()
	fh, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	if _, err := fh.WriteString(strings.Join(lines, "")); err != nil {
		t.Fatal(err)
	}
}

// sentAgain is each time the pages sent from the n-th on hold the
// message with cursor.
func sentAgain(pages []shared.MessagePage, n int, cursor string) []shared.Message {
	var out []shared.Message
	for _, p := range pages[n:] {
		for _, m := range p.Messages {
			if m.Cursor == cursor {
				out = append(out, m)
			}
		}
	}
	return out
}

func callOf(m shared.Message) *shared.Tool {
	for _, b := range m.Blocks {
		if b.Tool != nil && b.Tool.Name != "" {
			return b.Tool
		}
	}
	return nil
}

// messageAt is the message with cursor on the last page, as a reload
// of the session page shows it.
func messageAt(t *testing.T, files *transcript.Files, path, cursor string) shared.Message {
	t.Helper()
	page, err := files.Page(path, transcript.Query{})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range page.Messages {
		if m.Cursor == cursor {
			return m
		}
	}
	t.Fatalf("no message %s on the last page", cursor)
	return shared.Message{}
}

// A session page left open on a session whose last call was killed, an
// API error written after it, kept showing that call running once the
// session was resumed: the stream sent only the last message again (the
// API error) with the new ones, while a reload showed the call over. The
// stream sends the call's message again, as a reload shows it, once;
// whether it sent that message itself or the page had it from its first
// load and opened the stream after the API error.
func TestStreamEndsAKilledCallAboveItsLastMessage(t *testing.T) {
	for _, opened := range []string{"the stream sent the call", "the page loaded the call"} {
		t.Run(opened, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), testSID+".jsonl")
			if err := os.WriteFile(path, []byte(promptLine("u1", "run the tests")+callLine("u2", "msg_K", "toolu_killed")+apiErrorLine("e3")), 0o600); err != nil {
				t.Fatal(err)
			}
			files := transcript.NewFiles(0)
			load, err := files.Page(path, transcript.Query{})
			if err != nil || len(load.Messages) != 3 {
				t.Fatalf("the page's first load: %+v, %v", load, err)
			}
			call := load.Messages[1]
			if c := callOf(call); c == nil || c.Result != nil || c.Later {
				t.Fatalf("before the session went on, the call = %+v, want it running", c)
			}
			after := ""
			if opened == "the page loaded the call" {
				after = load.After
			}
			ps, sent := testStream(t, files, path, after)

			appendLines(t, path, promptLine("u4", "are you still there?"), answerLine("u5", "msg_L", "yes"))
			n := len(*sent)
			if err := ps.update(); err != nil {
				t.Fatal(err)
			}
			again := sentAgain(*sent, n, call.Cursor)
			if len(again) != 1 {
				t.Fatalf("once the session went on, the killed call's message was sent %d times, want once", len(again))
			}
			if c := callOf(again[0]); c == nil || c.Result == nil || !c.Result.IsError || !strings.Contains(c.Result.Text, "never returned") {
				t.Errorf("the killed call sent again = %+v, want it over", c)
			}
			if want := messageAt(t, files, path, call.Cursor); !reflect.DeepEqual(again[0], want) {
				t.Errorf("the message sent again = %+v, want it as a reload shows it: %+v", again[0], want)
			}

			appendLines(t, path, promptLine("u6", "thanks"), answerLine("u7", "msg_M", "welcome"))
			n = len(*sent)
			if err := ps.update(); err != nil {
				t.Fatal(err)
			}
			if again := sentAgain(*sent, n, call.Cursor); len(again) != 0 {
				t.Errorf("the next append sent the over call's message %d times again, want none", len(again))
			}
		})
	}
}

// A call of the last turn still runs however many records its own
// messages are written after it (API errors here): the stream does not
// send its message again for each. Its result, written after them, is
// sent with it (the call answered further down, as a reload shows it),
// once.
func TestStreamSendsARunningCallAgainOnlyWhenItChanges(t *testing.T) {
	path := filepath.Join(t.TempDir(), testSID+".jsonl")
	if err := os.WriteFile(path, []byte(promptLine("u1", "run the tests")+callLine("u2", "msg_N", "toolu_now")+apiErrorLine("e3")), 0o600); err != nil {
		t.Fatal(err)
	}
	files := transcript.NewFiles(0)
	ps, sent := testStream(t, files, path, "")
	call := (*sent)[0].Messages[1]
	if c := callOf(call); c == nil || c.Result != nil || c.Later {
		t.Fatalf("the call = %+v, want it running", c)
	}
	for _, uuid := range []string{"e4", "e5", "e6"} {
		appendLines(t, path, apiErrorLine(uuid))
		n := len(*sent)
		if err := ps.update(); err != nil {
			t.Fatal(err)
		}
		if len(*sent) == n {
			t.Fatalf("the API error %s was not sent", uuid)
		}
		if again := sentAgain(*sent, n, call.Cursor); len(again) != 0 {
			t.Errorf("an API error after the running call sent its message %d times again, want none", len(again))
		}
	}
	appendLines(t, path, claudeLine("user", "u7", map[string]any{"role": "user", "content": []any{
		map[string]any{"type": "tool_result", "tool_use_id": "toolu_now", "content": "ok"}}}, ""))
	n := len(*sent)
	if err := ps.update(); err != nil {
		t.Fatal(err)
	}
	again := sentAgain(*sent, n, call.Cursor)
	if len(again) != 1 || !reflect.DeepEqual(again[0], messageAt(t, files, path, call.Cursor)) {
		t.Fatalf("once its result was written, the call's message was sent %d times (%+v), want once as a reload shows it", len(again), again)
	}
	if c := callOf(again[0]); c == nil || !c.Later {
		t.Errorf("the call sent again = %+v, want it answered further down", c)
	}
	appendLines(t, path, promptLine("u8", "and now?"))
	n = len(*sent)
	if err := ps.update(); err != nil {
		t.Fatal(err)
	}
	if again := sentAgain(*sent, n, call.Cursor); len(again) != 0 {
		t.Errorf("a prompt after the answered call sent its message %d times again, want none", len(again))
	}
}
