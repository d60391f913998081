package main

import (
	"context"
	"os"
	"os/signal"

	"vibecraft.sh/helm/server/cli"
)

// signalled is the cause of a context a signal ended: the signal, kept
// so that main can end by it.
type signalled struct{ sig os.Signal }

// Error says it as signal.NotifyContext's cause does.
func (s signalled) Error() string { return s.sig.String() + " signal received" }

// notifyContext is signal.NotifyContext, but ctx's cause holds the
// signal (signalOf). As there, a second signal before stop is swallowed:
// helmd shuts down once. A signal ignored from the start stays ignored:
// a script's background job (helmd watch &) starts with SIGINT ignored,
// so that ^C meant for the script's foreground spares it, and Notify
// would undo that.
func notifyContext(parent context.Context, sigs ...os.Signal) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(parent)
	ch := make(chan os.Signal, 1)
	for _, sig := range sigs {
		if !signal.Ignored(sig) {
			signal.Notify(ch, sig)
		}
	}
	go func() {
		select {
		case sig := <-ch:
			cancel(signalled{sig})
		case <-ctx.Done():
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		cancel(nil)
	}
}

// signalOf is the signal that ended ctx, nil if none did.
func signalOf(ctx context.Context) os.Signal {
	if s, ok := context.Cause(ctx).(signalled); ok {
		return s.sig
	}
	return nil
}

// endsBySignal reports whether args name a command that, interrupted,
// ends by the signal: the commands that talk to a helmd (helmd url
// too). Not helmd itself, whose SIGINT or SIGTERM is its way to stop
// (exit 0 once it has shut down, as a service manager expects), nor
// helmd hook, which Claude Code runs and reads the exit of.
func endsBySignal(args []string) bool {
	return len(args) > 0 && (args[0] == "url" || cli.Is(args[0]))
}
