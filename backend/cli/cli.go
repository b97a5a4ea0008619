// Package cli is the headless command line: the same service as the window,
// for power users, schedulers and tests. The contract (names, JSON, exit
// codes) is fixed by the project's CLI.md.
package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"unicode"
	"unicode/utf8"

	"fitbridge/backend/service"
)

// Exit codes.
const (
	ExitOK          = 0
	ExitFailures    = 1
	ExitUsage       = 2
	ExitNeedsSignIn = 3
)

// Env is what a command runs with.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	// Serve runs the browser mode (it lives with the App facade).
	Serve func(ctx context.Context, addr string, demo bool, out io.Writer) error
}

type command struct {
	name  string
	usage string
	run   func(ctx context.Context, e *Env, args []string) int
}

func commands() []command {
	return []command{
		{"serve", "serve [--addr 127.0.0.1:PORT] [--demo]        the same UI in a browser", runServe},
		{"connect", "connect intervals|" + strings.Join(sourceNames(), "|") + " [flags]", runConnect},
		{"disconnect", "disconnect SOURCE", runDisconnect},
		{"sources", "sources [--json]                               connected accounts and their state", runSources},
		{"fetch", "fetch [--source S] [--since DATE] [--until DATE] [--json]", runFetch},
		{"backfill", "backfill [--source S] [--since DATE] [--until DATE] [--strava-copies keep|upload] [--dry-run] [--yes] [--json]", runBackfill},
		{"watch", "watch [--once] [--settle DURATION]            folder sources + periodic sync", runWatch},
		{"list", "list [--since DATE] [--until DATE] [--source S] [--json]", runList},
		{"import", "import PATH... [--json]                        add local files, folders and Strava or Garmin export archives (read in place) to the library", runImport},
		{"runs", "runs [--json]                                  every run (manual, selection, continuous), newest first", runRuns},
		{"undo", "undo RUN_ID [--yes] [--json]                   delete from Intervals.icu what that run created", runUndo},
		{"workouts", workoutsSynopsis + "  planned workouts to your trainer apps and devices", runWorkouts},
		{"doctor", "doctor [--json] [--report FILE]   one harmless call per connected service, what answered", runDoctor},
		{"restore", "restore [BACKUP] [--yes]                       list the library's backups, or restore one", runRestore},
	}
}

// IsCommand reports whether args are for the command line; without any the
// window opens. Anything else, an unknown flag included, is the command
// line's to run or refuse as bad usage, so a mistyped option never tries to
// open a window (which, without a display, could only crash). macOS's old
// "-psn_" process argument is the one thing the window accepts.
func IsCommand(args []string) bool {
	return len(args) > 0 && !strings.HasPrefix(args[0], "-psn_")
}

// Main runs a subcommand and returns the exit code.
func Main(args []string, e *Env) int {
	if e.Getenv == nil {
		e.Getenv = os.Getenv
	}
	if len(args) == 0 || args[0] == "help" || args[0] == "--help" || args[0] == "-h" {
		usage(e.Stdout)
		return ExitOK
	}
	if args[0] == "version" || args[0] == "--version" {
		fmt.Fprintln(e.Stdout, "fitbridge", service.Version)
		return ExitOK
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, e, args[1:])
		}
	}
	what := "command"
	if strings.HasPrefix(args[0], "-") {
		what = "option"
	}
	fmt.Fprintf(e.Stderr, "fitbridge: unknown %s %s: run `fitbridge help` for the list\n", what, printable(strconv.Quote(args[0])))
	return ExitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "FitBridge brings your ride history into Intervals.icu.")
	fmt.Fprintln(w, "\nUsage:\n  fitbridge                 open the desktop window")
	for _, c := range commands() {
		fmt.Fprintln(w, "  fitbridge "+c.usage)
	}
	fmt.Fprintln(w, "\nEvery command has --help. Exit codes: 0 done, 1 finished with failures, 2 bad usage, 3 needs sign-in again.")
}

// flags is a flag set that also takes flags after positional arguments
// (`import a.fit b.fit --json`).
type flags struct {
	*flag.FlagSet
	rest []string
	// takesArgs is set by commands that take positional arguments; the
	// others refuse them as bad usage instead of ignoring them.
	takesArgs bool
	e         *Env
	name      string
}

func newFlags(e *Env, name, synopsis string) *flags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.Stderr, "Usage: fitbridge %s\n", synopsis)
		fs.PrintDefaults()
	}
	return &flags{FlagSet: fs, e: e, name: name}
}

// parse returns an exit code when parsing ended the command (help or error).
func (f *flags) parse(args []string) (int, bool) {
	for {
		if err := f.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return ExitOK, false
			}
			return ExitUsage, false
		}
		args = f.Args()
		if len(args) == 0 {
			return f.checkArgs()
		}
		if args[0] == "--" {
			f.rest = append(f.rest, args[1:]...)
			return f.checkArgs()
		}
		f.rest = append(f.rest, args[0])
		args = args[1:]
	}
}

func (f *flags) checkArgs() (int, bool) {
	if f.takesArgs || len(f.rest) == 0 {
		return 0, true
	}
	fmt.Fprintf(f.e.Stderr, "fitbridge: %s takes no arguments, only flags (got %s): see `fitbridge %s --help`\n", f.name, printable(strconv.Quote(f.rest[0])), f.name)
	return ExitUsage, false
}

// listFlag collects repeated or comma-separated values.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*l = append(*l, p)
		}
	}
	return nil
}

// open opens the library to change it: it takes the library's lock, so a
// second writer (the window, serve, another import) waits briefly and then
// says FitBridge is already running.
func open(e *Env) (*service.Service, error) {
	return service.Open(service.Options{Getenv: e.Getenv, Writer: true})
}

// openReadOnly opens the library to look at it, whoever is writing.
func openReadOnly(e *Env) (*service.Service, error) {
	return service.Open(service.Options{Getenv: e.Getenv})
}

// fail prints one line saying what went wrong and returns its exit code.
func fail(e *Env, err error) int {
	var sie *service.SignInError
	if errors.As(err, &sie) {
		fmt.Fprintln(e.Stderr, "fitbridge: "+oneLine(err.Error()))
		return ExitNeedsSignIn
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintln(e.Stderr, "fitbridge: "+oneLine(err.Error()))
		return ExitUsage
	}
	fmt.Fprintln(e.Stderr, "fitbridge: "+oneLine(err.Error()))
	return ExitFailures
}

type usageError struct{ msg string }

func (u *usageError) Error() string { return u.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

func oneLine(s string) string { return printable(strings.Join(strings.Fields(s), " ")) }

func printJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func isTerminal(f any) bool {
	file, ok := f.(*os.File)
	if !ok {
		return false
	}
	st, err := file.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// printable escapes what a terminal would act on instead of showing: control
// characters (a file name can hold escape sequences that recolour or retitle
// the terminal) and bytes that are not UTF-8.
func printable(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unicode.IsControl(r) || r == '\u2028' || r == '\u2029':
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}
