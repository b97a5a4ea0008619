package service

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"

	"fitbridge/backend/doctor"
	"fitbridge/backend/source"
	"fitbridge/backend/store"
)

// traceRides is how many rides a trace lists per source: enough to show
// the list's shape and paging, little enough to stay a short listing.
const traceRides = 5

// traceTimeout bounds one source's trace.
const traceTimeout = 2 * time.Minute

// errTraceEnough stops a trace's listing once it has seen traceRides rides.
var errTraceEnough = errors.New("enough rides for the trace")

// Trace lists a few rides of each connected online source and downloads
// one, recording every call the way the doctor does (no value, no secret:
// statuses, headers that are safe, the shape of each reply), and writes the
// redacted record to path for a bug report.
func (s *Service) Trace(ctx context.Context, path string) (doctor.Report, error) {
	rep := doctor.Report{
		Generated: time.Now().UTC().Format(time.RFC3339),
		Version:   Version,
		OS:        runtime.GOOS + "/" + runtime.GOARCH,
	}
	accs, err := s.Store.Accounts()
	if err != nil {
		return rep, err
	}
	for _, acc := range accs {
		d, ok := source.Lookup(acc.Name)
		if !ok || d.Kind != source.KindCloud {
			continue
		}
		token, err := s.secret(acc.Name)
		if err != nil {
			rep.Checks = append(rep.Checks, doctor.Check{Service: acc.Name, Call: "read the stored sign-in", Note: err.Error(), NeedsSignIn: errors.Is(err, ErrNotConnected)})
			continue
		}
		rep.Checks = append(rep.Checks, s.traceSource(ctx, d, acc, token))
	}
	rep = rep.Redacted(s.Redactor)
	if err := os.WriteFile(path, []byte(rep.Text()), 0o600); err != nil {
		return rep, fmt.Errorf("write the trace: %w", err)
	}
	rep.File = path
	return rep, nil
}

// traceSource lists up to traceRides rides of one account and downloads
// the first that has a file.
func (s *Service) traceSource(ctx context.Context, d source.Descriptor, acc store.Account, token string) doctor.Check {
	ctx, cancel := context.WithTimeout(ctx, traceTimeout)
	defer cancel()
	chk := doctor.Check{Service: d.Name, Call: fmt.Sprintf("list up to %d rides and download one", traceRides)}
	cfg := s.sourceConfig(d, acc.Region, token, acc.SettingsMap())
	rec := doctor.NewRecorder(nil)
	cfg.Transport = rec
	start := time.Now()
	src, err := d.New(cfg)
	if err != nil {
		chk.Note = err.Error()
		chk.NeedsSignIn = errors.Is(err, source.ErrNeedsSignIn)
		return chk
	}
	var rides []source.Activity
	q := source.Query{Since: time.Now().AddDate(-1, 0, 0)}
	err = src.List(ctx, q, func(a source.Activity) error {
		rides = append(rides, a)
		if len(rides) >= traceRides {
			return errTraceEnough
		}
		return nil
	})
	if errors.Is(err, errTraceEnough) {
		err = nil
	}
	notes := []string{fmt.Sprintf("listed %d rides of the last year", len(rides))}
	if err == nil {
		for _, a := range rides {
			if a.SkipReason != "" {
				continue
			}
			data, derr := src.Download(ctx, a)
			if derr != nil {
				err = fmt.Errorf("download one ride: %w", derr)
			} else {
				notes = append(notes, fmt.Sprintf("downloaded one ride: %d bytes", len(data)))
			}
			break
		}
	}
	chk.SetExchanges(rec.Take())
	chk.OK = err == nil
	if err != nil {
		chk.NeedsSignIn = errors.Is(err, source.ErrNeedsSignIn)
		notes = append(notes, err.Error())
		chk.SetFailed()
	}
	chk.Note = strings.Join(notes, "\n")
	chk.Millis = time.Since(start).Milliseconds()
	return chk
}
