package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"fitbridge/backend/service"
)

func runWatch(ctx context.Context, e *Env, args []string) int {
	f := newFlags(e, "watch", "watch [--once] [--settle DURATION]")
	once := f.Bool("once", false, "one pass over every source, then exit")
	settle := f.Duration("settle", 0, "how long a folder file must stay unchanged before it counts as finished (default: each folder's own setting, 2m unless changed)")
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
		return finish(e, res, err)
	}
	fmt.Fprintln(e.Stderr, "Watching your folders and checking your accounts; Ctrl-C stops.")
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	code := ExitOK
	said := map[string]bool{} // a problem is told once, not on every poll
	tell := func(line string) {
		if !said[line] {
			said[line] = true
			fmt.Fprintln(e.Stderr, "fitbridge: "+oneLine(line))
		}
	}
	err = w.Run(ctx, func(res service.PassResult, err error) {
		if *asJSON {
			printJSON(e.Stdout, res)
		} else if res.Uploaded > 0 {
			fmt.Fprintf(e.Stdout, "%s: %d uploaded\n", time.Now().Format("15:04:05"), res.Uploaded)
		}
		for _, name := range sortedKeys(res.SourceErrors) {
			tell(name + ": " + res.SourceErrors[name])
		}
		if err == nil || errors.Is(err, context.Canceled) {
			return
		}
		tell(err.Error())
		var sie *service.SignInError
		if errors.As(err, &sie) && (service.IsIntervals(sie.Account) || slices.ContainsFunc(res.NeedsSignIn, service.IsIntervals)) {
			code = ExitNeedsSignIn // nothing can be uploaded until Intervals.icu is connected again
			stop()
		}
	})
	if code != ExitOK {
		return code
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		return fail(e, err)
	}
	return ExitOK
}
