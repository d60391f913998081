// Package closed tells whether a channel used as a one-time signal (a
// first scan done, a stream ready) has fired, without waiting: helmd and
// its stream package each had their own copy of these lines.
package closed

// Is reports whether ch is closed, without waiting. Only for channels
// that are closed, never sent on: a value sent would read as closed.
func Is(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
