//go:build desktop

package main

import (
	"context"
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
	// The library opens while the window and its web view start, so the
	// first paint never waits for it; the page's first calls wait for it
	// instead (App.service).
	type opened struct {
		svc *service.Service
		err error
	}
	library := make(chan opened, 1)
	go func() {
		svc, err := service.Open(service.Options{Writer: true, LockWait: time.Second})
		library <- opened{svc, err}
	}()
	app := &App{demo: func() (*service.Service, error) { return startDemo(context.Background()) }}
	app.opening = make(chan struct{})
	win = &windowUI{}
	app.desktop = win
	app.attach = func(s *service.Service) {
		s.Events.Add(events.Func(func(name string, payload any) {
			if win.ctx != nil {
				runtime.EventsEmit(win.ctx, name, payload)
			}
		}))
	}
	var openErr error
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
			go func() {
				o := <-library
				if o.err != nil {
					// Another writer, a damaged library: a rider who opened the
					// window sees why it will not open, not only a line on a terminal.
					openErr = o.err
					_, _ = runtime.MessageDialog(ctx, runtime.MessageDialogOptions{Type: runtime.ErrorDialog, Title: "FitBridge", Message: o.err.Error()})
					runtime.Quit(ctx)
					return
				}
				app.setService(o.svc)
			}()
		},
		// A dropped file or folder arrives as its path, read where it is like
		// "Add files…" does: a Strava or Garmin export of gigabytes never
		// passes through the page as bytes.
		DragAndDrop:        &options.DragAndDrop{EnableFileDrop: true},
		OnShutdown:         func(ctx context.Context) { app.shutdown() },
		Bind:               []interface{}{app},
		Linux:              &linux.Options{WebviewGpuPolicy: linux.WebviewGpuPolicyNever},
		SingleInstanceLock: single,
	})
	if err == nil {
		err = openErr
	} else {
		err = fmt.Errorf("open the FitBridge window: %w", err)
	}
	select {
	case o := <-library: // another instance took over before the library was used
		if o.svc != nil {
			o.svc.Close()
		}
	default:
	}
	return err
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
