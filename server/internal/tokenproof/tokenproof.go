// Package tokenproof lets a client find out whether what listens at an
// address knows its access token before it sends the token there.
//
// Any local account can listen on a port helmd is not using (after a
// restart, or on a port a script names), answer 401 like helmd, and keep
// the token that a CLI command then presents. So the CLI first sends a
// random nonce; helmd answers with an HMAC of it keyed by its token and
// bound to the address the connection reached (its own socket's). Only a
// holder of the token can compute it, and a program that passes the
// question on to the real helmd gets back a proof for helmd's address,
// not for its own: the client compares it with the address it dialled.
package tokenproof

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"

	"vibecraft.sh/helm/server/internal/httperr"
)

// Path is where helmd answers, without a token (the question is how to
// tell whether to send one).
const Path = "/api/token-proof"

// NonceLen is the nonce's length in bytes; it travels as hex.
const NonceLen = 32

// MaxAnswer bounds the answer a client reads: a real one is ~100 bytes.
const MaxAnswer = 4 << 10

// Answer is the JSON helmd sends. Auth is "token" (Proof then holds the
// hex HMAC) or "none" (helmd started with --auth none: it wants no token,
// and none must be sent to it).
type Answer struct {
	Auth  string `json:"auth"`
	Proof string `json:"proof,omitempty"`
}

// Sum is the proof of token for nonce at addr: HMAC-SHA256 keyed by the
// token over a fixed label, the nonce and the address, in its canonical
// form (an IPv4 address mapped into IPv6 counts as the IPv4 one).
func Sum(token string, nonce []byte, addr netip.AddrPort) []byte {
	m := hmac.New(sha256.New, []byte(token))
	m.Write([]byte("helmd token proof\x00"))
	m.Write(nonce)
	m.Write([]byte{0})
	m.Write([]byte(canonical(addr).String()))
	return m.Sum(nil)
}

func canonical(a netip.AddrPort) netip.AddrPort {
	return netip.AddrPortFrom(a.Addr().Unmap().WithZone(""), a.Port())
}

// Serve answers r, a request for Path, as helmd holding token ("" with
// authentication off): the proof of the nonce r carries, bound to the
// socket address r reached, or that no token is wanted.
func Serve(w http.ResponseWriter, r *http.Request, token string) {
	w.Header().Set("Cache-Control", "no-store")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		httperr.Write(w, http.StatusMethodNotAllowed, "token proof: GET only")
		return
	}
	a, err := answer(token, r)
	if err != nil {
		httperr.Write(w, http.StatusBadRequest, "token proof: "+err.Error())
		return
	}
	b, err := json.Marshal(a)
	if err != nil {
		httperr.Write(w, http.StatusInternalServerError, "token proof: "+err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}

func answer(token string, r *http.Request) (Answer, error) {
	if token == "" {
		return Answer{Auth: "none"}, nil
	}
	nonce, err := ParseNonce(r.URL.Query().Get("nonce"))
	if err != nil {
		return Answer{}, err
	}
	local, ok := r.Context().Value(http.LocalAddrContextKey).(*net.TCPAddr)
	if !ok {
		return Answer{}, errors.New("not reached over TCP")
	}
	return Answer{Auth: "token", Proof: hex.EncodeToString(Sum(token, nonce, local.AddrPort()))}, nil
}

// ParseNonce decodes a nonce from a query string: exactly NonceLen bytes
// of hex.
func ParseNonce(s string) ([]byte, error) {
	if len(s) != 2*NonceLen {
		return nil, fmt.Errorf("nonce: want %d hex digits, got %d characters", 2*NonceLen, len(s))
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("nonce: %w", err)
	}
	return b, nil
}

// Errors of Check.
var (
	// ErrNoTokenWanted is a helmd started with --auth none.
	ErrNoTokenWanted = errors.New("wants no token (started with --auth none)")
	// ErrNotProven is an answer without a valid proof: whatever listens
	// there does not know the token (another program holds the port, or
	// a helmd with another token).
	ErrNotProven = errors.New("does not know this token")
)

// Check reads helmd's answer body for nonce, as reached at addr, and
// reports whether it proves knowledge of token.
func Check(body []byte, token string, nonce []byte, addr netip.AddrPort) error {
	var a Answer
	if err := json.Unmarshal(body, &a); err != nil {
		return fmt.Errorf("%w: %w (%v)", ErrNotProven, ErrNotHelmd, err)
	}
	switch a.Auth {
	case "none":
		return ErrNoTokenWanted
	case "token":
	default:
		return fmt.Errorf("%w: %w", ErrNotProven, ErrNotHelmd)
	}
	got, err := hex.DecodeString(a.Proof)
	if err != nil || !hmac.Equal(got, Sum(token, nonce, addr)) {
		return ErrNotProven
	}
	return nil
}
