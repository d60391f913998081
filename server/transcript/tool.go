package transcript

import (
	"bytes"
	"encoding/json"
	"io"
	"strconv"
	"strings"

	"vibecraft.sh/helm/shared"
)

// summaryKeys are the input fields that say what a call does, most
// telling first: the one line a tool call is shown as. A search's
// pattern comes before its path, which is only where it looks.
var summaryKeys = []string{
	"file_path", "notebook_path", "command", "pattern", "url", "path", "query",
	"description", "prompt", "skill", "filePath", "subject",
}

// maxSummary bounds the one line, in runes.
const maxSummary = 200

func (g *grouper) toolUse(c content, lineOff int64) *shared.Tool {
	t := &shared.Tool{ID: c.ID, Name: c.Name}
	if len(c.Input) == 0 {
		return t
	}
	cl := inputCleaner{g: g, lineOff: lineOff, top: map[string]string{}}
	dec := json.NewDecoder(bytes.NewReader(c.Input))
	dec.UseNumber() // as written: no float64 round trip
	if _, _, err := cl.value(dec, 0); err != nil {
		return t
	}
	if _, err := dec.Token(); err != io.EOF {
		return t // more after the value: not one JSON value
	}
	t.Input, t.InputCut = cl.out.Bytes(), cl.biggest
	if deeperThan(t.Input, maxInputDepth) {
		t.Input = inputAsText(t.Input)
	}
	t.Summary = summary(cl.top)
	return t
}

// inputCleaner writes a tool call's input again with the cut markers in
// its strings taken out, keeping a ref to the largest cut string. Token
// by token, so that the members keep the order the model wrote them in:
// decoded into a map and encoded again they came sorted, and an Edit
// showed its new_string above its old_string.
type inputCleaner struct {
	g       *grouper
	lineOff int64
	out     bytes.Buffer
	biggest *shared.Cut
	top     map[string]string // the top object's string members, for summary
}

// value writes the next JSON value of dec, cleaned; when it is a string,
// it returns it too (the top object's string members are what summary
// reads).
func (c *inputCleaner) value(dec *json.Decoder, depth int) (str string, isStr bool, err error) {
	tok, err := dec.Token()
	if err != nil {
		return "", false, err
	}
	switch x := tok.(type) {
	case json.Delim:
		end, isObject := byte(']'), x == '{'
		if isObject {
			end = '}'
		}
		c.out.WriteByte(byte(x))
		for i := 0; dec.More(); i++ {
			if i > 0 {
				c.out.WriteByte(',')
			}
			key := ""
			if isObject {
				k, err := dec.Token()
				if err != nil {
					return "", false, err
				}
				key, _ = k.(string)
				c.writeString(key)
				c.out.WriteByte(':')
			}
			s, isStr, err := c.value(dec, depth+1)
			if err != nil {
				return "", false, err
			}
			if depth == 0 && isObject && isStr {
				c.top[key] = s
			}
		}
		if _, err := dec.Token(); err != nil { // the closing delimiter
			return "", false, err
		}
		c.out.WriteByte(end)
	case string:
		s, cut := c.g.cutOf(x, c.lineOff, 0)
		if cut != nil && (c.biggest == nil || cut.Bytes > c.biggest.Bytes) {
			c.biggest = cut
		}
		c.writeString(s)
		return s, true, nil
	case json.Number:
		c.out.WriteString(x.String())
	case bool:
		c.out.WriteString(strconv.FormatBool(x))
	case nil:
		c.out.WriteString("null")
	}
	return "", false, nil
}

func (c *inputCleaner) writeString(s string) {
	b, _ := json.Marshal(s) // a string always encodes
	c.out.Write(b)
}

// summaryOfJSON is summary of an input given as JSON; "" when it is not
// an object.
func summaryOfJSON(raw []byte) string {
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		return ""
	}
	strs := make(map[string]string, len(m))
	for k, v := range m {
		if s, ok := v.(string); ok {
			strs[k] = s
		}
	}
	return summary(strs)
}

// summary is the main argument of a call, on one line, from the string
// members of its input.
func summary(m map[string]string) string {
	for _, k := range summaryKeys {
		if s, ok := m[k]; ok && strings.TrimSpace(s) != "" {
			return firstLine(s, maxSummary)
		}
	}
	return ""
}

// firstLine is s's first non-blank line, cut to n runes.
func firstLine(s string, n int) string {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return shared.CutRunes(l, n)
		}
	}
	return ""
}

// Question is the first line of the last assistant text in page: what a
// session that waits for its user asked last. It is the line the list's
// row shows (shared.QuestionLine), so the page and the row agree.
func Question(page shared.MessagePage) string {
	for i := len(page.Messages) - 1; i >= 0; i-- {
		m := page.Messages[i]
		if m.Role != "assistant" {
			continue
		}
		for j := len(m.Blocks) - 1; j >= 0; j-- {
			if b := m.Blocks[j]; b.Type == shared.BlockText && strings.TrimSpace(b.Text) != "" {
				return shared.QuestionLine(b.Text)
			}
		}
		return ""
	}
	return ""
}
