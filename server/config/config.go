// Package config turns helmd's flags and environment into a Config.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"vibecraft.sh/helm/server/internal/homepath"
)

// Config is everything helmd can be told. Every field's default is in Parse.
type Config struct {
	Host string // HOST; 127.0.0.1: transcripts hold secrets, exposing them is the user's choice
	Port int    // PORT; 5003
	Env  string // HELM_ENV or NODE_ENV: "production" (default) or "development"

	ClaudeDirs  []string // --claude-dir or CLAUDE_CONFIG_DIR (comma-separated); default ~/.claude (+ ~/.config/claude)
	OpenCodeDir string   // --opencode-dir or $XDG_DATA_HOME/opencode; default ~/.local/share/opencode
	OpenCodeDB  string   // OPENCODE_DB; default <OpenCodeDir>/opencode.db
	NoOpenCode  bool     // --no-opencode: read Claude Code only
	CacheDir    string   // where per-file scan state is kept across restarts; "" disables

	Debounce     time.Duration // per-session publish window
	Keepalive    time.Duration // named keepalive event period on quiet streams
	WaitingTTL   time.Duration // --waiting-ttl or HELM_WAITING_TTL; 12 h: how long "waiting" lasts when no process tells
	Poll         bool          // poll instead of fsnotify (network filesystems)
	PollInterval time.Duration

	Auth         string   // --auth or HELM_AUTH: AuthToken (default) or AuthNone (loopback only)
	Token        string   // --token or HELM_TOKEN: overrides the token file
	TokenFile    string   // --token-file or HELM_TOKEN_FILE; default $XDG_CONFIG_HOME/helm/token (~/.config/helm/token)
	AllowedHosts []string // Host header values accepted besides loopback names
	CORSOrigin   string   // an origin allowed cross-origin reads; none by default
	MaxClients   int      // concurrent stream clients

	MaxConns     int           // open plain (non-stream) connections
	WriteTimeout time.Duration // longest a non-stream response may take to send

	Demo     bool // serve a simulated, live workspace from a temp folder
	LogLevel string

	PushSubject string // --push-subject or HELM_PUSH_SUBJECT: the Web Push (VAPID) contact, an email or https URL

	// HostName names this machine in the page's header and title, and in
	// a fleet (--host-name or HELM_HOST_NAME; default the OS host name),
	// so a page that reconnects to another helmd cannot pass for this one.
	HostName string

	Fleet Fleet // NATS: publish to and show other machines (fleet.go)
}

// Addr is the listen address.
func (c Config) Addr() string { return net.JoinHostPort(c.Host, strconv.Itoa(c.Port)) }

// Loopback reports whether the server listens on loopback only.
func (c Config) Loopback() bool {
	if c.Host == "localhost" {
		return true
	}
	ip := net.ParseIP(c.Host)
	return ip != nil && ip.IsLoopback()
}

// ErrHelp and ErrVersion are returned when the user asked for them; the
// caller prints nothing more and exits 0.
var (
	ErrHelp    = errors.New("help requested")
	ErrVersion = errors.New("version requested")
)

// Env looks up an environment variable ("" when unset).
type Env func(string) string

// Parse reads flags from args with environment fallbacks. The usage
// goes to stdout when asked for (--help, -h), so that it can be piped
// (helmd --help | grep port), and to stderr above a mistake in args.
func Parse(args []string, env Env, home string, stdout, stderr io.Writer) (Config, error) {
	fs := flag.NewFlagSet("helmd", flag.ContinueOnError)
	f := define(fs, env, home)
	if err := parseQuietly(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage(fs, stdout)
			return f.c, ErrHelp
		}
		usage(fs, stderr)
		return f.c, err
	}
	if f.version {
		return f.c, ErrVersion
	}
	if fs.NArg() > 0 {
		return f.c, fmt.Errorf("unexpected argument %q (see --help)", fs.Arg(0))
	}
	given := visited(fs)
	return f.config(home, func(name string) bool { return !given[name] })
}

// ParseCommand reads the arguments of a command that takes some of
// helmd's flags (helmd url, helmd hooks), named in takes, besides its own
// defined on fs (a ContinueOnError set named after the command). It
// refuses helmd's others, which would change nothing it does, and its
// usage, printed to stdout or stderr as Parse's is, is head then its
// flags alone: helmd's whole usage listed some thirty it does not take.
func ParseCommand(fs *flag.FlagSet, head string, takes []string, args []string, env Env, home string, stdout, stderr io.Writer) (Config, error) {
	all := flag.NewFlagSet("helmd", flag.ContinueOnError)
	f := define(all, env, home)
	for _, name := range takes {
		h := all.Lookup(name) // nil for a name helmd has no flag of: the panic below fails the command's test
		fs.Var(h.Value, h.Name, h.Usage)
	}
	if err := parseQuietly(fs, args); err != nil {
		out := stderr
		if errors.Is(err, flag.ErrHelp) {
			out = stdout
		}
		fmt.Fprint(out, head)
		fs.SetOutput(out)
		fs.PrintDefaults()
		if errors.Is(err, flag.ErrHelp) {
			return Config{}, ErrHelp
		}
		return Config{}, fmt.Errorf("%s: %w", fs.Name(), err) // as the client commands say it
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected argument %q (see --help)", fs.Arg(0))
	}
	given := visited(fs)
	return f.config(home, func(name string) bool { return slices.Contains(takes, name) && !given[name] })
}

// visited is the set of flags args gave on fs.
func visited(fs *flag.FlagSet) map[string]bool {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	return given
}

// parseQuietly parses args with fs printing nothing: the flag package
// would print a parse error itself, and main prints the error returned,
// so it was said twice. The caller prints the usage.
func parseQuietly(fs *flag.FlagSet, args []string) error {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs.Parse(args)
}

// flags is what helmd's flags are parsed into, before config makes a
// Config of it.
type flags struct {
	c                   Config
	claudeDirs, allowed string
	version             bool
	badEnv              []badEnv
}

// badEnv is an environment variable that a flag defaults to but that
// does not parse: an error only if the flag's value is used (config).
type badEnv struct {
	flag string
	err  error
}

// define defines every flag of helmd's on fs, each defaulting to its
// environment variable.
func define(fs *flag.FlagSet, env Env, home string) *flags {
	if env == nil {
		env = os.Getenv
	}
	f := &flags{}
	port, err := envInt(env, "PORT", 5003)
	if err != nil {
		f.badEnv = append(f.badEnv, badEnv{"port", err})
	}
	waitingTTL, err := envDuration(env, "HELM_WAITING_TTL", 12*time.Hour)
	if err != nil {
		f.badEnv = append(f.badEnv, badEnv{"waiting-ttl", err})
	}
	c := &f.c
	fs.StringVar(&c.Host, "host", or(env("HOST"), "127.0.0.1"), "address to listen on (env HOST)")
	fs.IntVar(&c.Port, "port", port, "port to listen on (env PORT)")
	fs.StringVar(&c.Env, "env", or(env("HELM_ENV"), env("NODE_ENV"), "production"), "production or development (env HELM_ENV, NODE_ENV)")
	fs.StringVar(&f.claudeDirs, "claude-dir", env("CLAUDE_CONFIG_DIR"), "Claude Code config folder(s), comma-separated (env CLAUDE_CONFIG_DIR; default ~/.claude and ~/.config/claude)")
	fs.StringVar(&c.OpenCodeDir, "opencode-dir", defaultOpenCodeDir(env, home), "OpenCode data folder (env XDG_DATA_HOME/opencode)")
	fs.StringVar(&c.OpenCodeDB, "opencode-db", env("OPENCODE_DB"), "OpenCode database file (env OPENCODE_DB; default <opencode-dir>/opencode.db)")
	fs.BoolVar(&c.NoOpenCode, "no-opencode", false, "do not read OpenCode sessions")
	fs.StringVar(&c.CacheDir, "cache-dir", or(env("HELM_CACHE_DIR"), defaultCacheDir(env, home)), "folder for what helmd keeps across restarts: scan state, clears, hook hints, Web Push keys, the --nats-listen store; empty: none (env HELM_CACHE_DIR)")
	fs.DurationVar(&c.Debounce, "debounce", 500*time.Millisecond, "at most one update per session per this period")
	fs.DurationVar(&c.Keepalive, "keepalive", 30*time.Second, "keepalive event period on quiet streams")
	fs.DurationVar(&c.WaitingTTL, "waiting-ttl", waitingTTL, "how long a session that ended its turn shows waiting when no live process tells (env HELM_WAITING_TTL)")
	fs.BoolVar(&c.Poll, "poll", false, "poll the folders instead of using file events (network filesystems)")
	fs.DurationVar(&c.PollInterval, "poll-interval", 2*time.Second, "polling period when polling")
	fs.StringVar(&c.Auth, "auth", or(env("HELM_AUTH"), AuthToken), "token: every request needs the access token, loopback too; none: no token, for a single-user machine, loopback only (env HELM_AUTH)")
	fs.StringVar(&c.Token, "token", env("HELM_TOKEN"), "access token, instead of the token file's (env HELM_TOKEN)")
	fs.StringVar(&c.TokenFile, "token-file", or(env("HELM_TOKEN_FILE"), DefaultTokenFile(env, home)), "file keeping the access token, created 0600 on first start (env HELM_TOKEN_FILE)")
	fs.StringVar(&f.allowed, "allowed-hosts", env("HELM_ALLOWED_HOSTS"), "comma-separated Host names accepted besides loopback (env HELM_ALLOWED_HOSTS)")
	fs.StringVar(&c.CORSOrigin, "cors-origin", env("HELM_CORS_ORIGIN"), "an origin allowed to read the API cross-origin (env HELM_CORS_ORIGIN)")
	fs.IntVar(&c.MaxClients, "max-clients", 1000, "maximum concurrent stream clients")
	fs.IntVar(&c.MaxConns, "max-conns", 512, "maximum open non-stream connections (idle ones are closed first)")
	fs.DurationVar(&c.WriteTimeout, "write-timeout", 30*time.Second, "longest a non-stream response may take to send; 0 = no limit")
	fs.BoolVar(&c.Demo, "demo", false, "serve a simulated live workspace from a temp folder")
	fs.StringVar(&c.LogLevel, "log-level", or(env("HELM_LOG_LEVEL"), "info"), "debug, info, warn or error (env HELM_LOG_LEVEL)")
	fs.StringVar(&c.PushSubject, "push-subject", env("HELM_PUSH_SUBJECT"), "your email or an https URL, given to push services with each Web Push (env HELM_PUSH_SUBJECT; default https://vibecraft.sh)")
	fs.StringVar(&c.HostName, "host-name", or(env("HELM_HOST_NAME"), osHostName()), "this machine's name in the page and in a fleet (env HELM_HOST_NAME)") // the flag package prints the default: the OS's host name
	fs.BoolVar(&f.version, "version", false, "print the version and exit")
	c.Fleet.register(fs, env)
	return f
}

// config is the Config the parsed flags give, checked. used says whether
// a flag's value is used: not given (its environment variable's, then),
// and taken by the command. A PORT meant for another program that is no
// number failed helmd hook, whose --port always replaces it.
func (f *flags) config(home string, used func(flag string) bool) (Config, error) {
	for _, b := range f.badEnv {
		if used(b.flag) {
			return f.c, b.err
		}
	}
	c := f.c
	c.Host = CleanHost(c.Host)
	c.ClaudeDirs = splitList(f.claudeDirs)
	c.AllowedHosts = splitList(f.allowed)
	c.expandHome(home)
	if c.OpenCodeDB == "" && c.OpenCodeDir != "" {
		c.OpenCodeDB = filepath.Join(c.OpenCodeDir, "opencode.db")
	}
	return c, c.validate()
}

// expandHome expands a leading ~ in every path a user may write, by flag
// or environment (homepath: no shell does it inside quotes or in a
// service's environment).
func (c *Config) expandHome(home string) {
	for i := range c.ClaudeDirs {
		c.ClaudeDirs[i] = homepath.Expand(c.ClaudeDirs[i], home)
	}
	for _, p := range []*string{&c.OpenCodeDir, &c.OpenCodeDB, &c.CacheDir, &c.TokenFile,
		&c.Fleet.NATSCreds, &c.Fleet.NATSCA, &c.Fleet.NATSTLSCert, &c.Fleet.NATSTLSKey} {
		*p = homepath.Expand(*p, home)
	}
}

func (c Config) validate() error {
	switch {
	case c.Port < 0 || c.Port > 65535:
		return fmt.Errorf("port %d out of range", c.Port)
	case c.Env != "production" && c.Env != "development":
		return fmt.Errorf("env %q: want production or development", c.Env)
	case c.Debounce < 0 || c.Keepalive <= 0 || c.PollInterval <= 0:
		return errors.New("debounce must be ≥ 0, keepalive and poll-interval > 0")
	case c.WaitingTTL <= 0:
		return errors.New("waiting-ttl must be > 0")
	case c.MaxClients <= 0:
		return errors.New("max-clients must be > 0")
	case c.Auth != AuthToken && c.Auth != AuthNone:
		return fmt.Errorf("auth %q: want token or none", c.Auth)
	case c.Auth == AuthNone && !c.Loopback():
		// Off loopback anyone on the network could read every transcript.
		return fmt.Errorf("--auth none is for loopback only, and host %q is not: keep the token, or listen on 127.0.0.1", c.Host)
	case c.Token != "" && !ValidToken(c.Token):
		return fmt.Errorf("token (--token or HELM_TOKEN): want %s", tokenRule)
	}
	if err := c.Fleet.validate(c.CacheDir); err != nil {
		return err
	}
	if (c.Fleet.Publish || c.Fleet.Show) && (c.HostName == "" || strings.Contains(c.HostName, "@")) {
		// A remote session's key is <source>:<id>@<host>: an '@' in a
		// host name made two machines' sessions one.
		return fmt.Errorf("host name %q (--host-name or HELM_HOST_NAME): a fleet needs one, without '@'", c.HostName)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("log-level %q: want debug, info, warn or error", c.LogLevel)
	}
	return nil
}

func usage(fs *flag.FlagSet, out io.Writer) {
	fmt.Fprint(out, `helmd serves every Claude Code and OpenCode session on this machine as a live list.

Usage: helmd [flags]
       helmd url [flags]   print the URL to open, with the access token if the running
                           helmd wants one
       helmd ls|watch|usage|status [--json]   ask the running helmd (see helmd ls --help)
       helmd hooks [--install|--uninstall] [flags]
                           print (or merge into Claude Code's settings.json, or remove
                           from it, after a backup) the hooks that tell helmd when a
                           session waits
       helmd hook [flags]  the hook itself: forwards the payload on stdin to helmd
       helmd help [command]
                           this usage, or a command's

Open the URL helmd prints at start (it carries the access token; "helmd url" prints it
again). API: GET /api/sessions, GET /api/sessions/stream (Server-Sent Events),
POST /api/sessions/refresh, GET /api/status; scripts send Authorization: Bearer <token>.

Flags:
`)
	fs.SetOutput(out)
	fs.PrintDefaults()
}

func defaultOpenCodeDir(env Env, home string) string {
	if x := env("XDG_DATA_HOME"); x != "" {
		return filepath.Join(x, "opencode")
	}
	if home == "" {
		return ""
	}
	return filepath.Join(home, ".local", "share", "opencode")
}

func defaultCacheDir(env Env, home string) string {
	if x := env("XDG_CACHE_HOME"); x != "" {
		return filepath.Join(x, "helm")
	}
	if home == "" {
		return ""
	}
	return filepath.Join(home, ".cache", "helm")
}

// envInt and envDuration read an environment variable, def when it is
// unset, and def with an error when it does not parse: the flag it is the
// default of may replace it (flags.config).
func envInt(env Env, name string, def int) (int, error) {
	v := env(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return def, fmt.Errorf("%s=%q is not a number", name, v)
	}
	return n, nil
}

func envDuration(env Env, name string, def time.Duration) (time.Duration, error) {
	v := env(name)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return def, fmt.Errorf("%s=%q is not a duration (e.g. 12h, 90m)", name, v)
	}
	return d, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func or(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// osHostName is the machine's host name, or "localhost" when the OS does
// not say.
func osHostName() string {
	if h, err := os.Hostname(); err == nil && h != "" {
		return h
	}
	return "localhost"
}
