package api

import (
	"bufio"
	"fmt"
	"iter"
	"net/http"

	"vibecraft.sh/helm/server/internal/jsonenc"
)

// writeList answers a JSON array of sessions, encoded one session at a
// time through a small buffer. json.Encoder would build the whole array
// in memory first (MBs at 10k sessions), held until a client that reads
// slowly, or not at all, has taken it.
func writeList[T any](w http.ResponseWriter, sessions []T) error {
	return writeShaped(w, func(yield func(*T) bool) {
		for i := range sessions {
			if !yield(&sessions[i]) {
				return
			}
		}
	}, func(s *T) any { return s })
}

// writeShaped is writeList over a sequence of sessions (a lent list a
// filter walks, not a copy of what it keeps), each written as shape
// gives it, called once per session, each value encoded before the
// next call.
func writeShaped[T any](w http.ResponseWriter, sessions iter.Seq[*T], shape func(*T) any) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	bw := bufio.NewWriterSize(w, 32<<10)
	enc := jsonenc.New(bw) // json.Marshal's bytes, with no garbage per session
	bw.WriteByte('[')
	i := 0
	for s := range sessions {
		if i > 0 {
			bw.WriteByte(',')
		}
		if err := enc.Encode(shape(s)); err != nil {
			return fmt.Errorf("encode session %d: %w", i, err)
		}
		i++
	}
	bw.WriteString("]\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write sessions: %w", err)
	}
	return nil
}
