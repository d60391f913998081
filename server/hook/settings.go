package hook

import (
	"bytes"
	"encoding/json"
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

type command struct {
	Type    string `json:"type"`
	Command string `json:"command"`
	Timeout int    `json:"timeout"`
}

type group struct {
	Matcher string    `json:"matcher,omitempty"`
	Hooks   []command `json:"hooks"`
}

// Snippet is the settings.json fragment that installs cmd.
func Snippet(cmd string) ([]byte, error) {
	hooks := map[string][]group{}
	for _, e := range events {
		hooks[e.name] = []group{{Matcher: e.matcher, Hooks: []command{{Type: "command", Command: cmd, Timeout: hookTimeout}}}}
	}
	return json.MarshalIndent(map[string]any{"hooks": hooks}, "", "  ")
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
	f, err := regular.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSettings+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxSettings {
		return nil, fmt.Errorf("larger than %d MiB, which no settings file is; not read", maxSettings>>20)
	}
	return b, nil
}

// Install merges cmd into the settings file at path: for each event, a
// group running cmd, unless one already runs a Helm hook (whose command
// is then brought up to date). Every other key and hook is kept. When
// something changes, the old file is first copied to
// <path>.helm-backup-<time>, and the new one replaces it atomically
// (when path is a symbolic link, the file it links to: the link stays,
// and the backup is beside it).
// It returns whether it wrote, and the backup's path ("" for none).
func Install(path, cmd string, now time.Time) (changed bool, backup string, err error) {
	s, err := load(path)
	if err != nil {
		return false, "", err
	}
	if !merge(s.hooks, cmd) {
		return false, "", nil
	}
	raw, err := json.Marshal(s.hooks)
	if err != nil {
		return false, "", fmt.Errorf("encode hooks: %w", err)
	}
	s.keys["hooks"] = raw
	backup, err = s.save(path, now)
	return err == nil, backup, err
}

// settings is a settings file as read: its keys as written, and its
// hooks decoded, to change.
type settings struct {
	old    []byte // the file, to back up
	exists bool
	keys   map[string]json.RawMessage
	hooks  map[string][]map[string]any
}

// load reads the settings file at path; one not there reads as empty.
// A file, or "hooks", that says null reads as empty too, as Claude Code
// reads it: Unmarshal leaves a nil map for null, which panicked later.
func load(path string) (*settings, error) {
	old, err := readSettings(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	s := &settings{old: old, exists: err == nil}
	if s.exists && len(bytes.TrimSpace(old)) > 0 {
		if err := json.Unmarshal(old, &s.keys); err != nil {
			return nil, fmt.Errorf("%s is not a JSON object; fix or move it first: %w", path, err)
		}
	}
	if s.keys == nil {
		s.keys = map[string]json.RawMessage{}
	}
	if raw, ok := s.keys["hooks"]; ok {
		d := json.NewDecoder(bytes.NewReader(raw))
		d.UseNumber() // numbers stay as written
		if err := d.Decode(&s.hooks); err != nil {
			return nil, fmt.Errorf("%s: \"hooks\" is not in Claude Code's shape: %w", path, err)
		}
	}
	if s.hooks == nil {
		s.hooks = map[string][]map[string]any{}
	}
	return s, nil
}

// save writes s.keys to path, after copying the file that was there to
// a backup (writeBackup), whose path it returns ("" for none).
func (s *settings) save(path string, now time.Time) (backup string, err error) {
	out, err := json.MarshalIndent(s.keys, "", "  ")
	if err != nil {
		return "", fmt.Errorf("encode settings: %w", err)
	}
	out = append(out, '\n')
	mode := fs.FileMode(0o600)
	if s.exists {
		if st, err := os.Stat(path); err == nil {
			mode = st.Mode().Perm()
		}
		if backup, err = writeBackup(path, s.old, now); err != nil {
			return "", fmt.Errorf("backup: %w", err)
		}
	}
	dest, err := target(path)
	if err != nil {
		return backup, fmt.Errorf("write %s: %w", path, err)
	}
	return backup, writeAtomic(dest, out, mode)
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
			return path, nil // no folder yet: writeAtomic makes it
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

// merge adds cmd to each event of hooks that has no Helm hook yet, and
// updates the command of those that have one; it reports a change.
func merge(hooks map[string][]map[string]any, cmd string) bool {
	changed := false
	for _, e := range events {
		found := false
		for _, g := range hooks[e.name] {
			list, _ := g["hooks"].([]any)
			for _, h := range list {
				m, ok := h.(map[string]any)
				if !ok {
					continue
				}
				if c, _ := m["command"].(string); c == cmd || isHelmHook(c) {
					found = true
					if c != cmd {
						m["command"] = cmd
						changed = true
					}
				}
			}
		}
		if found {
			continue
		}
		g := map[string]any{"hooks": []any{map[string]any{"type": "command", "command": cmd, "timeout": hookTimeout}}}
		if e.matcher != "" {
			g["matcher"] = e.matcher
		}
		hooks[e.name] = append(hooks[e.name], g)
		changed = true
	}
	return changed
}

// isHelmHook reports whether a command line runs `helmd hook`, from
// wherever the binary was when it was installed.
func isHelmHook(c string) bool {
	bin, rest, _ := strings.Cut(strings.TrimSpace(c), " hook")
	bin = strings.Trim(bin, `'"`)
	return filepath.Base(bin) == "helmd" && (rest == "" || strings.HasPrefix(rest, " "))
}

func writeAtomic(path string, data []byte, mode fs.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".settings-*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
