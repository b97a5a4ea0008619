package capture

import "fitbridge/backend/browser"

// The browser is found and started by package browser; these names stay
// for the callers that knew them here.
const (
	EnvBrowser  = browser.EnvBrowser
	EnvHeadless = browser.EnvHeadless
)

// ErrNoBrowser means no Chrome-family browser could be found or started.
var ErrNoBrowser = browser.ErrNoBrowser

// FindBrowser returns the path of a Chrome-family browser (browser.Find).
func FindBrowser() (string, error) { return browser.Find() }
