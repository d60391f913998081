package guard

import (
	"html"
	"net/http"
	"strings"
)

// unauthorized answers a request without a valid token: JSON for the API
// and scripts; for a page, a small page that asks for the token. That
// page holds nothing of the user's and echoes nothing of the request
// (fixed text only), so a link from anywhere may open it safely.
func unauthorized(w http.ResponseWriter, r *http.Request, problem string) {
	if isAPI(r.URL.Path) || !wantsPage(r) {
		msg := "a token is required: open the URL helmd printed at start (…/?token=…; `helmd url` prints it again), or send Authorization: Bearer <token>"
		if problem != "" {
			msg = "wrong token: " + msg
		}
		denyJSON(w, http.StatusUnauthorized, msg)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusUnauthorized)
	if r.Method == http.MethodHead {
		return
	}
	var b strings.Builder
	b.WriteString(askHead)
	if problem == "" && strings.EqualFold(r.Header.Get("Sec-Fetch-Site"), "cross-site") {
		// The cookie is SameSite=Strict, so a link from another site
		// arrives without it. Loading the same address again, from this
		// page, is a same-origin navigation that carries it; if there is
		// no cookie that second load is not cross-site and stops here.
		b.WriteString(`<meta http-equiv="refresh" content="0">` + "\n")
	}
	b.WriteString(askBodyStart)
	if problem != "" {
		b.WriteString(`<p class="ask-problem" role="alert">` + html.EscapeString(problem) + "</p>\n")
	}
	b.WriteString(askBodyEnd)
	_, _ = w.Write([]byte(b.String()))
}

// The page asking for the token. Without an action the form submits to
// this same address with ?token=…, which the guard turns into the cookie.
const (
	askHead = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Helm — access token needed</title>
<link rel="stylesheet" href="/web/helm.css">
`
	askBodyStart = `</head>
<body>
<main class="ask-token">
<h1>Helm needs its access token</h1>
`
	askBodyEnd = `<p>Transcripts hold secrets, so Helm asks for the token it keeps on the machine where helmd runs.
Open the URL helmd printed at start, or run <code>helmd url</code> there to print it again, or paste the token:</p>
<form method="get" autocomplete="off">
<label for="token">Token</label>
<input id="token" name="token" type="password" required minlength="16" maxlength="512" pattern="[A-Za-z0-9._~\-]+" autofocus>
<button type="submit">Open Helm</button>
</form>
</main>
</body>
</html>
`
)
