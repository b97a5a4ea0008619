package cli

import (
	"context"
	"fmt"
	"os"
	"text/tabwriter"

	"fitbridge/backend/doctor"
	"fitbridge/backend/service"
)

func runDoctor(ctx context.Context, e *Env, args []string) int {
	f := newFlags(e, "doctor", "doctor [--json] [--report FILE] [--trace FILE]")
	asJSON := f.Bool("json", false, "print the whole report as one JSON document")
	reportFile := f.String("report", "", "also write the plain-text report (secrets removed) to FILE, to attach to a bug report")
	traceFile := f.String("trace", "", "also list a few rides of each online source, download one, and write what every call answered (secrets removed) to FILE, for a bug report")
	if code, ok := f.parse(args); !ok {
		return code
	}
	if len(f.rest) > 0 {
		return fail(e, usagef("doctor takes no arguments (got %q)", f.rest[0]))
	}
	svc, err := openReadOnly(e)
	if err != nil {
		return fail(e, err)
	}
	defer svc.Close()
	rep, err := svc.Doctor(ctx)
	if err != nil {
		return fail(e, err)
	}
	if *reportFile != "" {
		if err := os.WriteFile(*reportFile, []byte(rep.Text()), 0o600); err != nil {
			return fail(e, fmt.Errorf("write the report: %w", err))
		}
	}
	if *traceFile != "" {
		tr, err := svc.Trace(ctx, *traceFile)
		if err != nil {
			return fail(e, err)
		}
		// A trace that failed is reported as a problem of the run.
		rep.Checks = append(rep.Checks, traceChecks(tr)...)
	}
	if *asJSON {
		printJSON(e.Stdout, rep)
	} else {
		printChecks(e, rep)
		if *traceFile != "" {
			fmt.Fprintf(e.Stdout, "Trace of a short listing and one download per source (no secrets, safe to attach to a bug report): %s\n", *traceFile)
		}
	}
	return doctorExit(e, rep)
}

func printChecks(e *Env, rep doctor.Report) {
	if len(rep.Checks) == 0 {
		fmt.Fprintln(e.Stdout, "Nothing is connected yet: run `fitbridge connect intervals --athlete-id ID` first.")
		return
	}
	tw := tabwriter.NewWriter(e.Stdout, 0, 0, 2, ' ', 0)
	for _, c := range rep.Checks {
		status := "-"
		if c.Status != 0 {
			status = fmt.Sprint(c.Status)
		}
		verdict := "OK"
		switch {
		case c.NeedsSignIn:
			verdict = "needs sign-in"
		case !c.OK:
			verdict = "problem: " + oneLine(c.Note)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d ms\t%s\n", c.Service, c.Call, status, c.Millis, verdict)
	}
	tw.Flush()
	if rep.File != "" {
		fmt.Fprintf(e.Stdout, "Full report (no secrets, safe to attach to a bug report): %s\n", rep.File)
	}
}

// doctorExit: 3 when a service refused its sign-in, 1 when any other check
// failed, else 0 (CLI.md's exit codes). The stderr line says what to do.
func doctorExit(e *Env, rep doctor.Report) int {
	if refused := rep.NeedsSignIn(); len(refused) > 0 {
		for _, c := range refused {
			fmt.Fprintf(e.Stderr, "fitbridge: %s needs sign-in again (the stored one was refused or is missing): run `%s`, or reconnect it in the FitBridge window\n",
				c.Service, service.ConnectCommand(c.Service))
		}
		return ExitNeedsSignIn
	}
	if !rep.OK() {
		failed := 0
		for _, c := range rep.Checks {
			if !c.OK {
				failed++
			}
		}
		fmt.Fprintf(e.Stderr, "fitbridge: %d of %d checks found a problem: see the checks above", failed, len(rep.Checks))
		if rep.File != "" {
			fmt.Fprintf(e.Stderr, " and the report %s", rep.File)
		}
		fmt.Fprintln(e.Stderr)
		return ExitFailures
	}
	return ExitOK
}

// traceChecks are the trace's checks, named as such in the doctor's list.
func traceChecks(tr doctor.Report) []doctor.Check {
	out := make([]doctor.Check, len(tr.Checks))
	for i, c := range tr.Checks {
		c.Call = "trace: " + c.Call
		out[i] = c
	}
	return out
}
