package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"vibecraft.sh/helm/server/config"
)

// printURL is `helmd url`: the address to open, token included, from the
// same flags, environment and token file helmd uses. It needs no running
// helmd (it creates the token file if none exists yet, as helmd would),
// but cannot know a port chosen with --port 0.
// With --host 0.0.0.0 or ::, the URLs by host name and address follow
// on stderr.
func printURL(args []string, home string, stdout, stderr io.Writer) error {
	cfg, err := config.Parse(args, os.Getenv, home, stderr)
	switch {
	case errors.Is(err, config.ErrHelp), errors.Is(err, config.ErrVersion):
		return nil
	case err != nil:
		return err
	}
	token, _, err := cfg.ResolveToken()
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
