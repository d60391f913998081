package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"vibecraft.sh/helm/server/internal/helmdproc"
)

// server is a helmd process under measurement.
type server struct {
	*helmdproc.Proc
	url  string
	addr string
}

func (b *bench) startHelmd(claudeDir string, args ...string) (*server, error) {
	// --auth none: a benchmark measures serving sessions, and must not
	// read or create the user's token file.
	all := append([]string{"--port", "0", "--claude-dir", claudeDir, "--no-opencode", "--cache-dir", "", "--log-level", "warn", "--auth", "none"}, args...)
	p, err := helmdproc.Start(helmdproc.Options{Bin: b.bin, Args: all, Stderr: os.Stderr, StartWithin: 30 * time.Second, ScanWithin: 5 * time.Minute})
	if err != nil {
		return nil, fmt.Errorf("%w (run make build first)", err)
	}
	return &server{Proc: p, url: p.URL, addr: p.Addr}, nil
}

// stop ends helmd by SIGTERM: a bench run as a background job (make bench
// &) starts its children with SIGINT ignored, and helmd keeps it so.
func (s *server) stop() {
	if err := s.Stop(syscall.SIGTERM, 10*time.Second); err != nil {
		fmt.Fprintln(os.Stderr, "helmbench:", err)
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

// rss is the process's resident memory in bytes, from /proc.
func (s *server) rss() (int64, error) { return s.memory("VmRSS") }

// peak is the most resident memory the process has had (VmHWM), since
// it started or since resetPeak.
func (s *server) peak() (int64, error) { return s.memory("VmHWM") }

// memory reads one of /proc's kB figures of the process, in bytes.
func (s *server) memory(field string) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.Cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no %s", field)
}

// resetPeak starts peak over from the RSS of now (Linux: clear_refs 5).
func (s *server) resetPeak() error {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", s.Cmd.Process.Pid), []byte("5"), 0)
}
