package igpsport

import (
	"context"

	"fitbridge/backend/source"
)

// diagnose answers the reference's open question on iGPSport's token lifetimes.
func diagnose(_ context.Context, p source.Probe) source.Diagnosis {
	return source.Diagnosis{ShowsToken: true, Findings: []source.Finding{{
		Question: "22",
		Asked:    "What are the real iGPSport token lifetimes (expires_in)?",
		Answer:   "stored sign-in: " + p.TokenFacts,
	}}}
}
