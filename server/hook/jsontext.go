package hook

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// node is a JSON value of a settings file as the user wrote it. An
// unchanged node is written back as its bytes, so that what Helm does not
// touch keeps its spacing, key order, escapes and numbers (1e400 stays
// 1e400, "\u00e9" stays escaped, "&&" is not turned into "\u0026\u0026",
// as re-encoding through a Go map did). Only a changed node (dirty) is
// written again from its members, in their order.
type node struct {
	raw   []byte   // the value as written; for a new node, its encoding once it is a scalar
	kind  byte     // '{', '[', or 0 for anything else (a scalar, or not expanded)
	keys  [][]byte // an object's keys as written (quoted), in order
	vals  []*node  // an object's values, an array's elements
	dirty bool
}

// scalar is a new string or number node.
func scalar(v any) *node {
	return &node{raw: encodeScalar(v)}
}

// encodeScalar encodes v as JSON without Go's HTML escaping, which Claude
// Code does not need and which turned a command's "&&" into "\u0026\u0026".
func encodeScalar(v any) []byte {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	if err := e.Encode(v); err != nil {
		panic(fmt.Sprintf("hook: encode %v: %v", v, err)) // only strings and ints are encoded
	}
	return bytes.TrimRight(b.Bytes(), "\n")
}

// newObject is a new object of the given keys and values, in order.
func newObject(kv ...any) *node {
	n := &node{kind: '{', dirty: true}
	for i := 0; i+1 < len(kv); i += 2 {
		n.keys = append(n.keys, encodeScalar(kv[i].(string)))
		n.vals = append(n.vals, kv[i+1].(*node))
	}
	return n
}

// newArray is a new array of elems.
func newArray(elems ...*node) *node {
	return &node{kind: '[', dirty: true, vals: elems}
}

// jsonKind names the JSON type of a value as written, for errors.
func jsonKind(raw []byte) string {
	switch c := firstByte(raw); {
	case c == '{':
		return "an object"
	case c == '[':
		return "an array"
	case c == '"':
		return "a string"
	case c == 't' || c == 'f':
		return "a boolean"
	case c == 'n':
		return "null"
	default:
		return "a number"
	}
}

// jsonSpace is the white space JSON allows between its tokens.
const jsonSpace = " \t\r\n"

func firstByte(raw []byte) byte {
	raw = bytes.TrimLeft(raw, jsonSpace)
	if len(raw) == 0 {
		return 0
	}
	return raw[0]
}

func (n *node) isNull() bool { return n.kind == 0 && string(bytes.Trim(n.raw, jsonSpace)) == "null" }

// expand parses one level of an object or array node: its members, each
// kept as written. Only the levels Helm reads are expanded, so a deeply
// nested value elsewhere costs one pass of the decoder, not one per level.
func (n *node) expand() error {
	if n.kind != 0 || (firstByte(n.raw) != '{' && firstByte(n.raw) != '[') {
		return nil
	}
	d := json.NewDecoder(bytes.NewReader(n.raw))
	d.UseNumber()
	tok, err := d.Token()
	if err != nil {
		return err
	}
	open, _ := tok.(json.Delim)
	for d.More() {
		if open == '{' {
			before := d.InputOffset()
			if _, err := d.Token(); err != nil {
				return err
			}
			// The key as written: what the decoder passed over, less the
			// comma and spacing before it.
			key := bytes.TrimLeft(n.raw[before:d.InputOffset()], " \t\r\n,")
			n.keys = append(n.keys, key)
		}
		var v json.RawMessage
		if err := d.Decode(&v); err != nil {
			return err
		}
		n.vals = append(n.vals, &node{raw: v})
	}
	n.kind = byte(open)
	return nil
}

// get is the value of key in an object node: the last one of that name,
// as JavaScript's JSON.parse, which Claude Code reads settings with, keeps
// the last of duplicate keys. It returns -1 and nil for none.
func (n *node) get(key string) (int, *node) {
	for i := len(n.keys) - 1; i >= 0; i-- {
		var k string
		if json.Unmarshal(n.keys[i], &k) == nil && k == key {
			return i, n.vals[i]
		}
	}
	return -1, nil
}

// set sets key in an object node, where it was or at the end.
func (n *node) set(key string, v *node) {
	if i, _ := n.get(key); i >= 0 {
		n.vals[i] = v
	} else {
		n.keys = append(n.keys, encodeScalar(key))
		n.vals = append(n.vals, v)
	}
	n.dirty = true
}

// str is the string a scalar node holds, and whether it is one.
func (n *node) str() (string, bool) {
	var s string
	if n.kind != 0 || firstByte(n.raw) != '"' || json.Unmarshal(n.raw, &s) != nil {
		return "", false
	}
	return s, true
}

// format is how a settings file is laid out, for what Helm writes in it:
// its indentation unit and line ending.
type format struct{ indent, nl string }

// encode writes n at depth (its first line already indented): an
// unchanged node as written, a changed one member by member.
func (n *node) encode(b *bytes.Buffer, f format, depth int) {
	if !n.dirty || n.kind == 0 {
		b.Write(n.raw)
		return
	}
	open, closing := byte('['), byte(']')
	if n.kind == '{' {
		open, closing = '{', '}'
	}
	b.WriteByte(open)
	if len(n.vals) == 0 {
		b.WriteByte(closing)
		return
	}
	inner := strings.Repeat(f.indent, depth+1)
	for i, v := range n.vals {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(f.nl)
		b.WriteString(inner)
		if n.kind == '{' {
			b.Write(n.keys[i])
			b.WriteString(": ")
		}
		v.encode(b, f, depth+1)
	}
	b.WriteString(f.nl)
	b.WriteString(strings.Repeat(f.indent, depth))
	b.WriteByte(closing)
}

// errShape is a settings file Helm will not change: it is JSON, but not in
// the shape Claude Code reads.
var errShape = errors.New("not in Claude Code's shape")
