package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/fixture"
	"vibecraft.sh/helm/shared"
)

// Regression tests of the hardening review, over the real binary.

func listSessions(t *testing.T, p *proc) []shared.Session {
	t.Helper()
	resp, body := get(t, p.URL+"/api/sessions")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/api/sessions: %d %s", resp.StatusCode, body)
	}
	var out []shared.Session
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("/api/sessions: %v", err)
	}
	return out
}

// statusOf decodes /api/status into v.
func statusOf(t *testing.T, p *proc, v any) {
	t.Helper()
	resp, body := get(t, p.URL+"/api/status")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/api/status: %d", resp.StatusCode)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatal(err)
	}
}

// A link chosen by any website must not put markup in Helm's page.
func TestCraftedPathIsNotMarkup(t *testing.T) {
	p := startBinary(t, t.TempDir(), "--port", "0", "--claude-dir", t.TempDir(), "--no-opencode")
	for _, path := range []string{
		"/%22%3E%3Cmeta%20http-equiv=refresh%20content=%220;url=https://evil.example/%22%3E",
		"/x?%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
	} {
		resp, body := get(t, p.URL+path)
		page := strings.ToLower(string(body))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		if strings.Contains(page, "http-equiv") || strings.Contains(page, "evil.example") || strings.Contains(page, "<script>alert") {
			t.Errorf("%s: the URL's markup is in the page", path)
		}
	}
}

// OpenCode's legacy tree names sessions by ids read from its files: ids
// that are paths or patterns are skipped and counted, and nothing
// outside the tree is read.
func TestOpenCodeHostileIDs(t *testing.T) {
	xdg := t.TempDir()
	data := filepath.Join(xdg, "opencode")
	storage := filepath.Join(data, "storage")
	now := time.Now().UnixMilli()
	write := func(path string, v any) {
		t.Helper()
		b, _ := json.Marshal(v)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	session := func(file, id, title string) {
		write(filepath.Join(storage, "session", "proj", file+".json"), map[string]any{
			"id": id, "directory": "/w/app", "title": title, "time": map[string]any{"created": now - 60_000, "updated": now - 5_000},
		})
	}
	message := func(dir, id string) {
		write(filepath.Join(dir, id+".json"), map[string]any{"id": id, "role": "user", "time": map[string]any{"created": now - 30_000}})
	}
	session("ses_good", "ses_good", "Good")
	message(filepath.Join(storage, "message", "ses_good"), "msg_1")
	message(filepath.Join(storage, "message", "ses_other"), "msg_2") // a "*" session would count it
	session("up", "../../outside", "Evil traversal")
	message(filepath.Join(data, "outside"), "msg_out") // storage/message/../../outside
	session("star", "*", "Evil glob")

	p := startBinaryEnv(t, t.TempDir(), []string{"XDG_DATA_HOME=" + xdg}, "--port", "0", "--claude-dir", t.TempDir())
	got := listSessions(t, p)
	if len(got) != 1 || got[0].ID != "ses_good" || got[0].MessageCount != 1 {
		t.Fatalf("sessions %+v, want ses_good with 1 message only", got)
	}
	var st struct{ OpenCode struct{ Skipped int } }
	statusOf(t, p, &st)
	if st.OpenCode.Skipped != 2 {
		t.Errorf("opencode.skipped = %d, want 2", st.OpenCode.Skipped)
	}
}

// File names that are not UTF-8 stay distinct sessions with distinct ids.
func TestInvalidUTF8FileNames(t *testing.T) {
	claude := t.TempDir()
	names := []string{"a\xffb", "a\xfeb"}
	for i, n := range names {
		fixture.Append(t, fixture.Path(claude, cwd, n), fixture.User(n, cwd, fmt.Sprintf("prompt %d", i), time.Now()))
	}
	p := startBinary(t, t.TempDir(), "--port", "0", "--claude-dir", claude, "--no-opencode")
	got := listSessions(t, p)
	ids := map[string]bool{}
	for _, s := range got {
		ids[s.ID] = true
	}
	if len(got) != 2 || !ids["a%FFb"] || !ids["a%FEb"] {
		t.Fatalf("ids %v, want a%%FFb and a%%FEb", ids)
	}
}

// More idle keep-alive connections than the cap: the longest-idle ones
// are closed, and a new client is answered.
func TestConnectionCapShedsIdle(t *testing.T) {
	const maxConns = 16
	p := startBinary(t, t.TempDir(), "--port", "0", "--claude-dir", t.TempDir(), "--no-opencode",
		"--max-conns", fmt.Sprint(maxConns))
	host := strings.TrimPrefix(p.URL, "http://")
	// 3× the cap of clients that each made a request and kept the
	// connection open, as browsers and scripts do.
	for range 3 * maxConns {
		c, err := net.Dial("tcp", host)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		fmt.Fprintf(c, "GET /healthz HTTP/1.1\r\nHost: %s\r\n\r\n", host)
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		buf := make([]byte, 512)
		if n, err := c.Read(buf); err != nil || !strings.HasPrefix(string(buf[:n]), "HTTP/1.1 200") {
			t.Fatalf("healthz: %q %v", buf[:n], err)
		}
	}
	// A new client still gets the list, and helmd has not kept more than
	// the cap open.
	client := &http.Client{Transport: withToken{base: &http.Transport{DisableKeepAlives: true}, token: e2eToken}, Timeout: 10 * time.Second}
	resp, err := client.Get(p.URL + "/api/sessions")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/api/sessions for a new client: %d", resp.StatusCode)
	}
	var st struct{ Connections struct{ Open, Max, Shed int } }
	statusOf(t, p, &st)
	if st.Connections.Max != maxConns || st.Connections.Open > maxConns || st.Connections.Shed < 2*maxConns {
		t.Errorf("connections %+v: want at most %d open, at least %d shed", st.Connections, maxConns, 2*maxConns)
	}
}
