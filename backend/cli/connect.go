package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"fitbridge/backend/service"
	"fitbridge/backend/source"
)

func runConnect(ctx context.Context, e *Env, args []string) int {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
		fmt.Fprintf(e.Stdout, "Usage: fitbridge connect SERVICE [flags]\n\nSERVICE is one of: intervals, %s\n"+
			"Run `fitbridge connect SERVICE --help` for that service's flags.\n", strings.Join(sourceNames(), ", "))
		return ExitOK
	}
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(e.Stderr, "fitbridge: say what to connect: intervals, "+strings.Join(sourceNames(), ", "))
		return ExitUsage
	}
	what, args := args[0], args[1:]
	if what == "intervals" {
		return connectIntervals(ctx, e, args)
	}
	d, ok := source.Lookup(what)
	if !ok {
		fmt.Fprintf(e.Stderr, "fitbridge: unknown source %q (known: intervals, %s)\n", what, strings.Join(sourceNames(), ", "))
		return ExitUsage
	}
	switch d.Kind {
	case source.KindFiles:
		fmt.Fprintf(e.Stderr, "fitbridge: %s need no connecting: run `%s`\n", d.DisplayName, d.ConnectCommand())
		return ExitUsage
	case source.KindFolder:
		return connectFolder(e, d, args)
	}
	return connectCloud(ctx, e, d, args)
}

// declareFlags adds one string flag per setting the platform declares
// (secrets aside: a flag would leave them in the shell history; the window sets them).
func declareFlags(f *flags, d source.Descriptor) map[string]*string {
	out := map[string]*string{}
	for _, s := range d.Settings {
		if s.Secret {
			continue
		}
		out[s.Key] = f.String(s.Key, "", s.Help)
	}
	return out
}

// saveDeclared keeps the declared settings given on the command line.
func saveDeclared(svc *service.Service, d source.Descriptor, given map[string]*string) error {
	values := map[string]string{}
	for k, v := range given {
		if *v != "" {
			values[k] = *v
		}
	}
	if len(values) == 0 {
		return nil
	}
	_, err := svc.SetSourceSettings(d.Name, values)
	return err
}

// cloudSynopsis offers the ways this platform signs in, its regions and its
// declared settings.
func cloudSynopsis(d source.Descriptor) string {
	var ways []string
	if d.Capture != nil {
		ways = append(ways, "--browser")
	}
	if d.Login != nil {
		ways = append(ways, "--username USER --password-stdin")
	}
	ways = append(ways, "--token-stdin", "--cookie-stdin")
	out := ""
	if len(d.Regions) > 0 {
		var ids []string
		for _, r := range d.Regions {
			ids = append(ids, r.ID)
		}
		out += " [--region " + strings.Join(ids, "|") + "]"
	}
	return out + " [" + strings.Join(ways, " | ") + "]" + synopsis(d)
}

// synopsis writes a platform's declared settings the way CLI.md does: required ones bare, the others in brackets.
func synopsis(d source.Descriptor) string {
	var b strings.Builder
	for _, s := range d.Settings {
		if s.Secret {
			continue
		}
		arg := "--" + s.Key + " " + strings.ToUpper(s.Key)
		if s.Folder {
			arg = "--" + s.Key + " PATH"
		}
		if s.Required {
			b.WriteString(" " + arg)
		} else {
			b.WriteString(" [" + arg + "]")
		}
	}
	return b.String()
}

// sourceNames are the sources `connect` takes (files added by hand need none).
func sourceNames() []string {
	var out []string
	for _, d := range source.All() {
		if d.Kind == source.KindFiles {
			continue
		}
		out = append(out, d.Name)
	}
	return out
}

func connectIntervals(ctx context.Context, e *Env, args []string) int {
	f := newFlags(e, "connect intervals", "connect intervals --athlete-id ID   (API key from stdin or FITBRIDGE_INTERVALS_API_KEY)")
	athlete := f.String("athlete-id", "", "your Intervals.icu athlete id (e.g. i12345), shown in Settings on intervals.icu")
	if code, ok := f.parse(args); !ok {
		return code
	}
	if *athlete == "" {
		fmt.Fprintln(e.Stderr, "fitbridge: give your athlete id with --athlete-id (Intervals.icu → Settings, e.g. i12345)")
		return ExitUsage
	}
	key := e.Getenv("FITBRIDGE_INTERVALS_API_KEY")
	if key == "" {
		if isTerminal(e.Stdin) {
			fmt.Fprint(e.Stderr, "Intervals.icu API key (Settings → Developer Settings): ")
		}
		var err error
		if key, err = readLine(e.Stdin); err != nil || key == "" {
			fmt.Fprintln(e.Stderr, "fitbridge: no API key given: pipe it on stdin or set FITBRIDGE_INTERVALS_API_KEY")
			return ExitUsage
		}
	}
	svc, err := open(e)
	if err != nil {
		return fail(e, err)
	}
	defer svc.Close()
	if kerr := svc.KeyringError(); kerr != nil {
		return fail(e, kerr)
	}
	st, err := svc.ConnectIntervals(ctx, *athlete, key)
	if err != nil {
		return fail(e, err)
	}
	fmt.Fprintf(e.Stdout, "Connected to Intervals.icu as %s (%s).\n", st.AthleteName, st.AthleteID)
	return ExitOK
}

func connectCloud(ctx context.Context, e *Env, d source.Descriptor, args []string) int {
	syn := "connect " + d.Name
	f := newFlags(e, syn, syn+cloudSynopsis(d))
	browser := f.Bool("browser", false, "sign in on "+d.DisplayName+"'s own page in a browser window (default)")
	user := f.String("username", "", "email or user name for the API sign-in (the password is read from stdin, used once, never stored)")
	passStdin := f.Bool("password-stdin", false, "read the password from stdin")
	tokenStdin := f.Bool("token-stdin", false, "read a session token from stdin")
	cookieStdin := f.Bool("cookie-stdin", false, "read a session cookie from stdin (what you copy from the browser's DevTools)")
	region := ""
	if len(d.Regions) > 0 {
		var ids []string
		for _, r := range d.Regions {
			ids = append(ids, r.ID)
		}
		f.StringVar(&region, "region", d.Regions[0].ID, "account region: "+strings.Join(ids, " or "))
	}
	declared := declareFlags(f, d)
	if code, ok := f.parse(args); !ok {
		return code
	}
	if len(d.Regions) > 0 && !slices.ContainsFunc(d.Regions, func(r source.Region) bool { return r.ID == region }) {
		var ids []string
		for _, r := range d.Regions {
			ids = append(ids, r.ID)
		}
		return fail(e, usagef("--region: %s has no region %q (known: %s)", d.DisplayName, region, strings.Join(ids, ", ")))
	}
	modes := 0
	for _, b := range []bool{*browser, *user != "" || *passStdin, *tokenStdin || *cookieStdin} {
		if b {
			modes++
		}
	}
	if modes > 1 {
		fmt.Fprintln(e.Stderr, "fitbridge: choose one way to sign in: --browser, --username with --password-stdin, or --token-stdin")
		return ExitUsage
	}
	svc, err := open(e)
	if err != nil {
		return fail(e, err)
	}
	defer svc.Close()
	var info service.SourceInfo
	switch {
	case *user != "" || *passStdin:
		if *user == "" || !*passStdin {
			fmt.Fprintln(e.Stderr, "fitbridge: give --username and pipe the password with --password-stdin")
			return ExitUsage
		}
		pw, rerr := readLine(e.Stdin)
		if rerr != nil || pw == "" {
			fmt.Fprintln(e.Stderr, "fitbridge: no password on stdin")
			return ExitUsage
		}
		info, err = svc.ConnectPassword(ctx, d.Name, region, *user, pw)
	case *tokenStdin || *cookieStdin:
		tok, rerr := readAll(e.Stdin)
		if rerr != nil || strings.TrimSpace(tok) == "" {
			fmt.Fprintln(e.Stderr, "fitbridge: nothing was given on stdin")
			return ExitUsage
		}
		info, err = svc.ConnectToken(ctx, d.Name, region, tok)
	default:
		if d.Capture == nil {
			fmt.Fprintf(e.Stderr, "fitbridge: %s has no browser sign-in: use --token-stdin\n", d.DisplayName)
			return ExitUsage
		}
		fmt.Fprintf(e.Stderr, "Opening %s's sign-in page in a browser window. Sign in as usual; FitBridge keeps only the session, never your password.\n", d.DisplayName)
		info, err = svc.ConnectBrowser(ctx, d.Name, region)
	}
	if err != nil {
		return fail(e, err)
	}
	if err := saveDeclared(svc, d, declared); err != nil {
		return fail(e, err)
	}
	fmt.Fprintf(e.Stdout, "Connected %s.\n", info.DisplayName)
	return ExitOK
}

func connectFolder(e *Env, d source.Descriptor, args []string) int {
	f := newFlags(e, "connect "+d.Name, "connect "+d.Name+synopsis(d))
	declared := declareFlags(f, d)
	if code, ok := f.parse(args); !ok {
		return code
	}
	folder := ""
	if p, ok := declared[source.SettingFolder]; ok {
		folder = *p
		delete(declared, source.SettingFolder)
	}
	// Without --folder only a folder found on this computer will do; none
	// found means the command was not complete.
	if folder == "" && (d.FindFolders == nil || len(d.FindFolders()) == 0) {
		fmt.Fprintf(e.Stderr, "fitbridge: no %s folder was found on this computer: give one with --folder PATH\n", d.DisplayName)
		return ExitUsage
	}
	svc, err := open(e)
	if err != nil {
		return fail(e, err)
	}
	defer svc.Close()
	info, err := svc.ConnectFolder(d.Name, folder)
	if err != nil {
		return fail(e, err)
	}
	if err := saveDeclared(svc, d, declared); err != nil {
		return fail(e, err)
	}
	fmt.Fprintf(e.Stdout, "Connected %s: %s\n", info.DisplayName, printable(info.Folder))
	return ExitOK
}

func runDisconnect(ctx context.Context, e *Env, args []string) int {
	f := newFlags(e, "disconnect", "disconnect SOURCE")
	f.takesArgs = true
	if code, ok := f.parse(args); !ok {
		return code
	}
	if len(f.rest) != 1 {
		fmt.Fprintln(e.Stderr, "fitbridge: say which one source to disconnect")
		return ExitUsage
	}
	if _, ok := source.Lookup(f.rest[0]); !ok && f.rest[0] != "intervals" {
		return fail(e, usagef("unknown source %q (known: intervals, %s)", f.rest[0], strings.Join(sourceNames(), ", ")))
	}
	svc, err := open(e)
	if err != nil {
		return fail(e, err)
	}
	defer svc.Close()
	if err := svc.Disconnect(f.rest[0]); err != nil {
		return fail(e, err)
	}
	fmt.Fprintf(e.Stdout, "Disconnected %s. Its activities stay in the library.\n", printable(f.rest[0]))
	return ExitOK
}

func readLine(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && line == "" {
		return "", err
	}
	return strings.TrimSpace(line), nil
}

func readAll(r io.Reader) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r, 1<<20))
	return string(b), err
}
