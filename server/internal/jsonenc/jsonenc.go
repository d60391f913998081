// Package jsonenc writes JSON values one after another, each exactly as
// json.Marshal would, without a new buffer per value: a list of 100,000
// sessions marshalled one by one made 100,000 slices of garbage (60 MB),
// which a server that paces its own collections keeps until the next one.
package jsonenc

import (
	"bytes"
	"encoding/json"
	"io"
)

// Encoder writes values to w. It is not safe for concurrent use.
type Encoder struct {
	enc *json.Encoder
	out trimmed
}

// New returns an Encoder writing to w.
func New(w io.Writer) *Encoder {
	e := &Encoder{out: trimmed{w: w}}
	e.enc = json.NewEncoder(&e.out)
	return e
}

// Encode writes v's JSON, the bytes json.Marshal(v) returns: compact, HTML
// characters escaped, no newline after it (json.Encoder adds one, which
// the writer drops). encoding/json encodes into a pooled buffer, so
// nothing is allocated per value.
func (e *Encoder) Encode(v any) error { return e.enc.Encode(v) }

// trimmed drops the newline json.Encoder ends each value with: it writes
// a value and its newline in one Write.
type trimmed struct{ w io.Writer }

func (t *trimmed) Write(p []byte) (int, error) {
	if _, err := t.w.Write(bytes.TrimSuffix(p, []byte{'\n'})); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Appender is an io.Writer that appends to B.
type Appender struct{ B []byte }

func (a *Appender) Write(p []byte) (int, error) {
	a.B = append(a.B, p...)
	return len(p), nil
}
