package fleet

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"vibecraft.sh/helm/shared"
)

// overlapKV is a bucket whose writes each wait, as a write over a network
// waits for its acknowledgement, until want writes are under way at once:
// a publisher that writes one key at a time never gets there, and its
// writes fail once its patience is out (one deadline for them all).
type overlapKV struct {
	jetstream.KeyValue // only Put and Delete are called
	want               int
	patience           context.Context

	mu       sync.Mutex
	inFlight int
	together chan struct{} // closed once want writes were under way at once
	met      bool          // together is closed
	got      map[string]bool
}

func newOverlapKV(t *testing.T, want int) *overlapKV {
	patience, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	t.Cleanup(cancel)
	return &overlapKV{want: want, patience: patience, together: make(chan struct{}), got: map[string]bool{}}
}

func (kv *overlapKV) write(ctx context.Context, key string, val bool) error {
	kv.mu.Lock()
	kv.inFlight++
	if kv.inFlight == kv.want && !kv.met {
		kv.met = true
		close(kv.together)
	}
	kv.mu.Unlock()
	defer func() {
		kv.mu.Lock()
		kv.inFlight--
		kv.mu.Unlock()
	}()
	select {
	case <-kv.together:
	case <-ctx.Done():
		return ctx.Err()
	case <-kv.patience.Done():
		return errors.New("no other write under way: one round trip per key")
	}
	kv.mu.Lock()
	kv.got[key] = val
	kv.mu.Unlock()
	return nil
}

func (kv *overlapKV) Put(ctx context.Context, key string, value []byte) (uint64, error) {
	return 1, kv.write(ctx, key, true)
}

func (kv *overlapKV) Delete(ctx context.Context, key string, _ ...jetstream.KVDeleteOpt) error {
	return kv.write(ctx, key, false)
}

// A machine with hundreds of sessions, 40 ms from its hub, took 27 s to
// list them there, one acknowledged write after another, and a change of
// the session its user worked in waited behind them all. A flush has its
// writes under way together: here none of them can finish alone.
func TestFlushWritesKeysTogether(t *testing.T) {
	p := NewPublisher("alpha", time.Minute, nil)
	var sessions []shared.Session
	for i := range 40 {
		sessions = append(sessions, shared.Session{Source: shared.SourceClaude, ID: fmt.Sprintf("s%02d", i), Title: "t"})
	}
	p.Observe(shared.EventRefresh, sessions)
	gone := SessionKey("alpha", shared.SourceClaude, "gone")
	written := map[string][]byte{gone: []byte(`{}`)} // in the bucket, no longer on this machine
	p.markAll(written)

	kv := newOverlapKV(t, 8)
	start := time.Now()
	if err := p.flush(context.Background(), kv, written); err != nil {
		t.Fatalf("flush: %v (after %v)", err, time.Since(start))
	}
	if len(kv.got) != 41 || kv.got[gone] {
		t.Errorf("bucket writes: %d, the vanished session's a put: %v; want 40 puts and 1 delete", len(kv.got), kv.got[gone])
	}
	if _, ok := written[gone]; ok || len(written) != 40 {
		t.Errorf("the publisher believes the bucket holds %d keys (the vanished one: %v), want the 40 sessions", len(written), ok)
	}
	if st := p.Stats(); st.Puts != 40 || st.Deletes != 1 {
		t.Errorf("stats: %d puts, %d deletes; want 40 and 1", st.Puts, st.Deletes)
	}
}
