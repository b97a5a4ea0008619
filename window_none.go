//go:build !desktop && !unix

package main

import "errors"

// runWindow: a build without the desktop tag has no window on this system.
func runWindow() error {
	return errors.New("this FitBridge was built without its window: run `fitbridge serve` to use it in your browser")
}
