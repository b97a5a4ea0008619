package trainingpeaks

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"fitbridge/backend/httpcall"
	"fitbridge/backend/source"
)

// Athlete is one athlete whose calendar the account may read.
type Athlete struct {
	ID   string
	Name string
}

// ChooseAthleteError says a coach account must pick an athlete (setting
// "athlete", CLI --athlete) before anything can be listed.
type ChooseAthleteError struct {
	Athletes []Athlete
	// Wanted is the choice that was not among Athletes ("" when none was made).
	Wanted string
}

func (e *ChooseAthleteError) Error() string {
	var list []string
	for _, a := range e.Athletes {
		list = append(list, fmt.Sprintf("%s (%s)", a.ID, a.Name))
	}
	if e.Wanted != "" {
		return fmt.Sprintf("TrainingPeaks athlete %s is not one this account can read; choose one of: %s", e.Wanted, strings.Join(list, ", "))
	}
	return fmt.Sprintf("this TrainingPeaks account coaches several athletes; choose whose workouts to bring in (athlete setting, --athlete): %s", strings.Join(list, ", "))
}

// Athletes lists the athletes cfg's account may read: the rider for an
// athlete account, the one entry of a one-entry athletes[], the coached
// athletes (and the coach, when an athlete too) for a coach account. The window offers this list as the athlete choice.
func Athletes(ctx context.Context, cfg source.Config) ([]Athlete, error) {
	c, err := New(cfg)
	if err != nil {
		return nil, err
	}
	return c.Athletes(ctx)
}

// Athletes lists the athletes this account may read.
func (c *Client) Athletes(ctx context.Context) ([]Athlete, error) {
	a, err := c.account(ctx)
	if err != nil {
		return nil, err
	}
	return append([]Athlete(nil), a.choices...), nil
}

// account is what /users/v3/user says, reduced to what FitBridge uses.
type account struct {
	self    Athlete
	choices []Athlete      // athletes this account may read
	coach   bool           // it reads athletes other than itself
	loc     *time.Location // nil when unknown
	// premium is athletes[].isPremium by athlete id (informational only).
	premium map[string]*bool
}

// resolved is the athlete whose calendar is read.
type resolved struct {
	id  string
	loc *time.Location
}

type userAnswer struct {
	User *struct {
		UserID    flexID `json:"userId"`
		UserName  string `json:"userName"`
		FirstName string `json:"firstName"`
		LastName  string `json:"lastName"`
		FullName  string `json:"fullName"`
		TimeZone  string `json:"timeZone"`
		IsPremium *bool  `json:"isPremium"`
		Settings  struct {
			Account struct {
				IsPremium *bool `json:"isPremium"`
			} `json:"account"`
		} `json:"settings"`
		Athletes []struct {
			AthleteID flexID `json:"athleteId"`
			UserName  string `json:"userName"`
			FirstName string `json:"firstName"`
			LastName  string `json:"lastName"`
			FullName  string `json:"fullName"`
			IsPremium *bool  `json:"isPremium"`
		} `json:"athletes"`
	} `json:"user"`
	AccountStatus struct {
		IsAthlete *bool `json:"isAthlete"`
		IsCoach   *bool `json:"isCoach"`
		IsPremium *bool `json:"isPremium"`
	} `json:"accountStatus"`
}

func displayName(id, full, first, last, user string) string {
	if n := strings.TrimSpace(full); n != "" {
		return n
	}
	if n := strings.TrimSpace(first + " " + last); n != "" {
		return n
	}
	if n := strings.TrimSpace(user); n != "" {
		return n
	}
	return "Athlete " + id
}

func (c *Client) account(ctx context.Context) (*account, error) {
	c.acctMu.Lock()
	defer c.acctMu.Unlock()
	if c.acct != nil {
		return c.acct, nil
	}
	const what = "read the TrainingPeaks account"
	r, err := c.get(ctx, what, "/users/v3/user", callData)
	if err != nil {
		return nil, err
	}
	if r.status == http.StatusForbidden {
		return nil, fmt.Errorf("%s: TrainingPeaks refused (HTTP 403); sign in to TrainingPeaks again: %w", what, source.ErrNeedsSignIn)
	}
	if r.status != http.StatusOK {
		return nil, unexpected(what, r)
	}
	var ans userAnswer
	if err := json.Unmarshal(r.body, &ans); err != nil || ans.User == nil || ans.User.UserID == "" {
		return nil, fmt.Errorf("%s: unexpected answer (keys %v)", what, httpcall.JSONKeys(r.body))
	}
	u := ans.User
	a := &account{self: Athlete{ID: string(u.UserID), Name: displayName(string(u.UserID), u.FullName, u.FirstName, u.LastName, u.UserName)},
		premium: map[string]*bool{}}
	isAthlete := ans.AccountStatus.IsAthlete == nil || *ans.AccountStatus.IsAthlete
	var listed []Athlete
	for _, at := range u.Athletes {
		id := string(at.AthleteID)
		if id == "" {
			continue
		}
		a.premium[id] = at.IsPremium
		listed = append(listed, Athlete{ID: id, Name: displayName(id, at.FullName, at.FirstName, at.LastName, at.UserName)})
	}
	switch {
	case len(listed) == 1:
		// Public clients read a lone entry as the athlete itself (one falls
		// back to athletes[0]): it is whose calendar to read, asked of no one.
		a.choices = listed
	default:
		if isAthlete {
			a.choices = append(a.choices, a.self)
		}
		for _, at := range listed {
			if at.ID == a.self.ID {
				continue
			}
			// Only someone other than the user makes this a coach's account.
			a.coach = true
			a.choices = append(a.choices, at)
		}
	}
	if len(a.choices) == 0 {
		// A coach with no athletes: its own calendar is all there is.
		a.choices = []Athlete{a.self}
	}
	// A nil loc means the zone is unknown: local times are read as UTC and
	// "today" is taken generously (see listing).
	if loc, err := time.LoadLocation(u.TimeZone); u.TimeZone != "" && err == nil {
		a.loc = loc
	} else {
		c.log.Info("trainingpeaks time zone unknown; local times read as UTC", "time_zone", u.TimeZone)
	}
	c.log.Debug("trainingpeaks account",
		"keys", httpcall.JSONKeys(r.body), "user_id", a.self.ID, "time_zone", u.TimeZone, "athletes", len(u.Athletes),
		"is_athlete", isAthlete, "is_coach", boolAttr(ans.AccountStatus.IsCoach),
		"premium_user", boolAttr(u.IsPremium), "premium_settings", boolAttr(u.Settings.Account.IsPremium),
		"premium_status", boolAttr(ans.AccountStatus.IsPremium), "premium_athletes", premiumList(a))
	c.acct = a
	return a, nil
}

// premiumList is "id=flag" per coached athlete, in the account's order.
func premiumList(a *account) string {
	var out []string
	for _, ch := range a.choices {
		if p, ok := a.premium[ch.ID]; ok {
			out = append(out, ch.ID+"="+boolAttr(p))
		}
	}
	return strings.Join(out, ",")
}

func boolAttr(b *bool) string {
	if b == nil {
		return "absent"
	}
	if *b {
		return "true"
	}
	return "false"
}

// resolveAthlete picks whose calendar to read: the setting when given (and
// readable), the rider on an athlete account, else a ChooseAthleteError.
func (c *Client) resolveAthlete(ctx context.Context) (*resolved, error) {
	a, err := c.account(ctx)
	if err != nil {
		return nil, err
	}
	c.acctMu.Lock()
	defer c.acctMu.Unlock()
	if c.athlete != nil {
		return c.athlete, nil
	}
	var id string
	switch {
	case c.athleteWant != "":
		for _, ch := range a.choices {
			if ch.ID == c.athleteWant {
				id = ch.ID
			}
		}
		if id == "" {
			return nil, &ChooseAthleteError{Athletes: a.choices, Wanted: c.athleteWant}
		}
	case a.coach:
		return nil, &ChooseAthleteError{Athletes: a.choices}
	default:
		id = a.choices[0].ID
	}
	c.athlete = &resolved{id: id, loc: a.loc}
	// Which premium flag matters for downloads is an open question: the
	// chosen athlete's own (athletes[].isPremium) is one candidate.
	c.log.Debug("trainingpeaks athlete chosen", "athlete_id", id, "coach", a.coach,
		"premium_athlete", boolAttr(a.premium[id]))
	return c.athlete, nil
}

// flexID keeps an id as text whether the JSON has a number or a string, so
// large and negative ids survive untouched.
type flexID string

func (f *flexID) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "null" {
		*f = ""
		return nil
	}
	if strings.HasPrefix(s, `"`) {
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*f = flexID(strings.TrimSpace(v))
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*f = flexID(n.String())
	return nil
}
