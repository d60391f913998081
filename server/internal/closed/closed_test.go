package closed

import "testing"

func TestIs(t *testing.T) {
	ch := make(chan struct{})
	if Is(ch) {
		t.Fatal("an open channel reads as closed")
	}
	close(ch)
	if !Is(ch) {
		t.Fatal("a closed channel reads as open")
	}
	if Is(nil) {
		t.Fatal("a nil channel, which never closes, reads as closed")
	}
}
