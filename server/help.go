package main

import (
	"fmt"

	"vibecraft.sh/helm/server/cli"
)

// helpArgs are the arguments `helmd help [command]` stands for, as git
// and go read it: the command's --help, or helmd's own usage, which also
// describes helmd hook (whose --help prints nothing: Claude Code runs it,
// and it never prints). `helmd help --help` (or -h) asks for help's own
// help, which is helmd's usage: it named "--help" no command. A topic
// that is no command is an error.
func helpArgs(topic []string) ([]string, error) {
	if len(topic) == 0 {
		return []string{"--help"}, nil
	}
	switch name := topic[0]; {
	case name == "hook", name == "help", name == "--help", name == "-help", name == "-h", name == "--h":
		return []string{"--help"}, nil
	case name == "url", name == "hooks", cli.Is(name):
		return []string{name, "--help"}, nil
	default:
		return nil, fmt.Errorf("help: no command %q (helmd help lists them)", name)
	}
}
