package reason

import (
	"regexp"
	"strings"
	"testing"
)

// Each template writes exactly the English the backend wrote before the
// templates existed: stored reasons, tests and the command line's JSON
// depend on those bytes.
func TestTemplatesWriteTodaysEnglish(t *testing.T) {
	for _, c := range []struct {
		t    Template
		args []any
		want string
	}{
		{RepairedKept, []any{Parts(RepairEndedEarly.Text()), SpanMinutes.Text(3)}, "repaired: the file ended early, 3 minutes of records kept"},
		{RepairedKept, []any{Parts(RepairBadTail.Text(17), RepairBadChecksum.Text()), SpanHoursMinutes.Text(1, "05")}, "repaired: its last 17 bytes were unreadable, the file checksum was wrong, 1 h 05 min of records kept"},
		{Repaired, []any{Parts(RepairBadHeader.Text(), RepairDroppedParts.Text(2))}, "repaired: the header checksum was wrong, 2 damaged chained parts were left out"},
		{FileEndsEarly, []any{int64(1234)}, "file ends 1234 bytes early"},
		{HeaderChecksumWrong, []any{"0x00AB", "0x1234"}, "header checksum mismatch (stored 0x00AB, computed 0x1234)"},
		{ImportStopped, []any{StravaExport.Text(), "unexpected EOF"}, "the import of this Strava export stopped: unexpected EOF"},
		{NoFITSignature, nil, `not a FIT file: no ".FIT" signature`},
		{KeptOutUndone, nil, "kept out: you undid its upload"},
		{KeptOutChosen, nil, "kept out: you chose to keep it out of Intervals.icu"},
		{EnteredByHandOnStrava, nil, "entered by hand on Strava: there is no file to bring over"},
		{NotInExport, nil, "activities.csv lists this file, but the export does not hold it"},
		{NotAnActivity, []any{"workout"}, "a workout file, not an activity"},
		{AlreadySameExternalID, []any{From.Text("Strava"), `"abc"`}, `already in Intervals.icu from Strava (same external id "abc")`},
		{AlreadyStarted, []any{"", Apart.Text("2 min")}, "already in Intervals.icu (started 2 min apart)"},
		{SomeParts, []any{1, 2, ProbableStrava.Text(From.Text(ViaFileUpload.Text()), SameTime.Text())}, "1 of 2 parts: probably already in Intervals.icu from a file upload (started at the same time); Strava hides the details, so check it"},
		{AddedChanged, []any{"/rides/a.fit"}, "/rides/a.fit has changed since it was added: add it again"},
		{PlatformUnknownFormats, []any{"TrainingPeaks", "PWX, CSV"}, "unsupported format on TrainingPeaks (only PWX, CSV, which Intervals.icu cannot read)"},
		{PlatformRefusedFile, []any{"TrainingPeaks", "TrainingPeaks Premium"}, "TrainingPeaks refused the file download (403): this account type may not allow file downloads (TrainingPeaks Premium may be required)"},
		{PlatformNoFITFile, []any{"MyWhoosh"}, "MyWhoosh has no FIT file for this ride"},
		{WorkoutNoSteps, nil, "this workout has neither steps nor a length in Intervals.icu: give it steps in the workout builder there"},
		{WorkoutWouldBeRemoved, []any{WorkoutLeftPlan.Text()}, "would be removed: deleted from the plan"},
		{WorkoutCannotDelete, []any{WorkoutPast.Text(), "iGPSport"}, "past, but FitBridge cannot delete workouts in iGPSport: delete it there yourself"},
		{WorkoutNoFolderYet, []any{"Zwift", "Zwift"}, "Zwift has no workouts folder for your account on this computer yet: start Zwift once, open Custom Workouts, then try again"},
		{WorkoutNotTaken, []any{"MyWhoosh", "MyWhoosh"}, "MyWhoosh cannot take planned workouts from FitBridge yet: it keeps custom workouts in its own workout builder, and offers no import that other programs can use. Build them in MyWhoosh's workout builder for now."},
		{WorkoutNothingToRide, []any{`"Sweet spot"`}, `workout "Sweet spot" has no steps a bike computer can ride`},
		{WorkoutNotListed, []any{"iGPSport", `"VO2"`, "881"}, `iGPSport took workout "VO2" (id 881) but does not list it, so the bike computer would not get it`},
		{ChangeFreeRide, []any{"1h 30m"}, "no steps in Intervals.icu: a free ride of 1h 30m"},
		{ChangeDistanceStep, []any{"5.0 km", "10m", "30 km/h"}, "5.0 km step became 10m (at an easy 30 km/h)"},
		{ChangePowerMiddle, []any{"88-94% FTP", "91% FTP"}, "power ranges became their middle (88-94% FTP became 91% FTP)"},
		{ChangeNoCues, []any{"Z2 HR, 90 rpm"}, "cues cannot be shown there, so Z2 HR, 90 rpm"},
		{SignInNotAccepted, []any{"TrainingPeaks", SignInAgainOrToken.Text()}, "TrainingPeaks did not accept this sign-in: sign in again or paste a fresh token"},
		{SignInRefusedRegion, []any{"iGPSport", "账号或密码错误", "China"}, "iGPSport did not accept the sign-in: 账号或密码错误. International and China accounts are separate: if the account was made in the other app, choose China"},
		{SignInRegionIntl, []any{"iGPSport China", "iGPSport International", "iGPSport"}, "iGPSport China refused this sign-in, but iGPSport International accepts it: this looks like an International account. Connect iGPSport again and choose International"},
		{SignInRegionChina, []any{"iGPSport International", "iGPSport China", "iGPSport"}, "iGPSport International refused this sign-in, but iGPSport China accepts it: this looks like a China account. Connect iGPSport again and choose China"},
		{SignInAskedAgain, []any{"iGPSport", SignInNeeded.Text()}, "the iGPSport web app asked to sign in again: needs sign-in"},
		{SignInRefusedSaying, []any{"MyWhoosh", "Invalid credentials"}, "MyWhoosh refused the sign-in: Invalid credentials"},
		{SignInExpiredOn, []any{"iGPSport", "2026-12-01", SignInNeeded.Text()}, "the iGPSport sign-in expired on 2026-12-01: needs sign-in"},
		{SignInNoPassword, []any{"Zwift"}, "Zwift has no password sign-in: use the browser sign-in or paste a token"},
		{SignInBothNeeded, nil, "enter both the email (or user name) and the password"},
		{SignInAgain, []any{"Zwift"}, "Zwift needs you to sign in again"},
		{SignInAgainKept, []any{"MyWhoosh"}, "MyWhoosh needs you to sign in again (nothing was lost)"},
		{SignInAgainKeptMany, []any{"MyWhoosh and iGPSport"}, "MyWhoosh and iGPSport need you to sign in again (nothing was lost)"},
		{SignInAgainBeforeCount, []any{"TrainingPeaks"}, "TrainingPeaks needs you to sign in again before FitBridge can count what it holds."},
	} {
		if got := c.t.Text(c.args...); got != c.want {
			t.Errorf("%s: got %q, want %q", c.t.Key, got, c.want)
		}
	}
}

// A value is written as it is, even when it looks like a placeholder, and a
// missing one shows its placeholder rather than vanishing.
func TestTextFillsInOrderOnce(t *testing.T) {
	if got := Apart.Text("{duration}"); got != "{duration} apart" {
		t.Errorf("got %q", got)
	}
	if got := RepairedKept.Text("x"); got != "repaired: x, {span} of records kept" {
		t.Errorf("got %q", got)
	}
}

// Keys are unique and catalogue-safe, and the window can tell every
// sentence from the others: no two templates have the same English.
func TestTemplatesAreDistinct(t *testing.T) {
	key := regexp.MustCompile(`^[a-z][A-Za-z]*(\.[a-z][A-Za-z]*)+$`)
	keys, texts := map[string]bool{}, map[string]string{}
	for _, tm := range All() {
		if !key.MatchString(tm.Key) {
			t.Errorf("key %q is not dotted camelCase", tm.Key)
		}
		if keys[tm.Key] {
			t.Errorf("key %q declared twice", tm.Key)
		}
		keys[tm.Key] = true
		if other, ok := texts[tm.En]; ok {
			t.Errorf("%s and %s have the same English %q", other, tm.Key, tm.En)
		}
		texts[tm.En] = tm.Key
		if strings.TrimSpace(tm.En) == "" {
			t.Errorf("%s has no English", tm.Key)
		}
	}
	if len(All()) < 40 {
		t.Errorf("only %d templates", len(All()))
	}
}

func TestSourceListsEveryTemplate(t *testing.T) {
	src := Source("// head\n")
	for _, tm := range All() {
		if !strings.Contains(src, `"reason.`+tm.Key+`": `+jsString(tm.En)+",\n") {
			t.Errorf("%s missing from the generated source", tm.Key)
		}
	}
	if !strings.HasPrefix(src, "// head\n") {
		t.Error("header not first")
	}
}
