// Package feedtest drives app/feed natively, against a real server over
// HTTP, for tests: Client is a feed.Transport that reads Server-Sent
// Events the way a browser's EventSource does and a feed.Poller over GET,
// and List is a client's copy of the session list, kept the way the UI
// keeps it, that a test can wait on.
//
//	c := &feedtest.Client{Base: srv.URL}
//	l := feedtest.NewList()
//	m := feed.New(feed.Options{Transport: c, Poller: c, Base: l.Base, OnEvent: l.Apply})
//	m.Start()
//	defer c.Wait() // after m.Close(): every connection's goroutine has returned
//	defer m.Close()
//
// It uses net/http, which the wasm client must not link (about 5 MB):
// import it from tests only.
package feedtest
