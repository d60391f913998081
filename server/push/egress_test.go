package push

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// subscriptionTo is a browser's subscription JSON with fake's keys and
// endpoint as its endpoint.
func subscriptionTo(t *testing.T, fake *fakePushService, endpoint string) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(fake.subscription("/"), &m); err != nil {
		t.Fatal(err)
	}
	m["endpoint"] = endpoint
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// An endpoint is a URL helmd will POST to, chosen by whoever may
// subscribe: one on this machine or its networks is refused with a 400
// saying why, in every spelling that reaches such an address.
func TestSubscribeRefusesNonPublicEndpoints(t *testing.T) {
	fake := newFakePushService(t)
	// helmd's reach: no loopback seam.
	r := newRigWith(t, Options{Dir: t.TempDir(), Subject: "mailto:ops@helm-test.org"})
	for _, tc := range []struct{ endpoint, want string }{
		{"https://127.0.0.1/push", "loopback"},
		{"https://127.0.0.1:8443/push", "loopback"},
		{"https://127.8.9.10/push", "loopback"},
		{"https://[::1]/push", "loopback"},
		{"https://[::ffff:127.0.0.1]/push", "loopback"},
		{"https://[0:0:0:0:0:ffff:7f00:1]/push", "loopback"},
		{"https://127.0.0.1./push", "loopback"},
		{"https://10.1.2.3/push", "private"},
		{"https://172.16.5.4/push", "private"},
		{"https://192.168.1.1/push", "private"},
		{"https://[fc00::1]/push", "private"},
		{"https://[fd12:3456::1]/push", "private"},
		{"https://169.254.169.254/latest/meta-data/", "link-local"},
		{"https://[::ffff:a9fe:a9fe]/latest/meta-data/", "link-local"},
		{"https://[fe80::1]/push", "link-local"},
		{"https://[fe80::1%25eth0]/push", "scoped"},
		{"https://0.0.0.0/push", "unspecified"},
		{"https://[::]/push", "unspecified"},
		{"https://0.1.2.3/push", "this network"},
		{"https://100.100.100.100/push", "shared"}, // carrier-grade NAT, Tailscale
		{"https://224.0.0.1/push", "multicast"},
		{"https://[ff02::1]/push", "multicast"},
		{"https://255.255.255.255/push", "reserved"},
		{"https://192.0.2.1/push", "documentation"},
		{"https://[2001:db8::1]/push", "documentation"},
		{"https://[::127.0.0.1]/push", "reserved"}, // IPv4-compatible, deprecated
		{"https://[64:ff9b::10.0.0.1]/push", "private address behind NAT64"},
		{"https://[2002:7f00:1::]/push", "6to4"},
		{"https://localhost/push", "this machine"},
		{"https://LOCALHOST./push", "this machine"},
		{"https://push.localhost:8443/push", "this machine"},
		{"https://2130706433/push", "usual form"},
		{"https://0x7f000001/push", "usual form"},
		{"https://0x7f.1/push", "usual form"},
		{"https://127.1/push", "usual form"},
		{"https://0177.0.0.1/push", "usual form"},
		{"https://１２７.０.０.１/push", "ASCII"},
		{"https://ｌｏｃａｌｈｏｓｔ/push", "ASCII"},
	} {
		t.Run(tc.endpoint, func(t *testing.T) {
			code, body := r.post(t, "/api/push/subscribe", subscriptionTo(t, fake, tc.endpoint), "")
			var e struct{ Error string }
			if err := json.Unmarshal([]byte(body), &e); err != nil || code != http.StatusBadRequest || !strings.Contains(e.Error, tc.want) {
				t.Errorf("got %d %s, want 400 with an error saying %q", code, body, tc.want)
			}
		})
	}
	if n := r.svc.Stats().Subscriptions; n != 0 {
		t.Fatalf("%d subscriptions stored with non-public endpoints", n)
	}

	// Push services' endpoints, and public addresses however written.
	public := []string{
		"https://fcm.googleapis.com/fcm/send/dGVzdA:APA91b",
		"https://updates.push.services.mozilla.com/wpush/v2/gAAAAA",
		"https://web.push.apple.com/QGuQyavXutnMH",
		"https://wns2-par02p.notify.windows.com/w/?token=BQYAAA",
		"https://push.example.org:8443/p",
		"https://xn--bcher-kva.example/p",
		"https://8.8.8.8/p",
		"https://[2001:4860:4860::8888]/p",
		"https://[::ffff:8.8.8.8]/p",
		"https://[64:ff9b::8.8.8.8]/p", // NAT64 of a public address, as DNS64 answers
	}
	for _, endpoint := range public {
		if code, body := r.post(t, "/api/push/subscribe", subscriptionTo(t, fake, endpoint), ""); code != http.StatusNoContent {
			t.Errorf("%s: %d %s, want 204", endpoint, code, body)
		}
	}
	if n := r.svc.Stats().Subscriptions; n != len(public) {
		t.Errorf("%d subscriptions, want %d", n, len(public))
	}
}
