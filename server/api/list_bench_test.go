package api

import (
	"io"
	"net/http"
	"strconv"
	"testing"

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
