//go:build desktop

package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"
	"github.com/wailsapp/wails/v2/pkg/runtime"

	"fitbridge/backend/events"
	"fitbridge/backend/service"
	"fitbridge/backend/store"
)

// runWindow opens the desktop window. It is single-instance per data
// folder: starting it again brings the open window forward. The library's
// lock is taken first; when a command-line run holds it instead, the window
// says so and closes.
func runWindow() error {
	home, err := service.DefaultHome(os.Getenv)
	if err != nil {
		return err
	}
	var win *windowUI
	single := &options.SingleInstanceLock{
		UniqueId: "fitbridge-" + service.LibraryID(home),
		OnSecondInstanceLaunch: func(options.SecondInstanceData) {
			slog.Info("FitBridge was started again: showing the open window instead")
			if win != nil && win.ctx != nil {
				runtime.WindowUnminimise(win.ctx)
				runtime.WindowShow(win.ctx)
			}
		},
	}
	svc, err := service.Open(service.Options{Writer: true, LockWait: time.Second})
	if err != nil {
		// Another writer, a damaged library: a rider who opened the window
		// sees why it will not open, not only a line on a terminal.
		return cannotOpen(single, err)
	}
	app := &App{demo: func() (*service.Service, error) { return startDemo(context.Background()) }}
	win = &windowUI{}
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
		OnShutdown:         func(ctx context.Context) { app.shutdown() },
		Bind:               []interface{}{app},
		Linux:              &linux.Options{WebviewGpuPolicy: linux.WebviewGpuPolicyNever},
		SingleInstanceLock: single,
	})
	if err != nil {
		return fmt.Errorf("open the FitBridge window: %w", err)
	}
	return nil
}

// cannotOpen runs when the library cannot be opened. When another FitBridge
// window holds it, Wails's single-instance lock hands over to that one and
// this process ends inside wails.Run; otherwise (a backfill or `serve`
// running, a damaged library) a message says why and the app closes.
func cannotOpen(single *options.SingleInstanceLock, why error) error {
	var locked *store.LockedError
	var damaged *store.DamagedError
	if !errors.As(why, &locked) && !errors.As(why, &damaged) {
		return why
	}
	err := wails.Run(&options.App{
		Title:              "FitBridge",
		Width:              480,
		Height:             200,
		AssetServer:        &assetserver.Options{Assets: assets},
		SingleInstanceLock: single,
		OnStartup: func(ctx context.Context) {
			_, _ = runtime.MessageDialog(ctx, runtime.MessageDialogOptions{
				Type:    runtime.ErrorDialog,
				Title:   "FitBridge",
				Message: why.Error(),
			})
			runtime.Quit(ctx)
		},
	})
	if err != nil {
		return fmt.Errorf("open the FitBridge window: %w", err)
	}
	return why
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
