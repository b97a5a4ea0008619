//go:build desktop

package main

import (
	"context"
	"fmt"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"
	"github.com/wailsapp/wails/v2/pkg/runtime"

	"fitbridge/backend/events"
	"fitbridge/backend/service"
)

// runWindow opens the desktop window.
func runWindow() error {
	svc, err := service.Open(service.Options{})
	if err != nil {
		return err
	}
	app := &App{demo: func() (*service.Service, error) { return startDemo(context.Background()) }}
	win := &windowUI{}
	app.desktop = win
	app.attach = func(s *service.Service) {
		s.Events.Add(events.Func(func(name string, payload any) {
			if win.ctx != nil {
				runtime.EventsEmit(win.ctx, name, payload)
			}
		}))
	}
	err = wails.Run(&options.App{
		Title:     "FitBridge",
		Width:     1200,
		Height:    800,
		MinWidth:  1024,
		MinHeight: 700,
		// The whole embedded tree: Wails finds index.html itself and, serving it
		// by name, recognises it as HTML and injects its runtime scripts.
		AssetServer:      &assetserver.Options{Assets: assets},
		BackgroundColour: &options.RGBA{R: 248, G: 249, B: 251, A: 255},
		OnStartup: func(ctx context.Context) {
			win.ctx = ctx
			app.setService(svc)
		},
		OnShutdown: func(ctx context.Context) { app.shutdown() },
		Bind:       []interface{}{app},
		Linux:      &linux.Options{WebviewGpuPolicy: linux.WebviewGpuPolicyNever},
	})
	if err != nil {
		return fmt.Errorf("open the FitBridge window: %w", err)
	}
	return nil
}

// windowUI is the native window's own abilities.
type windowUI struct {
	ctx context.Context
}

func (w *windowUI) PickFiles() ([]string, error) {
	return runtime.OpenMultipleFilesDialog(w.ctx, runtime.OpenDialogOptions{
		Title: "Choose activity files",
		Filters: []runtime.FileFilter{
			{DisplayName: "Activity files (*.fit, *.tcx, *.gpx, *.gz, *.zip)", Pattern: "*.fit;*.FIT;*.tcx;*.TCX;*.gpx;*.GPX;*.gz;*.zip"},
			{DisplayName: "All files", Pattern: "*"},
		},
	})
}

func (w *windowUI) PickFolder() (string, error) {
	return runtime.OpenDirectoryDialog(w.ctx, runtime.OpenDialogOptions{Title: "Choose a folder of activity files"})
}
