package transcript

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"vibecraft.sh/helm/shared"
)

// rec builds Claude Code records for tests, with increasing timestamps.
type rec struct{ n int }

func (r *rec) env(typ string) map[string]any {
	r.n++
	return map[string]any{
		"type": typ, "uuid": fmt.Sprintf("u-%04d", r.n), "sessionId": "s1",
		"timestamp": fmt.Sprintf("2026-03-02T09:%02d:%02d.000Z", r.n/60%60, r.n%60),
		"cwd":       "/home/dev/app", "parentUuid": nil, "isSidechain": false,
	}
}

func (r *rec) prompt(text string) map[string]any {
	m := r.env("user")
	m["message"] = map[string]any{"role": "user", "content": text}
	return m
}

func (r *rec) assistant(id string, blocks ...map[string]any) map[string]any {
	m := r.env("assistant")
	m["requestId"] = "req_" + id
	m["message"] = map[string]any{"id": id, "role": "assistant", "model": "claude-sonnet-4-5-20250929",
		"content": blocks, "stop_reason": nil, "usage": map[string]any{"input_tokens": 1, "output_tokens": 2}}
	return m
}

// apiError is the assistant record Claude Code writes for a failed API
// call (isApiErrorMessage, model <synthetic>) with text s; an empty id
// leaves the message without one, as some such records are.
func (r *rec) apiError(id, s string) map[string]any {
	m := r.assistant(id, text(s))
	m["isApiErrorMessage"] = true
	msg := m["message"].(map[string]any)
	msg["model"] = "<synthetic>"
	msg["stop_reason"] = "stop_sequence"
	if id == "" {
		delete(msg, "id")
	}
	return m
}

func (r *rec) results(extra map[string]any, blocks ...map[string]any) map[string]any {
	m := r.env("user")
	m["message"] = map[string]any{"role": "user", "content": blocks}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

func text(s string) map[string]any { return map[string]any{"type": "text", "text": s} }

func toolUse(id, name string, input map[string]any) map[string]any {
	return map[string]any{"type": "tool_use", "id": id, "name": name, "input": input}
}

func toolResult(id string, content any, isError bool) map[string]any {
	return map[string]any{"type": "tool_result", "tool_use_id": id, "content": content, "is_error": isError}
}

// jsonl encodes records as lines.
func jsonl(t testing.TB, recs ...map[string]any) []byte {
	t.Helper()
	var out []byte
	for _, r := range recs {
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		out = append(append(out, b...), '\n')
	}
	return out
}

func writeFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func appendFile(t testing.TB, path string, data []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(data); err != nil {
		t.Fatal(err)
	}
}

// appendEach appends lines to the file at path one write each, as Claude
// Code appends its records: for a goroutine of a test, which may not
// end the test itself.
func appendEach(path string, lines [][]byte) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	for _, line := range lines {
		if _, err := f.Write(line); err != nil {
			return err
		}
	}
	return nil
}

func tempTranscript(t testing.TB, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "3f2c1a9e-7b4d-4c1e-9a55-0d6e2f8b1c77.jsonl")
	writeFile(t, p, data)
	return p
}

// lastPage is the last page of the transcript at path, as files reads it.
func lastPage(t testing.TB, files *Files, path string) shared.MessagePage {
	t.Helper()
	page, err := files.Page(path, Query{})
	if err != nil {
		t.Fatal(err)
	}
	return page
}

// summaryOf is each message's blocks as "type:text" strings, for comparison.
func summaryOf(msgs []shared.Message) []string {
	var out []string
	for _, m := range msgs {
		s := m.Role + "["
		for i, b := range m.Blocks {
			if i > 0 {
				s += " "
			}
			switch {
			case b.Tool != nil:
				s += "tool:" + b.Tool.Name
				if b.Tool.Result != nil {
					s += "=" + b.Tool.Result.Text
				}
			default:
				s += b.Type + ":" + b.Text
			}
		}
		out = append(out, s+"]")
	}
	return out
}
