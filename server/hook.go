package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"

	"vibecraft.sh/helm/server/config"
	"vibecraft.sh/helm/server/hook"
)

// runHook is `helmd hook`, a Claude Code command hook: it forwards the
// payload on stdin to the running helmd and exits 0 whatever happens, at
// once when helmd is down and within hook.Timeout when it hangs, so that
// it never slows or fails the user's session. It prints nothing on
// stdout, which Claude Code would add to the conversation for some
// events; with HELM_HOOK_DEBUG set it says on stderr why nothing was sent.
func runHook(ctx context.Context, args []string, stdin io.Reader, home string, stderr io.Writer) error {
	debug := slog.New(slog.NewTextHandler(io.Discard, nil))
	if os.Getenv("HELM_HOOK_DEBUG") != "" {
		debug = slog.New(slog.NewTextHandler(stderr, nil))
	}
	cfg, err := config.Parse(args, os.Getenv, home, io.Discard, io.Discard)
	if err != nil {
		debug.Warn("hook: bad arguments", "err", err)
		return nil
	}
	token := ""
	if cfg.Auth != config.AuthNone {
		token = cfg.Token
		if token == "" {
			// Read, never created: helmd creates it; without it, helmd
			// is not set up, and there is no one to tell.
			if token, err = config.ReadToken(cfg.TokenFile); err != nil {
				debug.Warn("hook: no token", "err", err)
				return nil
			}
		}
	}
	if err := hook.Forward(ctx, stdin, "http://"+dialAddr(cfg), token); err != nil {
		debug.Warn("hook: not delivered", "err", err)
	}
	return nil
}

// dialAddr is where helmd listens, as a client reaches it: a wildcard
// listen address is reached on loopback.
func dialAddr(cfg config.Config) string {
	host := cfg.Host
	if ip := net.ParseIP(strings.Trim(host, "[]")); ip != nil && ip.IsUnspecified() || host == "" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, strconv.Itoa(cfg.Port))
}
