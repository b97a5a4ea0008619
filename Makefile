# FitBridge: `make run` opens the app, `make test` runs every test, `make build`
# writes build/bin/fitbridge. Each installs what it needs on Debian/Ubuntu.
SHELL := /bin/bash
export PATH := $(PATH):/usr/local/go/bin:$(HOME)/go/bin
GO ?= go
TAGS := desktop,production,webkit2_41
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SYSTEM_PACKAGES := libgtk-3-dev libwebkit2gtk-4.1-dev pkg-config build-essential xvfb xauth xdotool imagemagick chromium gnome-keyring dbus-x11 python3-gi gir1.2-gtk-3.0
# One version everywhere, from the git tag (see scripts/version.sh).
VERSION ?= $(shell scripts/version.sh)
LDFLAGS := -s -w -X fitbridge/backend/service.Version=$(VERSION)

.PHONY: bench-baseline run build types test test-go test-frontend test-e2e test-window bench soak fuzz fuzz-long deps system-deps go-deps frontend-deps frontend windows clean
.PHONY: dist dist-deps dist-linux dist-windows test-install test-install-run actionlint

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
	$(call with_keyring,test-all)

# with_keyring runs `make $(1)` in a session bus with that fresh keyring.
define with_keyring
	@if [ -z "$$DBUS_SESSION_BUS_ADDRESS" ] && command -v dbus-run-session >/dev/null; then \
	  keyrings=$$(mktemp -d); \
	  XDG_DATA_HOME=$$keyrings dbus-run-session -- bash -c 'echo -n fitbridge | gnome-keyring-daemon --unlock --components=secrets >/dev/null && $(MAKE) --no-print-directory $(1)'; \
	  status=$$?; rm -rf $$keyrings; exit $$status; \
	else \
	  $(MAKE) --no-print-directory $(1); \
	fi
endef

test-all: test-go test-frontend test-e2e test-window actionlint

test-go:
	gofmt -l . | grep -v node_modules | (! grep .) || (echo "gofmt needed on the files above"; exit 1)
	$(GO) mod tidy -diff || (echo "go.mod or go.sum is not tidy: run go mod tidy"; exit 1)
	$(GO) vet ./backend/... ./tools/...
	CGO_ENABLED=0 FITBRIDGE_REQUIRE_KEYRING=1 FITBRIDGE_BROWSER_HEADLESS=1 $(GO) test -count=1 -timeout 20m ./backend/...
	CGO_ENABLED=0 $(GO) test -count=1 . ./tools/...
	$(GO) vet -tags $(TAGS) .

# The window's TypeScript types, written from the Go types the service sends;
# TestGeneratedTypesAreCurrent (in test-go) fails when they differ.
types:
	$(GO) generate ./backend/service

test-frontend:
	cd frontend && npm run check && npm test

test-e2e: build
	cd frontend && npm run e2e

# The built desktop app in its real window on a virtual display, driven
# through the wizard, a backfill and the Diagnostics page.
test-window: build
	FITBRIDGE_WINDOW_BIN=$(CURDIR)/build/bin/fitbridge $(GO) test -count=1 -timeout 10m -run '^TestDesktopWindow' ./backend/e2e/

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

# The file-reading fuzz targets for 10 million executions in all (FUZZ_TOTAL
# to change it); the counts go into docs/BENCHMARKS.md. Not part of `make test`.
fuzz-long: go-deps
	bash scripts/fuzz-long.sh

clean:
	rm -rf build/bin build/dist build/windows/installer/tmp frontend/dist frontend/node_modules

# ---- Installers and workflows ------------------------------------------------
# `make dist` (outside `make test`) writes build/dist/: the .deb and .rpm
# (nfpm), the Windows installer (NSIS, built here with makensis) and
# SHA256SUMS. The macOS .app and .dmg are built by the release workflow on a
# macOS runner. `make test-install` installs the .deb on this machine: only
# the CI machine (.ci/run), never a developer's `make test`.
DIST := build/dist
DIST_STAGE := build/dist/.stage
DIST_PACKAGES := nsis p7zip-full appstream desktop-file-utils imagemagick libglib2.0-bin x11-utils
APP_ID := app.fitbridge.FitBridge
# The project's repository, named once, in the update check.
REPO := $(shell sed -n 's/^const Repo = "\(.*\)"/\1/p' backend/update/feed.go)
# Windows wants four numbers: 1.2.3-dev.4+g1a2b3c4 -> 1.2.3.0
VERSION_QUAD := $(shell echo '$(VERSION)' | sed 's/[-+].*//').0
DEB := $(DIST)/FitBridge-$(VERSION)-linux-amd64.deb
RPM := $(DIST)/FitBridge-$(VERSION)-linux-x86_64.rpm
WINDOWS_INSTALLER := $(DIST)/FitBridge-$(VERSION)-windows-amd64-installer.exe

dist: dist-linux dist-windows
	cd $(DIST) && rm -f SHA256SUMS && sha256sum FitBridge-$(VERSION)-* > SHA256SUMS
	@ls -l $(DIST)

dist-deps:
	@$(MAKE) --no-print-directory system-deps SYSTEM_PACKAGES="$(DIST_PACKAGES)"

dist-linux: build dist-deps
	rm -rf $(DIST_STAGE) && mkdir -p $(DIST_STAGE)
	desktop-file-validate build/linux/$(APP_ID).desktop
	sed -e 's/@VERSION@/$(VERSION)/' -e "s/@DATE@/$$(git log -1 --format=%cs 2>/dev/null || date -u +%F)/" \
	  -e 's|@REPO@|$(REPO)|g' build/linux/$(APP_ID).metainfo.xml.in > $(DIST_STAGE)/$(APP_ID).metainfo.xml
	appstreamcli validate --no-net $(DIST_STAGE)/$(APP_ID).metainfo.xml
	for s in 16 24 32 48 64 128 256 512; do \
	  d=$(DIST_STAGE)/icons/hicolor/$${s}x$${s}/apps; mkdir -p $$d; \
	  convert build/appicon.png -resize $${s}x$${s} -depth 8 $$d/$(APP_ID).png || exit 1; \
	done
	rm -f $(DIST)/FitBridge-*-linux-*
	VERSION='$(VERSION)' REPO='$(REPO)' $(GO) tool nfpm package --config build/linux/nfpm.yaml --packager deb --target $(DEB)
	VERSION='$(VERSION)' REPO='$(REPO)' $(GO) tool nfpm package --config build/linux/nfpm.yaml --packager rpm --target $(RPM)

# The app and the installer are signed when WINDOWS_CERT_PFX is set (release
# workflow); scripts/sign-windows.sh says so and does nothing otherwise.
dist-windows: windows dist-deps
	mkdir -p $(DIST) build/windows/installer/tmp
	install -m 644 "$$($(GO) list -m -f '{{.Dir}}' github.com/wailsapp/wails/v2)/internal/webview2runtime/MicrosoftEdgeWebview2Setup.exe" build/windows/installer/tmp/
	scripts/sign-windows.sh build/bin/fitbridge.exe
	rm -f $(DIST)/FitBridge-*-windows-*
	cd build/windows/installer && makensis -V2 -DARG_WAILS_AMD64_BINARY=$(CURDIR)/build/bin/fitbridge.exe \
	  -DINFO_PRODUCTVERSION='$(VERSION)' -DINFO_VERSIONQUAD=$(VERSION_QUAD) \
	  -DARG_OUTFILE=$(CURDIR)/$(WINDOWS_INSTALLER) -DARG_SIGN_SCRIPT=$(CURDIR)/scripts/sign-windows.sh project.nsi
	scripts/sign-windows.sh $(WINDOWS_INSTALLER)

# Installs the .deb from `make dist` with apt, opens the installed app, removes
# it; lists the Windows installer's contents; opens the app on a locked
# keyring in a session of its own. It changes this machine.
test-install: dist-deps
	@test -s $(DEB) || { echo "no $(DEB): run make dist first"; exit 1; }
	$(call with_keyring,test-install-run)

test-install-run:
	FITBRIDGE_INSTALL_DEB=$(CURDIR)/$(DEB) FITBRIDGE_WINDOWS_INSTALLER=$(CURDIR)/$(WINDOWS_INSTALLER) FITBRIDGE_APP_BIN=$(CURDIR)/build/bin/fitbridge \
	FITBRIDGE_EXPECT_VERSION='$(VERSION)' FITBRIDGE_INSTALL_SHOT=$${FITBRIDGE_INSTALL_SHOT:-$(CURDIR)/$(DIST)/installed-linux.png} CGO_ENABLED=0 \
	  $(GO) test -count=1 -timeout 10m -run '^(TestLinuxPackagesContents|TestInstalledPackage|TestWindowsInstallerContents|TestFirstLaunchLockedKeyring)$$' -v ./backend/e2e/

# The workflows under .github, checked as GitHub would run them.
actionlint:
	$(GO) tool actionlint
