package hook

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// bom is the UTF-8 byte order mark some Windows editors put first.
var bom = []byte{0xEF, 0xBB, 0xBF}

// document is a settings file's text, with where its "hooks" member is,
// so that Helm changes that member's text alone: every other key keeps
// its place and bytes, where re-encoding the whole file sorted the keys,
// re-indented it and rewrote escapes and line endings.
type document struct {
	bom   bool   // the file starts with a byte order mark, kept
	text  []byte // the file after the mark
	empty bool   // nothing there (no file, blanks, or null): written whole
	f     format

	open, close int // offsets of the top-level braces
	lastEnd     int // end of the last member's value; -1 for no member

	// The "hooks" member (the last of that name, which Claude Code reads),
	// start < 0 for none: where its key starts, its value's span, where
	// the member before it ends (or open+1) and the next one's key starts
	// (-1 for none), and whether another "hooks" key is there too.
	hooks                               *node
	start, valStart, valEnd, prev, next int
	dupHooks                            bool
}

// parseDocument reads a settings file's text. Bad JSON, or JSON that is
// not an object, is an error saying where: Helm never writes over a file
// it cannot read whole.
func parseDocument(data []byte) (*document, error) {
	d := &document{start: -1, lastEnd: -1, f: format{indent: "  ", nl: "\n"}}
	if bytes.HasPrefix(data, bom) {
		d.bom, data = true, data[len(bom):]
	}
	d.text = data
	if bytes.Contains(data, []byte("\r\n")) {
		d.f.nl = "\r\n"
	}
	// JSON's white space only: a form feed or a no-break space before
	// "null" makes a file Claude Code cannot read either, not an empty one.
	if t := bytes.Trim(data, jsonSpace); len(t) == 0 || string(t) == "null" {
		d.empty = true
		return d, nil
	}
	var whole json.RawMessage
	if err := json.Unmarshal(data, &whole); err != nil {
		return nil, fmt.Errorf("not valid JSON (%s)", where(data, err))
	}
	if c := firstByte(data); c != '{' {
		return nil, fmt.Errorf("%w: it holds %s, not an object of settings", errShape, jsonKind(data))
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	d.open = int(dec.InputOffset()) - 1
	for dec.More() {
		before := int(dec.InputOffset())
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		keyEnd := int(dec.InputOffset())
		keyStart := keyEnd - len(bytes.TrimLeft(data[before:keyEnd], " \t\r\n,"))
		if d.lastEnd < 0 {
			d.f.indent = indentOf(data[d.open+1 : keyStart])
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		end := int(dec.InputOffset())
		if !bytes.Equal(data[end-len(v):end], v) {
			return nil, errors.New("cannot locate a value in the file") // the decoder changed; never guess
		}
		if d.start >= 0 && d.next < 0 {
			d.next = keyStart
		}
		if key, _ := tok.(string); key == "hooks" {
			d.dupHooks = d.dupHooks || d.start >= 0
			d.start, d.valStart, d.valEnd, d.next = keyStart, end-len(v), end, -1
			d.prev = d.open + 1
			if d.lastEnd >= 0 {
				d.prev = d.lastEnd
			}
		}
		d.lastEnd = end
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	d.close = int(dec.InputOffset()) - 1
	if d.start >= 0 {
		d.hooks = &node{raw: data[d.valStart:d.valEnd]}
	}
	return d, nil
}

// indentOf is the indentation unit of a file whose first member follows
// the spacing between, the text from "{" to its key: the last line's
// leading blanks ("  ", "\t", "    "…), or two spaces for a file on one
// line.
func indentOf(between []byte) string {
	i := bytes.LastIndexByte(between, '\n')
	if i < 0 {
		return "  "
	}
	if s := between[i+1:]; len(s) > 0 && len(bytes.Trim(s, " \t")) == 0 {
		return string(s)
	}
	return "  "
}

// where says where a JSON error is, as a line and column.
func where(data []byte, err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off := int(se.Offset)
		if off > len(data) {
			off = len(data)
		}
		line := bytes.Count(data[:off], []byte("\n")) + 1
		col := off - bytes.LastIndexByte(data[:off], '\n')
		return fmt.Sprintf("line %d, column %d: %v", line, col, err)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "it ends too early"
	}
	return err.Error()
}

// withHooks is the file's text with its "hooks" member's value replaced
// by hooks (added as the last member when there was none), or the member
// taken out when hooks is nil.
func (d *document) withHooks(hooks *node) []byte {
	var b bytes.Buffer
	if d.bom {
		b.Write(bom)
	}
	if hooks == nil && d.dupHooks {
		// An earlier "hooks" would take effect again: leave an empty one.
		hooks = newObject()
	}
	enc := func() {
		b.WriteString(`"hooks": `)
		hooks.encode(&b, d.f, 1)
	}
	switch {
	case d.empty && hooks == nil:
		b.Write(d.text)
	case d.empty:
		b.WriteString("{" + d.f.nl + d.f.indent)
		enc()
		b.WriteString(d.f.nl + "}" + d.f.nl)
	case hooks != nil && d.start >= 0: // replace the value in place
		b.Write(d.text[:d.valStart])
		hooks.encode(&b, d.f, 1)
		b.Write(d.text[d.valEnd:])
	case hooks != nil && d.lastEnd >= 0: // a new last member
		b.Write(d.text[:d.lastEnd])
		b.WriteString("," + d.f.nl + d.f.indent)
		enc()
		b.Write(d.text[d.lastEnd:])
	case hooks != nil: // the only member of an empty object
		b.Write(d.text[:d.open+1])
		b.WriteString(d.f.nl + d.f.indent)
		enc()
		b.WriteString(d.f.nl)
		b.Write(d.text[d.close:])
	case d.start < 0:
		b.Write(d.text)
	case d.next >= 0: // take out `"hooks": …,` up to the next key
		b.Write(d.text[:d.start])
		b.Write(d.text[d.next:])
	case d.prev > d.open+1: // the last member: take out `, "hooks": …`
		b.Write(d.text[:d.prev])
		b.Write(d.text[d.valEnd:])
	default: // the only member
		b.Write(d.text[:d.open+1])
		b.Write(d.text[d.close:])
	}
	return b.Bytes()
}
