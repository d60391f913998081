package shared

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
)

// The implementation of InputFields and indentJSON before they read the
// raw bytes themselves, on json.Decoder's Token API (23 KB more of the
// client's wasm, which nothing else there used). It is the reference
// FuzzInputFieldsSame holds the new one to, byte for byte.

// refInputFields is the json.Decoder implementation InputFields replaced,
// kept as the reference its differential fuzz target compares with: raw's members in their order, or false when raw is
// not a JSON object.
func refInputFields(raw json.RawMessage) ([]InputField, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, false
	}
	var out []InputField
	for dec.More() {
		tok, err := dec.Token()
		name, isName := tok.(string)
		if err != nil || !isName {
			return nil, false
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, false
		}
		var s string
		if json.Unmarshal(v, &s) != nil {
			if s, err = refIndentJSON(v); err != nil {
				return nil, false
			}
		}
		out = append(out, InputField{name, s})
	}
	return out, true
}

// refIndentJSON is the json.Decoder implementation indentJSON replaced:
// it writes the JSON value raw indented by two spaces, as
// written: members in their order (decoded into a map they came sorted,
// and a MultiEdit's new_string showed above its old_string), numbers as
// written (1e2 is not 100), strings escaped only where JSON must ("&&",
// not "\u0026\u0026") however raw escaped them, so that any encoding of
// a value shows the same text: the page's and helmd's copies of an
// input are encoded differently. Token by token, with a stack of its
// own, so that no nesting recurses.
func refIndentJSON(raw []byte) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	type level struct {
		object   bool
		items    int  // members or elements written
		afterKey bool // an object's key is written, its value not yet
	}
	var (
		b     strings.Builder
		stack []level
		str   bytes.Buffer
		done  bool
	)
	enc := json.NewEncoder(&str)
	enc.SetEscapeHTML(false)
	writeString := func(s string) {
		str.Reset()
		_ = enc.Encode(s) // a string always encodes
		b.Write(bytes.TrimSuffix(str.Bytes(), []byte("\n")))
	}
	newline := func(depth int) {
		b.WriteByte('\n')
		for range depth {
			b.WriteString("  ")
		}
	}
	for {
		tok, err := dec.Token()
		if err == io.EOF && done {
			return b.String(), nil
		}
		if err != nil {
			return "", err
		}
		if done {
			return "", errors.New("more than one JSON value")
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			top := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if top.items > 0 {
				newline(len(stack))
			}
			b.WriteByte(byte(d))
			done = len(stack) == 0
			continue
		}
		if n := len(stack); n > 0 {
			top := &stack[n-1]
			if top.object && top.afterKey {
				top.afterKey = false
			} else {
				// A new member (its key) or element.
				if top.items > 0 {
					b.WriteByte(',')
				}
				newline(n)
				top.items++
				if top.object {
					key, _ := tok.(string) // the decoder gives only strings here
					writeString(key)
					b.WriteString(": ")
					top.afterKey = true
					continue
				}
			}
		}
		switch x := tok.(type) {
		case json.Delim:
			b.WriteByte(byte(x))
			stack = append(stack, level{object: x == '{'})
			continue
		case string:
			writeString(x)
		case json.Number:
			b.WriteString(x.String())
		case bool:
			if x {
				b.WriteString("true")
			} else {
				b.WriteString("false")
			}
		case nil:
			b.WriteString("null")
		}
		done = len(stack) == 0
	}
}
