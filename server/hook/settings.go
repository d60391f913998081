package hook

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"vibecraft.sh/helm/server/internal/homepath"
	"vibecraft.sh/helm/server/internal/regular"
)

// events are the hook events Helm listens to, with their matcher ("" for
// none). Notification's matcher is the notification type: the three that
// wait for the user, not auth_success.
var events = []struct{ name, matcher string }{
	{"Notification", "permission_prompt|idle_prompt|elicitation_dialog"},
	{"PermissionRequest", "*"},
	{"Stop", ""},
	{"SubagentStop", ""},
	{"UserPromptSubmit", ""},
	{"SessionStart", ""},
	{"SessionEnd", ""},
}

// hookTimeout is the timeout (seconds) Claude Code gives the command; the
// command itself gives up after Timeout.
const hookTimeout = 5

// Command is the hook command line: the binary, quoted for the shell
// Claude Code runs it with, then "hook" and args (e.g. the port, so that
// a PORT meant for another program cannot redirect it).
func Command(bin string, args ...string) string {
	parts := []string{shellQuote(bin), "hook"}
	for _, a := range args {
		parts = append(parts, shellQuote(a))
	}
	return strings.Join(parts, " ")
}

func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@,+", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Snippet is the settings.json fragment that installs cmd: what Install
// writes into an empty settings file.
func Snippet(cmd string) ([]byte, error) {
	hooks := newObject()
	if _, err := merge(hooks, cmd); err != nil {
		return nil, err
	}
	d := &document{empty: true, f: format{indent: "  ", nl: "\n"}}
	return bytes.TrimRight(d.withHooks(hooks), "\n"), nil
}

// SettingsFile is Claude Code's user settings file: settings.json in
// CLAUDE_CONFIG_DIR, else in ~/.claude.
func SettingsFile(claudeConfigDir, home string) string {
	if claudeConfigDir != "" {
		// Helm accepts a comma-separated list; Claude Code uses one folder.
		first, _, _ := strings.Cut(claudeConfigDir, ",")
		return filepath.Join(homepath.Expand(strings.TrimSpace(first), home), "settings.json")
	}
	return filepath.Join(home, ".claude", "settings.json")
}

// maxSettings bounds the settings file read: Claude Code's is a few KB,
// and the whole file is held, decoded and written again.
const maxSettings = 16 << 20

// readSettings reads the settings file, which must be a regular file (a
// FIFO held the command in open(2) until something wrote to it) of at
// most maxSettings bytes.
func readSettings(path string) ([]byte, error) {
	b, _, err := readSettingsStat(path)
	return b, err
}

// readSettingsStat is readSettings, with the state of the file it read
// (taken from the open file, before reading it): edit checks the file is
// still so just before replacing it.
func readSettingsStat(path string) ([]byte, fs.FileInfo, error) {
	f, err := regular.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	b, err := io.ReadAll(io.LimitReader(f, maxSettings+1))
	if err != nil {
		return nil, nil, err
	}
	if len(b) > maxSettings {
		return nil, nil, fmt.Errorf("larger than %d MiB, which no settings file is; not read", maxSettings>>20)
	}
	return b, st, nil
}

// maxLinks bounds the links target follows, as Linux's ELOOP does.
const maxLinks = 40

// target is the file path names, its symbolic links followed, and where
// a new settings file is written: a settings.json that links into a
// dotfiles repository is written there, the link kept, where renaming
// over the link made it a regular file and the repository never saw the
// change. A link to a file not there yet names where to create it.
func target(path string) (string, error) {
	for range maxLinks {
		// The folder first, links and all, so that a link's "../" is
		// taken from where the link really is.
		dir, err := filepath.EvalSymlinks(filepath.Dir(path))
		if errors.Is(err, fs.ErrNotExist) {
			return path, nil // no folder yet: replace makes it
		}
		if err != nil {
			return "", err
		}
		path = filepath.Join(dir, filepath.Base(path))
		st, err := os.Lstat(path)
		if errors.Is(err, fs.ErrNotExist) || err == nil && st.Mode()&fs.ModeSymlink == 0 {
			return path, nil
		}
		if err != nil {
			return "", err
		}
		link, err := os.Readlink(path)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(link) {
			link = filepath.Join(dir, link)
		}
		path = link
	}
	return "", fmt.Errorf("more than %d symbolic links", maxLinks)
}

// maxBackups bounds the names writeBackup tries for one second.
const maxBackups = 100

// writeBackup copies data to a new file <path>.helm-backup-<now>, or
// with -2, -3 … after it when that exists: never over an existing one,
// where a second change within the same second took the first's name and
// the user's own settings, which only the first held, were lost.
func writeBackup(path string, data []byte, now time.Time) (string, error) {
	base := path + ".helm-backup-" + now.UTC().Format("20060102T150405Z")
	for i := 1; i <= maxBackups; i++ {
		name := base
		if i > 1 {
			name = fmt.Sprintf("%s-%d", base, i)
		}
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		_, err = f.Write(data)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(name) // a partial copy is no backup
			return "", err
		}
		return name, nil
	}
	return "", fmt.Errorf("%s and -2 to -%d all exist", base, maxBackups)
}
