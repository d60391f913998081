package config

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"vibecraft.sh/helm/server/internal/homepath"
	"vibecraft.sh/helm/server/internal/private"
	"vibecraft.sh/helm/server/internal/regular"
)

// Auth modes (--auth).
const (
	AuthToken = "token" // a token on every request but the public assets (default)
	AuthNone  = "none"  // nothing asked: for a single-user machine, loopback only
)

// Token length bounds. A generated token is 32 characters (24 random
// bytes); a shorter one set by hand is too easy to guess, a longer one
// than the maximum is a mistake (it travels in every request).
const (
	MinTokenLen = 16
	MaxTokenLen = 512
)

// maxTokenFile bounds what is read from the token file: it holds one line.
const maxTokenFile = 4 << 10

// ValidToken reports whether t can be a token: MinTokenLen to MaxTokenLen
// characters among the URL's unreserved ones (A–Z a–z 0–9 - . _ ~), so it
// goes unescaped into the printed URL and unchanged into a cookie.
func ValidToken(t string) bool {
	if len(t) < MinTokenLen || len(t) > MaxTokenLen {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '.', c == '_', c == '~':
		default:
			return false
		}
	}
	return true
}

// tokenRule is ValidToken in words, for error messages.
const tokenRule = "16 to 512 characters among A-Z a-z 0-9 - . _ ~"

// NewToken returns a fresh random token.
func NewToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

// ParseToken reads a token file's content: one token, surrounding white
// space (an editor's final newline) ignored.
func ParseToken(content []byte) (string, error) {
	t := strings.TrimSpace(string(content))
	if !ValidToken(t) {
		return "", fmt.Errorf("it does not hold a valid token (%s)", tokenRule)
	}
	return t, nil
}

// ResolveToken is the token helmd requires: "" with --auth none, else
// --token / HELM_TOKEN, else the token file's, created on first use.
// created reports a token generated just now.
func (c Config) ResolveToken() (token string, created bool, err error) {
	switch {
	case c.Auth == AuthNone:
		return "", false, nil
	case c.Token != "":
		return c.Token, false, nil
	case c.TokenFile == "":
		return "", false, errors.New("no folder for the token file (no HOME or XDG_CONFIG_HOME): set --token-file, HELM_TOKEN or --auth none")
	}
	return LoadOrCreateToken(c.TokenFile)
}

// LoadOrCreateToken returns the token kept in path, generating it (file
// 0600, folder 0700) when there is none. A token file others can read is
// refused rather than fixed: its token may already be known, and a file
// the user manages is not ours to rewrite; the error says what to do.
func LoadOrCreateToken(path string) (token string, created bool, err error) {
	t, err := readTokenFile(path)
	if err == nil {
		return t, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", false, err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", false, fmt.Errorf("token folder: %w", err)
	}
	if err := checkFolder(dir); err != nil {
		return "", false, err
	}
	t = NewToken()
	switch err := writeNew(path, t); {
	case errors.Is(err, fs.ErrExist):
		// Another helmd (or helmd url) created it meanwhile: use theirs.
		t, err := readTokenFile(path)
		return t, false, err
	case err != nil:
		return "", false, fmt.Errorf("token file %s: %w", path, err)
	}
	return t, true, nil
}

// readTokenFile reads and checks an existing token file.
func readTokenFile(path string) (string, error) {
	f, err := regular.Open(path) // os.Open waited on a FIFO before any check
	if errors.Is(err, regular.ErrNotRegular) {
		return "", fmt.Errorf("token file %s is not a regular file", path)
	}
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		return "", fmt.Errorf("token file: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("token file: %w", err)
	}
	if err := private.Owned("token file "+path, st); err != nil {
		// Another account made it (first, under a shared folder): it knows
		// the token, whatever the mode; only root could read it at all.
		return "", err
	}
	switch {
	case othersMayRead(st.Mode()):
		return "", fmt.Errorf("token file %s can be read by other users (mode %04o), so its token may be known: "+
			"delete it to get a new token (old links stop working), or `chmod 600` it to keep this one", path, st.Mode().Perm())
	case st.Size() > maxTokenFile:
		return "", fmt.Errorf("token file %s is %d bytes, too large for a token: delete it to get a new one", path, st.Size())
	}
	b, err := io.ReadAll(io.LimitReader(f, maxTokenFile+1))
	if err != nil {
		return "", fmt.Errorf("token file: %w", err)
	}
	t, err := ParseToken(b)
	if err != nil {
		return "", fmt.Errorf("token file %s: %w: delete it to get a new one", path, err)
	}
	return t, nil
}

// ReadToken reads the token of an existing token file, as a client (a
// command, the hook) does: it need not be private, but it must be a
// regular file, and only its first maxTokenFile bytes are read. A FIFO
// held helmd hook, and with it the session it runs for, in open(2).
//
// It must be the user's, and no one else may write it: a client sends
// what it talks to (the hook: the session's tool input and paths) to
// whatever proves the file's token, so a token another account put
// there lets that account, listening on helmd's port while helmd is
// down, prove it and be sent all that.
func ReadToken(path string) (string, error) {
	f, err := regular.Open(path)
	if err != nil {
		return "", fmt.Errorf("token file: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("token file: %w", err)
	}
	if err := private.Owned("token file "+path, st); err != nil {
		return "", err
	}
	if othersMayWrite(st.Mode()) {
		return "", fmt.Errorf("token file %s can be written by other users (mode %04o), who could put a token of theirs there: "+
			"`chmod 600` it", path, st.Mode().Perm())
	}
	b, err := io.ReadAll(io.LimitReader(f, maxTokenFile))
	if err != nil {
		return "", fmt.Errorf("token file %s: %w", path, err)
	}
	t, err := ParseToken(b)
	if err != nil {
		return "", fmt.Errorf("token file %s: %w", path, err)
	}
	return t, nil
}

// checkFolder refuses a token folder others may write to, or another
// account's: they could swap the token file for one whose token they know.
func checkFolder(dir string) error {
	st, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("token folder: %w", err)
	}
	if uid, foreign := private.ForeignOwner(st); foreign {
		return fmt.Errorf("token folder %s belongs to another account (uid %d), which could put its own token there: "+
			"choose a folder of your own (--token-file)", dir, uid)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm()&0o022 != 0 && st.Mode()&fs.ModeSticky == 0 {
		return fmt.Errorf("token folder %s can be written by other users (mode %04o): `chmod 700` it", dir, st.Mode().Perm())
	}
	return nil
}

// writeNew writes the token to a private temporary file and links it into
// place, so the file is never seen half-written and an existing one is
// never replaced (fs.ErrExist then).
func writeNew(path, token string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".token-*") // mode 0600
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(token + "\n"); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Link(tmp.Name(), path)
}

// othersMayRead reports group or other permission bits. Windows has no
// such bits (every file reads as 0666), its folders' ACLs protect it.
func othersMayRead(m fs.FileMode) bool {
	return runtime.GOOS != "windows" && m.Perm()&0o077 != 0
}

// othersMayWrite reports group or other write bits (never on Windows,
// as othersMayRead).
func othersMayWrite(m fs.FileMode) bool {
	return runtime.GOOS != "windows" && m.Perm()&0o022 != 0
}

// DefaultTokenFile is $XDG_CONFIG_HOME/helm/token, else
// ~/.config/helm/token; "" when neither is known.
func DefaultTokenFile(env Env, home string) string {
	if x := env("XDG_CONFIG_HOME"); x != "" {
		return filepath.Join(homepath.Expand(x, home), "helm", "token")
	}
	if home == "" {
		return ""
	}
	return filepath.Join(home, ".config", "helm", "token")
}

// OpenURL is the address a user opens for a server listening on addr
// (host:port): an unspecified host (0.0.0.0, ::) becomes loopback, and the
// token, when there is one, rides in the query, which helmd swaps for a
// cookie on first use.
func OpenURL(addr, token string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		host, port = addr, ""
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
		if ip.To4() == nil {
			host = "::1"
		}
	}
	if port != "" {
		host = net.JoinHostPort(host, port)
	}
	u := "http://" + host + "/"
	if token != "" {
		u += "?token=" + url.QueryEscape(token)
	}
	return u
}
