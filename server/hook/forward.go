package hook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"vibecraft.sh/helm/server/internal/tokenproof"
)

// A hook runs inside the user's Claude Code session, which waits for it:
// it must never slow or fail that session. These bound what forwarding
// may cost when helmd is down (the dial is refused at once) or hung.
const (
	// DialTimeout bounds the connection to helmd.
	DialTimeout = 300 * time.Millisecond
	// Timeout bounds the whole exchange, dial included.
	Timeout = 800 * time.Millisecond
)

// Path is where helmd takes hook payloads.
const Path = "/api/hooks"

// Client returns the HTTP client Forward uses: short timeouts, no
// proxies (helmd is on this machine; a proxy from the environment would
// see the token), no keep-alive (one request per process), and the token
// (when not "") sent only on a connection whose other end proved it holds
// it: the hook runs on every event of every session, helmd running or
// not, and any account can listen on its port while it does not.
func Client(token string) *http.Client {
	dialer := &net.Dialer{Timeout: DialTimeout}
	return &http.Client{
		Timeout: Timeout,
		Transport: &http.Transport{
			Proxy: nil,
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				return tokenproof.Dial(ctx, dialer, network, addr, token)
			},
			DisableKeepAlives: true,
		},
		// A redirect would resend the payload elsewhere: never follow one.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Forward reads one payload from in (at most MaxPayload bytes) and posts
// what Helm reads of it (Reduce), with when it ran, to helmd at base ("http://host:port") with token ("" for none). The
// caller ignores its error: it says why nothing was delivered, for tests
// and debug output, and a hook exits 0 whatever happened.
func Forward(ctx context.Context, in io.Reader, base, token string) error {
	sent := time.Now() // first: Claude Code ran the hook just now; the POST may reach helmd late
	data, err := io.ReadAll(io.LimitReader(in, MaxPayload+1))
	if err != nil {
		return fmt.Errorf("read stdin: %w", err)
	}
	if data, err = Reduce(data, sent); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	resp, err := post(ctx, data, base, token)
	if errors.Is(err, tokenproof.ErrNoTokenWanted) {
		// No proof comes with "I want no token": any account listening
		// on the port while helmd is down can say it, and would be handed
		// the session's question and messages. A hook for a helmd with
		// --auth none is installed with --auth none and holds no token.
		return fmt.Errorf("post to helmd: %w: this hook holds a token, so it sends nothing unproven "+
			"(for a helmd with --auth none, install the hooks with `helmd hooks --install --auth none`)", err)
	}
	if err != nil {
		return fmt.Errorf("post to helmd: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	if resp.StatusCode >= 300 {
		return fmt.Errorf("helmd answered %s", resp.Status)
	}
	return nil
}

func post(ctx context.Context, data []byte, base, token string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+Path, bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return Client(token).Do(req)
}
