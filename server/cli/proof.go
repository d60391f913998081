package cli

import (
	"context"
	"errors"
	"net"

	"vibecraft.sh/helm/server/internal/tokenproof"
)

// dialer opens the commands' connections; a variable so that a test can
// reach a real helmd by a host name no resolver knows.
var dialer tokenproof.Dialer = &net.Dialer{}

// dialProven is the transport's dial: a connection carries the token
// only once what answers has proved it holds it (tokenproof).
func (c *client) dialProven(ctx context.Context, network, addr string) (net.Conn, error) {
	conn, err := tokenproof.Dial(ctx, dialer, network, addr, c.currentToken())
	if errors.Is(err, tokenproof.ErrNotProven) {
		return nil, &unprovenError{err}
	}
	return conn, err
}

// errNotProven is what a command says when the token was kept back.
var errNotProven = errors.New("your token was not sent")

// errNoTokenClaim is an answer that no token is wanted to a client that
// holds one and was not told (--auth none) that helmd wants none: that
// answer needs no proof, so it is not taken (client.send).
var errNoTokenClaim = errors.New("says it wants no token")

// unprovenError carries why a connection was not proven through the
// transport's wrapping, so the command can say it in its own words.
type unprovenError struct{ err error }

func (e *unprovenError) Error() string { return e.err.Error() }
func (e *unprovenError) Unwrap() error { return e.err }
