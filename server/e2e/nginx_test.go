//go:build unix

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"vibecraft.sh/helm/server/internal/fixture"
	"vibecraft.sh/helm/server/internal/ssetest"
	"vibecraft.sh/helm/shared"
)

// TestStreamThroughNginx runs server/deploy/nginx.conf, with only its
// ports and upstream changed, in front of helmd and checks that nothing
// buffers the stream: an append reaches the client through the proxy
// within 1 s, and keepalives flow. The WebSocket form of the stream must
// upgrade through the same site and carry the same append.
func TestStreamThroughNginx(t *testing.T) {
	nginx := needTool(t, "nginx")
	claude := t.TempDir()
	p := startBinary(t, t.TempDir(), "--port", "0", "--claude-dir", claude, "--no-opencode", "--keepalive", "300ms", "--debounce", "50ms")

	site, err := os.ReadFile(filepath.Join(repoRoot(t), "server", "deploy", "nginx.conf"))
	if err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	conf := strings.NewReplacer(
		"server 127.0.0.1:5003;", "server "+strings.TrimPrefix(p.URL, "http://")+";",
		"listen 80;", fmt.Sprintf("listen 127.0.0.1:%d;", port),
	).Replace(string(site))
	if conf == string(site) || !strings.Contains(conf, "proxy_buffering off") {
		t.Fatal("the site config no longer has the lines this test templates")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "site.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	main := fmt.Sprintf(`daemon off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log warn;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path %[1]s/body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;
    include %[1]s/site.conf;
}
`, dir)
	if err := os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(main), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(nginx, "-p", dir, "-c", filepath.Join(dir, "nginx.conf"))
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	// Its own process group, so the workers go with the master.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
		if t.Failed() {
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Logf("nginx: %s\n%s", out.String(), log)
		}
	})
	proxy := fmt.Sprintf("http://127.0.0.1:%d", port)
	waitUntil(t, 10*time.Second, "nginx to listen", func() bool {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			c.Close()
		}
		return err == nil
	})

	c := ssetest.Connect(t, proxy+"/api/sessions/stream", "")
	if ev := c.Next(t, 5*time.Second); ev.Type != "init" {
		t.Fatalf("first event through nginx: %s", ev.Type)
	}

	// The WebSocket: a site that sends every request upstream with an
	// empty Connection header drops the Upgrade, and helmd answers 426.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ws, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(proxy, "http")+"/api/sessions/ws",
		&websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + e2eToken}}})
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("WebSocket through nginx: HTTP %d: %v", status, err)
	}
	defer ws.CloseNow()
	type wsMsg struct {
		Event string
		Data  json.RawMessage
	}
	readWS := func(what string) wsMsg {
		t.Helper()
		_, b, err := ws.Read(ctx)
		if err != nil {
			t.Fatalf("%s through nginx: %v", what, err)
		}
		var m wsMsg
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s through nginx: %v in %q", what, err, b)
		}
		return m
	}
	if m := readWS("the WebSocket's first message"); m.Event != "init" {
		t.Fatalf("the WebSocket's first message through nginx: %q, want init", m.Event)
	}

	const sid = "1c2d3e4f-5555-4666-8777-888899990000"
	path := fixture.Path(claude, "/w/proxied", sid)
	written := time.Now()
	fixture.Append(t, path, fixture.User(sid, "/w/proxied", "through the proxy", written))
	c.Wait(t, 1*time.Second, "the appended session through nginx within 1 s", ssetest.Of(shared.EventSessionCreated, sid, nil))
	t.Logf("append → event through nginx: %v", time.Since(written))
	for {
		m := readWS("the appended session on the WebSocket")
		if m.Event == string(shared.EventSessionCreated) && strings.Contains(string(m.Data), sid) {
			break
		}
	}
	// A close handshake, not just a dropped connection: helmd's writer
	// waits up to its write timeout for the pong of a ping this client,
	// no longer reading, would never answer, and helmd's shutdown with it.
	if err := ws.Close(websocket.StatusNormalClosure, ""); err != nil {
		t.Errorf("closing the WebSocket through nginx: %v", err)
	}

	for i := range 2 {
		c.Wait(t, 2*time.Second, fmt.Sprintf("keepalive %d through nginx", i+1), func(e ssetest.Event) bool { return e.Type == "keepalive" })
	}
}
