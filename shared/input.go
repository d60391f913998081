package shared

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
)

// What an opened tool call shows of its input, here so that the page
// that shows it and the find that searches it (on the page and in
// helmd) read the same text: a find that misses the Edit whose
// new_string says parseConfig, on a page that shows it, is a find the
// reader cannot trust.

// InputField is one member of a tool call's input as the page shows
// it: a string as it reads, any other value as indented JSON.
type InputField struct{ Name, Value string }

// ShowsInput reports whether the page shows t's input when the call is
// opened: not when there is none, or it is null or an empty object.
func (t *Tool) ShowsInput() bool {
	return len(t.Input) > 0 && string(t.Input) != "null" && string(t.Input) != "{}"
}

// InputFields is raw's members in their order, or false when raw is
// not a JSON object.
func InputFields(raw json.RawMessage) ([]InputField, bool) {
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
			if s, err = indentJSON(v); err != nil {
				return nil, false
			}
		}
		out = append(out, InputField{name, s})
	}
	return out, true
}

// InputJSON is raw as the page shows an input it does not take apart
// (not an object, or cut by the server): indented, written as
// InputFields writes a value; raw itself when it is not JSON.
func InputJSON(raw json.RawMessage) string {
	s, err := indentJSON(raw)
	if err != nil {
		return string(raw)
	}
	return s
}

// InputTexts is what the page shows of t's input once the call is
// opened: its fields' values, or its JSON when the page does not take
// it apart; nil when it shows none.
func InputTexts(t *Tool) []string {
	if !t.ShowsInput() {
		return nil
	}
	if fields, ok := InputFields(t.Input); ok && t.InputCut == nil {
		out := make([]string, len(fields))
		for i, f := range fields {
			out[i] = f.Value
		}
		return out
	}
	return []string{InputJSON(t.Input)}
}

// indentJSON writes the JSON value raw indented by two spaces, as
// written: members in their order (decoded into a map they came sorted,
// and a MultiEdit's new_string showed above its old_string), numbers as
// written (1e2 is not 100), strings escaped only where JSON must ("&&",
// not "\u0026\u0026") however raw escaped them, so that any encoding of
// a value shows the same text: the page's and helmd's copies of an
// input are encoded differently. Token by token, with a stack of its
// own, so that no nesting recurses.
func indentJSON(raw []byte) (string, error) {
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
