// FitBridge brings a rider's history from platforms Intervals.icu cannot
// reach into Intervals.icu. Without arguments it opens the window; with a
// subcommand it runs headless (see `fitbridge help`).
package main

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"os"

	"fitbridge/backend/cli"
	_ "fitbridge/backend/source/all"
)

//go:embed all:frontend/dist
var assets embed.FS

func frontendFS() fs.FS {
	sub, err := fs.Sub(assets, "frontend/dist")
	if err != nil {
		panic(err) // the embed pattern guarantees the folder
	}
	return sub
}

func main() {
	args := os.Args[1:]
	writeMemStats(context.Background())
	if cli.IsCommand(args) {
		os.Exit(cli.Main(args, &cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Serve: serve}))
	}
	if err := runWindow(); err != nil {
		fmt.Fprintln(os.Stderr, "fitbridge:", err)
		os.Exit(1)
	}
}
