# FitBridge: `make run` opens the app, `make test` runs every test, `make build`
# writes build/bin/fitbridge. Each installs what it needs on Debian/Ubuntu.
SHELL := /bin/bash
export PATH := $(PATH):/usr/local/go/bin:$(HOME)/go/bin
GO ?= go
TAGS := desktop,production,webkit2_41
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SYSTEM_PACKAGES := libgtk-3-dev libwebkit2gtk-4.1-dev pkg-config build-essential xvfb xauth xdotool imagemagick chromium gnome-keyring dbus-x11
VERSION ?= $(shell git describe --tags --always 2>/dev/null || echo dev)
LDFLAGS := -s -w -X fitbridge/backend/service.Version=$(VERSION)

.PHONY: bench-baseline run build test test-go test-frontend test-e2e test-window bench soak fuzz deps system-deps go-deps frontend-deps frontend windows clean

run: build
	./build/bin/fitbridge

# Two programs: fitbridge (the command line, serve and watch, without the GUI
# libraries, so they stay lean) and fitbridge-window beside it, which
# `fitbridge` without arguments hands over to.
build: deps frontend
	CGO_ENABLED=0 $(GO) build -ldflags "$(LDFLAGS)" -o build/bin/fitbridge .
	$(GO) build -tags $(TAGS) -ldflags "$(LDFLAGS)" -o build/bin/fitbridge-window .

# Windows binary, to prove the desktop build compiles there (Wails on Windows needs no cgo).
windows: go-deps frontend
	GOOS=windows GOARCH=amd64 CGO_ENABLED=0 $(GO) build -tags desktop,production -ldflags "$(LDFLAGS) -H windowsgui" -o build/bin/fitbridge.exe .

deps: system-deps go-deps frontend-deps

# apt only when something is missing, so a second run is instant.
system-deps:
	@if [ "$$(uname)" = Linux ] && command -v apt-get >/dev/null; then \
	  missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	  if [ -n "$$missing" ]; then \
	    echo "Installing system packages: $$missing"; \
	    $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	  fi; \
	fi

go-deps:
	$(GO) mod download

frontend-deps: frontend/node_modules/.installed

frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $@

frontend: frontend-deps
	cd frontend && npm run build

# Every test. The Go tests use the real Secret Service: when no session bus
# is running, one is started here (never by a test) with a fresh, unlocked
# keyring in a temporary folder, so the rider's own keyrings are never touched.
test: deps frontend
	@if [ -z "$$DBUS_SESSION_BUS_ADDRESS" ] && command -v dbus-run-session >/dev/null; then \
	  keyrings=$$(mktemp -d); \
	  XDG_DATA_HOME=$$keyrings dbus-run-session -- bash -c 'echo -n fitbridge | gnome-keyring-daemon --unlock --components=secrets >/dev/null && $(MAKE) --no-print-directory test-all'; \
	  status=$$?; rm -rf $$keyrings; exit $$status; \
	else \
	  $(MAKE) --no-print-directory test-all; \
	fi

test-all: test-go test-frontend test-e2e test-window

test-go:
	gofmt -l . | grep -v node_modules | (! grep .) || (echo "gofmt needed on the files above"; exit 1)
	$(GO) vet ./backend/... ./tools/...
	CGO_ENABLED=0 FITBRIDGE_REQUIRE_KEYRING=1 FITBRIDGE_BROWSER_HEADLESS=1 $(GO) test -count=1 -timeout 20m ./backend/...
	CGO_ENABLED=0 $(GO) test -count=1 . ./tools/...
	$(GO) vet -tags $(TAGS) .

test-frontend:
	cd frontend && npm run check && npm test

test-e2e: build
	cd frontend && npm run e2e

# The built desktop app in its real window on a virtual display, driven
# through the wizard, a backfill and the Diagnostics page.
test-window: build
	FITBRIDGE_WINDOW_BIN=$(CURDIR)/build/bin/fitbridge $(GO) test -count=1 -timeout 10m -run '^TestDesktopWindow$$' ./backend/e2e/

# Speed and memory, outside `make test`; results go to docs/BENCHMARKS.md.
bench: build
	bash scripts/bench-report.sh

# Makes the last `make bench` the baseline later runs are compared with.
bench-baseline:
	cp docs/benchmarks.json docs/benchmarks-baseline.json

soak: deps
	FITBRIDGE_SOAK=1 $(GO) test -run '^TestSoak$$' -count=1 -v -timeout 60m ./backend/soak/

fuzz: deps
	@for spec in $$($(GO) test -list 'Fuzz.*' ./backend/... 2>/dev/null | awk '/^ok/{pkg=$$2} /^Fuzz/{print pkg":"$$1}'); do \
	  pkg=$${spec%%:*}; fn=$${spec##*:}; echo "== $$pkg $$fn"; \
	  $(GO) test -run '^$$' -fuzz "^$$fn$$" -fuzztime $${FUZZTIME:-30s} $$pkg || exit 1; \
	done

clean:
	rm -rf build/bin frontend/dist frontend/node_modules
