package push

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
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

// listenAndCount is a TCP listener on 127.0.0.1 that accepts and hangs up
// at once, sending each connection's remote address on the channel.
func listenAndCount(t *testing.T) (net.Listener, <-chan string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted := make(chan string, 16)
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			select {
			case accepted <- c.RemoteAddr().String():
			default: // only the first few are read
			}
			c.Close()
		}
	})
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	return ln, accepted
}

// firstAccepted makes a connection of its own to ln and returns the
// address of the first connection ln accepted and whether it was that
// one: the kernel queues connections in order, so when it is, nothing
// connected before it.
func firstAccepted(t *testing.T, ln net.Listener, accepted <-chan string) (string, bool) {
	t.Helper()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	first := <-accepted
	return first, first == c.LocalAddr().String()
}

// A name that passed the subscribe check may resolve to this machine when
// the push is sent (DNS rebinding): the connection is refused once the
// address is known, before it is made. "localhost" stands for such a
// name: it resolves to 127.0.0.1 by the hosts file, with no DNS, and as
// the subscribe check refuses it by name it is stored directly, as a
// rebinding name would have been.
func TestPushToANameResolvingToLoopbackIsRefusedAtDial(t *testing.T) {
	ln, accepted := listenAndCount(t)
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	svc, err := New(Options{Dir: t.TempDir(), Subject: "ops@helm-test.org", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	var sub Subscription
	if err := json.Unmarshal(subscriptionTo(t, newFakePushService(t), "https://localhost:"+port+"/push/rebound"), &sub); err != nil {
		t.Fatal(err)
	}
	if err := svc.subs.add(sub); err != nil {
		t.Fatal(err)
	}
	svc.sendOne(context.Background(), []byte(`{}`), sub)

	if first, ok := firstAccepted(t, ln, accepted); !ok {
		t.Errorf("the push connected to 127.0.0.1 (from %s)", first)
	}
	st := svc.Stats()
	if st.Failed != 1 || !strings.Contains(st.LastError, "127.0.0.1 is a loopback address") {
		t.Errorf("stats %+v: want one failure saying 127.0.0.1 is loopback", st)
	}
	if strings.Contains(st.LastError, "rebound") {
		t.Errorf("last error %q shows the endpoint's path (a capability)", st.LastError)
	}
	if st.Subscriptions != 1 {
		t.Errorf("%d subscriptions: a refused address is what the name resolves to now, not a reason to forget it", st.Subscriptions)
	}
}

// A proxy the environment names is dialled wherever it is, here on
// loopback, while a request the environment sends direct (NO_PROXY) is
// checked even when it names the proxy's own address: which way a
// request goes is the request's, not the address's.
func TestDialGuardDialsTheEnvironmentsProxy(t *testing.T) {
	ln, accepted := listenAndCount(t)
	proxyURL := &url.URL{Scheme: "http", Host: ln.Addr().String()}
	g := newDialGuard(public)
	g.proxy = func(r *http.Request) (*url.URL, error) {
		if r.URL.Host == proxyURL.Host {
			return nil, nil // NO_PROXY holds the proxy's own host
		}
		return proxyURL, nil
	}
	client := &http.Client{Transport: g.transport()}
	defer client.CloseIdleConnections()
	resp, err := client.Post("https://push.example.org/p", "application/octet-stream", strings.NewReader("x"))
	if err == nil {
		resp.Body.Close()
		t.Fatalf("the proxy hung up, yet %s", resp.Status)
	}
	if errors.Is(err, errNotPublic) {
		t.Fatalf("the proxy was refused: %v", err)
	}
	if first, ok := firstAccepted(t, ln, accepted); ok {
		t.Errorf("nothing reached the proxy before %s", first)
	}
	resp, err = client.Post("https://"+proxyURL.Host+"/p", "application/octet-stream", strings.NewReader("x"))
	if err == nil {
		resp.Body.Close()
	}
	if !errors.Is(err, errNotPublic) {
		t.Errorf("a direct request to the proxy's address: %v, want refused as not public", err)
	}
}
