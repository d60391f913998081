// Package dialog reads what a tool call's dialog asks when it asks no
// permission (AskUserQuestion's question, ExitPlanMode's plan), from the
// call's input: `helmd hook` has it from the PermissionRequest hook's
// tool_input, helmd's reading of the transcript (claude Source) from the
// tool_use its line holds. One function, so that a question reads the
// same whichever told of it.
package dialog

import (
	"encoding/json"

	"vibecraft.sh/helm/shared"
)

// Question is what the dialog of tool asks, as the session's question
// line shows it (one line, text, cut): of AskUserQuestion's input
// ({"questions":[{"question",…}]}) the first question whole
// (shared.QuestionText), of ExitPlanMode's ({"plan":"<markdown>"}) the
// plan's first line or heading (shared.QuestionLine). "" when the input
// is not of that shape, or tool's dialog asks a permission: the session
// then shows its last text, as for any wait.
func Question(tool string, input json.RawMessage) string {
	if shared.DialogReason(tool) == "" {
		return ""
	}
	var in struct {
		Questions json.RawMessage `json:"questions"`
		Plan      json.RawMessage `json:"plan"`
	}
	if json.Unmarshal(input, &in) != nil {
		return ""
	}
	switch tool {
	case "AskUserQuestion":
		var qs []struct {
			Question json.RawMessage `json:"question"`
		}
		if json.Unmarshal(in.Questions, &qs) != nil {
			return ""
		}
		for _, q := range qs {
			var text string
			if json.Unmarshal(q.Question, &text) == nil {
				// The question whole, its line breaks spaces: the
				// dialog shows it so, where QuestionLine would keep
				// its first line ("Which", of "Which\nport?").
				if line := shared.QuestionText(text); line != "" {
					return line
				}
			}
		}
	case "ExitPlanMode":
		var plan string
		if json.Unmarshal(in.Plan, &plan) == nil {
			return shared.QuestionLine(plan)
		}
	}
	return ""
}
