package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"vibecraft.sh/helm/server/config"
	"vibecraft.sh/helm/server/hook"
)

// hooksUsage heads `helmd hooks --help`; the flags follow.
const hooksUsage = `Usage: helmd hooks [--install | --uninstall] [flags]

Prints the settings.json snippet that makes Claude Code tell helmd at once
when a session waits; --install merges it into Claude Code's settings.json,
after a backup, and --uninstall takes Helm's hooks out of it again, after a
backup, leaving every other key and hook. The hooks reach the helmd these
flags name: they are helmd's own flags, give the ones helmd was started with.

Flags:
`

// hooksFlags are helmd's flags the hook command needs (hookArgs).
var hooksFlags = []string{"host", "port", "auth", "token-file"}

// printHooks is `helmd hooks`: it prints the settings.json snippet that
// makes Claude Code tell helmd at once when a session starts waiting,
// with --install merges it into Claude Code's settings.json, and with
// --uninstall takes Helm's hooks out of it, each after a backup. Those
// are the only writes Helm ever makes in Claude Code's folder, and only
// on this command.
func printHooks(args []string, home string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("hooks", flag.ContinueOnError)
	install := fs.Bool("install", false, "merge the hooks into Claude Code's settings.json (env CLAUDE_CONFIG_DIR; default ~/.claude), after a backup")
	uninstall := fs.Bool("uninstall", false, "remove Helm's hooks from Claude Code's settings.json, after a backup; every other key and hook stays")
	cfg, err := config.ParseCommand(fs, hooksUsage, hooksFlags, args, os.Getenv, home, stdout, stderr)
	switch {
	case errors.Is(err, config.ErrHelp):
		return nil
	case err != nil:
		return err
	case *install && *uninstall:
		return errors.New("hooks: --install or --uninstall, not both")
	}
	bin, err := os.Executable()
	if err != nil {
		return fmt.Errorf("hooks: where is this binary? %w", err)
	}
	if abs, err := filepath.EvalSymlinks(bin); err == nil {
		bin = abs
	}
	if *uninstall {
		return uninstallHooks(hook.SettingsFile(os.Getenv("CLAUDE_CONFIG_DIR"), home), bin, stdout)
	}
	hargs, err := hookArgs(cfg, home)
	if err != nil {
		return fmt.Errorf("hooks: %w", err)
	}
	cmd := hook.Command(bin, hargs...)
	if !*install {
		snippet, err := hook.Snippet(cmd)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "%s\n", snippet)
		return err
	}
	dir := os.Getenv("CLAUDE_CONFIG_DIR")
	path := hook.SettingsFile(dir, home)
	changed, backup, err := hook.Install(path, cmd, time.Now())
	if err != nil {
		return fmt.Errorf("hooks --install: %w", err)
	}
	switch {
	case !changed:
		fmt.Fprintf(stdout, "Helm's hooks are already in %s; nothing changed.\n", path)
	case backup != "":
		fmt.Fprintf(stdout, "Helm's hooks added to %s (the previous file is in %s).\n", path, backup)
	default:
		fmt.Fprintf(stdout, "Helm's hooks written to %s.\n", path)
	}
	return nil
}

// uninstallHooks is `helmd hooks --uninstall`: it takes Helm's hooks out
// of the settings file at path (those of bin, this binary, whatever its
// name), and says what it did.
func uninstallHooks(path, bin string, stdout io.Writer) error {
	removed, backup, err := hook.Uninstall(path, bin, time.Now())
	if err != nil {
		return fmt.Errorf("hooks --uninstall: %w", err)
	}
	if removed == 0 {
		_, err = fmt.Fprintf(stdout, "No Helm hooks installed in %s; nothing changed.\n", path)
		return err
	}
	_, err = fmt.Fprintf(stdout, "Helm's hooks removed from %s (%d of them; the previous file is in %s).\n", path, removed, backup)
	return err
}

// hookArgs are the flags the hook command needs to find this helmd: the
// host and port always (a HOST or PORT set in the session's environment
// for another program must not send the token there); --auth none for a
// helmd that wants no token, which has no token file to read, and
// without it the hook, finding none, sent nothing; else the token file
// when it is not the default, as an absolute path: Claude Code runs the
// hook from the session's project folder, where a relative one names
// another file, or none.
func hookArgs(cfg config.Config, home string) ([]string, error) {
	args := []string{"--host", cfg.Host, "--port", strconv.Itoa(cfg.Port)}
	if cfg.Auth == config.AuthNone {
		return append(args, "--auth", config.AuthNone), nil
	}
	if cfg.TokenFile != config.DefaultTokenFile(os.Getenv, home) {
		file, err := filepath.Abs(cfg.TokenFile)
		if err != nil {
			return nil, fmt.Errorf("token file %s: %w", cfg.TokenFile, err)
		}
		args = append(args, "--token-file", file)
	}
	return args, nil
}
