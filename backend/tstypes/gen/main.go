// Command gen writes the window's TypeScript types from the Go types the
// service sends (go generate ./backend/service).
package main

import (
	"flag"
	"fmt"
	"os"

	"fitbridge/backend/service"
)

func main() {
	out := flag.String("out", "", "the file to write")
	flag.Parse()
	src, err := service.Models().Source(service.ModelsHeader)
	if err == nil && *out == "" {
		err = fmt.Errorf("say where to write with -out")
	}
	if err == nil {
		err = os.WriteFile(*out, []byte(src), 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
