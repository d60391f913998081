package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"

	"vibecraft.sh/helm/server/cli"
	"vibecraft.sh/helm/server/config"
)

// runningNeedsToken asks the helmd at an address whether it wants a token
// (cli.NeedsToken); a variable so that a test of the flags alone is not
// swayed by a helmd someone runs on this machine.
var runningNeedsToken = cli.NeedsToken

// urlUsage heads `helmd url --help`; the flags follow.
const urlUsage = `Usage: helmd url [flags]

Prints the URL to open Helm: the address of the helmd these flags name, with
its access token if it wants one. They are helmd's own flags: give the ones
helmd was started with.

Flags:
`

// urlFlags are helmd's flags that decide the URL: where helmd listens,
// and its token.
var urlFlags = []string{"host", "port", "auth", "token", "token-file"}

// printURL is `helmd url`: the address to open, token included, from the
// same flags, environment and token file helmd uses. When a helmd answers
// at that address, the URL is the one it takes, however it was started:
// without a token if it wants none (--auth none, given helmd url too: one
// holding a token does not take that word, which any program on the
// port can say, and its URL would open that program's page), with the
// token file's (or --token's) if it wants one. With none running, it is the URL helmd
// started with these settings would print (the token file is created if
// none exists yet, as helmd would), but a port chosen with --port 0 is
// not known; stderr says that none is running there. Something else
// answering there (or nothing), or a helmd that refuses the token, is an
// error, exit 1, and no URL.
// With --host 0.0.0.0 or ::, the URLs by host name and address follow
// on stderr.
func printURL(ctx context.Context, args []string, home string, stdout, stderr io.Writer) error {
	cfg, err := config.ParseCommand(flag.NewFlagSet("url", flag.ContinueOnError), urlUsage, urlFlags, args, os.Getenv, home, stdout, stderr)
	switch {
	case errors.Is(err, config.ErrHelp):
		return nil
	case err != nil:
		return err
	}
	token, err := urlToken(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintln(stdout, config.OpenURL(cfg.Addr(), token)); err != nil {
		return err
	}
	// Listening everywhere, the URLs for other machines go to stderr:
	// stdout stays the one URL that scripts open.
	printNetworkURLs(stderr, cfg, cfg.Addr(), token, osHostName())
	return nil
}

// urlToken is the token the URL carries: the one cfg gives, unless the
// helmd running at cfg's address says otherwise. Anything else answering
// there, or nothing, is an error: the URL would not open Helm.
func urlToken(ctx context.Context, cfg config.Config, stderr io.Writer) (string, error) {
	// The token file is made only once it is known that no helmd runs
	// there (below): one made for a running helmd that keeps its token
	// elsewhere is a token nothing takes, left behind.
	missing := tokenFileMissing(cfg)
	token := ""
	if !missing {
		t, _, err := cfg.ResolveToken()
		if err != nil {
			return "", err
		}
		token = t
	}
	needs, err := runningNeedsToken(ctx, config.OpenURL(cfg.Addr(), ""), token)
	switch {
	case err == nil && !needs:
		return "", nil // started with --auth none
	case err == nil:
		return token, nil
	case errors.Is(err, cli.ErrTokenRefused) && cfg.Auth == config.AuthNone:
		// --auth none here, but the running helmd wants a token: the
		// one helmd keeps.
		cfg.Auth = config.AuthToken
		return urlToken(ctx, cfg, stderr)
	case errors.Is(err, cli.ErrTokenRefused) && missing:
		return "", fmt.Errorf("helmd at %s wants a token, and token file %s does not exist: give helmd url the --token-file or --token helmd was started with",
			cfg.Addr(), cfg.TokenFile)
	case errors.Is(err, cli.ErrTokenRefused):
		// A URL with this token would open nothing: no URL, exit 1, as
		// the other commands refuse when the token is refused.
		return "", &tokenRefusedError{addr: cfg.Addr(), err: err}
	case errors.Is(err, cli.ErrNotRunning):
		// The URL is still printed, and exit 0: it is the one helmd will
		// take once started with these settings (its token file is made
		// now if need be), which a setup step may ask for before the
		// first start. But alone it reads as if Helm were serving there.
		fmt.Fprintf(stderr, "helmd: helmd is not running at %s (connection refused): the URL opens Helm once helmd is started with these settings\n",
			cfg.Addr())
		if missing {
			t, _, err := cfg.ResolveToken()
			return t, err
		}
		return token, nil
	}
	// Another server, or a port that never answers: its words say which.
	return "", err
}

// tokenRefusedError is a running helmd (or what answers as one) that
// does not take the token helmd url found. It says what to give in
// helmd url's words; the refusal's own (cli.ErrTokenRefused, and why the
// token was kept back) stay for errors.Is.
type tokenRefusedError struct {
	addr string
	err  error
}

func (e *tokenRefusedError) Error() string {
	return "what answers at " + e.addr + " does not take this token: a helmd started with another --token, HELM_TOKEN or " +
		"--token-file (give helmd url the same), or another program holding the port"
}

func (e *tokenRefusedError) Unwrap() error { return e.err }

// tokenFileMissing reports that cfg's token comes from a token file that
// does not exist yet.
func tokenFileMissing(cfg config.Config) bool {
	if cfg.Auth == config.AuthNone || cfg.Token != "" || cfg.TokenFile == "" {
		return false
	}
	_, err := os.Stat(cfg.TokenFile)
	return errors.Is(err, fs.ErrNotExist)
}
