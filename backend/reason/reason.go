// Package reason holds the sentences FitBridge writes into an activity's
// reason and repaired texts, each with a stable key, so that the window can
// say them in the rider's language. The English text is the one stored,
// logged and printed by the command line; the code that writes a reason
// formats it through its template, so that text and template cannot drift,
// and the window's copy (frontend/src/lib/reasons.ts) is generated from All.
package reason

import (
	"fmt"
	"regexp"
	"strings"
)

// Template is one sentence with {name} placeholders for what varies.
type Template struct {
	// Key names the sentence in the window's catalogue ("reason." + Key).
	Key string
	// En is the English text, exactly as the backend writes it.
	En string
}

var placeholder = regexp.MustCompile(`\{(\w+)\}`)

// Names lists the placeholders in the order they appear in the text.
func (t Template) Names() []string {
	var out []string
	for _, m := range placeholder.FindAllStringSubmatch(t.En, -1) {
		out = append(out, m[1])
	}
	return out
}

// Text is the English sentence with the placeholders filled in order by
// args. A template without placeholders takes none. A missing value leaves
// its placeholder standing, so the mistake shows instead of hiding.
func (t Template) Text(args ...any) string {
	i := 0
	return placeholder.ReplaceAllStringFunc(t.En, func(m string) string {
		if i >= len(args) {
			return m
		}
		v := args[i]
		i++
		return fmt.Sprint(v)
	})
}

// Parts joins sentence parts the way the composed templates expect them
// ("the file ended early, the file checksum was wrong"): the window splits
// a placeholder's value at the same mark to translate each part.
func Parts(parts ...string) string {
	return strings.Join(parts, PartsSep)
}

// PartsSep separates the parts of a composed sentence.
const PartsSep = ", "

func newT(key, en string) Template {
	t := Template{Key: key, En: en}
	all = append(all, t)
	return t
}

var all []Template

// All lists every template, in the order they are declared.
func All() []Template {
	return append([]Template(nil), all...)
}
