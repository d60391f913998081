package guard

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkGuard is the guard's cost on a request that passes it: the
// page's own fetch of the API with the cookie and fetch metadata.
func BenchmarkGuard(b *testing.B) {
	h := Wrap(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), Options{Token: secret})
	r := httptest.NewRequest("GET", "http://127.0.0.1:5003/api/sessions", nil)
	r.Header.Set("Cookie", CookieName+"="+secret)
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	r.Header.Set("Sec-Fetch-Mode", "cors")
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 200 {
			b.Fatalf("status %d", w.Code)
		}
	}
}
