// Package cli is helmd's client side: `helmd ls`, `watch`, `usage` and
// `status` talk to the running helmd over its HTTP API, with the address
// and token helmd itself would use. Each has --json for scripts.
//
// Exit codes: 0 ok, 1 error, 2 helmd is not running (connection refused).
// An interrupt is no error (nil): main ends the process by its signal.
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

// Env looks up an environment variable as os.LookupEnv does: ok says
// it is set, even to "". TZ needs the difference: set to "" it is UTC
// (to POSIX, glibc and Go), unset it is the machine's zone.
type Env func(string) (value string, ok bool)

// get is the variable's value, "" when unset: for every variable but
// TZ, set to "" reads as unset.
func (e Env) get(name string) string {
	v, _ := e(name)
	return v
}

// IO is where a command reads its environment and writes.
type IO struct {
	Env    Env
	Home   string
	Stdout io.Writer
	Stderr io.Writer
	Now    func() time.Time // time.Now when nil
	// Width is how many columns the terminal stdout shows has, 0 when
	// stdout is not a terminal; Run asks stdout when it is 0.
	Width int
}

// A command defines its own flags on the flag set it is given and returns
// what runs it once they are parsed. Defining them before anything is
// parsed lets --help list them, and lets one parse refuse an unknown flag.
type command struct {
	usage string
	flags func(fs *flag.FlagSet, o IO) runFunc
}

// runFunc runs a command whose flags are parsed.
type runFunc func(ctx context.Context, c *client) error

// Each command's synopsis, for its --help.
const (
	usageLs     = "ls [--status waiting|working|idle] [--project P] [--machine NAME] [--json] [--scan-wait 2m]"
	usageWatch  = "watch [--json] [--waiting --count] [--scan-wait 2m]"
	usageUsage  = "usage [--since 7d] [--by day|project|model|source] [--tz ZONE] [--json] [--scan-wait 2m]"
	usageStatus = "status [--json]"
)

var commands = map[string]command{
	"ls":     {usageLs, lsFlags},
	"watch":  {usageWatch, watchFlags},
	"usage":  {usageUsage, usageFlags},
	"status": {usageStatus, statusFlags},
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
		o.Env = os.LookupEnv
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Width == 0 {
		o.Width = terminalWidth(o.Stdout)
	}
	c, run, err := parseArgs(args[0], commands[args[0]], args[1:], o)
	if err == nil {
		err = run(ctx, c)
		c.http.CloseIdleConnections()
	}
	switch {
	case err == nil, errors.Is(err, errHelp):
		return nil
	case errors.Is(err, ErrNotRunning):
		return &Error{Code: ExitNotRunning, Err: err}
	}
	return &Error{Code: ExitError, Err: err}
}

// parseArgs parses a command's arguments: its own flags and those every
// command shares (where helmd listens and its token, with the same
// environment fallbacks helmd uses), in any order, in one flag set, so
// that --help lists them all and an unknown flag is refused once. It
// returns a client for that helmd and the command to run.
func parseArgs(name string, cmd command, args []string, o IO) (*client, runFunc, error) {
	port := 5003
	// A PORT that is no number is an error only when --port does not
	// replace it (below): it may be another program's.
	var portErr error
	if p := o.Env.get("PORT"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil {
			portErr = fmt.Errorf("PORT=%q is not a number", p)
		} else {
			port = n
		}
	}
	host := o.Env.get("HOST")
	if host == "" {
		host = "127.0.0.1"
	}
	// Two sets to list them apart in the usage, merged into one to parse.
	own := flag.NewFlagSet("helmd "+name, flag.ContinueOnError)
	run := cmd.flags(own, o)
	conn := flag.NewFlagSet("helmd "+name, flag.ContinueOnError)
	conn.StringVar(&host, "host", host, "address helmd listens on (env HOST)")
	conn.IntVar(&port, "port", port, "port helmd listens on (env PORT)")
	token := conn.String("token", o.Env.get("HELM_TOKEN"), "access token (env HELM_TOKEN; default: the token file's)")
	auth := conn.String("auth", firstOf(o.Env.get("HELM_AUTH"), config.AuthToken),
		"token, or none: helmd was started with --auth none, so take its word that it wants no token, which any program on its port can say (env HELM_AUTH)")
	tokenFile := conn.String("token-file", firstOf(o.Env.get("HELM_TOKEN_FILE"), config.DefaultTokenFile(config.Env(o.Env.get), o.Home)),
		"file helmd keeps its token in (env HELM_TOKEN_FILE)")
	all := flag.NewFlagSet("helmd "+name, flag.ContinueOnError)
	for _, fs := range []*flag.FlagSet{own, conn} {
		fs.VisitAll(func(f *flag.Flag) { all.Var(f.Value, f.Name, f.Usage) })
	}
	// The flag package would print a parse error itself, and main prints
	// the error returned: said twice. Only the usage is printed here.
	all.SetOutput(io.Discard)
	all.Usage = func() {}
	err := all.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		// Asked for, the usage is the output: stdout, to pipe or page.
		printUsage(o.Stdout, cmd.usage, own, conn)
		return nil, nil, errHelp
	case err != nil:
		printUsage(o.Stderr, cmd.usage, own, conn)
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	case all.NArg() > 0:
		return nil, nil, fmt.Errorf("unexpected argument %q (see --help)", all.Arg(0))
	}
	if portErr != nil {
		given := false
		all.Visit(func(f *flag.Flag) { given = given || f.Name == "port" })
		if !given {
			return nil, nil, portErr
		}
	}
	if *auth != config.AuthToken && *auth != config.AuthNone {
		return nil, nil, fmt.Errorf("--auth %q: want %s or %s", *auth, config.AuthToken, config.AuthNone)
	}
	host = config.CleanHost(host) // "[::1]", as in a URL
	if port <= 0 || port > 65535 {
		return nil, nil, fmt.Errorf("port %d out of range", port)
	}
	t := *token
	var reload func() (string, error)
	explicit := ""
	if t == "" {
		if t, err = readToken(*tokenFile); err != nil {
			return nil, nil, err
		}
		file := *tokenFile
		reload = func() (string, error) { return readToken(file) }
		all.Visit(func(f *flag.Flag) {
			if f.Name == "token-file" {
				explicit = file
			}
		})
		if o.Env.get("HELM_TOKEN_FILE") != "" {
			explicit = file
		}
	}
	c := newClient(config.OpenURL(config.Config{Host: host, Port: port}.Addr(), ""), t)
	c.reload = reload
	c.authNone = *auth == config.AuthNone
	c.tokenFile = explicit
	c.name, c.notice = name, o.Stderr
	return c, run, nil
}

// printUsage writes a command's synopsis and every flag it takes: its
// own, then the connection flags it shares with helmd.
func printUsage(w io.Writer, usage string, own, conn *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: helmd %s\n\nTalks to the running helmd.\n\nFlags:\n", usage)
	own.SetOutput(w)
	own.PrintDefaults()
	fmt.Fprintf(w, "\nWhere helmd listens, and its token (as for helmd):\n")
	conn.SetOutput(w)
	conn.PrintDefaults()
}

// lineWidth is how wide a line of a table may be: COLUMNS when it is set
// (the user's word, terminal or not), else the terminal's width, else 0:
// not a terminal, so no limit, each column at its own bound, as a
// script reading the output has always had it.
func lineWidth(o IO) int {
	if n, err := strconv.Atoi(o.Env.get("COLUMNS")); err == nil && n > 0 {
		return n
	}
	return o.Width
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// readToken reads helmd's token file; a missing one means no token
// (helmd may run with --auth none, and a 401 will say so otherwise, and
// that a file given does not exist).
func readToken(path string) (string, error) {
	if path == "" {
		return "", nil
	}
	t, err := config.ReadToken(path)
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	return t, err
}
