package push

import (
	"crypto/ecdh"
	"encoding/base64"
	"encoding/json"
	"net/netip"
	"net/url"
	"strings"
	"testing"
)

func FuzzParseSubscription(f *testing.F) {
	key := "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM"
	for _, s := range []string{
		`{"endpoint":"https://fcm.googleapis.com/fcm/send/abc","keys":{"p256dh":"` + key + `","auth":"tBHItJI5svbpez7KI4CCXg"}}`,
		`{"endpoint":"http://x/","keys":{}}`,
		`{"endpoint":"https://u:p@x/","keys":{"p256dh":"","auth":""}}`,
		`{"endpoint":"https://x/#f","keys":{"p256dh":"` + key + `==","auth":"tBHItJI5svbpez7KI4CCXg=="}}`,
		`[]`, `null`, `{"endpoint":1}`,
		`{"endpoint":"https://[::ffff:127.0.0.1]:8443/p","keys":{"p256dh":"` + key + `","auth":"tBHItJI5svbpez7KI4CCXg"}}`,
		`{"endpoint":"https://169.254.169.254./latest","keys":{"p256dh":"` + key + `","auth":"tBHItJI5svbpez7KI4CCXg"}}`,
		`{"endpoint":"https://0x7f.1/p","keys":{"p256dh":"` + key + `","auth":"tBHItJI5svbpez7KI4CCXg"}}`,
		`{"endpoint":"https://push.LocalHost./p","keys":{"p256dh":"` + key + `","auth":"tBHItJI5svbpez7KI4CCXg"}}`,
		`{"endpoint":"https://[64:ff9b::8.8.8.8]/p","keys":{"p256dh":"` + key + `","auth":"tBHItJI5svbpez7KI4CCXg"}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		s, err := ParseSubscription(body)
		if err != nil {
			return
		}
		// Whatever is accepted is what the sender can use: an https endpoint
		// without credentials on a host that is not plainly this machine or
		// its networks, a curve point, a 16-byte secret, one spelling.
		u, err := url.Parse(s.Endpoint)
		if err != nil || u.Scheme != "https" || u.User != nil || u.Host == "" {
			t.Fatalf("accepted endpoint %q", s.Endpoint)
		}
		host := strings.ToLower(strings.TrimRight(u.Hostname(), "."))
		if a, err := netip.ParseAddr(host); err == nil && nonPublic(a) != "" {
			t.Fatalf("accepted endpoint %q: %s is %s", s.Endpoint, a, nonPublic(a))
		}
		if host == "localhost" || strings.HasSuffix(host, ".localhost") || strings.ContainsFunc(host, func(r rune) bool { return r >= 0x80 }) {
			t.Fatalf("accepted endpoint %q", s.Endpoint)
		}
		p, err := base64.RawURLEncoding.DecodeString(s.Keys.P256dh)
		if err != nil {
			t.Fatalf("stored p256dh %q is not unpadded base64url", s.Keys.P256dh)
		}
		if _, err := ecdh.P256().NewPublicKey(p); err != nil {
			t.Fatalf("accepted p256dh that is not a point")
		}
		if a, err := base64.RawURLEncoding.DecodeString(s.Keys.Auth); err != nil || len(a) != 16 {
			t.Fatalf("accepted auth %q", s.Keys.Auth)
		}
		// Stored and read back, it is the same subscription.
		raw, _ := json.Marshal(s)
		again, err := ParseSubscription(raw)
		if err != nil || again != s {
			t.Fatalf("round trip: %+v, %v; want %+v", again, err, s)
		}
	})
}
