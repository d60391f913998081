package push

import (
	"crypto/ecdh"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strings"
)

// Subscription is a browser's PushSubscription, as its toJSON() gives it.
type Subscription struct {
	Endpoint string `json:"endpoint"`
	Keys     Keys   `json:"keys"`
	// CreatedAt (epoch ms) orders subscriptions: past the bound, the oldest
	// goes first.
	CreatedAt int64 `json:"createdAt,omitempty"`
}

// Keys are the subscription's encryption keys, base64url.
type Keys struct {
	P256dh string `json:"p256dh"`
	Auth   string `json:"auth"`
}

const (
	// MaxBody bounds a subscribe or unsubscribe request body: a real
	// subscription is a few hundred bytes.
	MaxBody = 4 << 10
	// maxEndpoint bounds an endpoint URL (push services use < 600 bytes).
	maxEndpoint = 2048
)

// ErrBadSubscription wraps every reason a subscription is refused.
var ErrBadSubscription = errors.New("bad push subscription")

func bad(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadSubscription, fmt.Sprintf(format, args...))
}

// ParseSubscription reads and checks a subscription: an https endpoint
// with no credentials in it, on a public host as far as its URL shows
// (checkHost), a P-256 point as p256dh and a 16-byte auth secret.
// Anything else is an error wrapping ErrBadSubscription.
func ParseSubscription(body []byte) (Subscription, error) {
	return parseSubscription(body, public)
}

// parseSubscription is ParseSubscription with the endpoint's host held to
// r: public, but for tests.
func parseSubscription(body []byte, r reach) (Subscription, error) {
	var s Subscription
	if len(body) > MaxBody {
		return s, bad("body over %d bytes", MaxBody)
	}
	if err := json.Unmarshal(body, &s); err != nil {
		return Subscription{}, bad("not a JSON subscription: %v", err)
	}
	s.CreatedAt = 0 // the server's to set
	u, err := checkEndpoint(s.Endpoint)
	if err != nil {
		return Subscription{}, err
	}
	if err := checkHost(u.Hostname(), r); err != nil {
		return Subscription{}, err
	}
	keys, err := checkKeys(s.Keys)
	if err != nil {
		return Subscription{}, err
	}
	s.Keys = keys
	return s, nil
}

// ParseEndpoint reads an unsubscribe body: a subscription or just
// {"endpoint": …}; only the endpoint is used. Its host is not held to
// public addresses: forgetting an endpoint sends nothing to it.
func ParseEndpoint(body []byte) (string, error) {
	if len(body) > MaxBody {
		return "", bad("body over %d bytes", MaxBody)
	}
	var s struct {
		Endpoint string `json:"endpoint"`
	}
	if err := json.Unmarshal(body, &s); err != nil {
		return "", bad("not JSON: %v", err)
	}
	_, err := checkEndpoint(s.Endpoint)
	return s.Endpoint, err
}

// checkEndpoint accepts only what a push service hands out: an absolute
// https URL with a host, no user:password (it would be sent to that host
// and logged), no fragment.
func checkEndpoint(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, bad("no endpoint")
	}
	if len(raw) > maxEndpoint {
		return nil, bad("endpoint over %d bytes", maxEndpoint)
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return nil, bad("endpoint is not a URL")
	case u.Scheme != "https":
		return nil, bad("endpoint must be an https URL")
	case u.Host == "" || u.Hostname() == "":
		return nil, bad("endpoint has no host")
	case u.User != nil:
		return nil, bad("endpoint must not carry credentials")
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return nil, bad("endpoint must not have a fragment")
	case strings.ContainsAny(raw, " \t\r\n"):
		return nil, bad("endpoint has white space")
	}
	return u, nil
}

// checkHost refuses an endpoint host that is plainly not a push service's
// (egress.go says why that matters): an address r refuses, written as an
// IP literal in any spelling netip reads (::ffff:127.0.0.1 included);
// localhost and its subdomains (RFC 6761); an IPv4 address in a form some
// resolvers take and netip does not (2130706433, 0x7f.1, 127.1, 0177.0.0.1),
// caught as a host whose last label is a number, as browsers do; and a
// host that is not ASCII, which the sender would rewrite by IDNA (full-width
// "１２７.０.０.１" becomes 127.0.0.1). A name may still resolve to
// anything: this is the early, clear answer, not the only check.
func checkHost(host string, r reach) error {
	name := strings.TrimRight(host, ".") // "localhost." is localhost
	if a, err := netip.ParseAddr(name); err == nil {
		if kind := r.refuse(a); kind != "" {
			return bad("endpoint host %s is %s: push services are on public addresses", host, kind)
		}
		return nil
	}
	lower := strings.ToLower(name)
	switch {
	case name == "":
		return bad("endpoint has no host")
	case !isASCII(host):
		return bad("endpoint host must be plain ASCII (push services' are)")
	case lower == "localhost" || strings.HasSuffix(lower, ".localhost"):
		return bad("endpoint host %s is this machine: push services are on public hosts", host)
	case endsInNumber(lower):
		return bad("endpoint host %s is neither a name nor an IP address in its usual form", host)
	}
	return nil
}

// endsInNumber is the URL Standard's test for a host meant as IPv4: its
// last label is decimal digits or 0x and hex digits.
func endsInNumber(host string) bool {
	last := host[strings.LastIndexByte(host, '.')+1:]
	if hex, ok := strings.CutPrefix(last, "0x"); ok {
		return strings.Trim(hex, "0123456789abcdef") == ""
	}
	return last != "" && strings.Trim(last, "0123456789") == ""
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// checkKeys returns the keys in one spelling (unpadded base64url): the
// library guesses between alphabets, and a stored key should read one way.
func checkKeys(k Keys) (Keys, error) {
	p, err := decodeKey(k.P256dh)
	if err != nil {
		return Keys{}, bad("keys.p256dh is not base64url")
	}
	if _, err := ecdh.P256().NewPublicKey(p); err != nil {
		return Keys{}, bad("keys.p256dh is not a P-256 public key")
	}
	a, err := decodeKey(k.Auth)
	if err != nil {
		return Keys{}, bad("keys.auth is not base64url")
	}
	if len(a) != 16 {
		return Keys{}, bad("keys.auth must be 16 bytes, not %d", len(a))
	}
	enc := base64.RawURLEncoding.EncodeToString
	return Keys{P256dh: enc(p), Auth: enc(a)}, nil
}

// decodeKey reads base64url with or without padding, as browsers and
// libraries differ.
func decodeKey(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}
