package browser

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
)

// Options say how to start a browser.
type Options struct {
	// Path is the browser; empty finds one (Find). A bare name is looked up on PATH.
	Path string
	// Headless runs without a window.
	Headless bool
	// Width and Height size a visible window (default 1100×860).
	Width, Height int
	// ProfilePrefix names the throw-away profile folder (default "fitbridge-browser-").
	ProfilePrefix string
	// Listener receives the DevTools events of the first tab.
	Listener func(ev any)
	Logger   *slog.Logger
}

// Session is a running browser with a fresh profile of its own.
type Session struct {
	// Ctx drives the browser's first tab (chromedp.Run with it). The
	// browser itself starts with the first action on it.
	Ctx context.Context
	// Path is the browser binary, Profile its profile folder.
	Path, Profile string

	cancelTab, cancelAlloc context.CancelFunc
	log                    *slog.Logger
}

// Launch prepares a Chrome-family browser with a throw-away profile; the
// sign-in capture and the iGPSport web app both start theirs here. Close
// ends it and removes the profile.
func Launch(ctx context.Context, o Options) (*Session, error) {
	log := o.Logger
	if log == nil {
		log = slog.Default()
	}
	path, err := resolve(o.Path)
	if err != nil {
		return nil, err
	}
	prefix := o.ProfilePrefix
	if prefix == "" {
		prefix = "fitbridge-browser-"
	}
	profile, err := os.MkdirTemp("", prefix)
	if err != nil {
		return nil, fmt.Errorf("temporary browser profile: %w", err)
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, allocatorOptions(path, profile, o)...)
	tabOpts := []chromedp.ContextOption{chromedp.WithLogf(quiet(log)), chromedp.WithErrorf(quiet(log))}
	if o.Listener != nil {
		tabOpts = append(tabOpts, chromedp.WithListener(o.Listener))
	}
	tabCtx, cancelTab := chromedp.NewContext(allocCtx, tabOpts...)
	return &Session{Ctx: tabCtx, Path: path, Profile: profile, cancelTab: cancelTab, cancelAlloc: cancelAlloc, log: log}, nil
}

// resolve finds the browser to run: p itself, p on PATH, or Find's choice.
func resolve(p string) (string, error) {
	if p == "" {
		return Find()
	}
	if isFile(p) {
		return p, nil
	}
	found, err := exec.LookPath(p)
	if err != nil {
		return "", fmt.Errorf("browser %q not found: %w", p, ErrNoBrowser)
	}
	return found, nil
}

// Stop ends the browser; Close must still be called.
func (s *Session) Stop() { s.cancelTab() }

// PID is the browser's main process id, 0 before it started.
func (s *Session) PID() int {
	if c := chromedp.FromContext(s.Ctx); c != nil && c.Browser != nil && c.Browser.Process() != nil {
		return c.Browser.Process().Pid
	}
	return 0
}

// Close ends the browser, waits for it to exit and removes its profile.
func (s *Session) Close() {
	s.cancelTab()
	// Cancelling the allocator waits until the browser process has exited,
	// so the profile can be removed afterwards.
	s.cancelAlloc()
	removeProfile(s.Profile, s.log)
}

func allocatorOptions(path, profile string, o Options) []chromedp.ExecAllocatorOption {
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.UserDataDir(profile),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		// Keep the browser from calling home: FitBridge may run on a closed
		// network, and its windows have no use for updates or sync.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-breakpad", true),
		chromedp.Flag("disable-client-side-phishing-detection", true),
		chromedp.Flag("disable-features", "Translate,MediaRouter,OptimizationHints"),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("use-mock-keychain", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		// Chromium refuses to start as root with its sandbox on; an
		// explicit false also stops chromedp from adding it on its own.
		chromedp.Flag("no-sandbox", os.Geteuid() == 0),
	}
	if o.Headless {
		return append(opts, chromedp.Headless, chromedp.Flag("disable-gpu", true))
	}
	w, h := o.Width, o.Height
	if w <= 0 || h <= 0 {
		w, h = 1100, 860
	}
	return append(opts, chromedp.VisibleWindow, chromedp.Flag("start-maximized", false), chromedp.WindowSize(w, h))
}

// removeProfile deletes the temporary profile once the browser has exited.
// Helper processes can outlive the main one for a moment and keep writing.
func removeProfile(dir string, log *slog.Logger) {
	killLeftovers(dir)
	var err error
	for i := 0; i < 50; i++ {
		if err = os.RemoveAll(dir); err == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	log.Warn("could not remove the temporary browser profile", "dir", dir, "error", err)
}

// quiet keeps the browser library's messages, which can quote request
// headers and so a token, out of the log except for their count.
func quiet(log *slog.Logger) func(string, ...any) {
	return func(format string, args ...any) {
		log.Debug("browser: "+strings.TrimSpace(format), "args", fmt.Sprintf("%d hidden", len(args)))
	}
}
