package httperr

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestWrite(t *testing.T) {
	tests := []struct {
		name   string
		status int
		msg    string
	}{
		{"plain", http.StatusNotFound, "no such endpoint"},
		{"markup stays text", http.StatusBadRequest, `<script>alert("x")</script>`},
		{"control characters", http.StatusServiceUnavailable, "line\nbreak\x00nul"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			rec.Header().Set("Retry-After", "3")
			rec.Header().Set("Content-Type", "text/event-stream")
			Write(rec, tc.status, tc.msg)
			if rec.Code != tc.status {
				t.Errorf("status %d, want %d", rec.Code, tc.status)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			if rec.Header().Get("Retry-After") != "3" {
				t.Error("a header set before Write was lost")
			}
			var body map[string]string
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || len(body) != 1 || body["error"] != tc.msg {
				t.Errorf("body %q (%v), want {\"error\": %q}", rec.Body.String(), err, tc.msg)
			}
		})
	}
}
