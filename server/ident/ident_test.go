package ident

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestNew(t *testing.T) {
	a := New("box", "/home/ann/.claude", "/home/ann/.local/share/opencode")
	if a != New("box", "/home/ann/.claude", "/home/ann/.local/share/opencode") {
		t.Error("the same helmd restarted is another instance")
	}
	others := []Identity{
		New("box", "/home/bob/.claude", "/home/bob/.local/share/opencode"), // another user
		New("other", "/home/ann/.claude", "/home/ann/.local/share/opencode"),
		New("box", "demo:/tmp/helm-demo-1"),
		New("box", "/home/ann/.claude"),                                // OpenCode off
		New("box", "/home/ann/.claude/home/ann/.local/share/opencode"), // not the same as two sources
	}
	for _, o := range others {
		if o.Instance == a.Instance {
			t.Errorf("%+v has the instance of %+v", o, a)
		}
	}
	if len(a.Instance) != 16 || strings.Contains(a.Instance, "ann") {
		t.Errorf("instance %q: want 16 hex digits naming no path", a.Instance)
	}
	if got := New("evil\r\nSet-Cookie: x=1", "/r").Host; strings.ContainsAny(got, "\r\n") {
		t.Errorf("host %q keeps control characters", got)
	}
	if got := New(strings.Repeat("h", 1000), "/r").Host; len(got) > maxHost {
		t.Errorf("host of %d bytes", len(got))
	}
}

func TestWrap(t *testing.T) {
	id := New("box", "/home/ann/.claude")
	reached := 0
	h := Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached++
		w.Write([]byte("[]"))
	}), id)
	srv := httptest.NewServer(h)
	defer srv.Close()

	tests := []struct {
		name    string
		query   string
		status  int
		reaches bool
	}{
		{"no instance named", "", 200, true},
		{"its own instance", "?instance=" + id.Instance, 200, true},
		{"its own, among other parameters", "?lastEventId=1-2&instance=" + id.Instance + "&q=x", 200, true},
		{"another instance", "?instance=0123456789abcdef", 409, false},
		{"another, after other parameters", "?status=waiting&instance=ffff", 409, false},
		{"an empty one is not checked", "?instance=", 200, true},
		{"a hostile value", "?instance=%0d%0aX:%20y" + strings.Repeat("z", 5000), 409, false},
		{"a malformed query", "?instance=%zz", 200, true}, // unparsable: names nothing
		{"an encoded key", "?inst%61nce=ffff", 409, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := reached
			resp, err := http.Get(srv.URL + "/api/sessions" + tc.query)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if got := reached > before; got != tc.reaches {
				t.Errorf("handler reached: %v, want %v", got, tc.reaches)
			}
			if resp.Header.Get(InstanceHeader) != id.Instance || resp.Header.Get(HostHeader) != "box" {
				t.Errorf("headers %q %q", resp.Header.Get(InstanceHeader), resp.Header.Get(HostHeader))
			}
		})
	}
}

// FuzzWrap: whatever the query, the answer is the handler's or a 409,
// and a 409 only when the query names another instance.
func FuzzWrap(f *testing.F) {
	id := New("box", "/r")
	for _, q := range []string{"", "instance=" + id.Instance, "instance=x", "instance=%zz", "a=1&instance=&instance=y", "instance=" + id.Instance + "&instance=z"} {
		f.Add(q)
	}
	h := Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }), id)
	f.Fuzz(func(t *testing.T, raw string) {
		r := httptest.NewRequest("GET", "/api/sessions", nil)
		r.URL.RawQuery = raw
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		want := 204
		if v := r.URL.Query().Get(Param); v != "" && v != id.Instance {
			want = 409
		}
		if w.Code != want {
			t.Errorf("query %q: %d, want %d", raw, w.Code, want)
		}
	})
}
