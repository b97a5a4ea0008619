package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"fitbridge/backend/events"
	"fitbridge/backend/service"
	"fitbridge/backend/web"
)

// serve runs the same UI in a browser (`fitbridge serve`).
func serve(ctx context.Context, addr string, demo bool, out io.Writer) error {
	var svc *service.Service
	var err error
	if demo {
		svc, err = startDemo(ctx)
	} else {
		svc, err = service.Open(service.Options{Writer: true})
	}
	if err != nil {
		return err
	}
	app := &App{demo: func() (*service.Service, error) { return startDemo(context.Background()) }}
	srv, err := web.New(web.Options{App: app, Assets: frontendFS(), Addr: addr, Logger: svc.Log, UploadDir: filepath.Join(svc.Home, "incoming")})
	if err != nil {
		svc.Close()
		return err
	}
	app.uploads = srv
	app.attach = func(s *service.Service) {
		s.Events.Add(events.Func(srv.Publish))
	}
	app.setService(svc)
	defer app.shutdown()
	url, err := srv.Start()
	if err != nil {
		return err
	}
	defer srv.Close()
	if w := srv.Warning(); w != "" {
		fmt.Fprintln(out, "Warning:", w)
	}
	fmt.Fprintln(out, "FitBridge is running at", url)
	fmt.Fprintln(out, "Open that address in your browser; press Ctrl-C to stop.")
	<-ctx.Done()
	return nil
}
