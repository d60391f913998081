# Helm — `make run` serves on 127.0.0.1:5003 (open the URL it prints), `make test` runs every test.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
LDFLAGS := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)
CLIENT_SRC := $(shell find app shared -name '*.go' -not -name '*_test.go') go.mod go.sum
SERVER_SRC := $(shell find server shared -name '*.go' -not -name '*_test.go') go.mod go.sum
WEB_SRC    := web/embed.go $(wildcard web/*.css web/*.png web/*.svg)
# The compiler lets its heap grow to 128 MiB before it first collects,
# then collects at each doubling; the largest packages (SQLite, the NATS
# server, go-app) grow far past that. Starting at 1 GiB (-d=gcstart, in
# MiB), the whole server compiled from an empty cache in 96–102 CPU-s
# instead of 115–127 (two interleaved pairs), the race suite's compiles
# in 325 instead of 334–362, for ~150 MB more at the largest compile's
# peak (1.07 GB). -d keys are the compiler's debug switches, which a
# later Go may drop, so the compiler is asked first. Not GOGC: set, it
# turns the compiler's boost off, and std alone took 5–12 % more.
GCSTART := $(shell $(GO) tool compile -d help 2>&1 | grep -qw gcstart && echo ' -d=gcstart=1024')
# One set of flags for every build and vet of the host and the wasm, so
# that each package is compiled once and found in the cache by the next
# command. -s -w drops DWARF at link anyway; not making it saves ~10 % of
# the compile.
GOFLAGS_BUILD := -trimpath "-gcflags=all=-dwarf=false$(GCSTART)"
# The page's own code (app/ui: building elements, called once per render
# of a row or a message) compiled without inlining: the client is ~19 KB
# smaller in brotli 11 (1.81 → 1.79 MB, under the README's 1.8 MB), the
# inlined copies of small helpers at hundreds of call sites compressing
# worse than the calls; the start to Live at 5,000 sessions measured the
# same (README). The list's filtering, the feed and shared keep inlining.
# The thin wrappers of the browser's APIs and of elements (app/browser,
# app/el) and the markdown's render (app/mdview) too: 1.3 KB less. And
# the markdown's parser (app/md): 8 KB less, for 5 % of its speed
# (BenchmarkParse), which no page notices. The session page's message
# window and its helpers (app/convo, app/vwin, app/clip, app/startgc):
# 1,800,901 → 1,799,447 bytes, back under 1.8 MB (raw 8 KB more). And
# go-app's own package, whose rendering runs once per change: 11 KB less
# in brotli (1,798,371 → 1,787,390 at 6fd47fa, raw 48 KB less), with the
# start to Live at 5,000 sessions the same (TestStartBrowser, two runs of
# three each way: first visit median 654/850 ms inlined, 659/641 not;
# repeat 293/276, 291/277). And fmt and net/url (a row's counts, a
# page's query: a few calls a render, none a session of the list): 38 KB
# raw less, 1,801,069 → 1,791,241 B in brotli 11 with the output's
# colours drawn (shared.StyledRuns).
WASM_NOINLINE = "-gcflags=vibecraft.sh/helm/app/$(1)=-dwarf=false$(GCSTART) -l"
WASM_GCFLAGS := $(foreach p,ui browser el md mdview convo vwin clip startgc,$(call WASM_NOINLINE,$(p))) \
  "-gcflags=github.com/maxence-charriere/go-app/v10/pkg/app=-dwarf=false$(GCSTART) -l" \
  "-gcflags=fmt=-dwarf=false$(GCSTART) -l" "-gcflags=net/url=-dwarf=false$(GCSTART) -l"
HOST := CGO_ENABLED=0
WASM := GOOS=js GOARCH=wasm
STEP := ./.ci/step
WEB_PKG := vibecraft.sh/helm/web
# Brotli quality of the served client (9.4 MB raw): 11 gives 1.79 MB and
# costs ~50 CPU-s on one core, on the first build's longest path (the
# client compiles, then compresses, then the server links); 5 gives
# 2.10 MB in ~1 s. Over loopback or a LAN the difference is invisible, so
# a build writes 11 only when a release (make release, make bench) has
# made it for this exact client, and 5 otherwise (BROTLI_FALLBACK). Each
# form is cached by the client's sha256 in PRECOMPRESS_CACHE.
BROTLI ?= 11
BROTLI_FALLBACK ?= 5
FALLBACK = $(filter-out $(BROTLI),$(BROTLI_FALLBACK))
PRECOMPRESS_CACHE ?= .cache/precompress
# A count, not a duration: a timed fuzz run can end with "context deadline
# exceeded" under load, which is not a finding.
FUZZTIME ?= 20000x

.PHONY: all run demo build release wasm test test-built test-race test-fuzz vet-then-fuzz vet fuzz bench soak clean FORCE

all: build

## run: build the client and the server, and serve your real sessions (open the URL it prints)
run: build
	./bin/helmd $(ARGS)

## demo: serve a live, simulated workspace (nothing of yours is read, so no token is asked)
demo: build
	./bin/helmd --demo --auth none $(ARGS)

## build: the wasm client (pre-compressed) and bin/helmd with the client embedded. The
## client and the server's packages compile at the same time (two jobs); only the
## last link waits for the compressed client.
build:
	@$(MAKE) --no-print-directory -j2 bin/helmd BROTLI=$(BROTLI) BROTLI_FALLBACK=$(BROTLI_FALLBACK)

## release: the build with the smallest client (brotli 11: about a CPU-minute, paid once
## per client version; later builds of the same client reuse it)
release: BROTLI_FALLBACK =
release: build

wasm: web/app.wasm.sums

# Written beside and renamed, so the web package never embeds half a file.
web/app.wasm: $(CLIENT_SRC)
	@mkdir -p bin
	@$(STEP) "client: compiling app.wasm" env $(WASM) $(GO) build $(GOFLAGS_BUILD) $(WASM_GCFLAGS) -ldflags="-s -w" -o bin/app.wasm.tmp ./app/wasm
	@mv bin/app.wasm.tmp $@

# One run writes both forms and, once they are checked to decode to
# app.wasm, app.wasm.sums: the record the server reads at start instead of
# decoding the client it embeds. The record is written last, so it stands
# for all three (a grouped target, &:, needs GNU make 4.3, and macOS ships
# 3.81); a form gone since is written again with it.
web/app.wasm.sums: web/app.wasm bin/precompress bin/brotli-level $(if $(wildcard web/app.wasm.br),,FORCE) $(if $(wildcard web/app.wasm.gz),,FORCE)
	@$(STEP) "client: compressing (brotli $(BROTLI)$(if $(FALLBACK), if cached else $(FALLBACK)), gzip 9)" \
	  bin/precompress -brotli $(BROTLI) $(if $(FALLBACK),-fallback $(FALLBACK)) -cache $(PRECOMPRESS_CACHE) web/app.wasm

# Holds the brotli settings of the last build, rewritten only when they
# change, so that a release after a build (or a build after a release)
# writes the forms again.
bin/brotli-level: FORCE
	@mkdir -p bin; echo $(BROTLI) $(BROTLI_FALLBACK) | cmp -s - $@ || echo $(BROTLI) $(BROTLI_FALLBACK) >$@

bin/precompress: $(wildcard server/cmd/precompress/*.go) go.mod go.sum
	@$(STEP) "tools: precompress" env $(HOST) $(GO) build $(GOFLAGS_BUILD) -o $@ ./server/cmd/precompress

# Every package of helmd except the web folder (which embeds the client)
# and what imports it, compiled into the build cache while the client
# builds; after it only web, webui and main are left to compile.
bin/server-deps: $(SERVER_SRC) bin/precompress
	@$(STEP) "server: compiling packages" sh -c '$(HOST) $(GO) build $(GOFLAGS_BUILD) $$($(HOST) $(GO) list -deps \
	  -f "{{.ImportPath}}{{range .Deps}}{{if eq . \"$(WEB_PKG)\"}} web{{end}}{{end}}" ./server | \
	  grep -v -e " web$$" -e "^$(WEB_PKG)$$")'
	@touch $@

# The forms and their record are checked in full (~0.2 s) before they are
# embedded: the server trusts the record, and a form edited or replaced
# since precompress wrote it must stop the build, not ship.
bin/helmd: web/app.wasm.sums bin/server-deps $(SERVER_SRC) $(WEB_SRC)
	@$(STEP) "client: checking the compressed forms" bin/precompress -check web/app.wasm
	@$(STEP) "server: linking bin/helmd" env $(HOST) $(GO) build $(GOFLAGS_BUILD) -ldflags "$(LDFLAGS)" -o bin/helmd ./server

FORCE:

## test: vet, the whole suite with the race detector (browser tests included), and brief fuzzing
# vet ran in full first, so go test skips its own partial vet (-vet=off).
# Every fuzz target's seed corpus also runs in the race suite; the brief
# fuzzing (FUZZ_BRIEF) mutates each target's seeds beside it, once vet has
# compiled every package the fuzz binaries need.
FUZZ_BRIEF ?= 2000x
# The brief fuzzing's test binaries are built with the build's own flags,
# so only each fuzzed package and its link are new (~30 CPU-s for all
# 24). Instrumented for coverage (make fuzz), every dependency compiled
# again (~190 CPU-s), a fifth of the suite's CPU, for 2,000 inputs a
# target: too few for the coverage to steer. The mutations are the same;
# make fuzz is the coverage-guided run.
FUZZ_BRIEF_BUILD := env $(HOST) $(GO) test -c -vet=off $(GOFLAGS_BUILD)
# The suite serves the client but never weighs it (make bench does), so it
# builds with brotli 5 (~1 s) rather than 11 (~30 CPU-s on one core, on the
# suite's longest path: the race suite waits for bin/helmd, which waits for
# the compressed client).
TEST_BROTLI ?= 5
test:
	@$(MAKE) --no-print-directory test-built BROTLI=$(TEST_BROTLI)

# The build, then the race suite with vet and the brief fuzzing beside it:
# vet finds what the build compiled, the fuzz binaries what vet compiled,
# and the race suite runs the built helmd. The race suite is the long pole
# and leaves a core mostly idle while its browser tests wait on Chromium:
# vet, run before it, held it back ~40 s for work that fits in that idle
# core.
test-built:
	@$(MAKE) --no-print-directory build
	@$(MAKE) --no-print-directory -j2 test-race vet-then-fuzz

vet-then-fuzz:
	@$(MAKE) --no-print-directory vet
	@$(MAKE) --no-print-directory test-fuzz

# TESTFLAGS adds go test flags, e.g. TESTFLAGS=-json for per-test times.
TESTFLAGS ?=
# go test starts the packages' runs in the order it is given them, and a
# run waits until the builds of every package before it are done. So the
# order matters: ./server/e2e first (its build is light and its run the
# longest), then the packages whose test binaries need none of SQLite, the
# NATS server or go-app (the three largest compiles: they run while those
# compile), then ./server (the next longest run) and the others that need
# them. With ./server named second, as it was, every other package waited
# for the heavy compiles (in a -json run, none started before second 283
# of the step's 361).
# Four jobs rather than two (GOMAXPROCS): ./server/e2e holds a job for
# minutes while mostly waiting on Chromium and helmd, and other packages'
# runs hold theirs while waiting on timers and sockets; the compiles and
# links behind them (the heavy ones last) had a single job left.
HEAVY_DEPS := modernc.org/sqlite/lib|github.com/nats-io/nats-server/v2/server|github.com/maxence-charriere/go-app/v10/pkg/app
RACE_PKGS = ./server/e2e $(shell $(GO) list -test -f '{{.ImportPath}}{{range .Deps}} {{.}}{{end}}' ./... | \
  awk -v needs=' ($(HEAVY_DEPS))( |$$)' '$$1 !~ /[.]test$$/ { next } { p = substr($$1, 1, length($$1) - 5) } \
  $$0 !~ needs { print p; next } p ~ /\/server$$/ { heavy = p heavy; next } { heavy = heavy " " p } END { print heavy }') ./...
# No DWARF in the race suite's binaries, as in the build (GOFLAGS_BUILD):
# stack traces and race reports read the symbol table, not DWARF; only a
# debugger would miss it, and it would build its own binary.
RACE_FLAGS := "-gcflags=all=-dwarf=false$(GCSTART)" -ldflags=-w
# The timeout is a guard against a hang, not a time target: on a VM whose
# Chromium runs the client twice as slowly, ./server/e2e alone took more
# than the 9 minutes it had (every test progressing).
# HELM_E2E_BASELINE_WASM: the browser tests' Chromium compiles the client
# with V8's baseline compiler only (server/e2e/chrome_test.go), a quarter
# less CPU for the same behaviour; make bench takes its figures without.
test-race:
	@$(STEP) "test: go test -race ./..." env HELM_BIN=$(CURDIR)/bin/helmd HELM_E2E_BASELINE_WASM=1 $(GO) test -race -vet=off $(RACE_FLAGS) -p 4 -timeout 15m $(TESTFLAGS) $(RACE_PKGS)

test-fuzz:
	@$(MAKE) --no-print-directory fuzz FUZZTIME=$(FUZZ_BRIEF) FUZZ_WORKERS=1 FUZZ_BUILD='$(FUZZ_BRIEF_BUILD)'

# With the build's flags, vet finds every dependency compiled by make build.
# The client's per-package flags too (WASM_GCFLAGS): without them go-app
# and the page's packages were compiled again for vet's sake (after a
# build of the client from an empty cache, vet took 35–38 CPU-s without
# them, 20 with: the rest is vet's own work and the tests' packages).
vet:
	@test -z "$$(gofmt -l app server shared web)" || { gofmt -l app server shared web; echo "gofmt needed"; exit 1; }
	@$(STEP) "vet: server" env $(HOST) $(GO) vet $(GOFLAGS_BUILD) ./...
	@$(STEP) "vet: client (wasm)" env $(WASM) $(GO) vet $(GOFLAGS_BUILD) $(WASM_GCFLAGS) ./app/... ./shared/...

## fuzz: run each fuzz target for FUZZTIME (make fuzz FUZZTIME=5m for a long run); a
## target's output is kept in bin/fuzz/ and shown only when it fails
FUZZ_WORKERS ?= $(shell nproc 2>/dev/null || echo 2)
FUZZ_BUILD ?= $(GO) test -c -fuzz . -tags nonats,nosqlite
# Each package's instrumented test binary is built once and run for each of
# its targets, from the package's folder (its testdata/fuzz corpus), with
# the flags and cache folder go test -fuzz would give it: one go test per
# target cost ~1 CPU-s of loading and checking the build each, 41 times.
# Instrumentation covers everything the package and its tests import, so
# a fuzz target belongs in a package with light dependencies: go-app cost
# ~27 CPU-s here until the Markdown parser (app/md) and app/clip moved out
# of the packages that import it. Still built: the server's packages
# (server/api's cursor target runs a whole server).
# The tests that start a NATS server carry the build tag !nonats, and the
# fuzz build sets nonats: they run in the race suite, and the NATS server
# (~50 CPU-s instrumented) stays out of server/fleet's fuzz binaries. It
# sets nosqlite too: the SQLite driver (~40 CPU-s instrumented) stays out
# of the five fuzzed packages that import server/opencode, and the one
# target that reads a database (server/opencode's FuzzOpenCode2Rows, built
# only with the driver) is fuzzed by the brief fuzzing, whose build links
# it, not here. The targets are those the binary lists.
fuzz:
	@mkdir -p bin/fuzz; set -e; mod=$$($(GO) list -m); cache=$$($(GO) env GOCACHE)/fuzz; \
	for t in $$(grep -rl --include='*_test.go' '^func Fuzz' server app shared | xargs -n1 dirname | sort -u); do \
	  bin=$(CURDIR)/bin/fuzz/$$(echo $$t | tr / .).test; \
	  $(STEP) "fuzz $$t: building" $(FUZZ_BUILD) -o $$bin ./$$t; \
	  for f in $$($$bin -test.list '^Fuzz'); do \
	    log=$(CURDIR)/bin/fuzz/$$(echo $$t | tr / .).$$f.log; \
	    $(STEP) "fuzz $$t $$f ($(FUZZTIME))" sh -c "cd $$t && $$bin -test.paniconexit0 -test.timeout=10m0s -test.run '^\$$' \
	      -test.fuzz '^$$f\$$' -test.fuzztime $(FUZZTIME) -test.parallel $(FUZZ_WORKERS) -test.fuzzcachedir $$cache/$$mod/$$t \
	      >$$log 2>&1 || { cat $$log; exit 1; }"; \
	  done; \
	done

## soak: the one-truth property test for SOAK (make soak SOAK=30m); a failure prints its -seed
SOAK ?= 5m
soak:
	$(GO) test -race -count=1 -timeout 0 -run '^TestPropertyOneTruth$$' -v ./server -soak=$(SOAK)

## bench: the performance table (corpora are generated once into BENCH_DIR)
BENCH_DIR ?= $(or $(TMPDIR),/tmp)/helm-bench
# The size row measures what a user downloads, whatever the tree's edits.
bench: BROTLI = 11
bench: BROTLI_FALLBACK =
bench: build
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 20x ./server/claude ./server/stream ./server/transcript ./server/usage ./app/list ./shared/snapshot
	$(GO) test -run '^$$' -bench PageStream -benchtime 200x ./server
	$(GO) test -run '^$$' -bench FleetHub -benchmem -benchtime 20x ./server/fleet
	$(GO) run ./server/cmd/helmbench -bin bin/helmd -work $(BENCH_DIR)
	HELM_BIN=$(CURDIR)/bin/helmd HELM_REQUIRE_BROWSER=1 $(GO) test -count=1 -v -run 'TestSessionBrowser/(OpenFigure|AppendFigure|Large)$$' ./server/e2e/ | grep -E '^(--- |ok|FAIL)|FIGURE'
	# The client's start at 5,000 sessions, each run a first visit and a repeat visit.
	HELM_START_RUNS=7 HELM_BIN=$(CURDIR)/bin/helmd HELM_REQUIRE_BROWSER=1 $(GO) test -count=1 -v -run 'TestStartBrowser$$' ./server/e2e/ | grep -E '^(--- |ok|FAIL)|FIGURE start over|^ {10}[a-zA-Z]'
	# The client's start over helmbench's 100,000 sessions (made by its scale row above).
	HELM_SCALE_CORPUS=$(BENCH_DIR)/corpus-100k HELM_BIN=$(CURDIR)/bin/helmd HELM_REQUIRE_BROWSER=1 $(GO) test -tags helmbench -count=1 -timeout 20m -v -run 'TestScaleBrowser' ./server/e2e/ | grep -E '^(--- |ok|FAIL)|FIGURE'

clean:
	rm -rf bin web/app.wasm web/app.wasm.br web/app.wasm.gz web/app.wasm.sums
