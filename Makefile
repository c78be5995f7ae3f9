# Parley's front door. `make help` lists the targets.

SHELL := /bin/bash
GO ?= go
WAILS = $(shell $(GO) env GOPATH)/bin/wails
BIN := build/bin/parley
# Wails builds against WebKitGTK 4.0 unless only 4.1 is installed; with
# 4.0 at 2.40 or later it says so (webkit2_40), or the window's asset
# server would see every request as a GET with no body (a pasted file is
# sent as a PUT). Evaluated when a recipe runs, so after setup has
# installed the packages.
WAILS_TAGS = $(shell if pkg-config --atleast-version=2.40 webkit2gtk-4.0 2>/dev/null; then echo webkit2_40; elif ! pkg-config --exists webkit2gtk-4.0 2>/dev/null; then echo webkit2_41; fi)
ARGS ?=
# The version stamped into every build and artifact (scripts/version: from
# `git describe`, or VERSION=1.2.3 on the command line).
PARLEY_VERSION := $(shell VERSION='$(VERSION)' scripts/version)
ifeq ($(PARLEY_VERSION),)
$(error VERSION=$(VERSION) is not a version like 1.2.3 or 1.2.3-rc.1)
endif
LDFLAGS := -X parley/version.stamped=$(PARLEY_VERSION)

.DEFAULT_GOAL := help
# A count, not a duration: Go 1.26 can fail a duration-bound fuzz run with
# "context deadline exceeded" when the time is up (go.dev/issue/75804).
FUZZTIME ?= 5000x
# Every fuzz target, as package:Target; `make test` runs each for FUZZTIME.
FUZZ_TARGETS := ./wire:FuzzDecode ./wire:FuzzDecodeHello ./wire:FuzzCleanName ./invite:FuzzParse ./store:FuzzParseMessageKey ./store:FuzzDecodeChange ./search:FuzzParse ./api:FuzzRequestArgs ./p2p:FuzzSyncFrame ./test/dist/peversion:FuzzParse ./test/dist/nsisheader:FuzzDecode ./seal:FuzzDecodeSealed ./seal:FuzzDecodeJoin ./memberlog:FuzzDecodeMember ./memberlog:FuzzDecodeKeys ./private:FuzzDecodeJoinAnswer ./private:FuzzDecodeDirectOffer ./files:FuzzDecodeManifest ./files:FuzzDecodeAsk ./files:FuzzDecodePart ./files:FuzzCleanPreview

.PHONY: help setup run build dist dist-test bench-anchors bench-scale bench-flood bench-natlab test test-long test-go test-bench test-fuzz test-frontend test-start test-desktop test-e2e test-netns bench lint fmt generate

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'
	@echo '  make run ARGS="--network off"   passes flags to parley'

setup: ## install missing system packages, the Wails CLI and npm packages
	@scripts/setup

run: build ## build and start the desktop app (flags in ARGS)
	$(BIN) $(ARGS)

build: setup $(BIN) ## build the desktop app into build/bin/parley (again only if a source changed)

# What the binary is made of. A second `make run` with nothing changed
# starts the app within seconds instead of rebuilding it.
APP_SOURCES = $(shell find . -name '*.go' -not -path './frontend/*' -not -path './test/*' -not -path './bench/*') \
	go.mod go.sum wails.json $(shell find frontend/src frontend/public -type f -not -path '*/wailsjs/*') \
	$(wildcard frontend/index.html frontend/package.json frontend/package-lock.json frontend/vite.config.ts frontend/tsconfig*.json)

# -s: setup has installed the npm packages and the frontend is built here
# (Wails would install them all again, a quarter of a minute).
$(BIN): $(APP_SOURCES) build/version
	cd frontend && npm run build
	$(WAILS) build -s -m -nosyncgomod -tags "$(WAILS_TAGS)" -ldflags "$(LDFLAGS)" -o parley
	@touch $(BIN)

# build/version holds the version the binary was stamped with: rewritten
# (and so rebuilding the binary) only when the version changes.
build/version: FORCE
	@mkdir -p build
	@echo '$(PARLEY_VERSION)' | cmp -s - $@ || echo '$(PARLEY_VERSION)' >$@
.PHONY: FORCE

dist: build ## the Windows installer, the .deb and the tarballs of this version, in dist/
	rm -rf dist && mkdir -p dist
	scripts/dist-deb $(PARLEY_VERSION) $(BIN) dist
	scripts/dist-node $(PARLEY_VERSION) amd64 dist
	scripts/dist-node $(PARLEY_VERSION) arm64 dist
	scripts/dist-windows $(PARLEY_VERSION) dist
	@ls -l dist

dist-test: build ## build the .deb, a helper tarball and the Windows installer into build/test/dist and check them
	rm -rf build/test/dist && mkdir -p build/test/dist
	scripts/dist-deb $(PARLEY_VERSION) $(BIN) build/test/dist
	test/dist/deb.sh $(PARLEY_VERSION) build/test/dist
	scripts/dist-node $(PARLEY_VERSION) amd64 build/test/dist
	test/dist/node.sh $(PARLEY_VERSION) build/test/dist
	scripts/dist-windows $(PARLEY_VERSION) build/test/dist
	test/dist/windows.sh $(PARLEY_VERSION) build/test/dist

test: setup ## run every test
	@# Two rounds of two lanes (test/lanes.sh). The Go tests leave a quarter
	@# of the CPU idle while they wait on peers: the build, the frontend's
	@# unit tests, the fuzzing and the room harness (which needs no window
	@# binary) use it. Then the browser suites, and beside them the suites
	@# that mostly wait (network namespaces, the window's start-up,
	@# packaging).
	@MAKE="$(MAKE) VERSION=$(PARLEY_VERSION)" test/lanes.sh build/test/round1.log "test-go" "build test-frontend test-fuzz test-bench"
	@MAKE="$(MAKE) -o $(BIN) VERSION=$(PARLEY_VERSION)" test/lanes.sh build/test/round2.log "test-e2e" "test-start test-desktop test-netns dist-test"
	@echo "make test: all tests passed"

test-go: ## go vet and the Go tests with the race detector; the build without a window leaves out Wails
	$(GO) vet ./...
	$(GO) test -race -short -count=1 -timeout 20m ./... # -count=1: a run tests, never replays a cached result; -short: the room harness runs in test-bench, the large-history sync at a fifth of its size (full size: make test-long); -timeout: chat takes about 5 minutes under -race, more on a busy machine
	$(GO) vet -tags nowindow .
	$(GO) test -count=1 -tags nowindow .
	@! $(GO) list -deps -tags nowindow . | grep wailsapp || { echo "the nowindow build links Wails (above)"; exit 1; }

test-long: ## the Go tests at full size (-short off: a 100,000-message sync, the room harness); not part of `make test` or CI
	$(GO) test -race -count=1 -timeout 40m ./...

test-bench: build/bench/parley ## the room benchmark harness, on its own: three nodes, two rate steps, a late member
	@mkdir -p build/test
	$(GO) build -o build/test/seedroom ./test/seedroom
	SEEDROOM_BIN=$(CURDIR)/build/test/seedroom PARLEY_BIN=$(CURDIR)/build/bench/parley $(GO) test -count=1 -run . ./bench/room

test-fuzz: ## run each fuzz target for FUZZTIME (seed corpora in testdata/)
	@for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz $$name in $$pkg for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	done

# The build without a window that the room benchmarks start.
build/bench/parley: $(APP_SOURCES) build/version
	@mkdir -p build/bench
	CGO_ENABLED=0 $(GO) build -tags nowindow -ldflags "$(LDFLAGS)" -o $@ .

bench: build/bench/parley ## run the benchmarks (a 10-member room of separate processes too); JSON figures go to build/bench/
	@mkdir -p build/bench
	$(GO) test -run '^$$' -bench . -benchmem -json ./wire ./store ./p2p ./seal ./files > build/bench/go-bench.json
	$(GO) run ./bench/storerss > build/bench/store-rss.json
	$(GO) run ./bench/syncbench > build/bench/sync.json
	$(GO) run ./bench/syncrss > build/bench/sync-rss.json
	$(GO) run ./bench/wssmem > build/bench/wss-mem.json
	$(GO) run ./bench/privatejoin > build/bench/private-join.json
	$(GO) run ./bench/filebench > build/bench/files.json
	@grep -o '"Output":"[^"]*ns/op[^"]*' build/bench/go-bench.json | sed 's/"Output":"//; s/\\t/ /g; s/\\n//'
	@cat build/bench/store-rss.json build/bench/sync.json build/bench/sync-rss.json build/bench/wss-mem.json build/bench/private-join.json build/bench/files.json
	$(GO) run ./bench/room -n 10 -bin build/bench/parley -src . > build/bench/room.jsonl 2> build/bench/room-steps.jsonl
	@cat build/bench/room.jsonl
	@# What this build costs against the figures committed in bench/baseline.json, as ratios.
	$(GO) run ./bench/budget -run build/bench/room.jsonl -baseline bench/baseline.json > build/bench/budget.json

bench-scale: build/bench/parley ## 50 and 100 members in one room across network namespaces, and a late member catching up 10,000 messages (root only); JSON in build/bench/scale-*.json
	@if [[ $$(id -u) -ne 0 ]]; then echo "bench-scale: SKIPPED: needs root to create network namespaces"; exit 0; fi; \
	set -e; mkdir -p build/test; \
	$(GO) build -o build/bench/room ./bench/room; \
	$(GO) build -o build/test/seedroom ./test/seedroom; \
	for n in 50 100; do bench/scale.sh build/bench/parley $$n build/bench/room build/test/seedroom build/bench; done

bench-flood: build/bench/parley ## one member flooding a 10-member room: honest p99 in the flood against its baseline and the target (root only); JSON in build/bench/flood.json
	@if [[ $$(id -u) -ne 0 ]]; then echo "bench-flood: SKIPPED: needs root to create network namespaces"; exit 0; fi; \
	set -e; mkdir -p build/test; \
	$(GO) build -o build/test/flood ./test/flood; \
	test/netns/flood.sh --bench build/bench/flood-run.json build/bench/parley build/test/flood; \
	jq --argjson slack 500 -f bench/flood-target.jq build/bench/flood-run.json > build/bench/flood.json; \
	jq -r '"bench-flood: target \(.target.rule) = \(.target.p99Ms) ms, met: \(.target.met)"' build/bench/flood.json

bench-natlab: build/bench/parley ## the NAT lab five times on a cone NAT, twice on a symmetric one and twice each locked to port 443 and behind a proxy: join, punch, helper crash and return, 100 messages over WSS (root only); JSON in build/bench/natlab.json
	@if [[ $$(id -u) -ne 0 ]]; then echo "bench-natlab: SKIPPED: needs root to create network namespaces"; exit 0; fi; \
	set -e; mkdir -p build/bench; rm -f build/bench/natlab.jsonl; \
	for i in 1 2 3 4 5; do NATLAB_FIGURES=build/bench/natlab.jsonl test/netns/natlab.sh build/bench/parley cone; done; \
	for i in 1 2; do NATLAB_FIGURES=build/bench/natlab.jsonl test/netns/natlab.sh build/bench/parley symmetric locked proxy; done; \
	jq -s 'group_by(.nat) | map({nat: .[0].nat, runs: length} + (map(to_entries) | add | map(select(.key != "nat")) | group_by(.key) | map({key: .[0].key, value: (map(.value) | if (.[0] | type) == "number" then {min: min, max: max, all: .} else unique end)}) | from_entries))' build/bench/natlab.jsonl > build/bench/natlab.json; \
	cat build/bench/natlab.json

bench-anchors: build/bench/parley ## the anchor harnesses one after the other, on loopback (ANCHORS=dir holding socketio/, gossipsub-naive/, parley-room/)
	@test -n "$(ANCHORS)" || { echo "make bench-anchors needs ANCHORS=<directory holding socketio/, gossipsub-naive/ and parley-room/>"; exit 2; }
	ANCHORS="$(ANCHORS)" PARLEY_BIN=build/bench/parley bench/anchors.sh
	@# Parley's own sweep in the same sitting, beside the anchors' figures: ratios and the speed targets.
	$(GO) run ./bench/room -n 10 -bin build/bench/parley -src . > build/bench/room.jsonl 2> build/bench/room-steps.jsonl
	$(GO) run ./bench/budget -run build/bench/room.jsonl -baseline bench/baseline.json \
		-naive build/bench/anchor-gossipsub-naive.jsonl -socketio build/bench/anchor-socketio.jsonl > build/bench/anchors-budget.json

test-frontend: setup ## the frontend's unit tests (the build type-checks it: npm run build)
	cd frontend && npx vitest run

test-start: build ## setup's apt logic with stand-ins; a missing display and windows opened back to back on one Xvfb
	test/start/setup.sh
	test/start/display.sh $(BIN)

test-desktop: build ## run the built app in a real window under Xvfb
	test/desktop/smoke.sh $(BIN) build/test/desktop

test-e2e: build ## the web UI of headless nodes in Chromium (Playwright): chat, XSS, a 100,000-message room
	mkdir -p build/test/e2e
	cd test/e2e && PARLEY_BIN=../../$(BIN) SCREENSHOTS=../../build/test/e2e npm test

test-netns: build ## LAN discovery, sync across a partition and a crash, rooms across cone and symmetric NATs and from networks that let only port 443 or a proxy out, one member flooding a 10-member room, and what a stranger learns of a room, in network namespaces (root only)
	$(GO) build -o build/test/seedroom ./test/seedroom
	test/netns/run.sh $(BIN) build/test/seedroom
	$(GO) build -o build/test/flood ./test/flood
	$(GO) build -o build/test/stranger ./test/stranger
	@# The labs mostly wait (for relays, punches, timeouts): the two behind
	@# web-only networks, and the stranger's, run beside the two NAT types,
	@# each in namespaces of its own.
	@mkdir -p build/test; echo "test/netns/natlab.sh $(BIN) cone symmetric, and beside it locked proxy, and the stranger"; \
	test/netns/natlab.sh $(BIN) locked proxy >build/test/natlab-web.log 2>&1 </dev/null & web=$$!; \
	test/netns/stranger.sh $(BIN) build/test/stranger >build/test/stranger.log 2>&1 </dev/null & stranger=$$!; \
	test/netns/natlab.sh $(BIN) cone symmetric; nat=$$?; wait $$web; web=$$?; wait $$stranger; stranger=$$?; \
	echo "--- test/netns/natlab.sh $(BIN) locked proxy (ran beside) ---"; cat build/test/natlab-web.log; \
	echo "--- test/netns/stranger.sh (ran beside) ---"; cat build/test/stranger.log; \
	[[ $$nat -eq 0 && $$web -eq 0 && $$stranger -eq 0 ]]
	test/netns/flood.sh $(BIN) build/test/flood

lint: setup ## formatting, vet and type checks
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt would change the files above"; exit 1; }
	$(GO) vet ./...
	cd frontend && npx vue-tsc --noEmit

fmt: ## format the Go code
	gofmt -w $$(git ls-files '*.go')

generate: setup ## regenerate protobuf code and the frontend's bindings to the Go app
	@command -v protoc >/dev/null || { [[ $$(id -u) -eq 0 ]] && apt-get install -y -q protobuf-compiler; } || { echo "install protoc: sudo apt-get install protobuf-compiler"; exit 1; }
	protoc --plugin=protoc-gen-go="$$($(GO) tool -n protoc-gen-go)" --go_out=. --go_opt=paths=source_relative wire/parley.proto invite/invite.proto files/manifest.proto files/transfer.proto
	$(WAILS) generate module -tags "$(WAILS_TAGS)"
