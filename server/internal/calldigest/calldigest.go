// Package calldigest names a tool call by its tool's name and input, so
// that a permission dialog told of by Claude Code's PermissionRequest
// hook (tool_name, tool_input) can be matched with the tool_use of the
// transcript it asks about (name, input). `helmd hook` and helmd's
// reading of the transcript (claude Source.Asks) both use Of: one
// function, so the two sides agree.
//
// Nothing says the hook's tool_input is byte for byte the transcript's
// input, so the digest is of a canonical form: the JSON decoded and
// encoded again, object keys sorted, no white space, strings and numbers
// as encoding/json writes them back. Numbers are read as float64, as
// JavaScript (Claude Code) holds them: 1.50 and 1.5 are one number.
package calldigest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
)

// Size is a digest's length in bytes: 128 bits, far more than the calls
// of one turn need to be told apart, and small enough to keep one per
// pending call.
const Size = 16

// Sum is the digest of one tool call.
type Sum [Size]byte

// MaxInput bounds the canonical input a digest covers. A larger input (a
// Write of a big file) is named by its tool alone: keeping its bytes to
// digest them would cost more than telling such calls apart is worth.
const MaxInput = 64 << 10

// Of is the digest of a call of tool name with input, a JSON value. ok
// is false when input is not one JSON value.
func Of(name string, input []byte) (sum Sum, ok bool) {
	canon, ok := canonical(input)
	if !ok {
		return Sum{}, false
	}
	if len(canon) > MaxInput {
		return Large(name), true
	}
	h := sha256.New()
	h.Write([]byte(name))
	h.Write([]byte{0})
	h.Write(canon)
	copy(sum[:], h.Sum(nil))
	return sum, true
}

// Large is the digest of a call of tool name whose canonical input is
// longer than MaxInput.
func Large(name string) Sum {
	h := sha256.Sum256(append([]byte(name), 1))
	var sum Sum
	copy(sum[:], h[:])
	return sum
}

// canonical is input decoded and encoded again: keys sorted (encoding/json
// writes a map's keys in order), no white space, each number in its
// shortest form.
func canonical(input []byte) ([]byte, bool) {
	d := json.NewDecoder(bytes.NewReader(input))
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, false
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, false // more than one value
	}
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	if err := e.Encode(v); err != nil {
		return nil, false
	}
	return bytes.TrimSuffix(b.Bytes(), []byte{'\n'}), true
}

// String is the digest in hex, as `helmd hook` forwards it.
func (s Sum) String() string { return hex.EncodeToString(s[:]) }

// Parse reads a digest String wrote; ok is false for anything else.
func Parse(s string) (sum Sum, ok bool) {
	if len(s) != 2*Size {
		return Sum{}, false
	}
	if _, err := hex.Decode(sum[:], []byte(s)); err != nil {
		return Sum{}, false
	}
	return sum, true
}
