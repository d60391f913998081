package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"vibecraft.sh/helm/server/internal/fixture"
	"vibecraft.sh/helm/server/internal/ssetest"
	"vibecraft.sh/helm/server/usage"
)

const testToken = "e2e-token-0123456789abcdef"

// startGuardedHelmd is helmd with its token required, as by default.
// (startHelmd turns the token off, and its readiness check has none.)
func startGuardedHelmd(t *testing.T, root string) string {
	t.Helper()
	return launchAuth(t, root, testToken, "--no-opencode", "--debounce", "20ms").URL
}

func get(t *testing.T, url string, header map[string]string) *http.Response {
	t.Helper()
	return request(t, "GET", url, header)
}

// request sends a bodiless request with header; the body is closed when
// the test ends.
func request(t *testing.T, method, url string, header map[string]string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// /metrics is behind the token (Bearer, as scrapers send it) and the
// cross-site check, and its values are the sessions' on disk.
func TestMetricsEndToEnd(t *testing.T) {
	root := t.TempDir()
	seedSessions(t, root)
	url := startGuardedHelmd(t, root)
	bearer := map[string]string{"Authorization": "Bearer " + testToken}

	tests := []struct {
		name   string
		header map[string]string
		status int
	}{
		{"no token", nil, http.StatusUnauthorized},
		{"wrong token", map[string]string{"Authorization": "Bearer not-the-token-at-all"}, http.StatusUnauthorized},
		{"cross-site with token", map[string]string{"Authorization": "Bearer " + testToken, "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors"}, http.StatusForbidden},
		{"foreign Host", map[string]string{"Authorization": "Bearer " + testToken, "Host": "evil.example"}, http.StatusMisdirectedRequest},
		{"bearer", bearer, http.StatusOK},
	}
	for _, tc := range tests {
		req, _ := http.NewRequest("GET", url+"/metrics", nil)
		for k, v := range tc.header {
			req.Header.Set(k, v)
		}
		if h, ok := tc.header["Host"]; ok {
			req.Host = h
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("%s: %d, want %d", tc.name, resp.StatusCode, tc.status)
		}
	}

	var fams map[string]*dto.MetricFamily
	waitFor(t, "both sessions in the metrics", func() bool {
		p := expfmt.NewTextParser(model.UTF8Validation)
		var err error
		if fams, err = p.TextToMetricFamilies(get(t, url+"/metrics", bearer).Body); err != nil {
			t.Fatalf("not the text format: %v", err)
		}
		n := 0.0
		for _, m := range fams["helm_sessions"].GetMetric() {
			n += m.GetGauge().GetValue()
		}
		return n == 2
	})
	labels := func(m *dto.Metric) map[string]string {
		out := map[string]string{}
		for _, l := range m.GetLabel() {
			out[l.GetName()] = l.GetValue()
		}
		return out
	}
	for _, m := range fams["helm_sessions"].GetMetric() {
		l, v := labels(m), m.GetGauge().GetValue()
		if (l["source"] == "opencode" && v != 0) || (l["source"] == "claude" && l["status"] == "waiting" && v != 1) {
			t.Errorf("sessions %v = %v", l, v)
		}
	}
	// One response of 10 input and 20 output tokens, by the fixture's model.
	found := false
	for _, m := range fams["helm_tokens"].GetMetric() {
		if l := labels(m); l["model"] == "claude-sonnet-4-5" && l["kind"] == "output" { // its key (shared.ModelKey)
			found = m.GetGauge().GetValue() == 20
		}
	}
	if !found {
		t.Errorf("tokens by model: %v", fams["helm_tokens"])
	}
	modeOK := false
	for _, m := range fams["helm_watcher_mode"].GetMetric() {
		if l := labels(m); l["root"] == root && l["mode"] == "fsnotify" {
			modeOK = m.GetGauge().GetValue() == 1
		}
	}
	if !modeOK {
		t.Errorf("watcher mode of %s: %v", root, fams["helm_watcher_mode"])
	}
}

// The socket passes the same front door as the stream, and carries the
// stream's events: same ids, same data.
func TestWebSocketEndToEnd(t *testing.T) {
	root := t.TempDir()
	url := startGuardedHelmd(t, root)
	wsURL := "ws" + strings.TrimPrefix(url, "http") + "/api/sessions/ws"
	dial := func(h http.Header) (*websocket.Conn, *http.Response, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		o := &websocket.DialOptions{HTTPHeader: h}
		if host := h.Get("Host"); host != "" { // Go sends req.Host, not a Host header
			o.HTTPClient = &http.Client{Transport: hostRewriter{host}}
		}
		return websocket.Dial(ctx, wsURL, o)
	}
	refused := []struct {
		name   string
		header http.Header
		status int
	}{
		{"no token", http.Header{}, http.StatusUnauthorized},
		{"foreign origin", http.Header{"Authorization": {"Bearer " + testToken}, "Origin": {"https://evil.example"}}, http.StatusForbidden},
		{"cross-site", http.Header{"Authorization": {"Bearer " + testToken}, "Sec-Fetch-Site": {"cross-site"}, "Sec-Fetch-Mode": {"websocket"}}, http.StatusForbidden},
		{"foreign Host", http.Header{"Authorization": {"Bearer " + testToken}, "Host": {"evil.example"}}, http.StatusMisdirectedRequest},
	}
	for _, tc := range refused {
		c, resp, err := dial(tc.header)
		if err == nil {
			c.CloseNow()
			t.Errorf("%s: socket opened", tc.name)
			continue
		}
		if resp == nil || resp.StatusCode != tc.status {
			t.Errorf("%s: %v, want %d", tc.name, err, tc.status)
		}
	}

	auth := http.Header{"Authorization": {"Bearer " + testToken}, "Origin": {url}}
	conn, _, err := dial(auth)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	read := func() (ev, id string, data json.RawMessage) {
		t.Helper()
		for {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_, b, err := conn.Read(ctx)
			cancel()
			if err != nil {
				t.Fatal(err)
			}
			var m struct {
				Event, ID string
				Data      json.RawMessage
			}
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			if m.Event != "keepalive" {
				return m.Event, m.ID, m.Data
			}
		}
	}
	if ev, _, _ := read(); ev != "init" {
		t.Fatalf("first message %s, want init", ev)
	}
	sse, _, err := ssetest.Dial(url+"/api/sessions/stream", "", http.Header{"Authorization": {"Bearer " + testToken}})
	if err != nil {
		t.Fatal(err)
	}
	defer sse.Close()
	if ev := sse.Next(t, 5*time.Second); ev.Type != "init" {
		t.Fatalf("SSE first event %s", ev.Type)
	}

	const sid = "0f4b1c2d-5555-4c1e-9a55-0d6e2f8b1c05"
	fixture.Append(t, fixture.Path(root, "/work/ws", sid), fixture.User(sid, "/work/ws", "Over the socket", time.Now()))
	want := sse.Wait(t, 5*time.Second, "session-created", ssetest.Of("session-created", sid, nil))
	ev, id, data := read()
	if ev != want.Type || id != want.ID || string(data) != want.Raw {
		t.Fatalf("socket %s %s %s\nstream %s %s %s", ev, id, data, want.Type, want.ID, want.Raw)
	}

	// A clear over the socket does what POST …/clear does; an unknown
	// session is refused in the reply, and the socket stays open.
	if ok, msg := socketClear(t, conn, "claude:00000000-0000-4000-8000-000000000000"); ok || msg == "" {
		t.Fatalf("clearing an unknown session: ok=%v %q, want a refusal", ok, msg)
	}
	if ok, msg := socketClear(t, conn, "claude:"+sid); !ok {
		t.Fatalf("clear refused: %s", msg)
	}
	sse.Wait(t, 5*time.Second, "the clear on the stream", func(e ssetest.Event) bool {
		return e.Type == "session-updated" && strings.Contains(e.Raw, sid) && strings.Contains(e.Raw, `"clearedAt":`)
	})
}

// TestMetricsCostByModelIsTheUsage: a session that answered on Opus and
// then on Sonnet counts under both in /metrics, each for what
// GET /api/usage?by=model says that model cost: one source of truth.
func TestMetricsCostByModelIsTheUsage(t *testing.T) {
	root := t.TempDir()
	const sid = "0f4b1c2d-6666-4c1e-9a55-0d6e2f8b1c06"
	const cwd = "/work/models"
	path := fixture.Path(root, cwd, sid)
	now := time.Now()
	fixture.Append(t, path, fixture.User(sid, cwd, "two models", now.Add(-2*time.Minute)))
	fixture.Append(t, path, strings.Replace(fixture.Assistant(sid, cwd, "msg_o", "end_turn", now.Add(-time.Minute)),
		"claude-sonnet-4-5-20250929", "claude-opus-4-6", 1))
	// Sonnet 4.5 by its Bedrock id, then by its own: one model, one
	// series, as one bucket of the usage by model.
	fixture.Append(t, path, strings.Replace(fixture.Assistant(sid, cwd, "msg_b", "end_turn", now.Add(-30*time.Second)),
		"claude-sonnet-4-5-20250929", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", 1))
	fixture.Append(t, path, fixture.Assistant(sid, cwd, "msg_s", "end_turn", now)) // Sonnet 4.5: the last model
	base := startGuardedHelmd(t, root)
	bearer := map[string]string{"Authorization": "Bearer " + testToken}

	var rep usage.Report
	waitFor(t, "both models in the usage", func() bool {
		rep = usage.Report{}
		if err := json.NewDecoder(get(t, base+"/api/usage?by=model&tz=UTC", bearer).Body).Decode(&rep); err != nil {
			t.Fatal(err)
		}
		return rep.Total.Tokens.Output == 3*20 // the three responses
	})
	if len(rep.Buckets) != 2 {
		t.Errorf("usage by model: %d buckets, want 2 (opus 4.6, sonnet 4.5): %+v", len(rep.Buckets), rep.Buckets)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(get(t, base+"/metrics", bearer).Body)
	if err != nil {
		t.Fatalf("not the text format: %v", err)
	}
	cost := map[string]float64{}
	for _, m := range fams["helm_cost_usd"].GetMetric() {
		cost[m.GetLabel()[0].GetValue()] = m.GetGauge().GetValue()
	}
	for _, b := range rep.Buckets {
		if b.CostUSD <= 0 || cost[b.Key] != b.CostUSD {
			t.Errorf("model %s: /metrics $%v, /api/usage $%v", b.Key, cost[b.Key], b.CostUSD)
		}
	}
	if len(cost) != 2 {
		t.Errorf("cost series %v, want the two models", cost)
	}
}

// TestMetricsSayUnpriced: a response of a model helmd has no price for
// reads 0 in helm_cost_usd, as it did, and helm_unpriced_tokens says how
// many tokens that 0 leaves out, as /api/usage's unpricedTokens does.
func TestMetricsSayUnpriced(t *testing.T) {
	root := t.TempDir()
	const sid = "0f4b1c2d-7777-4c1e-9a55-0d6e2f8b1c07"
	const cwd = "/work/nova"
	path := fixture.Path(root, cwd, sid)
	now := time.Now()
	fixture.Append(t, path, fixture.User(sid, cwd, "a new model", now.Add(-time.Minute)))
	fixture.Append(t, path, strings.Replace(fixture.Assistant(sid, cwd, "msg_n", "end_turn", now),
		"claude-sonnet-4-5-20250929", "claude-nova-9-20270101", 1))
	base := startGuardedHelmd(t, root)
	bearer := map[string]string{"Authorization": "Bearer " + testToken}
	var rep usage.Report
	waitFor(t, "the response in the usage", func() bool {
		rep = usage.Report{}
		if err := json.NewDecoder(get(t, base+"/api/usage?by=model&tz=UTC", bearer).Body).Decode(&rep); err != nil {
			t.Fatal(err)
		}
		return rep.Total.UnpricedTokens > 0
	})
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(get(t, base+"/metrics", bearer).Body)
	if err != nil {
		t.Fatalf("not the text format: %v", err)
	}
	byModel := func(name string) map[string]float64 {
		out := map[string]float64{}
		for _, m := range fams[name].GetMetric() {
			out[m.GetLabel()[0].GetValue()] = m.GetGauge().GetValue()
		}
		return out
	}
	if cost := byModel("helm_cost_usd"); len(cost) != 1 || cost["claude-nova-9"] != 0 {
		t.Errorf("helm_cost_usd %v, want claude-nova-9 at 0, as before", cost)
	}
	if got := byModel("helm_unpriced_tokens"); len(got) != 1 || got["claude-nova-9"] != float64(rep.Total.UnpricedTokens) {
		t.Errorf("helm_unpriced_tokens %v, want claude-nova-9 at %d (/api/usage's unpricedTokens)", got, rep.Total.UnpricedTokens)
	}
}

// hostRewriter sends each request with another Host, as a DNS-rebinding
// page's requests arrive.
type hostRewriter struct{ host string }

func (h hostRewriter) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Host = h.host
	return http.DefaultTransport.RoundTrip(r)
}

// socketClear asks a helmd's WebSocket to clear session key, and returns
// its reply (the socket's own events may come first).
func socketClear(t *testing.T, conn *websocket.Conn, key string) (ok bool, errMsg string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	msg, _ := json.Marshal(map[string]string{"type": "clear", "session": key})
	if err := conn.Write(ctx, websocket.MessageText, msg); err != nil {
		t.Fatal(err)
	}
	for {
		_, b, err := conn.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var r struct {
			Event string
			OK    bool
			Error string
		}
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatal(err)
		}
		if r.Event == "reply" {
			return r.OK, r.Error
		}
	}
}
