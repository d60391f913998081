package guard

import (
	"encoding/hex"
	"net/http"
	"net/netip"
	"strings"
	"testing"

	"vibecraft.sh/helm/server/internal/tokenproof"
)

// The proof endpoint answers without a token, with the HMAC of the nonce
// for the address the request reached, and nothing a client could mistake
// for one otherwise; the Host check and the cross-site refusal still hold.
func TestTokenProofEndpoint(t *testing.T) {
	srv := newServer(t, Options{Token: secret})
	addr := netip.MustParseAddrPort(strings.TrimPrefix(srv.URL, "http://"))
	nonce := strings.Repeat("ab", tokenproof.NonceLen)
	raw, _ := hex.DecodeString(nonce)

	resp, body := do(t, srv, req{method: "GET", path: tokenproof.Path + "?nonce=" + nonce})
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("proof: %d %q (Cache-Control %q)", resp.StatusCode, body, resp.Header.Get("Cache-Control"))
	}
	if err := tokenproof.Check([]byte(body), secret, raw, addr); err != nil {
		t.Errorf("the proof for %s does not check: %v (%s)", addr, err, body)
	}
	other := netip.AddrPortFrom(addr.Addr(), addr.Port()+1)
	if err := tokenproof.Check([]byte(body), secret, raw, other); err == nil {
		t.Errorf("the proof for %s also checks for %s: a relay on another port would pass", addr, other)
	}
	if err := tokenproof.Check([]byte(body), "another-token", raw, addr); err == nil {
		t.Error("the proof checks for another token")
	}
	if strings.Contains(body, secret) {
		t.Errorf("the answer holds the token: %s", body)
	}

	for _, c := range []struct {
		name string
		rq   req
		want int
	}{
		{"no nonce", req{method: "GET", path: tokenproof.Path}, http.StatusBadRequest},
		{"short nonce", req{method: "GET", path: tokenproof.Path + "?nonce=abcd"}, http.StatusBadRequest},
		{"nonce not hex", req{method: "GET", path: tokenproof.Path + "?nonce=" + strings.Repeat("zz", tokenproof.NonceLen)}, http.StatusBadRequest},
		{"huge nonce", req{method: "GET", path: tokenproof.Path + "?nonce=" + strings.Repeat("a", 6000)}, http.StatusBadRequest},
		{"POST", req{method: "POST", path: tokenproof.Path + "?nonce=" + nonce}, http.StatusMethodNotAllowed},
		{"evil Host", req{method: "GET", path: tokenproof.Path + "?nonce=" + nonce, header: map[string]string{"Host": "evil.example:80"}}, http.StatusMisdirectedRequest},
		{"cross-site read", req{method: "GET", path: tokenproof.Path + "?nonce=" + nonce, header: map[string]string{"Sec-Fetch-Site": "cross-site"}}, http.StatusForbidden},
	} {
		if resp, body := do(t, srv, c.rq); resp.StatusCode != c.want {
			t.Errorf("%s: %d %q, want %d", c.name, resp.StatusCode, body, c.want)
		}
	}

	open := newServer(t, Options{})
	resp, body = do(t, open, req{method: "GET", path: tokenproof.Path})
	if resp.StatusCode != http.StatusOK || tokenproof.Check([]byte(body), "any", raw, addr) != tokenproof.ErrNoTokenWanted {
		t.Errorf("with --auth none: %d %q, want an answer that no token is wanted", resp.StatusCode, body)
	}
}
