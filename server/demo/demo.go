// Package demo keeps a throwaway Claude Code tree alive, so a newcomer
// sees Helm work within seconds without any real sessions: projects,
// sessions that start, work, wait for input, finish, and one that is
// deleted, written in the format Claude Code itself writes; and, given
// an OpenCode data folder, OpenCode sessions that live as well
// (opencode.go).
package demo

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"vibecraft.sh/helm/server/internal/claudepath"
)

// Options tune the simulation; zero values take the defaults.
type Options struct {
	Step   time.Duration // time between two writes; 1.2 s
	Logger *slog.Logger
	// OpenCodeDir, when set, is an OpenCode data folder that gets
	// simulated OpenCode sessions too; every third write is theirs.
	OpenCodeDir string
}

// Layout makes the demo's two folders under dir: a Claude config folder
// and an OpenCode data folder (with its storage tree), so that both
// exist before anything watches them.
func Layout(dir string) (claudeRoot, openCodeDir string, err error) {
	claudeRoot, openCodeDir = filepath.Join(dir, "claude"), filepath.Join(dir, "opencode")
	for _, d := range []string{filepath.Join(claudeRoot, "projects"), filepath.Join(openCodeDir, "storage")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return "", "", fmt.Errorf("demo: %w", err)
		}
	}
	return claudeRoot, openCodeDir, nil
}

var projects = []struct{ cwd, branch string }{
	{"/home/demo/code/webapp", "main"},
	{"/home/demo/code/payments-api", "feature/refunds"},
	{"/home/demo/code/mobile_app.v2", "release/2.4"},
	{"/home/demo/notes/blog posts", ""},
}

// topic is what a simulated session is about: its first prompt, the title
// it gets, and the tool call it makes, with the input the real tool takes
// (a file's path absolute, under the session's folder, as Claude Code
// writes it) and what the call returns.
type topic struct {
	prompt, title, tool string
	input               func(cwd string) map[string]any
	result              string
}

func bash(command, description string) func(string) map[string]any {
	return func(string) map[string]any { return map[string]any{"command": command, "description": description} }
}

var prompts = []topic{
	{"Fix the flaky login test on CI", "Fix flaky login test", "Bash",
		bash("npm test -- login", "Run the login tests"), "PASS src/login.test.ts (12 tests)"},
	{"Add refunds to the payments API with tests", "Add refunds endpoint", "Edit",
		func(cwd string) map[string]any {
			return map[string]any{"file_path": cwd + "/src/refunds.ts",
				"old_string": "export const routes = [charge]", "new_string": "export const routes = [charge, refund]"}
		}, "The file src/refunds.ts has been updated."},
	{"Why is the build slow? Profile it", "Profile slow build", "Bash",
		bash("npm run build -- --profile", "Build with the profiler on"), "built in 48.2 s; 31 s in type checking"},
	{"Write a post about our migration to Go", "Draft Go migration post", "Write",
		func(cwd string) map[string]any {
			return map[string]any{"file_path": cwd + "/posts/go-migration.md",
				"content": "# Why we moved to Go\n\nOne binary, fast builds, and a standard library that does most of it.\n"}
		}, "File created successfully at: posts/go-migration.md"},
	{"Checkout got slow since Monday: find out why", "Investigate checkout latency", "Agent",
		func(string) map[string]any {
			return map[string]any{"description": "Trace checkout latency", "subagent_type": "Explore", "run_in_background": true,
				"prompt": "Find what made the checkout request slower since Monday: compare the traces and the recent commits."}
		}, "Async agent launched successfully.\nThe agent is working in the background. You will be notified automatically when it completes."},
	{"Upgrade the React Native version", "Upgrade React Native", "WebFetch",
		func(string) map[string]any {
			return map[string]any{"url": "https://reactnative.dev/blog", "prompt": "What changed in the latest React Native release?"}
		}, "0.76 makes the New Architecture the default."},
	{"Find why sessions expire early", "Debug early session expiry", "Grep",
		func(cwd string) map[string]any {
			return map[string]any{"pattern": "expiresAt", "path": cwd + "/src", "output_mode": "content", "-n": true}
		}, "src/session.ts:42:  expiresAt: now + 15 * 60_000,"},
	{"Rename the user service to accounts", "Rename user service", "Glob",
		func(string) map[string]any { return map[string]any{"pattern": "src/**/user*.ts"} },
		"src/users/user.service.ts\nsrc/users/user.controller.ts"},
	{"Add rate limiting to the public API", "Rate-limit public API", "Read",
		func(cwd string) map[string]any { return map[string]any{"file_path": cwd + "/src/middleware/index.ts"} },
		"     1\texport { auth } from './auth'"},
	{"Our Docker image is 2 GB, slim it down", "Slim Docker image", "Bash",
		bash("docker build -t app:slim .", "Build the slimmer image"), "Successfully tagged app:slim (412 MB)"},
	{"Translate the onboarding screens to German", "German onboarding", "Write",
		func(cwd string) map[string]any {
			return map[string]any{"file_path": cwd + "/locales/de/onboarding.json", "content": "{\"welcome\": \"Willkommen\"}\n"}
		}, "File created successfully at: locales/de/onboarding.json"},
}

// Run writes under root (a Claude config folder: root/projects/…) until
// ctx is done: Start, then Sim.Run.
func Run(ctx context.Context, root string, o Options) error {
	sim, err := Start(root, o)
	if err != nil {
		return err
	}
	return sim.Run(ctx)
}

// Sim is a started simulation.
type Sim struct {
	w    *world
	step time.Duration
	log  *slog.Logger
}

// Start writes the sessions the demo begins with, a few with history
// under root and, with o.OpenCodeDir, OpenCode's, before it returns: a
// scan started after it lists them all, so the first screen of the page
// shows both sources (written beside the first scan, they were not
// always on it).
func Start(root string, o Options) (*Sim, error) {
	if o.Step <= 0 {
		o.Step = 1200 * time.Millisecond
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	w := &world{root: root, log: o.Logger}
	// A few sessions with history, so the list is never empty.
	for i := range 5 {
		s, err := w.start(i)
		if err != nil {
			return nil, err
		}
		if err := s.historic(1+i%3, time.Now().Add(-time.Duration(5*i+1)*time.Hour)); err != nil {
			return nil, err
		}
	}
	if o.OpenCodeDir != "" {
		w.oc = newOCWorld(o.OpenCodeDir)
		if err := w.oc.seed(3); err != nil {
			return nil, err
		}
	}
	return &Sim{w: w, step: o.Step, log: o.Logger}, nil
}

// Run moves the sessions on, a write every step, until ctx is done.
func (sim *Sim) Run(ctx context.Context) error {
	t := time.NewTicker(sim.step)
	defer t.Stop()
	for n := 0; ; n++ {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		if err := sim.w.step(n); err != nil {
			sim.log.Warn("demo write failed", "err", err)
		}
	}
}

type world struct {
	root     string
	log      *slog.Logger
	sessions []*session
	started  int
	oc       *ocWorld // nil: Claude Code only
	asking   *session // the one session asking for a permission (registry.go)
}

// step advances the simulation by one write.
func (w *world) step(n int) error {
	if w.oc != nil && n%3 == 2 {
		return w.oc.step(n / 3)
	}
	switch {
	case n%25 == 3: // a new session starts
		s, err := w.start(w.started)
		if err != nil {
			return err
		}
		return s.prompt(time.Now())
	case n%25 == 16 && len(w.sessions) > 6: // the oldest session is deleted
		// at the rate sessions start, so the list holds about seven
		// (it grew by three every 200 writes) and no two share a topic
		s := w.sessions[0]
		w.sessions = w.sessions[1:]
		if w.asking == s {
			if err := w.answered(s); err != nil {
				return err
			}
		}
		if err := os.RemoveAll(strings.TrimSuffix(s.path, ".jsonl")); err != nil { // its subagents
			return err
		}
		return os.Remove(s.path)
	}
	// Otherwise the session whose turn it is moves on, unless it is
	// waiting for its user, who takes a while to answer, or to allow a
	// tool call.
	live := w.sessions[len(w.sessions)-1-n%min(4, len(w.sessions))]
	if (live.phase == 0 || w.asking == live) && n < live.resumeAt {
		return nil
	}
	if w.asking == live {
		if err := w.answered(live); err != nil {
			return err
		}
	}
	if live.phase == live.topic.answer() {
		live.resumeAt = n + 8 + n%9
	}
	asks := live.phase == 1 && w.mayAsk(live)
	if err := live.advance(time.Now()); err != nil {
		return err
	}
	if asks {
		live.resumeAt = n + 6 + n%7
		return w.ask(live, time.Now())
	}
	return nil
}

func (w *world) start(i int) (*session, error) {
	p := projects[i%len(projects)]
	dir := filepath.Join(w.root, "projects", claudepath.Slug(p.cwd))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	id := uuid()
	s := &session{id: id, path: filepath.Join(dir, id+".jsonl"), cwd: p.cwd, branch: p.branch, topic: prompts[i%len(prompts)]}
	w.sessions = append(w.sessions, s)
	w.started++
	return s, nil
}

func uuid() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func appendLines(path string, records ...map[string]any) error {
	var b strings.Builder
	for _, r := range records {
		line, err := json.Marshal(r)
		if err != nil {
			return err
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	_, err = f.WriteString(b.String())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
