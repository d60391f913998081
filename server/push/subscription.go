package push

import (
	"crypto/ecdh"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
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
// with no credentials in it, a P-256 point as p256dh and a 16-byte auth
// secret. Anything else is an error wrapping ErrBadSubscription.
func ParseSubscription(body []byte) (Subscription, error) {
	var s Subscription
	if len(body) > MaxBody {
		return s, bad("body over %d bytes", MaxBody)
	}
	if err := json.Unmarshal(body, &s); err != nil {
		return Subscription{}, bad("not a JSON subscription: %v", err)
	}
	s.CreatedAt = 0 // the server's to set
	if err := checkEndpoint(s.Endpoint); err != nil {
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
// {"endpoint": …}; only the endpoint is used.
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
	return s.Endpoint, checkEndpoint(s.Endpoint)
}

// checkEndpoint accepts only what a push service hands out: an absolute
// https URL with a host, no user:password (it would be sent to that host
// and logged), no fragment.
func checkEndpoint(raw string) error {
	if raw == "" {
		return bad("no endpoint")
	}
	if len(raw) > maxEndpoint {
		return bad("endpoint over %d bytes", maxEndpoint)
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return bad("endpoint is not a URL")
	case u.Scheme != "https":
		return bad("endpoint must be an https URL")
	case u.Host == "" || u.Hostname() == "":
		return bad("endpoint has no host")
	case u.User != nil:
		return bad("endpoint must not carry credentials")
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return bad("endpoint must not have a fragment")
	case strings.ContainsAny(raw, " \t\r\n"):
		return bad("endpoint has white space")
	}
	return nil
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
