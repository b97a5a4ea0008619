package cli

import (
	"context"
	"encoding/base64"
	"fmt"
	"time"
	"unicode/utf8"

	"fitbridge/backend/service"
	"fitbridge/backend/store"
)

// activityJSON is the CLI.md shape of one activity.
type activityJSON struct {
	ID          uint        `json:"id"`
	Source      string      `json:"source"`
	RemoteID    string      `json:"remote_id"`
	File        string      `json:"file"`
	FileBytes   string      `json:"file_bytes,omitempty"` // base64 of file when it is not UTF-8
	Name        string      `json:"name,omitempty"`
	State       store.State `json:"state"`
	Sport       string      `json:"sport"`
	Start       string      `json:"start"`
	ElapsedS    float64     `json:"elapsed_s"`
	DistanceM   float64     `json:"distance_m"`
	IntervalsID string      `json:"intervals_id"`
	Reason      string      `json:"reason"`
	Device      string      `json:"device,omitempty"`
	MatchedVia  string      `json:"matched_via,omitempty"`
	// Repaired says what was mended in a damaged file; it is the reason too
	// when there is no other.
	Repaired string `json:"repaired,omitempty"`
}

func toJSON(v service.ActivityView) activityJSON {
	a := activityJSON{ID: v.ID, Source: v.Source, RemoteID: v.RemoteID, File: v.File, Name: v.Name, State: publicState(v.State),
		Sport: v.Sport, Start: v.Start, ElapsedS: v.ElapsedS, DistanceM: v.DistanceM, IntervalsID: v.IntervalsID,
		Reason: v.Reason, Device: v.Device, MatchedVia: v.MatchedVia, Repaired: v.Repaired}
	// JSON strings are UTF-8: a name in another encoding would come back
	// altered, so its exact bytes travel alongside.
	if !utf8.ValidString(v.File) {
		a.FileBytes = base64.StdEncoding.EncodeToString([]byte(v.File))
	}
	if a.Reason == "" {
		a.Reason = v.Repaired
	}
	return a
}

// publicState maps internal steps to the states CLI.md names: an activity
// listed but not yet read is still "ready" to go.
func publicState(s store.State) store.State {
	switch s {
	case store.StateDiscovered:
		return store.StateReady
	}
	return s
}

func runImport(ctx context.Context, e *Env, args []string) int {
	f := newFlags(e, "import", "import PATH... [--json]")
	f.takesArgs = true
	asJSON := f.Bool("json", false, "print one JSON document")
	if code, ok := f.parse(args); !ok {
		return code
	}
	if len(f.rest) == 0 {
		fmt.Fprintln(e.Stderr, "fitbridge: give one or more files or folders to import")
		return ExitUsage
	}
	svc, err := open(e)
	if err != nil {
		return fail(e, err)
	}
	defer svc.Close()
	var last time.Time
	res := svc.ImportWithProgress(ctx, f.rest, func(done, total int, file string) {
		// A line a second on stderr while an export archive is read.
		if now := time.Now(); now.Sub(last) >= time.Second || done == total {
			last = now
			if total > 0 {
				fmt.Fprintf(e.Stderr, "reading %d of %d: %s\n", done, total, file)
			} else {
				fmt.Fprintf(e.Stderr, "reading %d: %s\n", done, file)
			}
		}
	})
	out := struct {
		Activities  []activityJSON `json:"activities"`
		Stopped     bool           `json:"stopped,omitempty"`
		NotImported int            `json:"not_imported,omitempty"`
	}{Activities: []activityJSON{}, Stopped: res.Stopped, NotImported: res.NotImported}
	code := ExitOK
	if res.Stopped {
		code = ExitFailures
		fmt.Fprintf(e.Stderr, "fitbridge: import stopped; %d files imported before that are kept, %d not looked at\n", len(res.Activities), res.NotImported)
	}
	for _, a := range res.Activities {
		out.Activities = append(out.Activities, toJSON(a))
		if a.State == store.StateUnreadable || a.State == store.StateFailed {
			code = ExitFailures
		}
	}
	if *asJSON {
		printJSON(e.Stdout, out)
		return code
	}
	for _, a := range out.Activities {
		fmt.Fprintf(e.Stdout, "%-22s %-12s %s\n", a.State, a.Sport, lineFor(a))
	}
	return code
}

func lineFor(a activityJSON) string {
	s := printable(a.File)
	if s == "" {
		s = printable(a.Name)
	}
	if a.Start != "" {
		if t, err := time.Parse(time.RFC3339, a.Start); err == nil {
			s = t.Local().Format("2006-01-02 15:04") + "  " + s
		}
	}
	if a.ElapsedS > 0 {
		s += fmt.Sprintf("  %s", (time.Duration(a.ElapsedS) * time.Second).String())
	}
	if a.DistanceM > 0 {
		s += fmt.Sprintf("  %.1f km", a.DistanceM/1000)
	}
	if a.Reason != "" {
		s += "  (" + printable(a.Reason) + ")"
	}
	return s
}

func runList(ctx context.Context, e *Env, args []string) int {
	f := newRunFlags(e, "list", "list [--since DATE] [--until DATE] [--source S] [--json]")
	if code, ok := f.parse(args); !ok {
		return code
	}
	// Checked here so a bad date or source is bad usage, and any later error is the library's.
	if _, err := f.options(); err != nil {
		return fail(e, err)
	}
	svc, err := openReadOnly(e)
	if err != nil {
		return fail(e, err)
	}
	defer svc.Close()
	views, err := svc.Activities(service.ActivityFilter{Since: *f.since, Until: *f.until, Sources: f.sources})
	if err != nil {
		return fail(e, fmt.Errorf("read the library: %w", err))
	}
	out := struct {
		Activities []activityJSON `json:"activities"`
	}{Activities: []activityJSON{}}
	for _, v := range views {
		out.Activities = append(out.Activities, toJSON(v))
	}
	if *f.asJSON {
		printJSON(e.Stdout, out)
		return ExitOK
	}
	for _, a := range out.Activities {
		fmt.Fprintf(e.Stdout, "%-10s %-22s %-12s %s\n", a.Source, a.State, a.Sport, lineFor(a))
	}
	if len(out.Activities) == 0 {
		fmt.Fprintln(e.Stdout, "The library is empty: import files or connect a source.")
	}
	return ExitOK
}

func runSources(ctx context.Context, e *Env, args []string) int {
	f := newFlags(e, "sources", "sources [--json]")
	asJSON := f.Bool("json", false, "print one JSON document")
	if code, ok := f.parse(args); !ok {
		return code
	}
	svc, err := openReadOnly(e)
	if err != nil {
		return fail(e, err)
	}
	defer svc.Close()
	st := svc.Status()
	list := svc.Sources()
	if *asJSON {
		printJSON(e.Stdout, struct {
			Intervals service.IntervalsStatus `json:"intervals"`
			Sources   []service.SourceInfo    `json:"sources"`
		}{st.Intervals, list})
		return ExitOK
	}
	if st.Intervals.Connected {
		fmt.Fprintf(e.Stdout, "%-14s %-14s %s (%s)\n", "intervals", st.Intervals.State, st.Intervals.AthleteName, st.Intervals.AthleteID)
	} else {
		fmt.Fprintf(e.Stdout, "%-14s %-14s run `fitbridge connect intervals --athlete-id ID`\n", "intervals", "not connected")
	}
	for _, s := range list {
		state := s.State
		if !s.Connected {
			state = "not connected"
		}
		if s.ComingSoon {
			state = "coming soon"
		}
		extra := s.Folder
		if s.Connected && s.LastSync != "" {
			extra += " last sync " + s.LastSync
		}
		fmt.Fprintf(e.Stdout, "%-14s %-14s %d activities %s\n", s.Name, state, s.Activities, printable(extra))
	}
	return ExitOK
}
