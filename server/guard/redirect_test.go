package guard

import (
	"bufio"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// rawGet sends target as the request line verbatim (a Go client would
// clean or escape it) and returns the answer.
func rawGet(t *testing.T, addr, target string) *http.Response {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := conn.Write([]byte("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/html\r\nConnection: close\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func TestRedirectStaysOnOrigin(t *testing.T) {
	srv := newServer(t, Options{Token: secret})
	addr := strings.TrimPrefix(srv.URL, "http://")
	tests := []struct {
		target string
		want   string // Location; "" when only staying on the origin matters
	}{
		{"/?token=" + secret, "/"},
		{"/?token=" + secret + "&source=claude&sort=cost", "/?sort=cost&source=claude"},
		{"/sessions/abc?token=" + secret, "/sessions/abc"},
		{"/a/b/?token=" + secret, "/a/b/"},
		{"//evil.example/?token=" + secret, "/evil.example/"},
		{"///evil.example/?token=" + secret, "/evil.example/"},
		{"/%2F%2Fevil.example/?token=" + secret, "/evil.example/"},
		{"/%2F/evil.example?token=" + secret, "/evil.example"},
		{"/\\evil.example/?token=" + secret, "/%5Cevil.example/"},
		{"/%5Cevil.example?token=" + secret, "/%5Cevil.example"},
		{"/%5C%5Cevil.example?token=" + secret, "/%5C%5Cevil.example"},
		{"/./evil.example?token=" + secret, "/evil.example"},
		{"/..//evil.example?token=" + secret, "/evil.example"},
		{"/%2e%2e/%2f/evil.example?token=" + secret, "/evil.example"},
		{"/%09/evil.example?token=" + secret, "/%09/evil.example"},
		{"/%0d%0aSet-Cookie:%20x=1?token=" + secret, "/%0D%0ASet-Cookie:%20x=1"},
		{"/?token=" + secret + "&next=//evil.example", "/?next=%2F%2Fevil.example"},
		{"http://evil.example/?token=" + secret, ""},
	}
	base, _ := url.Parse(srv.URL + "/")
	for _, tc := range tests {
		resp := rawGet(t, addr, tc.target)
		if resp.StatusCode == http.StatusBadRequest || resp.StatusCode == http.StatusMisdirectedRequest {
			continue // refused before the token (request line, or the absolute form's host): no redirect
		}
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther {
			t.Errorf("%q: status %d, want 303", tc.target, resp.StatusCode)
			continue
		}
		next, err := base.Parse(loc)
		if err != nil || next.Host != base.Host || next.Scheme != "http" || !sameOriginPath(strings.SplitN(loc, "?", 2)[0]) {
			t.Errorf("%q redirects to %q (%v): off this origin", tc.target, loc, next)
		}
		if strings.Contains(loc, "token") {
			t.Errorf("%q: the redirect %q still carries the token", tc.target, loc)
		}
		if tc.want != "" && loc != tc.want {
			t.Errorf("%q: Location %q, want %q", tc.target, loc, tc.want)
		}
	}
}

// FuzzLocalTarget: whatever the request line, the redirect after ?token=
// is a path on this origin without the token.
func FuzzLocalTarget(f *testing.F) {
	for _, s := range []string{"/?token=x", "//evil.example/?token=x", "/\\evil", "/%2F%2Fevil", "/%5C/evil", "/a/../../b", "/%00", "/?a=1&token=x&token=y", "/é/%ff"} {
		f.Add(s)
	}
	base, _ := url.Parse("http://127.0.0.1:5003/")
	f.Fuzz(func(t *testing.T, target string) {
		u, err := url.ParseRequestURI(target)
		if err != nil {
			return
		}
		loc := localTarget(u)
		next, err := base.Parse(loc)
		if err != nil {
			t.Fatalf("%q: Location %q does not parse: %v", target, loc, err)
		}
		if next.Host != base.Host || next.Scheme != base.Scheme || next.User != nil {
			t.Fatalf("%q: Location %q leaves the origin (%s)", target, loc, next)
		}
		if !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") || strings.ContainsAny(loc, "\\\r\n\t #") {
			t.Fatalf("%q: Location %q is not a plain local path", target, loc)
		}
		if next.Query().Has("token") {
			t.Fatalf("%q: Location %q keeps the token", target, loc)
		}
	})
}
