// Package doctor is the mechanics of `fitbridge doctor` and the Diagnostics
// page: an HTTP transport that records what each service answered without
// keeping any secret or value (status, timing, allowed headers, the shape
// of the reply), and a report a rider can attach to a bug report when a
// platform changes its API. Which calls are made is the service's business.
package doctor

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"fitbridge/backend/secrets"
)

// Report is one diagnostics run.
type Report struct {
	Generated string  `json:"generated"` // RFC 3339 UTC
	Version   string  `json:"version"`   // FitBridge's
	OS        string  `json:"os"`        // GOOS/GOARCH
	File      string  `json:"file"`      // where the plain-text report was written ("" if not)
	Checks    []Check `json:"checks"`
}

// Check is one harmless call to one service, or one look at a folder.
type Check struct {
	Service string `json:"service"` // the account's stable name: "intervals", a platform's Name
	Call    string `json:"call"`    // what was done: "GET /api/v1/athlete/0"
	OK      bool   `json:"ok"`
	// NeedsSignIn: the service refused the stored sign-in; Note says how to connect again.
	NeedsSignIn bool   `json:"needs_sign_in"`
	Status      int    `json:"status"` // HTTP status of the last answer; 0 when none is known
	Millis      int64  `json:"ms"`
	Shape       any    `json:"shape,omitempty"` // skeleton of the last reply (see Shape)
	Note        string `json:"note,omitempty"`
	// Answers are findings for the open questions of the API reference,
	// keyed by question number.
	Answers map[string]string `json:"answers,omitempty"`
	// Questions are the texts of the questions answered, by number: the
	// platform that answers one asks it.
	Questions map[string]string `json:"questions,omitempty"`
	Exchanges []Exchange        `json:"exchanges,omitempty"`
	// Failed is the exchange that failed, when the check failed on a call:
	// what it asked, its status and the shape of its reply.
	Failed *Exchange `json:"failed_call,omitempty"`
}

// SetExchanges attaches what a recorder saw to the check: the exchanges, and
// the status and shape of the last answer unless already set.
func (c *Check) SetExchanges(ex []Exchange) {
	c.Exchanges = append(c.Exchanges, ex...)
	for i := len(ex) - 1; i >= 0; i-- {
		if ex[i].Status == 0 {
			continue
		}
		if c.Status == 0 {
			c.Status = ex[i].Status
		}
		if c.Shape == nil {
			c.Shape = ex[i].Shape
		}
		break
	}
}

// SetFailed names the call that failed among the check's exchanges: the
// last one refused (a 4xx or 5xx) or left without an answer, else the last
// one (a refusal inside a 200). Its status and reply shape become the
// check's, so a report shows the reply of the exact call that failed.
func (c *Check) SetFailed() {
	if len(c.Exchanges) == 0 {
		return
	}
	at := len(c.Exchanges) - 1
	for i := len(c.Exchanges) - 1; i >= 0; i-- {
		if ex := c.Exchanges[i]; ex.Status >= 400 || (ex.Status == 0 && ex.Error != "") {
			at = i
			break
		}
	}
	ex := c.Exchanges[at]
	c.Failed = &ex
	c.Status = ex.Status
	if ex.Shape != nil {
		c.Shape = ex.Shape
	}
}

// OK reports whether every check passed.
func (r Report) OK() bool {
	for _, c := range r.Checks {
		if !c.OK {
			return false
		}
	}
	return true
}

// NeedsSignIn lists the checks whose service refused its stored sign-in.
func (r Report) NeedsSignIn() []Check {
	var out []Check
	for _, c := range r.Checks {
		if c.NeedsSignIn {
			out = append(out, c)
		}
	}
	return out
}

// Redacted returns a copy with every text passed through red (known secrets
// and credential shapes), after the recorder already kept no values: belt
// and braces. Shapes are redacted key by key and leaf by leaf, so a key
// named "token" keeps its description.
func (r Report) Redacted(red *secrets.Redactor) Report {
	out := r
	out.Version = red.String(r.Version)
	out.OS = red.String(r.OS)
	out.File = red.String(r.File)
	out.Checks = make([]Check, len(r.Checks))
	for i, c := range r.Checks {
		c.Service = red.String(c.Service)
		c.Call = red.String(c.Call)
		c.Note = red.String(c.Note)
		c.Shape = redactShape(c.Shape, red)
		if c.Answers != nil {
			ans := make(map[string]string, len(c.Answers))
			for k, v := range c.Answers {
				ans[red.String(k)] = red.String(v)
			}
			c.Answers = ans
		}
		if c.Questions != nil {
			qs := make(map[string]string, len(c.Questions))
			for k, v := range c.Questions {
				qs[red.String(k)] = red.String(v)
			}
			c.Questions = qs
		}
		if c.Exchanges != nil {
			exs := make([]Exchange, len(c.Exchanges))
			for j, ex := range c.Exchanges {
				exs[j] = redactExchange(ex, red)
			}
			c.Exchanges = exs
		}
		if c.Failed != nil {
			f := redactExchange(*c.Failed, red)
			c.Failed = &f
		}
		out.Checks[i] = c
	}
	return out
}

func redactExchange(ex Exchange, red *secrets.Redactor) Exchange {
	ex.Method = red.String(ex.Method)
	ex.Host = red.String(ex.Host)
	ex.Path = red.String(ex.Path)
	ex.Auth = red.String(ex.Auth)
	ex.Error = red.String(ex.Error)
	ex.Shape = redactShape(ex.Shape, red)
	if ex.QueryKeys != nil {
		keys := make([]string, len(ex.QueryKeys))
		for k, q := range ex.QueryKeys {
			keys[k] = red.String(q)
		}
		ex.QueryKeys = keys
	}
	if ex.Headers != nil {
		h := make(map[string]string, len(ex.Headers))
		for k, v := range ex.Headers {
			h[k] = red.String(v)
		}
		ex.Headers = h
	}
	return ex
}

func redactShape(v any, red *secrets.Redactor) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[red.String(k)] = redactShape(x, red)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = redactShape(x, red)
		}
		return out
	case string:
		return red.String(t)
	case nil:
		return nil
	}
	// Shapes hold only maps, lists and strings; anything else is not kept.
	return fmt.Sprintf("%T", v)
}

// JSON is the report as an indented JSON document.
func (r Report) JSON() ([]byte, error) { return json.MarshalIndent(r, "", "  ") }

// Text is the report for people: one block per check.
func (r Report) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "FitBridge diagnostics report\n")
	fmt.Fprintf(&b, "generated %s, FitBridge %s, %s\n", r.Generated, r.Version, r.OS)
	b.WriteString("No values are kept: strings show only their length, numbers only their kind\n")
	b.WriteString("(envelope status fields and paging counters excepted), and no credentials.\n")
	failed := 0
	for _, c := range r.Checks {
		if !c.OK {
			failed++
		}
	}
	fmt.Fprintf(&b, "%d checks, %d with a problem\n", len(r.Checks), failed)
	for _, c := range r.Checks {
		b.WriteString("\n")
		writeCheck(&b, c)
	}
	return b.String()
}

func writeCheck(b *strings.Builder, c Check) {
	verdict := "OK"
	switch {
	case c.NeedsSignIn:
		verdict = "NEEDS SIGN-IN"
	case !c.OK:
		verdict = "PROBLEM"
	}
	fmt.Fprintf(b, "== %s: %s: %s, %s, %d ms\n", c.Service, c.Call, verdict, StatusText(c.Status), c.Millis)
	if c.Note != "" {
		for _, line := range strings.Split(c.Note, "\n") {
			fmt.Fprintf(b, "   note: %s\n", line)
		}
	}
	for _, k := range answerKeys(c.Answers) {
		q := c.Questions[k]
		if q == "" {
			fmt.Fprintf(b, "   open question %s: %s\n", k, c.Answers[k])
			continue
		}
		fmt.Fprintf(b, "   open question %s (%s)\n      %s\n", k, q, c.Answers[k])
	}
	if f := c.Failed; f != nil {
		fmt.Fprintf(b, "   failed call: %s %s%s -> %s\n", f.Method, f.Host, f.Path, StatusText(f.Status))
		if f.Shape != nil {
			writeShape(b, f.Shape, "      ")
		}
		b.WriteString("   all calls:\n")
	}
	for _, ex := range c.Exchanges {
		writeExchange(b, ex)
	}
	if len(c.Exchanges) == 0 && c.Shape != nil {
		writeShape(b, c.Shape, "   ")
	}
}

func writeExchange(b *strings.Builder, ex Exchange) {
	line := fmt.Sprintf("   %s %s%s", ex.Method, ex.Host, ex.Path)
	if len(ex.QueryKeys) > 0 {
		line += "?" + strings.Join(ex.QueryKeys, "&")
	}
	if ex.Error != "" && ex.Status == 0 {
		line += fmt.Sprintf(" -> no answer after %d ms: %s", ex.Millis, ex.Error)
	} else {
		line += fmt.Sprintf(" -> %d in %d ms, %d bytes", ex.Status, ex.Millis, ex.Bytes)
	}
	if ex.Auth != "" {
		line += ", sent " + ex.Auth
	}
	b.WriteString(line + "\n")
	if ex.Error != "" && ex.Status != 0 {
		fmt.Fprintf(b, "      error: %s\n", ex.Error)
	}
	for _, k := range sortedKeys(ex.Headers) {
		fmt.Fprintf(b, "      %s: %s\n", k, ex.Headers[k])
	}
	if ex.Shape != nil {
		writeShape(b, ex.Shape, "      ")
	}
}

func writeShape(b *strings.Builder, shape any, indent string) {
	if s, ok := shape.(string); ok {
		fmt.Fprintf(b, "%sbody: %s\n", indent, s)
		return
	}
	var sb strings.Builder
	enc := json.NewEncoder(&sb)
	enc.SetEscapeHTML(false)
	enc.SetIndent(indent+"  ", "  ")
	if err := enc.Encode(shape); err != nil {
		fmt.Fprintf(b, "%sbody: (shape not printable)\n", indent)
		return
	}
	fmt.Fprintf(b, "%sbody shape:\n%s  %s\n", indent, indent, strings.TrimRight(sb.String(), "\n"))
}

// StatusText is "HTTP 200", or "no HTTP status" for 0.
func StatusText(status int) string {
	if status == 0 {
		return "no HTTP status"
	}
	return "HTTP " + strconv.Itoa(status)
}

// answerKeys sorts question numbers numerically.
func answerKeys(m map[string]string) []string {
	keys := sortedKeys(m)
	slices.SortFunc(keys, func(a, b string) int {
		na, ea := strconv.Atoi(a)
		nb, eb := strconv.Atoi(b)
		if ea == nil && eb == nil {
			return na - nb
		}
		return strings.Compare(a, b)
	})
	return keys
}
