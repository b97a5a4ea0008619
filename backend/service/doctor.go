package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"fitbridge/backend/capture"
	"fitbridge/backend/doctor"
	"fitbridge/backend/fitfile"
	"fitbridge/backend/intervals"
	"fitbridge/backend/source"
	"fitbridge/backend/store"
)

// checkTimeout bounds each diagnostics check: a service that has not
// answered by then is reported as not answering.
const checkTimeout = 20 * time.Second

// Which open question of the API reference a platform's facts answer. The
// questions are per platform, so this one table names them.
var (
	tokenQuestion = map[string]string{"mywhoosh": "11", "igpsport": "22", "trainingpeaks": "25"}
	// The sign-in check lists page 1 with the platform's defaults, so its
	// reply shows the page size and the envelope.
	replyQuestion  = map[string]string{"mywhoosh": "13"}
	folderQuestion = map[string]bool{"zwift": true}
)

// Doctor makes one harmless call per connected service and reports what
// answered: status, timing and the shape of the reply, never a value or a
// secret. The plain-text report is also written to the logs folder
// (Report.File), for the rider to attach to a bug report.
func (s *Service) Doctor(ctx context.Context) (doctor.Report, error) {
	rep := doctor.Report{
		Generated: time.Now().UTC().Format(time.RFC3339),
		Version:   Version,
		OS:        runtime.GOOS + "/" + runtime.GOARCH,
	}
	accs, err := s.Store.Accounts()
	if err != nil {
		return rep, err
	}
	// Intervals.icu first, then the sources by name.
	slices.SortStableFunc(accs, func(a, b store.Account) int {
		if (a.Name == intervalsAccount) != (b.Name == intervalsAccount) {
			if a.Name == intervalsAccount {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
	// Secrets are read here, one at a time (keyrings dislike concurrent
	// prompts); the calls then run side by side, each bounded on its own.
	var jobs []func(context.Context) []doctor.Check
	for _, acc := range accs {
		if acc.Name == intervalsAccount {
			key, err := s.secret(intervalsAccount)
			if err != nil {
				jobs = append(jobs, missingSecret(intervalsAccount, "the Intervals.icu API key is missing from the keyring", err))
				continue
			}
			jobs = append(jobs, func(ctx context.Context) []doctor.Check { return s.doctorIntervals(ctx, acc, key) })
			continue
		}
		d, ok := source.Lookup(acc.Name)
		if !ok {
			jobs = append(jobs, func(context.Context) []doctor.Check {
				return []doctor.Check{{Service: acc.Name, Call: "none", Note: "connected, but this version of FitBridge does not know the platform"}}
			})
			continue
		}
		if d.Kind == source.KindFolder {
			jobs = append(jobs, func(ctx context.Context) []doctor.Check { return []doctor.Check{s.doctorFolder(ctx, d, acc)} })
			continue
		}
		token, err := s.secret(acc.Name)
		if err != nil {
			jobs = append(jobs, missingSecret(acc.Name, "no "+d.DisplayName+" sign-in is stored", err))
			continue
		}
		jobs = append(jobs, func(ctx context.Context) []doctor.Check { return []doctor.Check{s.doctorCloud(ctx, d, acc, token)} })
	}
	results := make([][]doctor.Check, len(jobs))
	var wg sync.WaitGroup
	for i, job := range jobs {
		wg.Go(func() { results[i] = job(ctx) })
	}
	wg.Wait()
	for _, r := range results {
		rep.Checks = append(rep.Checks, r...)
	}

	rep = rep.Redacted(s.Redactor)
	if path, err := writeReport(filepath.Join(s.Home, "logs"), rep); err != nil {
		s.Log.Warn("write the diagnostics report", "err", err)
	} else {
		rep.File = path
	}
	problems := 0
	for _, c := range rep.Checks {
		if !c.OK {
			problems++
		}
	}
	s.Log.Info("diagnostics", "checks", len(rep.Checks), "problems", problems, "file", rep.File)
	return rep, nil
}

// writeReport keeps the text report as logs/doctor-<UTC time>.txt; two runs
// in the same second each keep their own file.
func writeReport(dir string, rep doctor.Report) (string, error) {
	stem := filepath.Join(dir, "doctor-"+time.Now().UTC().Format("20060102-150405"))
	for i := 1; ; i++ {
		path := stem + ".txt"
		if i > 1 {
			path = fmt.Sprintf("%s-%d.txt", stem, i)
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, os.ErrExist) && i < 100 {
			continue
		}
		if err != nil {
			return "", err
		}
		_, werr := f.WriteString(rep.Text())
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		return path, werr
	}
}

// missingSecret is the check of an account whose secret is gone.
func missingSecret(account, msg string, err error) func(context.Context) []doctor.Check {
	c := doctor.Check{Service: account, Call: "read the stored sign-in"}
	if errors.Is(err, ErrNotConnected) {
		c.NeedsSignIn = true
		c.Note = (&SignInError{Account: account, Msg: msg}).Error()
	} else {
		c.Note = "the system keyring could not be read: " + err.Error()
	}
	return func(context.Context) []doctor.Check { return []doctor.Check{c} }
}

// bounded runs one check with its own time limit. A check that does not
// end in time is reported as such; it gets a moment more to hand over
// what it recorded, since its calls see the same deadline.
func bounded(ctx context.Context, c doctor.Check, run func(ctx context.Context, c *doctor.Check)) doctor.Check {
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	start := time.Now()
	done := make(chan doctor.Check, 1)
	go func() {
		cc := c
		run(ctx, &cc)
		done <- cc
	}()
	var out doctor.Check
	select {
	case out = <-done:
	case <-ctx.Done():
		select {
		case out = <-done:
		case <-time.After(2 * time.Second):
			out = c
		}
		out.OK = false
		why := fmt.Sprintf("no result within %s", checkTimeout)
		if ctx.Err() == context.Canceled {
			why = "stopped before it finished"
		}
		out.Note = strings.TrimSpace(why + "\n" + out.Note)
	}
	if out.Millis == 0 {
		out.Millis = time.Since(start).Milliseconds()
	}
	return out
}

func (s *Service) doctorIntervals(ctx context.Context, acc store.Account, key string) []doctor.Check {
	rec := doctor.NewRecorder(nil)
	// One attempt: the doctor reports what answered, it does not wait out 429s.
	c := intervals.New(s.IntervalsURL(), acc.Identity, key,
		intervals.WithLogger(s.Log), intervals.WithUserAgent(UserAgent()),
		intervals.WithHTTPClient(rec.Client(checkTimeout)),
		intervals.WithRetry(intervals.RetryPolicy{MaxAttempts: 1}))

	athlete := bounded(ctx, doctor.Check{Service: intervalsAccount, Call: "GET /api/v1/athlete/0"}, func(ctx context.Context, chk *doctor.Check) {
		start := time.Now()
		ath, err := c.Athlete(ctx)
		chk.Millis = time.Since(start).Milliseconds()
		chk.SetExchanges(rec.Take())
		if err != nil {
			intervalsProblem(chk, err)
			return
		}
		chk.OK = true
		notes := []string{"timezone " + orNone(ath.Timezone)}
		if stored := acc.SettingsMap()["timezone"]; stored != ath.Timezone {
			notes = append(notes, fmt.Sprintf("FitBridge still has the timezone %s from when the account was connected", orNone(stored)))
		}
		notes = append(notes, fmt.Sprintf("feeds switched on: garmin %t, strava %t, zwift %t, wahoo %t", ath.GarminSync, ath.StravaSync, ath.ZwiftSync, ath.WahooSync))
		chk.Note = strings.Join(notes, "\n")
		chk.Answers = map[string]string{"9": zwiftFlags(chk.Shape, ath)}
	})

	probe := bounded(ctx, doctor.Check{Service: intervalsAccount, Call: "GET /api/v1/athlete/0/activities without newest"}, func(ctx context.Context, chk *doctor.Check) {
		start := time.Now()
		status, err := c.ProbeListWithoutNewest(ctx)
		chk.Millis = time.Since(start).Milliseconds()
		chk.SetExchanges(rec.Take())
		if err != nil {
			intervalsProblem(chk, err)
			return
		}
		chk.Status = status
		switch {
		case status >= 200 && status < 300:
			chk.OK = true
			chk.Answers = map[string]string{"5": fmt.Sprintf("no: HTTP %d, newest is optional as the spec says", status)}
		case status == 401 || status == 403:
			intervalsProblem(chk, &intervals.APIError{Op: "list without newest", Status: status})
		case status == 400 || status == 422:
			// FitBridge always sends newest, so this is a finding, not a fault.
			chk.OK = true
			chk.Answers = map[string]string{"5": fmt.Sprintf("yes: HTTP %d, newest is required", status)}
		default:
			chk.Note = fmt.Sprintf("Intervals.icu answered HTTP %d", status)
			chk.Answers = map[string]string{"5": fmt.Sprintf("not settled: HTTP %d", status)}
		}
	})
	return []doctor.Check{athlete, probe}
}

func intervalsProblem(chk *doctor.Check, err error) {
	var api *intervals.APIError
	if errors.As(err, &api) {
		chk.Status = api.Status
		if api.Auth() {
			chk.NeedsSignIn = true
			chk.Note = (&SignInError{Account: intervalsAccount, Msg: fmt.Sprintf("Intervals.icu refused the API key (HTTP %d)", api.Status)}).Error()
			return
		}
	}
	chk.Note = err.Error()
}

// zwiftFlags says which Zwift fields the athlete record carries (read
// from the recorded shape, so a missing field shows as missing).
func zwiftFlags(shape any, ath intervals.Athlete) string {
	m, ok := shape.(map[string]any)
	if !ok {
		return "the athlete record is not a JSON object"
	}
	var parts []string
	if _, ok := m["zwift_sync_activities"]; ok {
		parts = append(parts, fmt.Sprintf("zwift_sync_activities present, %t", ath.ZwiftSync))
	} else {
		parts = append(parts, "zwift_sync_activities absent")
	}
	if _, ok := m["zwift_user_id"]; ok {
		parts = append(parts, "zwift_user_id present")
	} else {
		parts = append(parts, "zwift_user_id absent")
	}
	var other []string
	for k := range m {
		if strings.Contains(strings.ToLower(k), "zwift") && k != "zwift_sync_activities" && k != "zwift_user_id" {
			other = append(other, k)
		}
	}
	slices.Sort(other)
	if len(other) > 0 {
		parts = append(parts, "other Zwift fields: "+strings.Join(other, ", "))
	}
	return strings.Join(parts, "; ")
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// httpStatusInText finds the status a platform error names ("HTTP 401").
var httpStatusInText = regexp.MustCompile(`\bHTTP (\d{3})\b`)

func (s *Service) doctorCloud(ctx context.Context, d source.Descriptor, acc store.Account, token string) doctor.Check {
	chk := doctor.Check{Service: d.Name, Call: "sign-in check (the platform's one cheap call)"}
	facts := tokenFacts(token, time.Now())
	if q := tokenQuestion[d.Name]; q != "" {
		chk.Answers = map[string]string{q: "stored sign-in: " + facts}
	}
	if d.Validate == nil {
		chk.OK = true
		chk.Note = d.DisplayName + " has no cheap check; stored sign-in: " + facts
		return chk
	}
	cfg := s.sourceConfig(d, acc.Region, token, acc.SettingsMap())
	rec := doctor.NewRecorder(nil)
	cfg.Transport = rec
	return bounded(ctx, chk, func(ctx context.Context, chk *doctor.Check) {
		start := time.Now()
		err := d.Validate(ctx, cfg)
		chk.Millis = time.Since(start).Milliseconds()
		chk.SetExchanges(rec.Take())
		if len(chk.Exchanges) > 0 {
			chk.Call = describeCalls(chk.Exchanges)
		}
		if q := replyQuestion[d.Name]; q != "" && chk.Shape != nil {
			if js, err := json.Marshal(chk.Shape); err == nil {
				chk.Answers[q] = "page 1 with the defaults answered: " + string(js)
			}
		}
		switch {
		case err == nil:
			chk.OK = true
			chk.Note = d.DisplayName + " accepted the stored sign-in"
		case errors.Is(err, source.ErrNeedsSignIn):
			chk.NeedsSignIn = true
			msg := err.Error()
			if !strings.Contains(msg, d.DisplayName) {
				msg = d.DisplayName + " refused the stored sign-in: " + msg
			}
			chk.Note = (&SignInError{Account: d.Name, Msg: msg}).Error()
		default:
			chk.Note = err.Error()
		}
		if err != nil && len(chk.Exchanges) > 0 {
			chk.SetFailed()
			chk.Call = chk.Failed.Method + " " + chk.Failed.Path
		}
		if err != nil && chk.Status == 0 {
			if m := httpStatusInText.FindStringSubmatch(err.Error()); m != nil {
				chk.Status, _ = strconv.Atoi(m[1])
			}
		}
		if len(chk.Exchanges) == 0 {
			// iGPSport China reads through the signed-in web app in a browser.
			chk.Note += "\nno HTTP call went out directly, so no reply shape was recorded"
		}
		if _, ok := chk.Answers[tokenQuestion[d.Name]]; !ok {
			chk.Note += "\nstored sign-in: " + facts
		}
	})
}

// describeCalls names the calls a check made, as "GET /path" (the first one,
// and how many followed).
func describeCalls(ex []doctor.Exchange) string {
	first := ex[0].Method + " " + ex[0].Path
	if len(ex) == 1 {
		return first
	}
	return fmt.Sprintf("%s and %d more", first, len(ex)-1)
}

// tokenFacts is what may be said about a secret: its length and, for a
// JWT, its claim names, times and lifetime. Never the token.
func tokenFacts(token string, now time.Time) string {
	attr := capture.DescribeToken(token)
	var parts []string
	for _, a := range attr.Value.Group() {
		v := a.Value.String()
		if a.Value.Kind() == slog.KindTime {
			v = a.Value.Time().UTC().Format(time.RFC3339)
		}
		parts = append(parts, strings.TrimPrefix(a.Key, "jwt_")+" "+v)
	}
	if exp, ok := capture.JWTExpiry(token); ok {
		if now.After(exp) {
			parts = append(parts, "expired "+now.Sub(exp).Round(time.Second).String()+" ago")
		} else {
			parts = append(parts, "expires in "+exp.Sub(now).Round(time.Second).String())
		}
	} else {
		parts = append(parts, "not a JWT, so its lifetime is not written in it")
	}
	return strings.Join(parts, ", ")
}

// folderFacts is what one folder holds, as far as the open questions go.
type folderFacts struct {
	path, why     string
	exists        bool
	err           error
	fit, stubs    int
	inProgress    bool
	newest        string // file name
	newestMod     time.Time
	newestStart   time.Time // FIT session start, zero when unread
	newestStartOK bool
}

// stubMax: Zwift leaves date-stamped stubs of about 584 bytes next to real rides.
const stubMax = 1024

func scanFolder(dir string) folderFacts {
	f := folderFacts{path: dir}
	entries, err := os.ReadDir(dir)
	if err != nil {
		f.exists = !errors.Is(err, os.ErrNotExist)
		if f.exists {
			f.err = err
		}
		return f
	}
	f.exists = true
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.EqualFold(filepath.Ext(name), ".fit") {
			continue
		}
		if strings.EqualFold(name, "inProgressActivity.fit") {
			f.inProgress = true
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		f.fit++
		if info.Size() <= stubMax {
			f.stubs++
			continue
		}
		if info.ModTime().After(f.newestMod) {
			f.newest, f.newestMod = name, info.ModTime()
		}
	}
	if f.newest != "" {
		if data, err := os.ReadFile(filepath.Join(dir, f.newest)); err == nil {
			if sum, err := fitfile.Summarize(data); err == nil && !sum.Start.IsZero() {
				f.newestStart, f.newestStartOK = sum.Start, true
			}
		}
	}
	return f
}

func (s *Service) doctorFolder(ctx context.Context, d source.Descriptor, acc store.Account) doctor.Check {
	settings := acc.SettingsMap()
	cfg := s.sourceConfig(d, acc.Region, "", settings)
	chk := doctor.Check{Service: d.Name, Call: "read the folders"}
	return bounded(ctx, chk, func(ctx context.Context, chk *doctor.Check) {
		start := time.Now()
		var dirs []folderFacts
		seen := map[string]bool{}
		add := func(p, why string) {
			if p == "" || seen[filepath.Clean(p)] {
				return
			}
			seen[filepath.Clean(p)] = true
			f := scanFolder(p)
			f.why = why
			dirs = append(dirs, f)
		}
		for _, p := range filepath.SplitList(settings["folder"]) {
			add(p, "chosen")
		}
		if d.FindFolders != nil {
			for _, p := range d.FindFolders() {
				add(p, "found on this computer")
			}
		}
		var verr error
		if d.Validate != nil {
			verr = d.Validate(ctx, cfg)
		}
		chk.Millis = time.Since(start).Milliseconds()
		chk.OK = verr == nil
		home, _ := os.UserHomeDir()
		var lines, stubs, stamps []string
		for _, f := range dirs {
			p := tildePath(f.path, home)
			switch {
			case f.err != nil:
				lines = append(lines, fmt.Sprintf("%s (%s): cannot be read: %v", p, f.why, f.err))
			case !f.exists:
				lines = append(lines, fmt.Sprintf("%s (%s): does not exist", p, f.why))
			default:
				line := fmt.Sprintf("%s (%s): exists, %d FIT files at the top level", p, f.why, f.fit)
				if f.newest != "" {
					line += ", newest changed " + f.newestMod.UTC().Format(time.RFC3339)
				}
				lines = append(lines, line)
				stubs = append(stubs, fmt.Sprintf("%s: %d of the FIT files are stubs of 1 KiB or less; inProgressActivity.fit %s", p, f.stubs, presentWord(f.inProgress)))
				if f.newest != "" {
					stamps = append(stamps, stampFinding(p, f))
				}
			}
		}
		if len(dirs) == 0 {
			lines = append(lines, "no folder is chosen and none was found on this computer")
		}
		var notes []string
		if verr != nil {
			notes = append(notes, verr.Error())
		}
		if folderQuestion[d.Name] {
			chk.Note = strings.Join(notes, "\n")
			// FindFolders names only folders that exist: candidates that do
			// not are missing from this answer.
			lines = append(lines, "(folders FitBridge looked for but did not find are not listed)")
			chk.Answers = map[string]string{"29": strings.Join(lines, "\n")}
			if len(stubs) > 0 {
				chk.Answers["30"] = strings.Join(stubs, "\n")
			}
			if len(stamps) > 0 {
				chk.Answers["31"] = strings.Join(stamps, "\n")
			}
			return
		}
		chk.Note = strings.Join(slices.Concat(notes, lines, stubs, stamps), "\n")
	})
}

func presentWord(b bool) string {
	if b {
		return "present"
	}
	return "absent"
}

// stampFinding compares the newest file's name with its FIT start, in UTC
// and in this computer's zone.
func stampFinding(dir string, f folderFacts) string {
	if !f.newestStartOK {
		return fmt.Sprintf("%s: newest %s, its FIT start could not be read", dir, f.newest)
	}
	stem := strings.TrimSuffix(f.newest, filepath.Ext(f.newest))
	const layout = "2006-01-02-15-04-05"
	local := f.newestStart.Local()
	verdict := "matches neither the local nor the UTC start"
	switch {
	case strings.Contains(stem, local.Format(layout)):
		verdict = "matches the local start"
	case strings.Contains(stem, f.newestStart.UTC().Format(layout)):
		verdict = "matches the UTC start"
	}
	if _, off := local.Zone(); off == 0 {
		verdict += " (this computer's zone is at UTC, so the two agree)"
	}
	zone, _ := local.Zone()
	return fmt.Sprintf("%s: newest %s, FIT session start %s UTC = %s %s: the name %s",
		dir, f.newest, f.newestStart.UTC().Format(time.DateTime), local.Format(time.DateTime), zone, verdict)
}

// tildePath hides the rider's user name in their home folder's path.
func tildePath(p, home string) string {
	if home == "" {
		return p
	}
	if rel, err := filepath.Rel(home, p); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return filepath.Join("~", rel)
	}
	return p
}
