package intervals

import (
	"fmt"
	"slices"
	"strings"
)

// The open questions of the API reference the athlete record and the
// listing answer, by their number in its list.
const (
	QuestionNewestRequired = "5"
	QuestionFeedFields     = "9"
)

// Questions are the texts of those questions, for the doctor's report.
var Questions = map[string]string{
	QuestionNewestRequired: "Does GET /activities without newest really fail?",
	QuestionFeedFields:     "Does the athlete record show zwift_sync_activities / a ZWIFT source?",
}

// Feeds says which native feeds the rider has switched on.
func (a Athlete) Feeds() string {
	return fmt.Sprintf("feeds switched on: garmin %t, strava %t, zwift %t, wahoo %t", a.GarminSync, a.StravaSync, a.ZwiftSync, a.WahooSync)
}

// FeedFields says which Zwift feed fields the athlete record carries, read from
// the recorded shape of the reply so a missing field shows as missing.
func (a Athlete) FeedFields(shape any) string {
	m, ok := shape.(map[string]any)
	if !ok {
		return "the athlete record is not a JSON object"
	}
	var parts []string
	if _, ok := m["zwift_sync_activities"]; ok {
		parts = append(parts, fmt.Sprintf("zwift_sync_activities present, %t", a.ZwiftSync))
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
