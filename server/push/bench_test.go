package push

import (
	"fmt"
	"testing"

	"vibecraft.sh/helm/shared"
)

// BenchmarkObserveRefresh is what push adds to live's publish path for a
// refresh of 1000 sessions (helmd's full rescan).
func BenchmarkObserveRefresh(b *testing.B) {
	svc, err := New(Options{Dir: b.TempDir(), Subject: "ops@helm-test.org"})
	if err != nil {
		b.Fatal(err)
	}
	all := make([]shared.Session, 1000)
	for i := range all {
		all[i] = session(fmt.Sprintf("s%04d", i), shared.StatusWorking, "")
	}
	svc.Observe(shared.EventRefresh, all)
	b.ReportAllocs()
	for b.Loop() {
		svc.Observe(shared.EventRefresh, all)
	}
}

// BenchmarkObserveUpdate is the cost per single-session update.
func BenchmarkObserveUpdate(b *testing.B) {
	svc, err := New(Options{Dir: b.TempDir(), Subject: "ops@helm-test.org"})
	if err != nil {
		b.Fatal(err)
	}
	svc.Observe(shared.EventRefresh, nil)
	one := []shared.Session{session("a", shared.StatusWorking, "")}
	b.ReportAllocs()
	for b.Loop() {
		svc.Observe(shared.EventSessionUpdated, one)
	}
}
