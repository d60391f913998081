// Package natskey derives a fleet's NATS credential from its Helm token
// (README "Many machines"). The machines of a fleet run with the hub's
// Helm token; sent as the NATS token, it went in clear in the CONNECT of
// every connection to whatever answered at the NATS URL (another
// account's listener on a loopback port, a tunnel's far end, anyone on
// the way with --nats-insecure), and it opens every machine's HTTP API.
// Instead both sides derive an nkey user from it: the hub's embedded
// server admits its public key, a machine proves it holds the private key
// by signing the nonce the server sends. Neither the Helm token nor
// anything from which it, or the key, is recovered crosses the wire.
package natskey

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/nats-io/nkeys"
)

// label separates this use of the Helm token from any other: a key
// derived for something else under the same token is not this one.
const label = "helm fleet NATS user nkey v1"

// FromHelmToken is the fleet's NATS user key: its seed is
// HMAC-SHA256(token, label), so every machine given the hub's Helm token
// derives the same key, and the key tells nothing of the token.
func FromHelmToken(token string) (nkeys.KeyPair, error) {
	if token == "" {
		return nil, errors.New("natskey: no Helm token to derive the NATS key from")
	}
	m := hmac.New(sha256.New, []byte(token))
	m.Write([]byte(label))
	kp, err := nkeys.FromRawSeed(nkeys.PrefixByteUser, m.Sum(nil))
	if err != nil {
		return nil, fmt.Errorf("natskey: %w", err)
	}
	return kp, nil
}

// Public is the public key of FromHelmToken(token): what the hub's
// embedded server admits ("U…", 56 characters).
func Public(token string) (string, error) {
	kp, err := FromHelmToken(token)
	if err != nil {
		return "", err
	}
	pub, err := kp.PublicKey()
	if err != nil {
		return "", fmt.Errorf("natskey: %w", err)
	}
	return pub, nil
}

// ErrNoNonce is a server's INFO without a nonce to sign: a server that
// admits no nkeys (an older hub, or a NATS server configured with a
// token), or one that would have a signature it can replay. Nothing is
// signed, nor sent.
var ErrNoNonce = errors.New("the NATS server asked for no signed nonce, so it does not admit the key derived from the Helm token " +
	"(an older helmd hub, or a NATS server of your own): upgrade the hub; give a server of your own a NATS-only token, " +
	"and this machine the same in HELM_NATS_TOKEN")

// Signer is the signature callback of nats.Nkey: it signs the server's
// nonce with kp, and refuses an empty one.
func Signer(kp nkeys.KeyPair) func(nonce []byte) ([]byte, error) {
	return func(nonce []byte) ([]byte, error) {
		if len(nonce) == 0 {
			return nil, ErrNoNonce
		}
		sig, err := kp.Sign(nonce)
		if err != nil {
			return nil, fmt.Errorf("natskey: sign the nonce: %w", err)
		}
		return sig, nil
	}
}
