// Package silentport gives tests a port where something accepts every
// connection and never answers: what a client must tell from helmd, which
// answers at once.
package silentport

import (
	"net"
	"testing"
)

// Listen listens on a loopback port and accepts every connection, then
// says nothing on it: it holds it until the test ends, or, hangUp,
// closes it at once. It returns the port.
func Listen(t testing.TB, hangUp bool) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		var held []net.Conn
		for {
			c, err := ln.Accept()
			if err != nil {
				break
			}
			if hangUp {
				c.Close()
				continue
			}
			held = append(held, c)
		}
		for _, c := range held {
			c.Close()
		}
	}()
	t.Cleanup(func() { ln.Close(); <-done })
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}
