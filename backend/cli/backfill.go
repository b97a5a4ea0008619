package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"fitbridge/backend/backfill"
	"fitbridge/backend/events"
	"fitbridge/backend/service"
	"fitbridge/backend/source"
)

type runFlags struct {
	*flags
	sources listFlag
	since   *string
	until   *string
	asJSON  *bool
}

func newRunFlags(e *Env, name, synopsis string) *runFlags {
	f := &runFlags{flags: newFlags(e, name, synopsis)}
	f.Var(&f.sources, "source", "only this source (repeat or comma-separate; \"import\" means imported files)")
	f.since = f.String("since", "", "first day (YYYY-MM-DD); default: all history")
	f.until = f.String("until", "", "last day (YYYY-MM-DD)")
	f.asJSON = f.Bool("json", false, "print one JSON document on stdout (progress goes to stderr)")
	return f
}

func (f *runFlags) options() (service.BackfillOptions, error) {
	since, err := service.ParseDate(*f.since)
	if err != nil {
		return service.BackfillOptions{}, usagef("--since: %v", err)
	}
	until, err := service.ParseDate(*f.until)
	if err != nil {
		return service.BackfillOptions{}, usagef("--until: %v", err)
	}
	if !since.IsZero() && !until.IsZero() && until.Before(since) {
		return service.BackfillOptions{}, usagef("--until is before --since")
	}
	for _, n := range f.sources {
		if _, ok := source.Lookup(n); !ok {
			var known []string
			for _, d := range source.All() {
				known = append(known, d.Name)
			}
			return service.BackfillOptions{}, usagef("--source: unknown source %q (known: %s)", n, strings.Join(known, ", "))
		}
	}
	return service.BackfillOptions{Sources: f.sources, Since: since, Until: until}, nil
}

func runBackfill(ctx context.Context, e *Env, args []string) int {
	f := newRunFlags(e, "backfill", "backfill [--source S] [--since DATE] [--until DATE] [--strava-copies keep|upload] [--dry-run] [--yes] [--json]")
	dry := f.Bool("dry-run", false, "decide everything, upload nothing")
	copies := f.String("strava-copies", backfill.StravaKeep, "rides Intervals.icu holds only as Strava copies: keep them as they are, or upload the originals next to them")
	yes := f.Bool("yes", false, "upload without asking")
	if code, ok := f.parse(args); !ok {
		return code
	}
	o, err := f.options()
	if err != nil {
		return fail(e, err)
	}
	o.DryRun = *dry
	switch *copies {
	case backfill.StravaKeep, backfill.StravaUpload:
		o.StravaCopies = *copies
	default:
		return fail(e, usagef("--strava-copies: %q is neither keep nor upload", *copies))
	}
	if !*yes && !*dry {
		if !isTerminal(e.Stdin) {
			fmt.Fprintln(e.Stderr, "fitbridge: backfill uploads to Intervals.icu: add --yes to confirm (or --dry-run to look first)")
			return ExitUsage
		}
		fmt.Fprint(e.Stderr, "Upload every activity Intervals.icu does not have yet? [y/N] ")
		ans, _ := readLine(e.Stdin)
		if a := strings.ToLower(ans); a != "y" && a != "yes" {
			fmt.Fprintln(e.Stderr, "Nothing uploaded.")
			return ExitOK
		}
	}
	return runEngine(ctx, e, o, *f.asJSON)
}

func runFetch(ctx context.Context, e *Env, args []string) int {
	f := newRunFlags(e, "fetch", "fetch [--source S] [--since DATE] [--until DATE] [--json]")
	if code, ok := f.parse(args); !ok {
		return code
	}
	o, err := f.options()
	if err != nil {
		return fail(e, err)
	}
	o.FetchOnly = true
	return runEngine(ctx, e, o, *f.asJSON)
}

func runEngine(ctx context.Context, e *Env, o service.BackfillOptions, asJSON bool) int {
	svc, err := open(e)
	if err != nil {
		return fail(e, err)
	}
	defer svc.Close()
	var emit events.Emitter = events.Discard{}
	var bar *progressBar
	if !asJSON && isTerminal(e.Stderr) {
		bar = &progressBar{w: e.Stderr}
		emit = bar
	}
	res, err := svc.Backfill(ctx, o, emit)
	if bar != nil {
		bar.clear()
	}
	if res.Failures == nil {
		res.Failures = []backfill.Failure{}
	}
	if asJSON {
		printJSON(e.Stdout, res)
	} else {
		printResult(e.Stdout, res, o)
	}
	return finish(e, res, err)
}

// finish turns a run's outcome into the exit code, with a line on stderr for
// each thing that went wrong beyond the listed failures.
func finish(e *Env, res backfill.Result, err error) int {
	if err != nil {
		if errors.Is(err, context.Canceled) {
			fmt.Fprintln(e.Stderr, "fitbridge: stopped; nothing was lost: run the same command again to carry on")
			return ExitFailures
		}
		return fail(e, err)
	}
	for _, name := range sortedKeys(res.SourceErrors) {
		fmt.Fprintf(e.Stderr, "fitbridge: %s: %s\n", name, oneLine(res.SourceErrors[name]))
	}
	if res.Failed > 0 || len(res.SourceErrors) > 0 {
		return ExitFailures
	}
	return ExitOK
}

func printResult(w io.Writer, r backfill.Result, o service.BackfillOptions) {
	if o.FetchOnly {
		fmt.Fprintf(w, "%d activities in the library, %d downloaded now.\n", r.Discovered, r.Downloaded)
	} else if o.DryRun {
		fmt.Fprintf(w, "Dry run: %d would be uploaded, %d already in Intervals.icu, %d skipped, %d failed (of %d).\n", r.WouldUpload, r.Already, r.Skipped, r.Failed, r.Discovered)
	} else {
		fmt.Fprintf(w, "%d uploaded, %d already in Intervals.icu, %d skipped, %d failed (of %d).\n", r.Uploaded, r.Already, r.Skipped, r.Failed, r.Discovered)
	}
	if r.NeedsReview > 0 {
		fmt.Fprintf(w, "%d of the skipped are probably in Intervals.icu already and wait for your review (in the window: Needs review).\n", r.NeedsReview)
	}
	if r.StravaCopies > 0 {
		fmt.Fprintf(w, "%d rides are in Intervals.icu only as Strava copies (no streams, no power): --strava-copies upload sends the originals.\n", r.StravaCopies)
	}
	if r.RunID != 0 && r.Uploaded > 0 {
		fmt.Fprintf(w, "To take this run's uploads out of Intervals.icu again: fitbridge undo %d --yes\n", r.RunID)
	}
	for _, f := range r.Failures {
		fmt.Fprintf(w, "  failed: %s %s: %s\n", f.Source, printable(f.RemoteID), printable(f.Reason))
	}
}

// progressBar draws one line on a terminal.
type progressBar struct {
	mu    sync.Mutex
	w     io.Writer
	drawn bool
	last  time.Time
}

func (b *progressBar) Emit(name string, payload any) {
	p, ok := payload.(backfill.Progress)
	if name != events.Progress || !ok {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if time.Since(b.last) < 100*time.Millisecond && p.Running {
		return
	}
	b.last = time.Now()
	const width = 30
	fill := 0
	if p.Total > 0 {
		fill = p.Done * width / p.Total
		if fill > width {
			fill = width
		}
	}
	line := fmt.Sprintf("[%s%s] %d/%d", strings.Repeat("#", fill), strings.Repeat(".", width-fill), p.Done, p.Total)
	if p.SecondsLeft > 0 {
		line += fmt.Sprintf("  %s left", (time.Duration(p.SecondsLeft) * time.Second).Round(time.Second))
	}
	if p.Paused {
		line += "  paused"
	}
	if p.Current != "" {
		line += "  " + firstRunes(p.Current, 50)
	}
	fmt.Fprintf(b.w, "\r\033[K%s", line)
	b.drawn = true
}

func (b *progressBar) clear() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.drawn {
		fmt.Fprint(b.w, "\r\033[K")
	}
}

func runServe(ctx context.Context, e *Env, args []string) int {
	f := newFlags(e, "serve", "serve [--addr 127.0.0.1:PORT] [--demo]")
	addr := f.String("addr", "127.0.0.1:0", "address to listen on (loopback only unless you mean it)")
	demo := f.Bool("demo", false, "run against built-in sample services: no accounts needed")
	if code, ok := f.parse(args); !ok {
		return code
	}
	if err := checkAddr(*addr); err != nil {
		return fail(e, err)
	}
	if e.Serve == nil {
		fmt.Fprintln(e.Stderr, "fitbridge: this build has no browser mode")
		return ExitUsage
	}
	if err := e.Serve(ctx, *addr, *demo, e.Stdout); err != nil && !errors.Is(err, context.Canceled) {
		return fail(e, err)
	}
	return ExitOK
}

// checkAddr refuses an --addr that cannot be listened on, as bad usage.
func checkAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return usagef("--addr %q: give HOST:PORT, such as 127.0.0.1:8080 (port 0 picks a free one)", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return usagef("--addr %q: the port must be a number from 0 to 65535", addr)
	}
	if host != "" && net.ParseIP(host) == nil && !validHostName(host) {
		return usagef("--addr %q: %q is neither an IP address nor a host name", addr, host)
	}
	return nil
}

func validHostName(h string) bool {
	if len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for _, c := range label {
			if !(c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
				return false
			}
		}
	}
	return true
}

// firstRunes cuts s to n characters at most, never inside one (a folder's
// name may be "Gerät"), so the terminal row stays one row of whole text.
func firstRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}
