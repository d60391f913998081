package transcript

import (
	"cmp"
	"slices"

	"vibecraft.sh/helm/shared"
)

// A call whose process was killed never gets a result: nothing in the
// transcript says it ended. When the session was resumed, more prompts
// and answers below it, such a call in an old turn showed running for
// good, on every page that held it. It is over once the transcript goes
// on past it: a prompt, a slash command or bash mode's input the user
// typed, or a response that is not the
// call's own (parallel calls are one response written as several
// lines, with one message.id). In the session's last turn nothing tells
// a killed call from a running one: it still runs. OpenCode's crashed
// answers are told the same way (opencode.go, stopped).

// killedText is the result a call the session went on past is shown with.
const killedText = "No result: this call never returned (its process was stopped), and the session went on."

// maxWalk bounds the lines settle reads below a page for a later turn:
// one is most often enough, as a page ends where a message starts.
const maxWalk = 64

// goesOn is what follows a point of a transcript on one side (the
// session's own records, or a sidechain's: a subagent's, a side
// question's, which answer while a call runs): whether a prompt does,
// and the ids of up to two responses (of two, one is not any call's).
type goesOn struct {
	prompt bool
	ids    [2]string
	n      int
}

func (g *goesOn) response(id string) {
	if g.n == len(g.ids) || g.n == 1 && g.ids[0] == id {
		return
	}
	g.ids[g.n] = id
	g.n++
}

// past reports whether the transcript went on past a call of response id.
func (g *goesOn) past(id string) bool {
	return g.prompt || slices.ContainsFunc(g.ids[:g.n], func(x string) bool { return x != id })
}

// open is a call settle has not found the session went on past yet.
type open struct {
	t     *shared.Tool
	batch string // its response's id
	side  bool
}

// settle gives the calls of groups, a page's messages in file order,
// that have no result on the page nor below it (markLater ran first)
// and that the transcript went on past a result saying so (killedText).
// It looks at the groups after each call, then, for those left, at the
// lines from end (the page's end) on: most often the first settles
// them. What it found is kept with the index (laterMemo), so the page
// asked again reads nothing below itself for them.
func (p *pager) settle(groups []*group, end int64) {
	var after [2]goesOn // by side: 1 for sidechains
	var left []open
	for i := len(groups) - 1; i >= 0; i-- {
		gr := groups[i]
		s := &after[sideOf(gr.side)]
		for _, b := range gr.msg.Blocks {
			t := b.Tool
			if t == nil || t.Name == "" || t.Result != nil || t.Later || !plainID(t.ID) || gr.assist == "" {
				continue
			}
			if s.past(gr.assist) {
				stop(t)
			} else {
				left = append(left, open{t: t, batch: gr.assist, side: gr.side})
			}
		}
		switch {
		case gr.prompt:
			s.prompt = true
		case gr.assist != "":
			s.response(gr.assist)
		}
	}
	if len(left) == 0 || end >= p.snap.end {
		return
	}
	m := p.snap.later
	left = slices.DeleteFunc(left, func(c open) bool {
		if m.wentOn(p.snap.gen, c.t.ID) {
			stop(c.t)
			return true
		}
		return false
	})
	var over []string
	var read int64
	k, _ := p.snap.at(end)
	for n := 0; len(left) > 0 && k < len(p.snap.offs) && n < maxWalk && p.spent <= pageBudget; k, n = k+1, n+1 {
		pr, err := p.line(k)
		if err != nil {
			break // the calls left stay as they were
		}
		read += pr.size
		l := pr.l
		if l == nil {
			continue
		}
		s := &after[sideOf(l.IsSidechain)]
		switch {
		case l.Type == "user" && kindOf(l, pr.cs).typed():
			s.prompt = true
		case l.Type == "assistant":
			s.response(cmp.Or(l.Message.ID, l.UUID))
		default:
			continue
		}
		left = slices.DeleteFunc(left, func(c open) bool {
			if after[sideOf(c.side)].past(c.batch) {
				stop(c.t)
				over = append(over, c.t.ID)
				return true
			}
			return false
		})
	}
	m.noteWentOn(p.snap.gen, over, read)
}

func sideOf(sidechain bool) int {
	if sidechain {
		return 1
	}
	return 0
}

// stop gives t, a call the session went on past, a result saying so.
func stop(t *shared.Tool) {
	t.Result = &shared.ToolResult{Text: killedText, IsError: true}
}

// wentOn reports whether the memo knows that the transcript, in
// generation gen, goes on past the call id.
func (m *laterMemo) wentOn(gen uint64, id string) bool {
	if m == nil {
		return false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return gen == m.gen && m.ids[id].over
}

// noteWentOn keeps that the transcript goes on past the calls ids, with
// the ids' search for a result (markLater noted it just before, unless
// the memo was full): whatever is appended, that stays so.
func (m *laterMemo) noteWentOn(gen uint64, ids []string, read int64) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.read += read
	if gen != m.gen {
		return
	}
	for _, id := range ids {
		if s, ok := m.ids[id]; ok {
			s.over = true
			m.ids[id] = s
		}
	}
}
