package service

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"fitbridge/backend/intervals"
	"fitbridge/backend/source"
	"fitbridge/backend/store"
)

const intervalsAccount = "intervals"

// IntervalsURL is the Intervals.icu base URL (FITBRIDGE_INTERVALS_URL in tests).
func (s *Service) IntervalsURL() string {
	if u := s.env("FITBRIDGE_INTERVALS_URL"); u != "" {
		return strings.TrimRight(u, "/")
	}
	return intervals.DefaultBaseURL
}

func (s *Service) newIntervals(athleteID, key string) *intervals.Client {
	s.intervalsLimOnce.Do(func() { s.intervalsLim = intervals.NewLimiter() })
	return intervals.New(s.IntervalsURL(), athleteID, key, intervals.WithLimiter(s.intervalsLim),
		intervals.WithLogger(s.Log), intervals.WithUserAgent(UserAgent()))
}

// ConnectIntervals checks the athlete id and API key with Intervals.icu and
// keeps the key in the keyring.
func (s *Service) ConnectIntervals(ctx context.Context, athleteID, apiKey string) (IntervalsStatus, error) {
	athleteID = strings.TrimSpace(athleteID)
	apiKey = strings.TrimSpace(apiKey)
	if apiKey == "" {
		return IntervalsStatus{}, errors.New("enter your Intervals.icu API key (Settings → Developer Settings on intervals.icu)")
	}
	s.Redactor.Add(apiKey)
	if s.keyErr != nil {
		return IntervalsStatus{}, s.keyErr
	}
	ctx, cancel := context.WithTimeout(ctx, 45*time.Second)
	defer cancel()
	c := s.newIntervals(athleteID, apiKey)
	ath, err := c.Athlete(ctx)
	if err != nil {
		var api *intervals.APIError
		if errors.As(err, &api) && api.Auth() {
			return IntervalsStatus{}, errors.New("Intervals.icu did not accept this API key: copy it again from Settings → Developer Settings on intervals.icu")
		}
		if u := unreachable("Intervals.icu", err); u != err {
			return IntervalsStatus{}, u
		}
		return IntervalsStatus{}, fmt.Errorf("could not reach Intervals.icu to check the key: %w", err)
	}
	if athleteID != "" && athleteID != "0" && !sameAthlete(athleteID, ath.ID) {
		return IntervalsStatus{}, fmt.Errorf("this API key belongs to athlete %s, not %s: check the athlete id", ath.ID, athleteID)
	}
	if err := s.Secrets.Set(intervalsAccount, apiKey); err != nil {
		return IntervalsStatus{}, fmt.Errorf("keep the API key in the system keyring: %w", err)
	}
	acc := &store.Account{Name: intervalsAccount, State: store.AccountConnected, Identity: ath.ID, DisplayName: ath.Name, ConnectedAt: time.Now().UTC()}
	units := "km"
	if ath.Imperial {
		units = "mi"
	}
	acc.SetSettingsMap(map[string]string{"timezone": ath.Timezone, "units": units})
	if err := s.Store.SaveAccount(acc); err != nil {
		return IntervalsStatus{}, err
	}
	s.Log.Info("connected Intervals.icu", "athlete", ath.ID, "feeds", ath.Feeds())
	return s.intervalsStatus(), nil
}

func sameAthlete(a, b string) bool {
	norm := func(s string) string { return strings.TrimPrefix(strings.ToLower(strings.TrimSpace(s)), "i") }
	return norm(a) == norm(b)
}

// DisconnectIntervals forgets the key.
func (s *Service) DisconnectIntervals() error {
	if err := s.Secrets.Delete(intervalsAccount); err != nil && !errors.Is(err, ErrNotConnected) && !isNotFound(err) {
		return err
	}
	return s.Store.DeleteAccount(intervalsAccount)
}

func (s *Service) intervalsStatus() IntervalsStatus {
	acc, err := s.Store.Account(intervalsAccount)
	if err != nil {
		return IntervalsStatus{}
	}
	return IntervalsStatus{
		Connected: true, AthleteID: acc.Identity, AthleteName: acc.DisplayName,
		Timezone: acc.SettingsMap()["timezone"], Units: acc.SettingsMap()["units"], State: acc.State,
		URL: s.intervalsWebURL(),
	}
}

func (s *Service) intervalsWebURL() string {
	return s.IntervalsURL()
}

// ActivityURL is where a rider sees an activity on Intervals.icu.
func (s *Service) ActivityURL(id string) string {
	if id == "" {
		return ""
	}
	return s.intervalsWebURL() + "/activities/" + id
}

// intervalsClient opens the connected Intervals.icu account.
func (s *Service) intervalsClient() (*intervals.Client, *time.Location, error) {
	acc, err := s.Store.Account(intervalsAccount)
	if err != nil {
		return nil, nil, &SignInError{Account: intervalsAccount, Msg: "Intervals.icu is not connected yet"}
	}
	key, err := s.secret(intervalsAccount)
	if err != nil {
		if errors.Is(err, ErrNotConnected) {
			return nil, nil, &SignInError{Account: intervalsAccount, Msg: "the Intervals.icu API key is missing from the keyring"}
		}
		return nil, nil, err
	}
	return s.newIntervals(acc.Identity, key), athleteZone(acc.SettingsMap()["timezone"]), nil
}

// athleteZone is the zone of the Intervals.icu athlete's days. Without one
// the computer's own zone is the better guess than UTC: a rider in the
// Americas would otherwise see tomorrow's plan from the evening on, and
// today's workout removed as past.
func athleteZone(tz string) *time.Location {
	if tz != "" {
		if l, err := time.LoadLocation(tz); err == nil {
			return l
		}
	}
	return time.Local
}

// IsIntervals says whether account is the Intervals.icu connection, without
// which nothing can be uploaded.
func IsIntervals(account string) bool { return account == intervalsAccount }

// SignInError says an account must be connected (again) and how.
type SignInError struct {
	Account string
	Msg     string
	// Others are more accounts that need it too, each named in Error.
	Others []string
}

func (e *SignInError) Error() string {
	if len(e.Others) == 0 {
		return fmt.Sprintf("%s: run `%s`, or reconnect it in the FitBridge window", e.Msg, ConnectCommand(e.Account))
	}
	cmds := []string{"`" + ConnectCommand(e.Account) + "`"}
	for _, a := range e.Others {
		cmds = append(cmds, "`"+ConnectCommand(a)+"`")
	}
	return fmt.Sprintf("%s: run %s, or reconnect them in the FitBridge window", e.Msg, strings.Join(cmds, " and "))
}

// ConnectCommand is the command line that connects an account again.
func ConnectCommand(account string) string {
	if account == intervalsAccount {
		return "fitbridge connect intervals --athlete-id ID"
	}
	if d, ok := source.Lookup(account); ok {
		return d.ConnectCommand()
	}
	return "fitbridge connect " + account
}
