// Command gen writes the window's TypeScript types from the Go types the
// service sends, and the backend's sentence templates for the window's
// catalogue (go generate ./backend/service).
package main

import (
	"flag"
	"fmt"
	"os"

	"fitbridge/backend/reason"
	"fitbridge/backend/service"
)

func main() {
	out := flag.String("out", "", "the file to write the types to")
	reasons := flag.String("reasons", "", "the file to write the sentence templates to")
	flag.Parse()
	src, err := service.Models().Source(service.ModelsHeader)
	if err == nil && (*out == "" || *reasons == "") {
		err = fmt.Errorf("say where to write with -out and -reasons")
	}
	if err == nil {
		err = os.WriteFile(*out, []byte(src), 0o644)
	}
	if err == nil {
		err = os.WriteFile(*reasons, []byte(reason.Source(service.ReasonsHeader)), 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
