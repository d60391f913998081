// Package helmdproc runs the built helmd binary for the end-to-end tests
// and the benchmark driver: it starts it, reads the address (and token)
// it prints, waits for its first scan and stops it. Its URL reading and
// first-scan probe also serve the in-process test harness, so that every
// launcher reads helmd's start the same way.
package helmdproc

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"

	"vibecraft.sh/helm/server/internal/logbuf"
)

// Options say how to run helmd.
type Options struct {
	Bin    string      // the helmd binary
	Dir    string      // its working folder ("": this one)
	Args   []string    // its flags
	Env    []string    // its whole environment (nil: this process's)
	Cred   *Credential // run as this user (nil: this one)
	Stderr io.Writer   // gets helmd's log as it comes (nil: only kept, see Logs)
	// Token is presented on the first-scan probe when helmd prints none
	// (a token given by HELM_TOKEN is not printed).
	Token string
	// StartWithin bounds the wait for the printed URL (0: 15 s),
	// ScanWithin the wait for the first scan (0: 10 s).
	StartWithin, ScanWithin time.Duration
}

// Proc is a running helmd.
type Proc struct {
	URL   string // http://host:port, without a trailing slash
	Addr  string // host:port
	Token string // from the printed URL; "" with --auth none or a given token
	Cmd   *exec.Cmd

	exited chan struct{}
	log    *logbuf.Buffer
}

// maxLog bounds the log a Proc keeps: a test reads its helmd's log, a
// runaway one must not fill the test's memory.
const maxLog = 8 << 20

// ErrNoExit is Stop's error when helmd had to be killed.
var ErrNoExit = errors.New("helmd did not exit in time after the signal")

// Start runs helmd and returns once it serves and its first scan is
// over, so that a caller's file changes are changes, not the initial
// list. On an error helmd is not left running.
func Start(o Options) (*Proc, error) {
	cmd := exec.Command(o.Bin, o.Args...)
	cmd.Dir, cmd.Env = o.Dir, o.Env
	cmd.SysProcAttr = &syscall.SysProcAttr{}
	if err := setCredential(cmd, o.Cred); err != nil {
		return nil, err
	}
	diesWithParent(cmd.SysProcAttr)
	p := &Proc{Cmd: cmd, exited: make(chan struct{}), log: &logbuf.Buffer{Max: maxLog, Tee: o.Stderr}}
	cmd.Stderr = p.log
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("helmd stdout: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", o.Bin, err)
	}
	go func() { _ = cmd.Wait(); close(p.exited) }()
	urls, timeout := WatchURL(stdout), time.After(or(o.StartWithin, 15*time.Second))
	for p.URL == "" {
		select {
		case a, ok := <-urls:
			if !ok {
				urls = nil // stdout closed: helmd is exiting, or hangs
				continue
			}
			p.URL, p.Addr, p.Token = a.URL, a.Addr, a.Token
		case <-p.exited:
			return nil, fmt.Errorf("helmd exited at start: %s", p.Logs())
		case <-timeout:
			p.Kill()
			return nil, fmt.Errorf("helmd printed no URL: %s", p.Logs())
		}
	}
	token := p.Token
	if token == "" {
		token = o.Token
	}
	deadline := time.Now().Add(or(o.ScanWithin, 10*time.Second))
	for !FirstScanDone(p.URL, token) {
		if time.Now().After(deadline) {
			p.Kill()
			return nil, fmt.Errorf("helmd's first scan did not end: %s", p.Logs())
		}
		select {
		case <-p.exited:
			return nil, fmt.Errorf("helmd exited before its first scan ended: %s", p.Logs())
		case <-time.After(20 * time.Millisecond): // polling a condition
		}
	}
	return p, nil
}

func or(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// Exited is closed once helmd has exited.
func (p *Proc) Exited() <-chan struct{} { return p.exited }

// Logs is what helmd wrote to stderr so far (up to the log bound).
func (p *Proc) Logs() string { return p.log.String() }

// Kill kills helmd and waits for it to exit.
func (p *Proc) Kill() {
	_ = p.Cmd.Process.Kill()
	<-p.exited
}

// Stop sends sig and waits up to within for helmd to exit; if it does not,
// it kills it and returns ErrNoExit. A helmd already gone is no error.
func (p *Proc) Stop(sig os.Signal, within time.Duration) error {
	select {
	case <-p.exited:
		return nil
	default:
	}
	_ = p.Cmd.Process.Signal(sig)
	select {
	case <-p.exited:
		return nil
	case <-time.After(within):
		p.Kill()
		return fmt.Errorf("%w (%v)", ErrNoExit, within)
	}
}
