package push

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	webpush "github.com/SherClockHolmes/webpush-go"

	"vibecraft.sh/helm/shared"
)

// Payload is what the service worker's push handler shows.
type Payload struct {
	Title string `json:"title"`
	Body  string `json:"body"`
	Tag   string `json:"tag"` // the session key: a newer push replaces an older one
	URL   string `json:"url"` // the session's page, /s/<source>/<id>
}

// Bounds keep the encrypted message under the 4 KiB push services take.
const (
	maxTitle = 120
	maxBody  = 400
)

// PayloadFor is the notification of a session that starts waiting, in
// the page's words (shared.WaitNotice: the page's own notification says
// the same). A fleet hub's remote session names its machine, and its
// page is the hub's view of it there (?host=), not a session of the
// hub's own that has the same id.
func PayloadFor(s shared.Session, question string) Payload {
	title := s.Title
	if title == "" {
		title = "A session waits for you"
	}
	host := ""
	if s.Remote {
		host = s.Host
	}
	page := shared.PagePath(string(s.Source), s.ID, "", host)
	body := shared.WaitNotice(host, s.WaitingFor, strings.TrimSpace(question))
	return Payload{
		Title: cut(title, maxTitle),
		Body:  cut(body, maxBody),
		Tag:   s.Key(),
		URL:   page,
	}
}

// cut keeps at most n runes, ending with "…" when it cut.
func cut(s string, n int) string {
	return shared.CutRunes(strings.ToValidUTF8(s, "\uFFFD"), n)
}

// notify sends one push per subscription for ses.
func (s *Service) notify(ctx context.Context, ses shared.Session) {
	subs := s.subs.list()
	if len(subs) == 0 {
		return
	}
	question := ""
	if s.opts.Question != nil {
		qctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
		question = s.opts.Question(qctx, ses)
		cancel()
	}
	msg, err := json.Marshal(PayloadFor(ses, question))
	if err != nil {
		s.fail(fmt.Errorf("payload: %w", err))
		return
	}
	for _, sub := range subs {
		if ctx.Err() != nil {
			return
		}
		s.sendOne(ctx, msg, sub)
	}
}

func (s *Service) sendOne(ctx context.Context, msg []byte, sub Subscription) {
	ctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	resp, err := webpush.SendNotificationWithContext(ctx, msg, &webpush.Subscription{
		Endpoint: sub.Endpoint,
		Keys:     webpush.Keys{P256dh: sub.Keys.P256dh, Auth: sub.Keys.Auth},
	}, &webpush.Options{
		HTTPClient:      s.opts.HTTPClient,
		Subscriber:      s.subscriber,
		TTL:             int(s.opts.TTL.Seconds()),
		Urgency:         webpush.UrgencyHigh,
		VAPIDPublicKey:  s.keys.PublicKey,
		VAPIDPrivateKey: s.keys.PrivateKey,
	})
	host := endpointHost(sub.Endpoint) // never the whole endpoint: it is a capability
	if err != nil {
		// A push with no answer keeps the subscription (the push service
		// down, its name not found), and so does a connection dialGuard
		// refused (egress.go): that address is only what the name resolves
		// to now, and a captive portal or a blocking resolver answers 10.x
		// or 0.0.0.0 for a real push service. Kept, such a subscription
		// costs one refused connection per push and reaches nothing; only
		// the push service's own 404 or 410 (below) forgets one.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its message holds the whole endpoint
		}
		s.fail(fmt.Errorf("push to %s: %w", host, err))
		return
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 256))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		s.count(func(st *Stats) { st.Sent++ })
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		// The browser unsubscribed or the subscription expired: forget it.
		if _, err := s.subs.remove(sub.Endpoint); err != nil {
			s.fail(err)
		}
		s.count(func(st *Stats) { st.Pruned++ })
		s.log.Info("push: subscription gone, removed", "host", host, "status", resp.StatusCode)
	default:
		s.fail(fmt.Errorf("push to %s: %s: %s", host, resp.Status, strings.TrimSpace(strings.ToValidUTF8(string(snippet), ""))))
	}
}

func endpointHost(endpoint string) string {
	if u, err := url.Parse(endpoint); err == nil {
		return u.Host
	}
	return "?"
}
