package trainingpeaks

import (
	"context"

	"fitbridge/backend/source"
)

// settings are what a TrainingPeaks account may be told beyond its sign-in.
var settings = []source.Setting{{
	Key:   SettingAthlete,
	Label: "Coached athlete",
	Help:  "for coach accounts: the athlete id to sync",
}}

// diagnose answers the reference's open question on the session cookie's lifetime.
func diagnose(_ context.Context, p source.Probe) source.Diagnosis {
	return source.Diagnosis{ShowsToken: true, Findings: []source.Finding{{
		Question: "25",
		Asked:    "How long does TrainingPeaks' Production_tpAuth last?",
		Answer:   "stored sign-in: " + p.TokenFacts,
	}}}
}
