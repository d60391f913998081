package shared

import "bytes"

// pasteMark starts the lines Claude Code (2.1, September 2026) writes
// around text pasted into a prompt: <pasted_content id="…"> before it,
// </pasted_content id="…"> after.
const pasteMark = "pasted_content"

// StripPastes removes from b the lines that only mark where pasted text
// starts or ends, so that a prompt made of a paste is named by its
// first line of text, not by the mark. A mark within a line of text is
// left. b is returned as it is when it holds no mark.
func StripPastes(b []byte) []byte {
	if !bytes.Contains(b, []byte(pasteMark)) {
		return b
	}
	out := make([]byte, 0, len(b))
	for rest := b; len(rest) > 0; {
		line := rest
		next := len(rest)
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, next = rest[:i], i+1
		}
		if !isPasteMark(bytes.TrimSpace(line)) {
			out = append(out, rest[:next]...)
		}
		rest = rest[next:]
	}
	return out
}

// isPasteMark reports whether line is <pasted_content>, or its closing
// tag, with an id attribute or none.
func isPasteMark(line []byte) bool {
	line, ok := bytes.CutPrefix(line, []byte("<"))
	if !ok || !bytes.HasSuffix(line, []byte(">")) {
		return false
	}
	line = bytes.TrimPrefix(line[:len(line)-1], []byte("/"))
	line, ok = bytes.CutPrefix(line, []byte(pasteMark))
	if !ok || len(line) == 0 {
		return ok
	}
	id, ok := bytes.CutPrefix(line, []byte(` id="`))
	return ok && len(id) > 0 && id[len(id)-1] == '"' && bytes.IndexByte(id[:len(id)-1], '"') < 0
}
