package push

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vibecraft.sh/helm/shared"
)

func TestVAPIDKeysArePrivateAndStable(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, KeysFile)
	first, created, err := LoadOrCreateVAPID(path)
	if err != nil || !created {
		t.Fatalf("first start: created=%v err=%v", created, err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("keys file mode %04o, want 0600", st.Mode().Perm())
	}
	// A restart: a Service over the same folder serves the same key.
	svc, err := New(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if svc.PublicKey() != first.PublicKey {
		t.Errorf("public key changed across restarts: %q then %q", first.PublicKey, svc.PublicKey())
	}
	if len(first.PublicKey) != 87 { // 65 bytes, unpadded base64url: what applicationServerKey takes
		t.Errorf("public key %q is %d characters, want 87", first.PublicKey, len(first.PublicKey))
	}
}

func TestVAPIDKeysFileRefused(t *testing.T) {
	other, _, err := LoadOrCreateVAPID(filepath.Join(t.TempDir(), KeysFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		content string
		mode    os.FileMode
		want    string
	}{
		{"readable by others", "{}", 0o644, "chmod 600"},
		{"not JSON", "<html>", 0o600, "invalid character"},
		{"public key of another pair", `{"publicKey":"` + other.PublicKey + `","privateKey":"` + strings.Repeat("A", 42) + `E"}`, 0o600, "not the private key's"},
		{"private key not a scalar", `{"publicKey":"x","privateKey":"` + strings.Repeat("_", 43) + `"}`, 0o600, "private key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), KeysFile)
			if err := os.WriteFile(path, []byte(tc.content), tc.mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tc.mode); err != nil {
				t.Fatal(err)
			}
			_, _, err := LoadOrCreateVAPID(path)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %v, want one saying %q", err, tc.want)
			}
			if b, _ := os.ReadFile(path); string(b) != tc.content {
				t.Errorf("the refused file was rewritten")
			}
		})
	}
}

func TestSubscriber(t *testing.T) {
	for _, tc := range []struct {
		subject, want, err string
	}{
		{"ops@helm-test.org", "ops@helm-test.org", ""},
		{"mailto:ops@helm-test.org", "ops@helm-test.org", ""}, // bare: webpush-go adds mailto: itself
		{"https://vibecraft.sh", "https://vibecraft.sh", ""},
		{DefaultSubject, DefaultSubject, ""},
		{"me@localhost", "", "localhost"},
		{"me@mac.local", "", ".local"},
		{"me@x.invalid", "", ".invalid"},
		{"https://localhost:5003", "", "localhost"},
		{"https://helm.local", "", ".local"},
		{"me@intranet", "", "not a public domain"},
		{"Me <me@x.org>", "", "neither"},
		{"not an address", "", "neither"},
		{"", "", "empty"},
	} {
		t.Run(tc.subject, func(t *testing.T) {
			got, err := Subscriber(tc.subject)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Errorf("Subscriber(%q) = %q, %v; want an error saying %q", tc.subject, got, err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("Subscriber(%q) = %q, %v; want %q", tc.subject, got, err, tc.want)
			}
		})
	}
}

func TestRefusedSubjectTurnsPushOff(t *testing.T) {
	svc, err := New(Options{Dir: t.TempDir(), Subject: "me@laptop.local"})
	if err != nil {
		t.Fatal(err)
	}
	st := svc.Stats()
	if st.Enabled || !strings.Contains(st.Reason, ".local") {
		t.Errorf("stats %+v: want push off, saying why", st)
	}
	svc.Observe(shared.EventRefresh, nil)
	svc.Observe(shared.EventSessionCreated, []shared.Session{session("a", shared.StatusWaiting, "")})
	if n := svc.Stats().Notified; n != 0 {
		t.Errorf("%d notifications queued while push is off", n)
	}
}

func TestStoreIsBoundedPrivateAndReloaded(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, SubscriptionsFile)
	fake := newFakePushService(t)
	st, _, err := openStore(path, 3, testReach)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range []string{"/1", "/2", "/3", "/2", "/4"} {
		s, err := parseSubscription(fake.subscription(p), testReach)
		if err != nil {
			t.Fatal(err)
		}
		s.CreatedAt = int64(i)
		if err := st.add(s); err != nil {
			t.Fatal(err)
		}
	}
	endpoints := func(subs []Subscription) string {
		var out []string
		for _, s := range subs {
			out = append(out, strings.TrimPrefix(s.Endpoint, fake.srv.URL))
		}
		return strings.Join(out, " ")
	}
	// /1 was the oldest past the bound of 3; /2 was re-added, so it is newer than /3.
	if got := endpoints(st.list()); got != "/3 /2 /4" {
		t.Errorf("stored %q, want %q", got, "/3 /2 /4")
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("subscriptions file: %v, mode %v; want 0600", err, fi.Mode().Perm())
	}
	// A restart reads them back; a damaged entry is skipped and counted.
	var f storeFile
	b, _ := os.ReadFile(path)
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	f.Subscriptions = append(f.Subscriptions, Subscription{Endpoint: "http://plain.example.org/x"})
	b, _ = json.Marshal(f)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	again, skipped, err := openStore(path, 3, testReach)
	if err != nil {
		t.Fatal(err)
	}
	if got := endpoints(again.list()); got != "/3 /2 /4" || skipped != 1 {
		t.Errorf("reloaded %q (skipped %d), want %q (skipped 1)", got, skipped, "/3 /2 /4")
	}
	if ok, err := again.remove(fake.srv.URL + "/2"); !ok || err != nil {
		t.Errorf("remove: %v %v", ok, err)
	}
	if got := endpoints(again.list()); got != "/3 /4" {
		t.Errorf("after remove %q", got)
	}
}
