package cli

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

	"fitbridge/backend/backfill"
	"fitbridge/backend/service"
)

func runRuns(ctx context.Context, e *Env, args []string) int {
	f := newFlags(e, "runs", "runs [--json]")
	asJSON := f.Bool("json", false, "print one JSON document on stdout")
	if code, ok := f.parse(args); !ok {
		return code
	}
	if len(f.rest) > 0 {
		return fail(e, usagef("runs takes no arguments (got %q)", strings.Join(f.rest, " ")))
	}
	svc, err := open(e)
	if err != nil {
		return fail(e, err)
	}
	defer svc.Close()
	runs, err := svc.Runs()
	if err != nil {
		return fail(e, err)
	}
	if *asJSON {
		printJSON(e.Stdout, map[string]any{"runs": runs})
		return ExitOK
	}
	if len(runs) == 0 {
		fmt.Fprintln(e.Stdout, "No runs yet: nothing was uploaded by FitBridge.")
		return ExitOK
	}
	tw := tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tSTARTED\tKIND\tUPLOADED\tALREADY\tSKIPPED\tFAILED\tUNDO")
	for _, r := range runs {
		undo := "-"
		switch {
		case r.Undone != "" && r.Undoable == 0:
			undo = "undone"
		case r.Undoable > 0:
			undo = fmt.Sprintf("fitbridge undo %d", r.ID)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%d\t%d\t%d\t%s\n", r.ID, r.Started, r.Kind, r.Uploaded, r.Already, r.Skipped, r.Failed, undo)
	}
	_ = tw.Flush()
	return ExitOK
}

func runUndo(ctx context.Context, e *Env, args []string) int {
	f := newFlags(e, "undo", "undo RUN_ID [--yes] [--json]")
	yes := f.Bool("yes", false, "delete without asking")
	asJSON := f.Bool("json", false, "print one JSON document on stdout")
	edited := f.Bool("edited", false, "also delete uploads you changed in Intervals.icu since (name, type, description)")
	f.takesArgs = true
	if code, ok := f.parse(args); !ok {
		return code
	}
	if len(f.rest) != 1 {
		return fail(e, usagef("undo takes one RUN_ID (`fitbridge runs` lists them)"))
	}
	id, err := strconv.ParseUint(f.rest[0], 10, 32)
	if err != nil || id == 0 {
		return fail(e, usagef("RUN_ID must be a run number from `fitbridge runs`, not %q", f.rest[0]))
	}
	if !*yes {
		if !isTerminal(e.Stdin) {
			fmt.Fprintln(e.Stderr, "fitbridge: undo deletes activities from Intervals.icu: add --yes to confirm")
			return ExitUsage
		}
		fmt.Fprintf(e.Stderr, "Delete from Intervals.icu what run %d uploaded? [y/N] ", id)
		ans, _ := readLine(e.Stdin)
		if a := strings.ToLower(ans); a != "y" && a != "yes" {
			fmt.Fprintln(e.Stderr, "Nothing deleted.")
			return ExitOK
		}
	}
	svc, err := open(e)
	if err != nil {
		return fail(e, err)
	}
	defer svc.Close()
	res, err := svc.UndoRun(ctx, uint(id), *edited)
	if errors.Is(err, service.ErrNoSuchRun) {
		return fail(e, usagef("%v", err))
	}
	if *asJSON {
		printJSON(e.Stdout, res)
	} else {
		printUndo(e, res, uint(id))
	}
	if err != nil {
		return fail(e, err)
	}
	if res.Failed > 0 {
		return ExitFailures
	}
	return ExitOK
}

func printUndo(e *Env, r backfill.UndoResult, id uint) {
	fmt.Fprintf(e.Stdout, "Run %d: %d deleted from Intervals.icu, %d kept there, %d failed.\n", id, r.Deleted, r.Kept, r.Failed)
	for _, f := range r.Failures {
		what := "failed"
		if f.Kept {
			what = "kept"
		}
		fmt.Fprintf(e.Stdout, "  %s: %s (%s): %s\n", what, f.Name, f.IntervalsID, f.Reason)
	}
	if r.Deleted > 0 {
		fmt.Fprintln(e.Stdout, "They are kept out of Intervals.icu now: select them in the window and choose Upload anyway to send them again.")
	}
}
