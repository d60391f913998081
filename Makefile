# Helm — `make run` serves on 127.0.0.1:5003 (open the URL it prints), `make test` runs every test.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
LDFLAGS := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)
CLIENT_SRC := $(shell find app shared -name '*.go' -not -name '*_test.go') go.mod go.sum
SERVER_SRC := $(shell find server shared web -name '*.go' -not -name '*_test.go') $(wildcard web/*.css web/*.png web/*.svg)
# A count, not a duration: a timed fuzz run can end with "context deadline
# exceeded" under load, which is not a finding.
FUZZTIME ?= 20000x

.PHONY: all run demo build wasm test vet fuzz bench soak clean

all: build

## run: build the client and the server, and serve your real sessions (open the URL it prints)
run: build
	./bin/helmd $(ARGS)

## demo: serve a live, simulated workspace (nothing of yours is read, so no token is asked)
demo: build
	./bin/helmd --demo --auth none $(ARGS)

## build: the wasm client (pre-compressed) and bin/helmd with the client embedded
build: bin/helmd

wasm: web/app.wasm

web/app.wasm: $(CLIENT_SRC)
	GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags="-s -w" -o web/app.wasm ./app/wasm
	$(GO) run ./server/cmd/precompress web/app.wasm

bin/helmd: web/app.wasm $(SERVER_SRC)
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/helmd ./server

## test: vet, the whole suite with the race detector (browser tests included), and brief fuzzing
test: build vet
	HELM_BIN=$(CURDIR)/bin/helmd $(GO) test -race -timeout 9m ./...
	$(MAKE) fuzz FUZZTIME=$(FUZZTIME)

vet:
	@test -z "$$(gofmt -l app server shared web)" || { gofmt -l app server shared web; echo "gofmt needed"; exit 1; }
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet ./app/... ./shared/...

## fuzz: run each fuzz target for FUZZTIME (make fuzz FUZZTIME=5m for a long run)
fuzz:
	@set -e; for t in $$(grep -rl --include='*_test.go' '^func Fuzz' server app shared | xargs -n1 dirname | sort -u); do \
	  for f in $$(grep -ho '^func Fuzz[A-Za-z0-9_]*' $$t/*_test.go | cut -d' ' -f2); do \
	    echo "fuzz $$t $$f ($(FUZZTIME))"; \
	    $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) ./$$t; \
	  done; \
	done

## soak: the one-truth property test for SOAK (make soak SOAK=30m); a failure prints its -seed
SOAK ?= 5m
soak:
	$(GO) test -race -count=1 -timeout 0 -run '^TestPropertyOneTruth$$' -v ./server -soak=$(SOAK)

## bench: the performance table (corpora are generated once into BENCH_DIR)
BENCH_DIR ?= $(or $(TMPDIR),/tmp)/helm-bench
bench: build
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 20x ./server/claude ./server/stream ./server/transcript ./server/usage ./app/list
	$(GO) test -run '^$$' -bench PageStream -benchtime 200x ./server
	$(GO) test -run '^$$' -bench FleetHub -benchtime 20x ./server/fleet
	$(GO) run ./server/cmd/helmbench -bin bin/helmd -work $(BENCH_DIR)
	HELM_BIN=$(CURDIR)/bin/helmd HELM_REQUIRE_BROWSER=1 $(GO) test -count=1 -v -run 'TestSessionBrowser/(OpenFigure|AppendFigure|Large)$$' ./server/e2e/ | grep -E '^(--- |ok|FAIL)|FIGURE'

clean:
	rm -rf bin web/app.wasm web/app.wasm.br web/app.wasm.gz
