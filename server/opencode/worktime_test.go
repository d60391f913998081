package opencode

import "testing"

// TestWorkTimeOfAnswers: a session works while its answers do, each from
// created to completed; a user message, an answer not completed, one
// completed before it was created, one of more than 30 days or one
// written in the future (not believed) adds nothing.
func TestWorkTimeOfAnswers(t *testing.T) {
	const notAfter = 5_000_000_000
	answer := func(created, completed int64) *messageInfo {
		m := &messageInfo{Role: "assistant"}
		m.Time.Created, m.Time.Completed = lenient(created), lenient(completed)
		return m
	}
	user := &messageInfo{Role: "user"}
	user.Time.Created, user.Time.Completed = 1_000, 9_000
	var f facts
	for _, m := range []*messageInfo{
		user,
		answer(2_000, 5_000),         // 3 s
		answer(6_000, 0),             // streaming
		answer(7_000, 6_500),         // out of order
		answer(8_000, 6_000_000_000), // completed in the future
		answer(1, 1+31*24*3600*1000), // a clock's garbage
		answer(9_000, 9_250),         // 0.25 s
	} {
		f.add(m, notAfter)
	}
	if f.workMs != 3_250 {
		t.Errorf("working time %d ms, want 3250", f.workMs)
	}
}
