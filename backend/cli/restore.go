package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"fitbridge/backend/service"
	"fitbridge/backend/store"
)

// runRestore lists the library's backups, or puts one back. It never opens
// the current database, so it is the way out when that one is damaged.
func runRestore(ctx context.Context, e *Env, args []string) int {
	f := newFlags(e, "restore", "restore [BACKUP] [--yes]")
	f.takesArgs = true
	yes := f.Bool("yes", false, "replace the library without asking")
	if code, ok := f.parse(args); !ok {
		return code
	}
	if len(f.rest) > 1 {
		return fail(e, usagef("restore takes one backup, got %d arguments", len(f.rest)))
	}
	home, err := service.DefaultHome(e.Getenv)
	if err != nil {
		return fail(e, err)
	}
	list, err := store.Backups(home)
	if err != nil {
		return fail(e, err)
	}
	if len(f.rest) == 0 {
		if len(list) == 0 {
			fmt.Fprintf(e.Stdout, "No backups yet in %s. FitBridge makes one a day while it is used.\n", filepath.Join(home, store.BackupDir))
			return ExitOK
		}
		fmt.Fprintln(e.Stdout, "Backups of the library, newest first (restore one with `fitbridge restore N`):")
		for i, b := range list {
			fmt.Fprintf(e.Stdout, "  %d  %s  %6d KiB  %s\n", i+1, b.Taken.Local().Format("2006-01-02 15:04"), (b.Size+1023)/1024, printable(b.Path))
		}
		return ExitOK
	}
	backup, err := pickBackup(f.rest[0], list)
	if err != nil {
		return fail(e, err)
	}
	n, err := store.CheckBackup(backup)
	if err != nil {
		return fail(e, fmt.Errorf("this backup cannot be restored: %w", err))
	}
	if !*yes {
		if !isTerminal(e.Stdin) {
			return fail(e, usagef("restore replaces the library: add --yes to confirm"))
		}
		fmt.Fprintf(e.Stderr, "Replace the library with %s (%d activities)? The current one is kept beside it. [y/N] ", filepath.Base(backup), n)
		ans, _ := readLine(e.Stdin)
		if a := strings.ToLower(ans); a != "y" && a != "yes" {
			fmt.Fprintln(e.Stderr, "Nothing changed.")
			return ExitOK
		}
	}
	lock, err := store.LockLibrary(ctx, home, 5*time.Second)
	if err != nil {
		return fail(e, err)
	}
	defer lock.Release()
	replaced, err := store.Restore(home, backup, time.Now())
	if err != nil {
		return fail(e, err)
	}
	fmt.Fprintf(e.Stdout, "Restored the library from %s (%d activities).\n", printable(backup), n)
	if replaced != "" {
		fmt.Fprintf(e.Stdout, "The library it replaced is kept as %s.\n", printable(replaced))
	}
	return ExitOK
}

// pickBackup takes a number from the list, a backup's file name, or a path.
func pickBackup(arg string, list []store.Backup) (string, error) {
	if n, err := strconv.Atoi(arg); err == nil {
		if n < 1 || n > len(list) {
			return "", usagef("there is no backup %d: run `fitbridge restore` for the list", n)
		}
		return list[n-1].Path, nil
	}
	for _, b := range list {
		if filepath.Base(b.Path) == arg {
			return b.Path, nil
		}
	}
	if st, err := os.Stat(arg); err == nil && st.Mode().IsRegular() {
		return arg, nil
	}
	return "", usagef("no backup %q: run `fitbridge restore` for the list", arg)
}
