package api

import (
	"io"
	"net/http"
	"strconv"
	"testing"

	"vibecraft.sh/helm/server/stream"
	"vibecraft.sh/helm/shared"
)

// discardWriter is a ResponseWriter that drops the body, so that only
// what writeList itself allocates is counted.
type discardWriter struct{ h http.Header }

func (d discardWriter) Header() http.Header         { return d.h }
func (d discardWriter) Write(p []byte) (int, error) { return io.Discard.Write(p) }
func (d discardWriter) WriteHeader(int)             {}

// BenchmarkWriteList reports what answering the unpaged list of 10,000
// sessions allocates (B/op): a small buffer, nothing per session.
//
//	go test -run '^$' -bench WriteList -benchmem ./server/api/
func BenchmarkWriteList(b *testing.B) {
	list := make([]shared.Session, 10_000)
	for i := range list {
		list[i] = shared.Session{ID: "s" + strconv.Itoa(i), Source: shared.SourceClaude, ProjectPath: "/home/dev/project",
			ProjectName: "project", Title: "a title of some length", FirstPrompt: "the first prompt, <b>with</b> markup",
			Model: "claude-opus-4", MessageCount: i, CostUSD: 1.25, Status: shared.StatusIdle, UpdatedAt: int64(i)}
	}
	w := discardWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		if err := writeList(w, list); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriteOriginalList reports what one answer of
// /api/claude-sessions/all over 10,000 Claude sessions allocates: the
// original's shape adds two ISO-8601 times per session, which were a
// string each.
//
//	go test -run '^$' -bench WriteOriginalList -benchmem ./server/api/
func BenchmarkWriteOriginalList(b *testing.B) {
	list := make([]shared.Session, 10_000)
	for i := range list {
		list[i] = shared.Session{ID: "5c1f0b2e-8a4d-4c1e-9f3a-" + strconv.FormatInt(100000000000+int64(i), 10), Source: shared.SourceClaude,
			ProjectPath: "/home/dev/project/", ProjectName: "project", Title: "a title of some length",
			FirstPrompt: "the first prompt, <b>with</b> markup", Model: "claude-opus-4", MessageCount: i, CostUSD: 1.25,
			Status: shared.StatusIdle, CreatedAt: 1_763_990_000_000 + int64(i)*7_919, UpdatedAt: 1_764_990_000_000 - int64(i)*1_013}
	}
	hub := stream.NewHub(stream.Options{})
	defer hub.Close()
	hub.Publish(shared.EventRefresh, list)
	a := New(Deps{Refresh: &fakeRefresher{}, Stream: hub, Status: func() any { return nil }})
	w := discardWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		if err := a.listClaude(w, nil); err != nil {
			b.Fatal(err)
		}
	}
}
