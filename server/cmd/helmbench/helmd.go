package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// server is a helmd process under measurement.
type server struct {
	cmd  *exec.Cmd
	url  string
	addr string
}

var urlRe = regexp.MustCompile(`http://([0-9.:]+)/`)

func (b *bench) startHelmd(claudeDir string, args ...string) (*server, error) {
	// --auth none: a benchmark measures serving sessions, and must not
	// read or create the user's token file.
	all := append([]string{"--port", "0", "--claude-dir", claudeDir, "--no-opencode", "--cache-dir", "", "--log-level", "warn", "--auth", "none"}, args...)
	cmd := exec.Command(b.bin, all...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s (run make build first): %w", b.bin, err)
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := urlRe.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	select {
	case addr := <-found:
		s := &server{cmd: cmd, addr: addr, url: "http://" + addr}
		return s, s.waitScanned(5 * time.Minute)
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		return nil, errors.New("helmd printed no URL")
	}
}

func (s *server) stop() {
	s.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
	}
}

type statusDoc struct {
	Sessions int
	Scan     struct{ Scans int }
	Stream   struct {
		Clients int `json:"clients"`
	}
}

func (s *server) status() (statusDoc, error) {
	var st statusDoc
	resp, err := http.Get(s.url + "/api/status")
	if err != nil {
		return st, err
	}
	defer resp.Body.Close()
	return st, json.NewDecoder(resp.Body).Decode(&st)
}

func (s *server) waitScanned(within time.Duration) error {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if st, err := s.status(); err == nil && st.Scan.Scans > 0 {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return errors.New("first scan did not finish")
}

// rss is the process's resident memory in bytes, from /proc.
func (s *server) rss() (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("no VmRSS")
}
