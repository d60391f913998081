package main

import (
	"context"
	"log/slog"

	"vibecraft.sh/helm/server/claude"
	"vibecraft.sh/helm/server/config"
	"vibecraft.sh/helm/server/opencode"
	"vibecraft.sh/helm/server/push"
	"vibecraft.sh/helm/server/transcript"
	"vibecraft.sh/helm/shared"
)

// newPush makes the Web Push service, keeping its keys and subscriptions
// in the cache dir beside cleared.json (Helm's state folder). It returns
// nil and the reason when push is off: no state folder, demo mode (its
// sessions are not the user's), or a folder it cannot use. Push being off
// never stops helmd.
func newPush(cfg config.Config, c *claude.Source, oc *opencode.Source, log *slog.Logger) (*push.Service, string) {
	switch {
	case cfg.Demo:
		return nil, "demo mode"
	case cfg.CacheDir == "":
		return nil, "no state folder (--cache-dir is empty)"
	}
	svc, err := push.New(push.Options{Dir: cfg.CacheDir, Subject: cfg.PushSubject, Logger: log,
		Question: pushQuestion(c, oc)})
	if err != nil {
		log.Warn("push notifications off", "err", err)
		return nil, err.Error()
	}
	return svc, ""
}

// pushQuestion reads what a waiting session asks (the first line of its
// last answer), as the session page shows it. A fleet hub's remote
// session brings its question with it, read by its machine: the
// transcript is there, and a session of this machine with the same id
// is another session.
func pushQuestion(c *claude.Source, oc *opencode.Source) func(context.Context, shared.Session) string {
	files := transcript.NewFiles(4) // its own few: pushes are rare
	return func(ctx context.Context, s shared.Session) string {
		var page shared.MessagePage
		var err error
		switch {
		case s.Remote, shared.AsksInDialog(&s):
			// A remote session's read by its machine; a dialog's, what it
			// asks as its hook told, not the text before it.
			return s.Question
		case s.Source == shared.SourceClaude:
			main, ok := c.TranscriptPath(s.ID, "")
			if !ok {
				return ""
			}
			page, err = files.Page(main, transcript.Query{Limit: 4})
		case s.Source == shared.SourceOpenCode && oc != nil:
			page, err = transcript.OpenCodePage(ctx, oc, s.ID, transcript.Query{Limit: 4})
		}
		if err != nil {
			return ""
		}
		return transcript.Question(page)
	}
}

// pushStatus is the "push" part of /api/status.
func pushStatus(svc *push.Service, off string) push.Stats {
	if svc == nil {
		return push.Stats{Reason: off}
	}
	return svc.Stats()
}
