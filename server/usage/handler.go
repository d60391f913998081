package usage

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"vibecraft.sh/helm/server/internal/httperr"
)

// Install serves GET /api/usage (a Report) and GET /api/usage/block (the
// current Block) from st on mux, which the caller wraps in the guard like
// every other API path. now is the clock (nil: time.Now).
func Install(mux *http.ServeMux, st *Store, now func() time.Time, log *slog.Logger) {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	mux.HandleFunc("GET /api/usage", func(w http.ResponseWriter, r *http.Request) {
		q, err := ParseQuery(r.URL.Query(), now())
		if err != nil { // every error ParseQuery returns is the client's (ErrBadQuery)
			httperr.Write(w, http.StatusBadRequest, err.Error())
			return
		}
		writeJSON(w, r, log, st.Query(q))
	})
	mux.HandleFunc("GET /api/usage/block", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, r, log, st.Block(now()))
	})
}

func writeJSON(w http.ResponseWriter, r *http.Request, log *slog.Logger, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	if err := json.NewEncoder(w).Encode(v); err != nil && r.Context().Err() == nil {
		log.Debug("usage: write failed", "path", r.URL.Path, "err", err)
	}
}
