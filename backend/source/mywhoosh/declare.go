package mywhoosh

import (
	"context"
	"encoding/json"

	"fitbridge/backend/source"
)

// diagnose answers the reference's open questions on the session token's
// lifetime and, since the sign-in check lists page 1 with MyWhoosh's
// defaults, on the page size and the envelope.
func diagnose(_ context.Context, p source.Probe) source.Diagnosis {
	d := source.Diagnosis{ShowsToken: true, Findings: []source.Finding{{
		Question: "11",
		Asked:    "What is the real lifetime (exp - iat) of the MyWhoosh session token?",
		Answer:   "stored sign-in: " + p.TokenFacts,
	}}}
	if p.Reply != nil {
		if js, err := json.Marshal(p.Reply); err == nil {
			d.Findings = append(d.Findings, source.Finding{
				Question: "13",
				Asked:    "What is the default page size? Is limit honoured? What is code in the envelope?",
				Answer:   "page 1 with the defaults answered: " + string(js),
			})
		}
	}
	return d
}
