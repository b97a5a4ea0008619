package main

import (
	"context"
	"os"

	"fitbridge/backend/demo"
	"fitbridge/backend/service"
)

// startDemo starts the built-in sample services with a fresh library in a
// temporary folder, removed when the demo's library closes.
func startDemo(ctx context.Context) (*service.Service, error) {
	home, err := os.MkdirTemp("", "fitbridge-demo-")
	if err != nil {
		return nil, err
	}
	d, err := demo.Start(ctx, home, demo.Options{Connect: true})
	if err != nil {
		os.RemoveAll(home)
		return nil, err
	}
	d.Service.OnClose(func() {
		d.StopServices()
		os.RemoveAll(home)
	})
	return d.Service, nil
}
