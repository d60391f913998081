package tokenproof

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/netip"
	"strings"
	"testing"
)

func answerJSON(t testing.TB, a Answer) []byte {
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A proof checks only for the token, nonce and address it was made for;
// an IPv4 address mapped into IPv6 is the same address.
func TestProofBindsTokenNonceAndAddress(t *testing.T) {
	nonce := make([]byte, NonceLen)
	nonce[0] = 7
	addr := netip.MustParseAddrPort("127.0.0.1:5003")
	good := answerJSON(t, Answer{Auth: "token", Proof: hex.EncodeToString(Sum("tok", nonce, addr))})
	if err := Check(good, "tok", nonce, addr); err != nil {
		t.Fatalf("the proof made for it: %v", err)
	}
	if err := Check(good, "tok", nonce, netip.MustParseAddrPort("[::ffff:127.0.0.1]:5003")); err != nil {
		t.Errorf("the same address, IPv4 in IPv6: %v", err)
	}
	otherNonce := append([]byte(nil), nonce...)
	otherNonce[1] = 1
	for name, err := range map[string]error{
		"another token":   Check(good, "tok2", nonce, addr),
		"another nonce":   Check(good, "tok", otherNonce, addr),
		"another port":    Check(good, "tok", nonce, netip.MustParseAddrPort("127.0.0.1:5004")),
		"another address": Check(good, "tok", nonce, netip.MustParseAddrPort("[::1]:5003")),
	} {
		if !errors.Is(err, ErrNotProven) {
			t.Errorf("%s: %v, want ErrNotProven", name, err)
		}
	}
	if err := Check(answerJSON(t, Answer{Auth: "none"}), "tok", nonce, addr); !errors.Is(err, ErrNoTokenWanted) {
		t.Errorf("auth none: %v", err)
	}
	for _, body := range []string{"", "null", `{"auth":"token"}`, `{"auth":"token","proof":"zz"}`, `{"auth":"Token","proof":""}`, "<html>401</html>"} {
		if err := Check([]byte(body), "tok", nonce, addr); !errors.Is(err, ErrNotProven) {
			t.Errorf("%q: %v, want ErrNotProven", body, err)
		}
	}
}

func TestParseNonce(t *testing.T) {
	good := strings.Repeat("0f", NonceLen)
	if b, err := ParseNonce(good); err != nil || len(b) != NonceLen {
		t.Errorf("%q: %v %d bytes", good, err, len(b))
	}
	for _, bad := range []string{"", "0f", good + "00", strings.Repeat("g0", NonceLen), strings.Repeat("é", NonceLen)} {
		if _, err := ParseNonce(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// FuzzCheck: no answer but the proof itself passes, whatever the bytes.
func FuzzCheck(f *testing.F) {
	nonce := make([]byte, NonceLen)
	addr := netip.MustParseAddrPort("127.0.0.1:5003")
	f.Add([]byte(`{"auth":"token","proof":"00"}`))
	f.Add([]byte(`{"auth":"none"}`))
	f.Add([]byte(`{"auth":"token","proof":"` + strings.Repeat("a", 64) + `"}`))
	f.Add([]byte("\x00\xff{"))
	want := hex.EncodeToString(Sum("tok", nonce, addr))
	f.Fuzz(func(t *testing.T, body []byte) {
		err := Check(body, "tok", nonce, addr)
		if err == nil {
			var a Answer
			if json.Unmarshal(body, &a) != nil || !strings.EqualFold(a.Proof, want) {
				t.Fatalf("accepted %q", body)
			}
		}
		_, _ = ParseNonce(string(body))
	})
}
