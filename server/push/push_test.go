package push

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"vibecraft.sh/helm/server/guard"
	"vibecraft.sh/helm/shared"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const testToken = "push-test-token-0123456789abcdef"

// rig is a Service with its endpoints on a real HTTP server behind helmd's
// guard, and its sender running.
type rig struct {
	svc *Service
	api *httptest.Server
}

func newRig(t *testing.T, dir string, client *http.Client, question func(context.Context, shared.Session) string) *rig {
	t.Helper()
	return newRigWith(t, Options{Dir: dir, Subject: "mailto:ops@helm-test.org", HTTPClient: client,
		Question: question, Timeout: 5 * time.Second, loopback: true})
}

// newRigWith is newRig with opts as they are: without loopback set, the
// endpoints are held to public hosts as in helmd.
func newRigWith(t *testing.T, opts Options) *rig {
	t.Helper()
	svc, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	Install(mux, svc, "")
	api := httptest.NewServer(guard.Wrap(mux, guard.Options{Token: testToken}))
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = svc.Run(ctx) })
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		api.Close()
	})
	return &rig{svc: svc, api: api}
}

// post sends body to path with the token; origin, when set, is sent as Origin.
func (r *rig) post(t *testing.T, path string, body []byte, origin string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, r.api.URL+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("Content-Type", "application/json")
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond) // polling a condition, not synchronising on time
	}
}

func session(id string, st shared.Status, reason string) shared.Session {
	s := shared.Session{ID: id, Source: shared.SourceClaude, Title: "Fix the login flake " + id, Status: st, UpdatedAt: 1}
	if st == shared.StatusWaiting {
		s.WaitingFor, s.WaitingSince = reason, 1
	}
	return s
}

func TestPushEndToEnd(t *testing.T) {
	fake := newFakePushService(t)
	r := newRig(t, t.TempDir(), fake.srv.Client(), func(_ context.Context, s shared.Session) string {
		return "Run the migration on " + s.ID + "?"
	})
	if code, body := r.post(t, "/api/push/subscribe", fake.subscription("/push/dev1"), ""); code != http.StatusNoContent {
		t.Fatalf("subscribe: %d %s", code, body)
	}

	// The first scan finds A already waiting: not news, no push.
	r.svc.Observe(shared.EventRefresh, []shared.Session{session("a", shared.StatusWaiting, "input needed"), session("b", shared.StatusWorking, "")})
	// B starts waiting: one push.
	r.svc.Observe(shared.EventSessionUpdated, []shared.Session{session("b", shared.StatusWaiting, "permission: Bash")})
	<-fake.got
	got := fake.requests()
	if len(got) != 1 {
		t.Fatalf("%d pushes, want 1", len(got))
	}
	if got[0].err != nil {
		t.Fatalf("push service could not read the push: %v", got[0].err)
	}
	want := Payload{Title: "Fix the login flake b", Body: "permission: Bash: Run the migration on b?", Tag: "claude:b", URL: "/s/claude/b"}
	if got[0].payload != want {
		t.Errorf("payload %+v, want %+v", got[0].payload, want)
	}
	if got[0].sub != "mailto:ops@helm-test.org" {
		t.Errorf("VAPID sub %q, want one mailto: prefix", got[0].sub)
	}
	if got[0].vapidK != r.svc.PublicKey() {
		t.Errorf("VAPID k %q is not the key /api/push/key serves (%q)", got[0].vapidK, r.svc.PublicKey())
	}
	waitFor(t, "sent counted", func() bool { return r.svc.Stats().Sent == 1 })

	// Still waiting, or cleared: no second push. Then it moves and waits again: a push.
	b := session("b", shared.StatusWaiting, "permission: Bash")
	b.ClearedAt = 5
	r.svc.Observe(shared.EventSessionUpdated, []shared.Session{b})
	r.svc.Observe(shared.EventSessionUpdated, []shared.Session{session("b", shared.StatusWorking, "")})
	r.svc.Observe(shared.EventSessionCreated, []shared.Session{session("c", shared.StatusWaiting, "dialog open")})
	<-fake.got
	if got := fake.requests(); len(got) != 2 || got[1].payload.Tag != "claude:c" {
		t.Fatalf("pushes %+v, want a second one for c only", got)
	}
}

func TestPushGoneSubscriptionIsPruned(t *testing.T) {
	fake := newFakePushService(t)
	fake.setStatus(http.StatusGone)
	dir := t.TempDir()
	r := newRig(t, dir, fake.srv.Client(), nil)
	if code, body := r.post(t, "/api/push/subscribe", fake.subscription("/push/gone"), ""); code != http.StatusNoContent {
		t.Fatalf("subscribe: %d %s", code, body)
	}
	if n := r.svc.Stats().Subscriptions; n != 1 {
		t.Fatalf("%d subscriptions, want 1", n)
	}
	r.svc.Observe(shared.EventRefresh, nil)
	r.svc.Observe(shared.EventSessionCreated, []shared.Session{session("a", shared.StatusWaiting, "")})
	<-fake.got
	waitFor(t, "the subscription pruned", func() bool { return r.svc.Stats().Pruned == 1 })
	if n := r.svc.Stats().Subscriptions; n != 0 {
		t.Errorf("%d subscriptions after 410, want 0", n)
	}
	b, err := os.ReadFile(filepath.Join(dir, SubscriptionsFile))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "/push/gone") {
		t.Errorf("the file still holds the gone subscription:\n%s", b)
	}
}

func TestPushServiceDownIsCountedNotFatal(t *testing.T) {
	fake := newFakePushService(t)
	r := newRig(t, t.TempDir(), fake.srv.Client(), nil)
	if code, body := r.post(t, "/api/push/subscribe", fake.subscription("/push/down"), ""); code != http.StatusNoContent {
		t.Fatalf("subscribe: %d %s", code, body)
	}
	fake.srv.Close() // the push service is down from now on
	r.svc.Observe(shared.EventRefresh, nil)
	r.svc.Observe(shared.EventSessionCreated, []shared.Session{session("a", shared.StatusWaiting, "")})
	waitFor(t, "the failure counted", func() bool { return r.svc.Stats().Failed == 1 })
	st := r.svc.Stats()
	if st.LastError == "" || st.LastErrorAt == 0 || st.Sent != 0 {
		t.Errorf("stats %+v: want the last error and its time, nothing sent", st)
	}
	if strings.Contains(st.LastError, "/push/down") {
		t.Errorf("last error %q shows the endpoint's path (a capability)", st.LastError)
	}
	if st.Subscriptions != 1 {
		t.Errorf("a failed push removed the subscription")
	}
	// The service still answers and still queues.
	resp, err := http.Get(r.api.URL + "/api/push/key?x=1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

func TestPushNeverBlocksThePublisher(t *testing.T) {
	// A push service that never answers within the test: the queue fills and
	// Observe still returns, counting what it dropped.
	block := make(chan struct{})
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(block)
	f := &fakePushService{srv: srv}
	dir := t.TempDir()
	svc, err := New(Options{Dir: dir, Subject: "ops@helm-test.org", HTTPClient: srv.Client(), QueueSize: 2, loopback: true})
	if err != nil {
		t.Fatal(err)
	}
	fake := newFakePushService(t)
	f.ua, f.auth = fake.ua, fake.auth
	sub, err := parseSubscription(f.subscription("/hang"), testReach)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.subs.add(sub); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = svc.Run(ctx) })
	defer func() { cancel(); wg.Wait() }()
	svc.Observe(shared.EventRefresh, nil)
	for i := range 10 {
		svc.Observe(shared.EventSessionCreated, []shared.Session{session(string(rune('a'+i)), shared.StatusWaiting, "")})
	}
	st := svc.Stats()
	if st.Notified+st.Dropped != 10 || st.Dropped < 7 {
		t.Errorf("stats %+v: want 10 notifications, all but at most 3 (queue 2, one sending) dropped", st)
	}
}

func TestSubscribeRefusesHostileBodies(t *testing.T) {
	fake := newFakePushService(t)
	r := newRig(t, t.TempDir(), fake.srv.Client(), nil)
	good := map[string]any{}
	_ = json.Unmarshal(fake.subscription("/p"), &good)
	with := func(mut func(m map[string]any)) []byte {
		var m map[string]any
		_ = json.Unmarshal(fake.subscription("/p"), &m)
		mut(m)
		b, _ := json.Marshal(m)
		return b
	}
	keys := func(p256dh, auth string) func(m map[string]any) {
		return func(m map[string]any) { m["keys"] = map[string]string{"p256dh": p256dh, "auth": auth} }
	}
	goodKeys := good["keys"].(map[string]any)
	p256dh, auth := goodKeys["p256dh"].(string), goodKeys["auth"].(string)
	for _, tc := range []struct {
		name string
		body []byte
	}{
		{"http endpoint", with(func(m map[string]any) { m["endpoint"] = "http://push.example.org/x" })},
		{"javascript endpoint", with(func(m map[string]any) { m["endpoint"] = "javascript:alert(1)" })},
		{"credentials in endpoint", with(func(m map[string]any) { m["endpoint"] = "https://user:pw@push.example.org/x" })},
		{"relative endpoint", with(func(m map[string]any) { m["endpoint"] = "/api/sessions" })},
		{"no endpoint", with(func(m map[string]any) { delete(m, "endpoint") })},
		{"body over 4 KiB", append(append([]byte(`{"endpoint":"https://push.example.org/`), bytes.Repeat([]byte("a"), MaxBody)...), `"}`...)},
		{"p256dh not a point", with(keys(strings.Repeat("A", 87), auth))},
		{"p256dh not base64", with(keys("!!!!", auth))},
		{"auth too short", with(keys(p256dh, "AAAA"))},
		{"no keys", with(func(m map[string]any) { delete(m, "keys") })},
		{"not JSON", []byte("<script>alert(1)</script>")},
		{"keys of the wrong type", []byte(`{"endpoint":"https://push.example.org/x","keys":[1,2]}`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := r.post(t, "/api/push/subscribe", tc.body, "")
			if code != http.StatusBadRequest || !strings.Contains(body, `"error"`) {
				t.Errorf("got %d %s, want 400 with an error", code, body)
			}
		})
	}
	if n := r.svc.Stats().Subscriptions; n != 0 {
		t.Errorf("%d subscriptions stored from hostile bodies", n)
	}
	// A body over the guard's bound is refused before it reaches push.
	huge := append(append([]byte(`{"endpoint":"https://push.example.org/`), bytes.Repeat([]byte("a"), 2<<20)...), `"}`...)
	if code, _ := r.post(t, "/api/push/subscribe", huge, ""); code != http.StatusRequestEntityTooLarge {
		t.Errorf("2 MiB body: %d, want 413", code)
	}
	// A cross-site page cannot subscribe (or unsubscribe) the user.
	if code, _ := r.post(t, "/api/push/subscribe", fake.subscription("/p"), "https://evil.example"); code != http.StatusForbidden {
		t.Errorf("cross-origin subscribe: %d, want 403", code)
	}
	// Nor a page reached through a rebinding hostname.
	req, _ := http.NewRequest(http.MethodGet, r.api.URL+"/api/push/key", nil)
	req.Host = "attacker.example"
	req.Header.Set("Authorization", "Bearer "+testToken)
	if resp, err := http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	} else if resp.Body.Close(); resp.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("foreign Host: %d, want 421 (the guard's answer)", resp.StatusCode)
	}
	// Nor can a request without the token read the key.
	resp, err := http.Get(r.api.URL + "/api/push/key")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("key without token: %d, want 401", resp.StatusCode)
	}
}

func TestPushDoesNotFollowRedirects(t *testing.T) {
	fake := newFakePushService(t)
	redirect := httptest.NewTLSServer(http.RedirectHandler(fake.srv.URL+"/elsewhere", http.StatusTemporaryRedirect))
	defer redirect.Close()
	svc, err := New(Options{Dir: t.TempDir(), Subject: "ops@helm-test.org"})
	if err != nil {
		t.Fatal(err)
	}
	// The default client, trusting the test servers' certificate.
	client := svc.opts.HTTPClient.(*http.Client)
	client.Transport = redirect.Client().Transport
	sub, err := parseSubscription(bytes.Replace(fake.subscription("/x"), []byte(fake.srv.URL), []byte(redirect.URL), 1), testReach)
	if err != nil {
		t.Fatal(err)
	}
	svc.sendOne(context.Background(), []byte(`{}`), sub)
	if n := len(fake.requests()); n != 0 {
		t.Errorf("the redirect was followed: %d requests reached its target", n)
	}
	if st := svc.Stats(); st.Failed != 1 || !strings.Contains(st.LastError, "307") {
		t.Errorf("stats %+v, want the 307 counted as a failure", st)
	}
}
