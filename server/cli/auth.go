package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// probeTimeout bounds NeedsToken: `helmd url` must not hang on a port
// held by something that never answers.
const probeTimeout = 3 * time.Second

// ErrTokenRefused is a helmd that wants a token and was not given its own.
var ErrTokenRefused = errors.New("helmd wants a token, and not this one")

// NeedsToken asks the helmd listening at base (http://host:port/) whether
// it wants a token, as any client finds out: by asking for its status
// without one. False: it answered (it was started with --auth none), and
// token is "": holding a token, that answer is not taken (any program on
// the port can give it, and the URL would open its page), and the error
// says to pass --auth none. True, nil: it refused, and takes token.
// ErrTokenRefused: it refused, and does not take token either. Other
// errors: nothing there answered as helmd does, or nothing listens (the
// error then wraps the one `helmd ls` exits 2 on). The token goes only to
// a helmd that proved it holds it.
func NeedsToken(ctx context.Context, base, token string) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	var doc struct {
		Version string `json:"version"`
	}
	probe := newClient(base, "")
	defer probe.http.CloseIdleConnections()
	_, err := probe.getJSON(ctx, "/api/status", &doc)
	switch {
	case err == nil && doc.Version != "" && token != "":
		return false, probe.noTokenClaimed(errors.New("it answered without a token"))
	case err == nil && doc.Version != "":
		return false, nil
	case err == nil:
		return false, fmt.Errorf("what answers at %s %w (its status names no version): is helmd on another port? (--port)",
			strings.TrimSuffix(base, "/"), errNotHelmd)
	case !errors.Is(err, errUnauthorized):
		return false, err
	case token == "":
		return true, ErrTokenRefused
	}
	asked := newClient(base, token)
	defer asked.http.CloseIdleConnections()
	switch _, err := asked.getJSON(ctx, "/api/status", &doc); {
	case errors.Is(err, errUnauthorized):
		return true, ErrTokenRefused
	case errors.Is(err, errNotProven):
		// It did not prove it knows token (dialProven): a helmd with
		// another token, or another program answering as one.
		return true, fmt.Errorf("%w (%w)", ErrTokenRefused, err)
	case err != nil:
		return true, err
	}
	return true, nil
}
