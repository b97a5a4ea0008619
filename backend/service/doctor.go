package service

import (
	"context"
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
	"fitbridge/backend/intervals"
	"fitbridge/backend/source"
	"fitbridge/backend/store"
)

// checkTimeout bounds each diagnostics check: a service that has not
// answered by then is reported as not answering.
const checkTimeout = 20 * time.Second

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
		notes = append(notes, ath.Feeds())
		chk.Note = strings.Join(notes, "\n")
		answer(chk, intervals.QuestionFeedFields, intervals.Questions[intervals.QuestionFeedFields], ath.FeedFields(chk.Shape))
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
			answer(chk, intervals.QuestionNewestRequired, intervals.Questions[intervals.QuestionNewestRequired], fmt.Sprintf("no: HTTP %d, newest is optional as the spec says", status))
		case status == 401 || status == 403:
			intervalsProblem(chk, &intervals.APIError{Op: "list without newest", Status: status})
		case status == 400 || status == 422:
			// FitBridge always sends newest, so this is a finding, not a fault.
			chk.OK = true
			answer(chk, intervals.QuestionNewestRequired, intervals.Questions[intervals.QuestionNewestRequired], fmt.Sprintf("yes: HTTP %d, newest is required", status))
		default:
			chk.Note = fmt.Sprintf("Intervals.icu answered HTTP %d", status)
			answer(chk, intervals.QuestionNewestRequired, intervals.Questions[intervals.QuestionNewestRequired], fmt.Sprintf("not settled: HTTP %d", status))
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
	cfg := s.sourceConfig(d, acc.Region, token, acc.SettingsMap())
	if d.Validate == nil {
		chk.OK = true
		chk.Note = d.DisplayName + " has no cheap check; stored sign-in: " + facts
		diagnose(ctx, d, &chk, source.Probe{Config: cfg, TokenFacts: facts})
		return chk
	}
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
			// A platform that reads through its web app in a browser makes no direct call.
			chk.Note += "\nno HTTP call went out directly, so no reply shape was recorded"
		}
		if !diagnose(ctx, d, chk, source.Probe{Config: cfg, TokenFacts: facts, Reply: chk.Shape, Checked: err}).ShowsToken {
			chk.Note += "\nstored sign-in: " + facts
		}
	})
}

// diagnose asks the platform its own questions and adds what it found to
// the check, with which of its declared settings the account has (never
// their values: an athlete id or a folder path says who the rider is).
func diagnose(ctx context.Context, d source.Descriptor, chk *doctor.Check, p source.Probe) source.Diagnosis {
	if len(d.Settings) > 0 {
		var parts []string
		for _, decl := range d.Settings {
			state := "not set"
			if p.Config.Settings[decl.Key] != "" {
				state = "set"
			}
			parts = append(parts, decl.Label+" "+state)
		}
		chk.Note = strings.TrimSpace(chk.Note + "\nsettings: " + strings.Join(parts, ", "))
	}
	if d.Diagnose == nil {
		return source.Diagnosis{}
	}
	dg := d.Diagnose(ctx, p)
	for _, f := range dg.Findings {
		answer(chk, f.Question, f.Asked, f.Answer)
	}
	if dg.Note != "" {
		chk.Note = strings.TrimSpace(chk.Note + "\n" + dg.Note)
	}
	return dg
}

// answer records a finding for one open question of the API reference.
func answer(chk *doctor.Check, question, asked, finding string) {
	if chk.Answers == nil {
		chk.Answers = map[string]string{}
	}
	chk.Answers[question] = finding
	if asked != "" {
		if chk.Questions == nil {
			chk.Questions = map[string]string{}
		}
		chk.Questions[question] = asked
	}
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

func (s *Service) doctorFolder(ctx context.Context, d source.Descriptor, acc store.Account) doctor.Check {
	cfg := s.sourceConfig(d, acc.Region, "", acc.SettingsMap())
	chk := doctor.Check{Service: d.Name, Call: "read the folders"}
	return bounded(ctx, chk, func(ctx context.Context, chk *doctor.Check) {
		start := time.Now()
		var verr error
		if d.Validate != nil {
			verr = d.Validate(ctx, cfg)
		}
		chk.OK = verr == nil
		if verr != nil {
			chk.Note = verr.Error()
		}
		diagnose(ctx, d, chk, source.Probe{Config: cfg, Checked: verr})
		chk.Millis = time.Since(start).Milliseconds()
	})
}
