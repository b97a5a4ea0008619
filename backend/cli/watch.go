package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"fitbridge/backend/service"
)

func runWatch(ctx context.Context, e *Env, args []string) int {
	f := newFlags(e, "watch", "watch [--once] [--settle DURATION]")
	once := f.Bool("once", false, "one pass over every source, then exit")
	settle := f.Duration("settle", 2*time.Minute, "how long a file must stay unchanged before it counts as finished")
	asJSON := f.Bool("json", false, "print each pass's result as JSON")
	if code, ok := f.parse(args); !ok {
		return code
	}
	if *settle < 0 {
		return fail(e, usagef("--settle must not be negative"))
	}
	svc, err := open(e)
	if err != nil {
		return fail(e, err)
	}
	defer svc.Close()
	w := svc.Watcher(service.WatchOptions{Settle: *settle})
	if *once {
		res, err := w.Pass(ctx, nil)
		if *asJSON {
			printJSON(e.Stdout, res)
		} else {
			printResult(e.Stdout, res, service.BackfillOptions{})
		}
		if err != nil {
			return fail(e, err)
		}
		if res.Failed > 0 {
			return ExitFailures
		}
		return ExitOK
	}
	fmt.Fprintln(e.Stderr, "Watching your folders and checking your accounts; Ctrl-C stops.")
	err = w.Run(ctx, func(res service.PassResult) {
		if *asJSON {
			printJSON(e.Stdout, res)
		} else if res.Uploaded > 0 {
			fmt.Fprintf(e.Stdout, "%s: %d uploaded\n", time.Now().Format("15:04:05"), res.Uploaded)
		}
	})
	if err != nil && !errors.Is(err, context.Canceled) {
		return fail(e, err)
	}
	return ExitOK
}
