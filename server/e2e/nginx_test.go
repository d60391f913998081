//go:build unix

package e2e

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"vibecraft.sh/helm/server/internal/fixture"
	"vibecraft.sh/helm/server/internal/ssetest"
	"vibecraft.sh/helm/shared"
)

// TestStreamThroughNginx runs server/deploy/nginx.conf, with only its
// ports and upstream changed, in front of helmd and checks that nothing
// buffers the stream: an append reaches the client through the proxy
// within 1 s, and keepalives flow.
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
	const sid = "1c2d3e4f-5555-4666-8777-888899990000"
	path := fixture.Path(claude, "/w/proxied", sid)
	written := time.Now()
	fixture.Append(t, path, fixture.User(sid, "/w/proxied", "through the proxy", written))
	c.Wait(t, 1*time.Second, "the appended session through nginx within 1 s", ssetest.Of(shared.EventSessionCreated, sid, nil))
	t.Logf("append → event through nginx: %v", time.Since(written))

	for i := range 2 {
		c.Wait(t, 2*time.Second, fmt.Sprintf("keepalive %d through nginx", i+1), func(e ssetest.Event) bool { return e.Type == "keepalive" })
	}
}
