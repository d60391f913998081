package push

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// testReach lets endpoints name the fake push services, which listen on
// 127.0.0.1; helmd's own reach (public) refuses them.
var testReach = reach{loopback: true}

// fakePushService is a push service (RFC 8030) on an httptest TLS server.
// It decrypts each message with the subscriber's keys per RFC 8291 and
// checks the VAPID header per RFC 8292, as a browser vendor's would.
type fakePushService struct {
	t      *testing.T
	srv    *httptest.Server
	ua     *ecdh.PrivateKey // the browser's key pair (p256dh)
	auth   []byte           // the browser's auth secret
	status int              // what to answer; 201 unless set

	mu       sync.Mutex
	received []received
	got      chan struct{} // a token per request
}

type received struct {
	payload Payload
	sub     string // the VAPID JWT's "sub"
	vapidK  string // the Authorization header's k=
	err     error  // why the request could not be read
}

func newFakePushService(t *testing.T) *fakePushService {
	t.Helper()
	ua, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	f := &fakePushService{t: t, ua: ua, auth: make([]byte, 16), status: http.StatusCreated, got: make(chan struct{}, 64)}
	rand.Read(f.auth)
	f.srv = httptest.NewTLSServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// subscription is the PushSubscription JSON a browser would POST.
func (f *fakePushService) subscription(path string) []byte {
	b, _ := json.Marshal(map[string]any{
		"endpoint":       f.srv.URL + path,
		"expirationTime": nil,
		"keys": map[string]string{
			"p256dh": base64.RawURLEncoding.EncodeToString(f.ua.PublicKey().Bytes()),
			"auth":   base64.RawURLEncoding.EncodeToString(f.auth),
		},
	})
	return b
}

func (f *fakePushService) setStatus(code int) {
	f.mu.Lock()
	f.status = code
	f.mu.Unlock()
}

func (f *fakePushService) serve(w http.ResponseWriter, r *http.Request) {
	var rec received
	body, err := io.ReadAll(io.LimitReader(r.Body, 8<<10))
	if err == nil {
		if r.Header.Get("Content-Encoding") != "aes128gcm" {
			err = fmt.Errorf("Content-Encoding %q", r.Header.Get("Content-Encoding"))
		} else {
			var plain []byte
			if plain, err = decryptRFC8291(body, f.ua, f.auth); err == nil {
				err = json.Unmarshal(plain, &rec.payload)
			}
		}
	}
	if err == nil {
		rec.sub, rec.vapidK, err = checkVAPID(r.Header.Get("Authorization"), "https://"+r.Host)
	}
	rec.err = err
	f.mu.Lock()
	f.received = append(f.received, rec)
	code := f.status
	f.mu.Unlock()
	f.got <- struct{}{}
	w.WriteHeader(code)
}

func (f *fakePushService) requests() []received {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]received(nil), f.received...)
}

// decryptRFC8291 opens an aes128gcm message (RFC 8188 framing, RFC 8291
// keys): salt(16) rs(4) idlen(1) keyid(as_public) ciphertext.
func decryptRFC8291(msg []byte, ua *ecdh.PrivateKey, auth []byte) ([]byte, error) {
	if len(msg) < 21 {
		return nil, errors.New("message shorter than its header")
	}
	salt, rs, idlen := msg[:16], binary.BigEndian.Uint32(msg[16:20]), int(msg[20])
	if len(msg) < 21+idlen {
		return nil, errors.New("truncated key id")
	}
	asPub, ct := msg[21:21+idlen], msg[21+idlen:]
	if uint32(len(ct)) > rs {
		return nil, errors.New("more than one record")
	}
	as, err := ecdh.P256().NewPublicKey(asPub)
	if err != nil {
		return nil, fmt.Errorf("keyid is not the server's P-256 key: %w", err)
	}
	secret, err := ua.ECDH(as)
	if err != nil {
		return nil, err
	}
	keyInfo := append(append([]byte("WebPush: info\x00"), ua.PublicKey().Bytes()...), asPub...)
	ikm, err := hkdf.Key(sha256.New, secret, auth, string(keyInfo), 32)
	if err != nil {
		return nil, err
	}
	cek, err := hkdf.Key(sha256.New, ikm, salt, "Content-Encoding: aes128gcm\x00", 16)
	if err != nil {
		return nil, err
	}
	nonce, err := hkdf.Key(sha256.New, ikm, salt, "Content-Encoding: nonce\x00", 12)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(cek)
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	plain, err := gcm.Open(nil, nonce, ct, nil)
	if err != nil {
		return nil, fmt.Errorf("decrypt: %w", err)
	}
	// Padding: the last record ends with 0x02 then zeros.
	end := bytes.LastIndexFunc(plain, func(r rune) bool { return r != 0 })
	if end < 0 || plain[end] != 2 {
		return nil, errors.New("no last-record delimiter")
	}
	return plain[:end], nil
}

// checkVAPID verifies "vapid t=<jwt>, k=<key>": an ES256 JWT signed by k,
// for audience aud, and returns its subject and k.
func checkVAPID(header, aud string) (sub, k string, err error) {
	rest, ok := strings.CutPrefix(header, "vapid ")
	if !ok {
		return "", "", fmt.Errorf("Authorization %q is not vapid", header)
	}
	var jwt string
	for part := range strings.SplitSeq(rest, ",") {
		part = strings.TrimSpace(part)
		if v, ok := strings.CutPrefix(part, "t="); ok {
			jwt = v
		} else if v, ok := strings.CutPrefix(part, "k="); ok {
			k = v
		}
	}
	segs := strings.Split(jwt, ".")
	if len(segs) != 3 {
		return "", "", errors.New("malformed JWT")
	}
	pubBytes, err := base64.RawURLEncoding.DecodeString(k)
	if err != nil {
		return "", "", fmt.Errorf("k: %w", err)
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), pubBytes)
	if err != nil {
		return "", "", fmt.Errorf("k: %w", err)
	}
	sig, err := base64.RawURLEncoding.DecodeString(segs[2])
	if err != nil || len(sig) != 64 {
		return "", "", errors.New("signature is not 64 bytes of base64url")
	}
	digest := sha256.Sum256([]byte(segs[0] + "." + segs[1]))
	if !ecdsa.Verify(pub, digest[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		return "", "", errors.New("JWT signature does not verify with k")
	}
	claimsJSON, err := base64.RawURLEncoding.DecodeString(segs[1])
	if err != nil {
		return "", "", fmt.Errorf("claims: %w", err)
	}
	var claims struct {
		Aud string `json:"aud"`
		Sub string `json:"sub"`
	}
	if err := json.Unmarshal(claimsJSON, &claims); err != nil {
		return "", "", fmt.Errorf("claims: %w", err)
	}
	if claims.Aud != aud {
		return "", "", fmt.Errorf("aud %q, want %q", claims.Aud, aud)
	}
	return claims.Sub, k, nil
}
