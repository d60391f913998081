package snapshot

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"vibecraft.sh/helm/shared"
)

// corpusLike is n sessions shaped like helmbench's scale corpus: a
// 300-character first prompt, a short title, a waiting question, a
// project per 30 sessions.
func corpusLike(n int) []shared.Session {
	words := strings.Fields("query cost remove test client read refactor method offset value stream index retry handler context")
	text := func(i, length int) string {
		var b strings.Builder
		for j := 0; b.Len() < length; j++ {
			b.WriteString(words[(i*7+j*3)%len(words)])
			b.WriteByte(' ')
		}
		return b.String()[:length]
	}
	ss := make([]shared.Session, n)
	for i := range ss {
		p := fmt.Sprintf("/home/dev/code/api-%d", i/30)
		ss[i] = shared.Session{ID: fmt.Sprintf("%08x-7403-4ae5-846e-8a0e1f204997", i), Source: "claude", ProjectPath: p,
			ProjectName: p[strings.LastIndexByte(p, '/')+1:], Title: text(i, 40), FirstPrompt: text(i+1, 300),
			GitBranch: "main", Model: "claude-sonnet-4-5-20250929", MessageCount: 3, Status: "waiting", WaitingFor: "input needed",
			Tokens: shared.Tokens{Input: 8, Output: 1113, CacheRead: 146626, CacheWrite: 3643}, CostUSD: 0.07436805,
			Active: true, CreatedAt: 1830249184000, UpdatedAt: 1830249255000 - int64(i), WaitingSince: 1830249255000 - int64(i),
			Version: "2.1.90", Question: text(i+2, 200)}
	}
	return ss
}

// BenchmarkStartList compares what a client decodes to start with 10,000
// sessions: the snapshot, and the JSON list the stream's init carries.
func BenchmarkStartList(b *testing.B) {
	ss := corpusLike(10_000)
	snap := encode(b, ss)
	js, err := json.Marshal(ss)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("snapshot", func(b *testing.B) {
		b.SetBytes(int64(len(snap)))
		for b.Loop() {
			if _, err := Decode(snap); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("json", func(b *testing.B) {
		b.SetBytes(int64(len(js)))
		for b.Loop() {
			var out []shared.Session
			if err := json.Unmarshal(js, &out); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encode", func(b *testing.B) {
		for b.Loop() {
			encode(b, ss)
		}
	})
}
