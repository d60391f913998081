package shared

import (
	"encoding/json"
	"strconv"
	"strings"
)

// APIErrorLine is what the text of an assistant record Claude Code wrote
// for a failed API call (isApiErrorMessage, model "<synthetic>") says, as
// a plain sentence: "API error 529: Overloaded" for
// `API Error: 529 {"type":"error","error":{"type":"overloaded_error",
// "message":"Overloaded"}}`. The raw text put the API's JSON body on the
// page's main line and in the list's question. ok is false for a text
// not of that form (a malformed or hostile body, "API Error: Request
// timed out."): it is best shown as given.
func APIErrorLine(text string) (line string, ok bool) {
	rest, found := strings.CutPrefix(strings.TrimSpace(text), "API Error: ")
	if !found {
		return "", false
	}
	code, body, found := strings.Cut(rest, " ")
	status, err := strconv.Atoi(code)
	if !found || err != nil || len(code) != 3 || status < 100 || status > 599 {
		return "", false
	}
	var e struct {
		Error struct {
			Type    string `json:"type"`
			Message string `json:"message"`
		} `json:"error"`
		Message string `json:"message"`
	}
	if json.Unmarshal([]byte(body), &e) != nil {
		return "", false
	}
	// One line of words: the message is the API's, and may hold anything.
	msg := strings.Join(strings.Fields(cmpOr(e.Error.Message, e.Message, e.Error.Type)), " ")
	if msg == "" || len(msg) > maxAPIErrorLine {
		return "", false
	}
	return "API error " + code + ": " + msg, true
}

// maxAPIErrorLine bounds the message an API error's line quotes: longer,
// it is no short sentence, and the text is shown as given.
const maxAPIErrorLine = 300

func cmpOr(ss ...string) string {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}
