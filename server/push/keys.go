package push

import (
	"bytes"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
)

// VAPID is the server's key pair (RFC 8292), base64url without padding:
// the public key is the browser's applicationServerKey.
type VAPID struct {
	PublicKey  string `json:"publicKey"`
	PrivateKey string `json:"privateKey"`
}

// LoadOrCreateVAPID reads the key pair at path, or makes one and keeps it
// there (0600). The same keys come back on every start: a new pair would
// silently invalidate every subscription.
func LoadOrCreateVAPID(path string) (VAPID, bool, error) {
	k, err := readVAPID(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return k, false, err
	}
	priv, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		return VAPID{}, false, fmt.Errorf("vapid keys: %w", err)
	}
	enc := base64.RawURLEncoding.EncodeToString
	k = VAPID{PublicKey: enc(priv.PublicKey().Bytes()), PrivateKey: enc(priv.Bytes())}
	data, err := json.MarshalIndent(k, "", "  ")
	if err != nil {
		return VAPID{}, false, fmt.Errorf("vapid keys: %w", err)
	}
	switch err := writePrivate(path, append(data, '\n'), false); {
	case errors.Is(err, fs.ErrExist):
		// Another helmd made them first: use its pair.
		k, err := readVAPID(path)
		return k, false, err
	case err != nil:
		return VAPID{}, false, fmt.Errorf("vapid keys: %w", err)
	}
	return k, true, nil
}

// readVAPID reads and checks a key pair: the public key must be the
// private key's, or every push would be refused.
func readVAPID(path string) (VAPID, error) {
	b, err := readPrivate(path)
	if err != nil {
		return VAPID{}, err
	}
	var k VAPID
	if err := json.Unmarshal(b, &k); err != nil {
		return VAPID{}, fmt.Errorf("%s: %w", path, err)
	}
	priv, err := base64.RawURLEncoding.DecodeString(k.PrivateKey)
	if err != nil {
		return VAPID{}, fmt.Errorf("%s: private key: %w", path, err)
	}
	sk, err := ecdh.P256().NewPrivateKey(priv)
	if err != nil {
		return VAPID{}, fmt.Errorf("%s: private key: %w", path, err)
	}
	pub, err := base64.RawURLEncoding.DecodeString(k.PublicKey)
	if err != nil || !bytes.Equal(pub, sk.PublicKey().Bytes()) {
		return VAPID{}, fmt.Errorf("%s: the public key is not the private key's", path)
	}
	return k, nil
}
