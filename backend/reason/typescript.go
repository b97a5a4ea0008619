package reason

import (
	"bytes"
	"encoding/json"
	"strings"
)

// Source is the window's copy of the templates (frontend/src/lib/reasons.ts):
// each English text under its catalogue key, "reason." + Key, so the
// English catalogue takes them as they are and every other language must
// give the same keys.
func Source(header string) string {
	var b strings.Builder
	b.WriteString(header)
	b.WriteString("\n/** The backend's rider-facing sentences in English, by catalogue key; {name} is what varies. */\n")
	b.WriteString("export const reasonsEn = {\n")
	for _, t := range all {
		b.WriteString("  ")
		b.WriteString(jsString("reason." + t.Key))
		b.WriteString(": ")
		b.WriteString(jsString(t.En))
		b.WriteString(",\n")
	}
	b.WriteString("} as const;\n")
	return b.String()
}

func jsString(s string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(buf.String(), "\n")
}
