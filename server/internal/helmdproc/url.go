package helmdproc

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
)

// Address is where helmd says it serves, from the line it prints.
type Address struct {
	URL   string // http://host:port, without a trailing slash
	Addr  string // host:port
	Token string // the ?token= of the printed URL, if any
}

var (
	urlRe   = regexp.MustCompile(`http://([0-9.:\[\]]+)/`)
	tokenRe = regexp.MustCompile(`\?token=([A-Za-z0-9._~-]+)`)
)

// ParseAddress reads the address from one line of helmd's output.
func ParseAddress(line string) (Address, bool) {
	m := urlRe.FindStringSubmatch(line)
	if m == nil {
		return Address{}, false
	}
	a := Address{URL: "http://" + m[1], Addr: m[1]}
	if t := tokenRe.FindStringSubmatch(line); t != nil {
		a.Token = t[1]
	}
	return a, true
}

// WatchURL reads helmd's stdout and sends the first address it prints on
// the channel it returns, which is closed when stdout ends. It reads r to
// its end, so that helmd never blocks writing to it.
func WatchURL(r io.Reader) <-chan Address {
	out := make(chan Address, 1)
	go func() {
		defer close(out)
		sc := bufio.NewScanner(r)
		sent := false
		for sc.Scan() {
			if a, ok := ParseAddress(sc.Text()); ok && !sent {
				out <- a // buffered: never blocks
				sent = true
			}
		}
	}()
	return out
}

// FirstScanDone asks helmd at url whether its first scan is over,
// presenting token when set, through http.DefaultClient (which a test may
// have given credentials of its own).
func FirstScanDone(url, token string) bool {
	req, err := http.NewRequest(http.MethodGet, url+"/api/status", nil)
	if err != nil {
		return false
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	var st struct{ Scan struct{ Scans int } }
	_ = json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&st)
	return st.Scan.Scans > 0
}
