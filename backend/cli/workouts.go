package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"fitbridge/backend/service"
	"fitbridge/backend/workouts"
)

const workoutsSynopsis = "workouts [--to TARGET] [--days N] [--dry-run] [--yes] [--json]"

func runWorkouts(ctx context.Context, e *Env, args []string) int {
	f := newFlags(e, "workouts", workoutsSynopsis)
	var to listFlag
	f.Var(&to, "to", "only this place ("+strings.Join(service.WorkoutTargetNames(), ", ")+"; repeat or comma-separate)")
	days := f.Int("days", workouts.DefaultDays, "how many days after today")
	dry := f.Bool("dry-run", false, "say what would be written, write nothing")
	yes := f.Bool("yes", false, "write without asking")
	asJSON := f.Bool("json", false, "print one JSON document on stdout")
	if code, ok := f.parse(args); !ok {
		return code
	}
	if len(f.rest) > 0 {
		return fail(e, usagef("workouts takes no arguments, only flags: %s", strings.Join(f.rest, " ")))
	}
	if *days < 1 || *days > 90 {
		return fail(e, usagef("--days must be between 1 and 90"))
	}
	known := service.WorkoutTargetNames()
	for _, n := range to {
		if !slices.Contains(known, n) {
			return fail(e, usagef("--to: %q does not take planned workouts (these do: %s)", n, strings.Join(known, ", ")))
		}
	}
	if !*dry && !*yes {
		fmt.Fprintln(e.Stderr, "fitbridge: workouts writes into your trainer apps and devices: add --yes to confirm (or --dry-run to look first)")
		return ExitUsage
	}
	svc, err := open(e)
	if err != nil {
		return fail(e, err)
	}
	defer svc.Close()
	results, err := svc.DeliverWorkouts(ctx, service.WorkoutsRequest{To: to, Days: *days, DryRun: *dry})
	if err != nil {
		return fail(e, err)
	}
	if results == nil {
		results = []workouts.Result{}
	}
	if *asJSON {
		printJSON(e.Stdout, map[string]any{"workouts": results})
	} else {
		for _, r := range results {
			line := fmt.Sprintf("%s  %-10s %-9s %s", r.Date, r.Target, r.State, r.Name)
			if r.Reason != "" {
				line += ": " + r.Reason
			}
			fmt.Fprintln(e.Stdout, line)
			for _, c := range r.Changes {
				fmt.Fprintln(e.Stdout, "      changed: "+c)
			}
		}
		if len(results) == 0 {
			fmt.Fprintln(e.Stdout, "No planned workouts in that window.")
		}
	}
	if workouts.Failed(results) > 0 {
		return ExitFailures
	}
	return ExitOK
}
