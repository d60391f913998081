package ui

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"vibecraft.sh/helm/app/clip"
	"vibecraft.sh/helm/app/list"
	"vibecraft.sh/helm/app/md"
	"vibecraft.sh/helm/shared"
)

// attentionKey is where the attention settings live in localStorage.
const attentionKey = "helm.attention.v1"

// maxNotify bounds the notifications one update may show: a server that
// comes back with twenty sessions waiting is one thing to look at, not
// twenty sounds.
const maxNotify = 3

// attnSettings is what the user chose about being told; this browser
// only (a phone and a laptop may want different things).
type attnSettings struct {
	Sound  bool     `json:"sound"`  // a short beep with each notification
	Stable bool     `json:"stable"` // freeze the list's order
	Muted  []string `json:"muted"`  // project paths that never notify
	// AllNeeds shows every waiting session in "Needs you", not the
	// first few only (needsFew).
	AllNeeds bool `json:"allNeeds,omitempty"`
}

func (s attnSettings) muted(project string) bool { return slices.Contains(s.Muted, project) }

// toggleMute mutes project, or unmutes it if it was.
func (s *attnSettings) toggleMute(project string) {
	if i := slices.Index(s.Muted, project); i >= 0 {
		s.Muted = slices.Delete(slices.Clone(s.Muted), i, i+1)
		return
	}
	s.Muted = append(slices.Clone(s.Muted), project)
	shared.SortFunc(s.Muted, func(a, b *string) int { return strings.Compare(*a, *b) })
}

// attention is the page's state for "Needs you" and notifications.
type attention struct {
	settings   attnSettings
	order      list.Order // frozen when settings.Stable
	permission string     // the Notification permission, "" before mount
	panel      bool       // the bell's settings are open
	clearErr   string     // the last clear that failed, for the user
	// primed: the first full list after mount has been seen. Sessions
	// waiting in it were waiting before the page opened: no notification.
	primed bool
	// mountedAt (epoch ms): waits that began before are not news.
	mountedAt int64
}

// startedWaiting returns the sessions of ev that began to need the user:
// they need the user now, and before they did not, or they wait again
// (a new wait start). get returns the client's copy before ev.
func startedWaiting(ev shared.Event, get func(key string) (shared.Session, bool)) []shared.Session {
	if !ev.Type.IsSnapshot() && ev.Type != shared.EventSessionCreated && ev.Type != shared.EventSessionUpdated {
		return nil
	}
	var out []shared.Session
	for i := range ev.Sessions {
		s := &ev.Sessions[i]
		if !list.NeedsYou(s) {
			continue
		}
		old, had := get(s.Key())
		// The same wait is not news, nor is it when its machine, offline
		// a while, is back with it. Nor is one told again later (a hook
		// after the transcript, helmd restarted): it comes with a later
		// start, and without a message or a new kind of reason.
		if had && (list.NeedsYou(&old) || old.HostOffline) && old.WaitingSince == s.WaitingSince ||
			had && list.NeedsYou(&old) && shared.SameWait(&old, s) {
			continue
		}
		out = append(out, *s)
	}
	return out
}

// notification is what the system notification for s says: the title,
// then why it waits and what it asked.
func notification(s *shared.Session) (title, body string) {
	title = shownOf(s).title
	// Why it waits, in the row's words ("needs approval" for the
	// registry's "permission prompt"): a notification is of a wait. On
	// a hub, another machine's session names its machine first.
	return title, shared.WaitNotice(machineOf(s), s.WaitingFor, md.Clean(clip.FirstLine(s.Question)))
}

// shown is what a row, a "Needs you" row and a notification show of a
// session's names: transcripts' text made safe to show (md.Clean: a bidi
// override in a title would make the row read other than it is), once.
type shown struct {
	title   string // "Untitled session" when it has none
	project string // its name, else its path
	path    string // the project's path, for a tooltip
}

// titleOf is a session's title to show: "Untitled session" for none, or
// one of only zero-width or white space, which shows nothing.
func titleOf(title string) string {
	if shared.Blank(title) {
		return "Untitled session"
	}
	return title
}

func shownOf(s *shared.Session) shown {
	w := shown{title: md.Clean(titleOf(s.Title)), path: md.Clean(s.ProjectPath)}
	w.project = md.Clean(s.ProjectName)
	if w.project == "" {
		w.project = w.path
	}
	return w
}

// machineOf is the machine a remote session runs on, made safe to show
// (md.Clean: the name comes from the bucket, as untrusted as a
// transcript); "" for this machine's own sessions.
func machineOf(s *shared.Session) string {
	if !s.Remote {
		return ""
	}
	return md.Clean(s.Host)
}

// sessionPath is the session's page.
func sessionPath(s *shared.Session) string {
	host := ""
	if s.Remote {
		host = s.Host
	}
	return shared.PagePath(string(s.Source), s.ID, "", host)
}

// clearPath is the API that clears s from "Needs you".
// A remote session's names its machine (?host=), which the hub asks to
// clear it: a clear is its machine's, and never this machine's session
// of the same id. It names the wait the user saw (?waitingSince=): one
// that began since, which this page may not show yet, is not cleared.
func clearPath(s *shared.Session) string {
	p := "/api/sessions/" + url.PathEscape(string(s.Source)) + "/" + url.PathEscape(s.ID) + "/clear"
	q := url.Values{}
	if s.Remote {
		q.Set("host", s.Host)
	}
	if s.WaitingSince > 0 {
		q.Set("waitingSince", strconv.FormatInt(s.WaitingSince, 10))
	}
	if len(q) > 0 {
		p += "?" + q.Encode()
	}
	return p
}

// waitedText says how long s has waited: "waiting <1 min", "waiting
// 12 min", "waiting 3 h 5 min", "waiting 1 h" (not "1 h 0 min"),
// "waiting 11 h", "waiting 3 days"; whole units elapsed (elapsedText).
func waitedText(now time.Time, s *shared.Session) string {
	since := list.WaitStart(s)
	if since <= 0 {
		return "waiting"
	}
	d := now.Sub(time.UnixMilli(since))
	if d < 48*time.Hour {
		// From 10 h on the minutes are noise that makes the row longer.
		return "waiting " + elapsedText(d, 10*time.Hour)
	}
	return fmt.Sprintf("waiting %d days", int(d/(24*time.Hour)))
}
