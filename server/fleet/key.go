package fleet

import (
	"errors"
	"strings"

	"vibecraft.sh/helm/shared"
)

// Keys of the helm_sessions bucket:
//
//	<host>                   the host's heartbeat
//	<host>.<source>.<id>     one session
//	=.<host>.<instance>      a helmd refused <host>, held by another (heartbeat.go)
//
// JetStream keys allow only [-/_=.a-zA-Z0-9] and '.' separates tokens, so
// each token is escaped: every byte outside [-_a-zA-Z0-9] becomes =XX
// (upper-case hex), and the empty string becomes a lone "=". Escaping is
// one-to-one, so two hosts or ids never share a key.

// escapeToken makes s one key token.
func escapeToken(s string) string {
	if s == "" {
		return "="
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if safe(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('=')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

func safe(c byte) bool {
	return c == '-' || c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

var errBadKey = errors.New("not a helm key")

// unescapeToken undoes escapeToken; it refuses anything escapeToken could
// not have made, so one key has one meaning.
func unescapeToken(t string) (string, error) {
	if t == "=" {
		return "", nil
	}
	if t == "" {
		return "", errBadKey
	}
	var b strings.Builder
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c != '=' {
			if !safe(c) {
				return "", errBadKey
			}
			b.WriteByte(c)
			continue
		}
		if i+2 >= len(t) {
			return "", errBadKey
		}
		v, ok := unhex(t[i+1], t[i+2])
		if !ok || safe(v) {
			return "", errBadKey
		}
		b.WriteByte(v)
		i += 2
	}
	return b.String(), nil
}

func unhex(a, b byte) (byte, bool) {
	x, ok1 := nibble(a)
	y, ok2 := nibble(b)
	return x<<4 | y, ok1 && ok2
}

func nibble(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// HeartbeatKey is the key of host's heartbeat.
func HeartbeatKey(host string) string { return escapeToken(host) }

// SessionKey is the key of one of host's sessions.
func SessionKey(host string, src shared.Source, id string) string {
	return escapeToken(host) + "." + escapeToken(string(src)) + "." + escapeToken(id)
}

// TwinKey is the key a helmd refused host writes while another holds it,
// so that hubs can say so. Its first token is the empty host, which no
// host's key has: a host's prefix (HostPrefix) never takes it in, so
// the holder's reconcile leaves it alone.
func TwinKey(host, instance string) string {
	return "=." + escapeToken(host) + "." + escapeToken(instance)
}

// HostPrefix is the filter of every session key of host ("<host>.>").
func HostPrefix(host string) string { return escapeToken(host) + ".>" }

// Key is a parsed bucket key.
type Key struct {
	Host      string
	Heartbeat bool // the host's heartbeat; Source and ID are empty
	// Twin is the instance of a helmd refused Host (TwinKey); Source and
	// ID are empty.
	Twin   string
	Source shared.Source
	ID     string
}

// ParseKey reads a key of the bucket; anything else is an error.
func ParseKey(k string) (Key, error) {
	parts := strings.Split(k, ".")
	if len(parts) != 1 && len(parts) != 3 {
		return Key{}, errBadKey
	}
	vals := make([]string, len(parts))
	for i, p := range parts {
		v, err := unescapeToken(p)
		if err != nil {
			return Key{}, err
		}
		vals[i] = v
	}
	if len(vals) == 3 && vals[0] == "" {
		if vals[1] == "" || strings.Contains(vals[1], "@") || vals[2] == "" {
			return Key{}, errBadKey
		}
		return Key{Host: vals[1], Twin: vals[2]}, nil
	}
	// '@' joins a remote session's id to its host in its list key
	// (claude:<id>@<host>): in either, it made two keys one.
	if vals[0] == "" || strings.Contains(vals[0], "@") {
		return Key{}, errBadKey
	}
	if len(vals) == 1 {
		return Key{Host: vals[0], Heartbeat: true}, nil
	}
	if vals[2] == "" || vals[1] == "" || strings.Contains(vals[2], "@") {
		return Key{}, errBadKey
	}
	return Key{Host: vals[0], Source: shared.Source(vals[1]), ID: vals[2]}, nil
}
