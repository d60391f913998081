// Package cli is helmd's client side: `helmd ls`, `watch`, `usage` and
// `status` talk to the running helmd over its HTTP API, with the address
// and token helmd itself would use. Each has --json for scripts.
//
// Exit codes: 0 ok, 1 error, 2 helmd is not running (connection refused).
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"vibecraft.sh/helm/server/config"
)

// Exit codes.
const (
	ExitError      = 1
	ExitNotRunning = 2
)

// Env looks up an environment variable ("" when unset).
type Env func(string) string

// IO is where a command reads its environment and writes.
type IO struct {
	Env    Env
	Home   string
	Stdout io.Writer
	Stderr io.Writer
	Now    func() time.Time // time.Now when nil
}

type command struct {
	usage string
	run   func(ctx context.Context, c *client, args []string, o IO) error
}

// Each command's synopsis, for its --help.
const (
	usageLs     = "ls [--status waiting|working|idle] [--project P] [--json]"
	usageWatch  = "watch [--json] [--waiting --count]"
	usageUsage  = "usage [--since 7d] [--by day|project|model|source] [--json]"
	usageStatus = "status [--json]"
)

var commands = map[string]command{
	"ls":     {usageLs, runLs},
	"watch":  {usageWatch, runWatch},
	"usage":  {usageUsage, runUsage},
	"status": {usageStatus, runStatus},
}

// Is reports whether name is a client command.
func Is(name string) bool {
	_, ok := commands[name]
	return ok
}

// Error is a failed command with its exit code.
type Error struct {
	Code int
	Err  error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// ExitCode is what the process should exit with.
func (e *Error) ExitCode() int { return e.Code }

// errHelp ends a command that printed its usage on request.
var errHelp = errors.New("help")

// Run runs the command args[0] (Is must hold) with args[1:]. It returns
// nil, or an *Error carrying the exit code.
func Run(ctx context.Context, args []string, o IO) error {
	if o.Env == nil {
		o.Env = os.Getenv
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	cmd := commands[args[0]]
	c, rest, err := connect(args[0], cmd.usage, args[1:], o)
	if errors.Is(err, errHelp) {
		return nil
	}
	if err == nil {
		err = cmd.run(ctx, c, rest, o)
		c.http.CloseIdleConnections()
	}
	switch {
	case err == nil, errors.Is(err, errHelp):
		return nil
	case errors.Is(err, errNotRunning):
		return &Error{Code: ExitNotRunning, Err: err}
	}
	return &Error{Code: ExitError, Err: err}
}

// connect reads the flags every command shares (where helmd listens and
// its token, with the same environment fallbacks helmd uses) and returns
// a client for it and the remaining arguments. Flags may come in any
// order: the command's own are parsed by the command.
func connect(name, usage string, args []string, o IO) (*client, []string, error) {
	port := 5003
	if p := o.Env("PORT"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil {
			return nil, nil, fmt.Errorf("PORT=%q is not a number", p)
		}
		port = n
	}
	host := o.Env("HOST")
	if host == "" {
		host = "127.0.0.1"
	}
	fs := newFlags(name, usage, o)
	fs.StringVar(&host, "host", host, "address helmd listens on (env HOST)")
	fs.IntVar(&port, "port", port, "port helmd listens on (env PORT)")
	token := fs.String("token", o.Env("HELM_TOKEN"), "access token (env HELM_TOKEN; default: the token file's)")
	tokenFile := fs.String("token-file", firstOf(o.Env("HELM_TOKEN_FILE"), config.DefaultTokenFile(config.Env(o.Env), o.Home)),
		"file helmd keeps its token in (env HELM_TOKEN_FILE)")
	rest, err := parseShared(fs, args)
	if err != nil {
		return nil, nil, err
	}
	if port <= 0 || port > 65535 {
		return nil, nil, fmt.Errorf("port %d out of range", port)
	}
	t := *token
	if t == "" {
		if t, err = readToken(*tokenFile); err != nil {
			return nil, nil, err
		}
	}
	return newClient(config.OpenURL(config.Config{Host: host, Port: port}.Addr(), ""), t), rest, nil
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// newFlags returns a flag set for a command whose usage goes to stderr.
func newFlags(name, usage string, o IO) *flag.FlagSet {
	fs := flag.NewFlagSet("helmd "+name, flag.ContinueOnError)
	fs.SetOutput(o.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(o.Stderr, "Usage: helmd %s\n\nTalks to the running helmd (--host, --port, --token, --token-file as for helmd).\n\nFlags:\n", usage)
		fs.PrintDefaults()
	}
	return fs
}

// sharedFlags are the connection flags every command accepts.
var sharedFlags = map[string]bool{"host": true, "port": true, "token": true, "token-file": true}

// parseShared parses the connection flags out of args and returns the
// others, in order, for the command's own flag set.
func parseShared(fs *flag.FlagSet, args []string) ([]string, error) {
	var mine, rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		name := flagName(a)
		switch {
		case name == "h" || name == "help":
			fs.Usage()
			return nil, errHelp
		case sharedFlags[name]:
			mine = append(mine, a)
			if !containsEq(a) && i+1 < len(args) {
				i++
				mine = append(mine, args[i])
			}
		default:
			rest = append(rest, a)
		}
	}
	if err := fs.Parse(mine); err != nil {
		return nil, err
	}
	return rest, nil
}

// flagName is the name of a -flag or --flag argument, "" for others.
func flagName(a string) string {
	if len(a) < 2 || a[0] != '-' || a == "--" {
		return ""
	}
	a = a[1:]
	if a[0] == '-' {
		a = a[1:]
	}
	for i := range len(a) {
		if a[i] == '=' {
			return a[:i]
		}
	}
	return a
}

func containsEq(a string) bool {
	for i := range len(a) {
		if a[i] == '=' {
			return true
		}
	}
	return false
}

// parseOwn parses a command's own flags, refusing stray arguments.
func parseOwn(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (see --help)", fs.Arg(0))
	}
	return nil
}

// maxTokenFile bounds what is read of the token file: one line.
const maxTokenFile = 4 << 10

// readToken reads helmd's token file; a missing one means no token
// (helmd may run with --auth none, and a 401 will say so otherwise).
func readToken(path string) (string, error) {
	if path == "" {
		return "", nil
	}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("token file: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxTokenFile))
	if err != nil {
		return "", fmt.Errorf("token file %s: %w", path, err)
	}
	t, err := config.ParseToken(b)
	if err != nil {
		return "", fmt.Errorf("token file %s: %w", path, err)
	}
	return t, nil
}
