// Package push sends Web Push notifications (RFC 8030, payloads encrypted
// per RFC 8291, VAPID per RFC 8292) when a session starts waiting, so a
// user learns it with no Helm page open: a phone, a closed laptop lid.
//
// It owns two files in Helm's state folder (the cache dir, beside
// cleared.json): vapid.json, the server's key pair, made once and kept
// 0600 so subscriptions stay valid across restarts; and
// push-subscriptions.json, the browsers that asked to be told (0600,
// written atomically, bounded, pruned when the push service says 404/410).
//
// Sending never blocks the stream: Observe only compares states and puts
// a job on a bounded queue, which one goroutine (Run) drains with a
// timeout per request. Failures are counted and the last one is shown in
// /api/status; nothing here can stop helmd.
package push
