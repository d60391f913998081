package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"vibecraft.sh/helm/server/config"
)

// What helmd says at start about its flags, beyond serving: the places
// a first run most often goes wrong (a mistyped folder, a port in use, a
// URL that cannot be opened from the machine it was meant for).

// warnClaudeDirs warns once for each Claude folder given explicitly
// (--claude-dir, CLAUDE_CONFIG_DIR) that cannot be one, each a mistake
// that would otherwise look like a machine with no sessions: a folder
// that does not exist (a typo; helmd still watches for it, so a folder
// that appears later is read), a path that is a file, and Claude Code's
// projects folder itself given for the folder above it (which holds
// projects/ and sessions/). A folder without projects/ by any other
// name is not warned of: Claude Code makes it at its first session.
func warnClaudeDirs(log *slog.Logger, dirs []string) {
	const given = "(--claude-dir or CLAUDE_CONFIG_DIR)"
	for _, d := range dirs {
		st, err := os.Stat(d)
		switch {
		case errors.Is(err, os.ErrNotExist):
			log.Warn(fmt.Sprintf("Claude Code folder %s does not exist %s: no sessions from it until it appears", d, given))
		case err != nil:
			log.Warn(fmt.Sprintf("Claude Code folder %s cannot be read %s: %v", d, given, err))
		case !st.IsDir():
			log.Warn(fmt.Sprintf("Claude Code folder %s is not a folder %s: no sessions from it", d, given))
		case filepath.Base(filepath.Clean(d)) == "projects" && !isDir(filepath.Join(d, "projects")):
			log.Warn(fmt.Sprintf("Claude Code folder %s is the projects folder itself %s: give the folder that holds it, %s",
				d, given, filepath.Dir(filepath.Clean(d))))
		}
	}
}

// warnOpenCodeDir warns once when OpenCode's data folder cannot be one:
// a path that is a file, or OpenCode's storage folder given for the
// folder that holds it (and opencode.db), which lists nothing although
// sessions are right there. A folder that does not exist is OpenCode not
// being installed, which the source itself says at info level.
func warnOpenCodeDir(log *slog.Logger, dir string) {
	const given = "(--opencode-dir or XDG_DATA_HOME)"
	st, err := os.Stat(dir)
	switch {
	case err != nil:
		return
	case !st.IsDir():
		log.Warn(fmt.Sprintf("OpenCode folder %s is not a folder %s: no OpenCode sessions from it", dir, given))
	case filepath.Base(filepath.Clean(dir)) == "storage" && isDir(filepath.Join(dir, "session")) && !isDir(filepath.Join(dir, "storage")):
		log.Warn(fmt.Sprintf("OpenCode folder %s is its storage folder itself %s: give the folder that holds it, %s",
			dir, given, filepath.Dir(filepath.Clean(dir))))
	}
}

func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

// busyPortError is a listen address another program holds. Its message
// is the one sentence a user needs; the cause stays for errors.Is.
type busyPortError struct {
	addr    string
	suggest string // a port free when the error was made ("" when none was found)
	err     error
}

func (e *busyPortError) Error() string {
	port := e.addr
	if _, p, err := net.SplitHostPort(e.addr); err == nil {
		port = p
	}
	other := "another port (--port)"
	if e.suggest != "" {
		other = "another port (--port " + e.suggest + ", free just now)"
	}
	return fmt.Sprintf("port %s is already in use (another helmd, or another server, listens on %s): stop it, or start helmd with %s",
		port, e.addr, other)
}

func (e *busyPortError) Unwrap() error { return e.err }

// portTries is how many ports after a busy one suggestPort tries.
const portTries = 20

// suggestPort is a port of host that is free at this moment: the first
// of the ports after p that can be listened on, else one the system
// picks; "" if none can. The port after p, suggested unchecked, was as
// often busy too (5201 busy, 5202 suggested, 5202 busy).
func suggestPort(host, p string) string {
	n, err := strconv.Atoi(p)
	if err != nil || n <= 0 || n >= 65535 {
		n = 5003
	}
	try := func(port int) string {
		ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
		if err != nil {
			return ""
		}
		defer ln.Close()
		_, got, _ := net.SplitHostPort(ln.Addr().String())
		return got
	}
	for port := n + 1; port <= min(n+portTries, 65535); port++ {
		if s := try(port); s != "" {
			return s
		}
	}
	return try(0)
}

// listenError explains why helmd cannot listen on addr.
func listenError(addr string, err error) error {
	if errors.Is(err, syscall.EADDRINUSE) {
		host, port, _ := net.SplitHostPort(addr)
		return &busyPortError{addr: addr, suggest: suggestPort(host, port), err: err}
	}
	return fmt.Errorf("listen on %s: %w", addr, err)
}

// osHostName is the name neighbours may know this machine by ("" when
// the OS does not say).
func osHostName() string {
	h, err := os.Hostname()
	if err != nil {
		return ""
	}
	return strings.ToLower(h)
}

// networkHosts adds this machine's host name to the Host names helmd
// accepts when it listens on every interface, so that the URL it prints
// with that name opens; IP literals are accepted anyway.
func networkHosts(cfg config.Config, hostName string) []string {
	if !config.Wildcard(cfg.Host) || hostName == "" {
		return cfg.AllowedHosts
	}
	return append(append([]string(nil), cfg.AllowedHosts...), hostName)
}

// localURL is the URL to open on this machine. Go listens on 0.0.0.0
// dual-stack ([::]), which would print [::1]: the user asked for IPv4,
// so 127.0.0.1 it is, as `helmd url` prints.
func localURL(cfg config.Config, listenAddr, token string) string {
	if _, p, err := net.SplitHostPort(listenAddr); err == nil && cfg.Host != "" && config.Wildcard(cfg.Host) {
		listenAddr = net.JoinHostPort(cfg.Host, p)
	}
	return config.OpenURL(listenAddr, token)
}

// printNetworkURLs prints, under the loopback URL, the URLs to open
// helmd at from another machine when it listens on every interface.
func printNetworkURLs(w io.Writer, cfg config.Config, listenAddr, token, hostName string) {
	_, p, err := net.SplitHostPort(listenAddr)
	port, perr := strconv.Atoi(p)
	if err != nil || perr != nil {
		return
	}
	urls := config.NetworkURLs(cfg.Host, port, token, hostName, config.InterfaceIPs())
	if len(urls) == 0 {
		return
	}
	fmt.Fprintf(w, "Helm on the network: %s\n", strings.Join(urls, " "))
}
