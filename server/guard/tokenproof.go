package guard

import (
	"encoding/json"
	"net/http"

	"vibecraft.sh/helm/server/internal/tokenproof"
)

// serveTokenProof answers a client's nonce with the proof that this helmd
// holds token, bound to the socket address the request reached (so that
// a program relaying the question from another port gets a proof that is
// not for its own address). With authentication off it says so: the
// client must then send no token.
func serveTokenProof(w http.ResponseWriter, r *http.Request, token string) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		denyJSON(w, http.StatusMethodNotAllowed, "token proof: GET only")
		return
	}
	answer, err := tokenproof.For(token, r)
	if err != nil {
		denyJSON(w, http.StatusBadRequest, "token proof: "+err.Error())
		return
	}
	b, err := json.Marshal(answer)
	if err != nil {
		denyJSON(w, http.StatusInternalServerError, "token proof: "+err.Error())
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	_, _ = w.Write(b)
}
