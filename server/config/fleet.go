package config

import (
	"errors"
	"flag"
	"time"
)

// Fleet is how this helmd joins other machines' (issue 20): over an
// existing NATS (--nats) or one it runs itself (--nats-listen), it
// publishes its sessions (--publish), shows everyone's (--fleet), or both.
type Fleet struct {
	NATS         string // --nats or HELM_NATS: nats:// or tls:// URL(s), comma-separated
	NATSCreds    string // --nats-creds or HELM_NATS_CREDS: a NATS credentials file
	NATSToken    string // --nats-token or HELM_NATS_TOKEN: NATS's alone; none: a key derived from the Helm token
	NATSCA       string // --nats-ca or HELM_NATS_CA: PEM certificates to trust for tls:// URLs
	NATSListen   string // --nats-listen or HELM_NATS_LISTEN: run an embedded NATS here
	NATSInsecure bool   // --nats-insecure: allow --nats-listen beyond loopback without TLS
	NATSTLSCert  string // --nats-tls-cert: PEM certificate of the embedded server
	NATSTLSKey   string // --nats-tls-key: its key

	Publish bool          // --publish: write this machine's sessions to the bucket
	Show    bool          // --fleet: show every machine's sessions
	Forget  time.Duration // --fleet-forget: how long an offline host's sessions are kept; 7 days
	TTL     time.Duration // --fleet-ttl: silence after which this host is shown offline; 30 s
}

func (f *Fleet) register(fs *flag.FlagSet, env Env) {
	fs.StringVar(&f.NATS, "nats", env("HELM_NATS"), "NATS server URL(s), comma-separated, for --publish and --fleet (env HELM_NATS)")
	fs.StringVar(&f.NATSCreds, "nats-creds", env("HELM_NATS_CREDS"), "NATS credentials file (env HELM_NATS_CREDS)")
	fs.StringVar(&f.NATSCA, "nats-ca", env("HELM_NATS_CA"), "PEM file of certificates to trust for tls:// NATS URLs, e.g. a hub's self-signed --nats-tls-cert (env HELM_NATS_CA)")
	fs.StringVar(&f.NATSToken, "nats-token", env("HELM_NATS_TOKEN"), "a NATS-only token, on both sides, sent as given (env HELM_NATS_TOKEN; without one, both sides use a key derived from the Helm token, which itself never crosses NATS)")
	fs.StringVar(&f.NATSListen, "nats-listen", env("HELM_NATS_LISTEN"), "run an embedded NATS server with JetStream on this address, e.g. 127.0.0.1:4222 (env HELM_NATS_LISTEN)")
	fs.BoolVar(&f.NATSInsecure, "nats-insecure", false, "let --nats-listen serve beyond loopback without TLS")
	fs.StringVar(&f.NATSTLSCert, "nats-tls-cert", "", "PEM certificate for --nats-listen")
	fs.StringVar(&f.NATSTLSKey, "nats-tls-key", "", "PEM key for --nats-listen")
	fs.BoolVar(&f.Publish, "publish", false, "publish this machine's sessions to NATS")
	fs.BoolVar(&f.Show, "fleet", false, "show every publishing machine's sessions")
	fs.DurationVar(&f.Forget, "fleet-forget", 7*24*time.Hour, "how long an offline machine's sessions stay listed")
	fs.DurationVar(&f.TTL, "fleet-ttl", 30*time.Second, "how long this machine may be silent before others show it offline")
}

// Enabled reports whether this helmd talks to NATS at all.
func (f Fleet) Enabled() bool { return f.Publish || f.Show || f.NATSListen != "" }

func (f Fleet) validate(cacheDir string) error {
	switch {
	case (f.Publish || f.Show) && f.NATS == "" && f.NATSListen == "":
		return errors.New("--publish and --fleet need --nats URL or --nats-listen ADDR")
	case f.NATSListen != "" && cacheDir == "":
		return errors.New("--nats-listen keeps its store under --cache-dir, which is empty")
	case (f.NATSTLSCert == "") != (f.NATSTLSKey == ""):
		return errors.New("--nats-tls-cert and --nats-tls-key go together")
	case f.Forget <= 0:
		return errors.New("fleet-forget must be > 0")
	case f.TTL < 100*time.Millisecond:
		return errors.New("fleet-ttl must be at least 100ms")
	}
	return nil
}
