package archive

import (
	"strings"
	"unicode"
)

// column is a meaning FitBridge takes from Strava's activities.csv.
type column int

const (
	colID column = iota
	colDate
	colName
	colType
	colDescription
	colFilename
	colCommute
	colGear
	numColumns
)

// knownHeaders are activities.csv header names by meaning, in the languages
// Strava exports in, normalised by headerKey (lower case, no accents, only
// letters and digits). Strava names the columns in the account's language,
// and the English names changed over the years ("Activity Name" / "Name").
// Sources: docs/services/strava.md.
var knownHeaders = map[string]column{
	// English
	"activityid": colID, "id": colID,
	"activitydate": colDate, "date": colDate,
	"activityname": colName, "name": colName, "title": colName,
	"activitytype": colType, "type": colType, "sporttype": colType,
	"activitydescription": colDescription, "description": colDescription,
	"filename": colFilename, "file": colFilename,
	"commute":      colCommute,
	"activitygear": colGear, "gear": colGear,
	// German
	"aktivitatsid":    colID,
	"aktivitatsdatum": colDate, "datum": colDate,
	"namederaktivitat": colName, "aktivitatsname": colName,
	"aktivitatsart": colType, "aktivitatstyp": colType, "sportart": colType,
	"aktivitatsbeschreibung": colDescription, "beschreibung": colDescription, "beschreibungderaktivitat": colDescription,
	"dateiname": colFilename, "datei": colFilename,
	"pendeln": colCommute, "arbeitsweg": colCommute, "pendelfahrt": colCommute,
	"aktivitatsausrustung": colGear, "ausrustung": colGear,
	// French
	"iddelactivite":   colID,
	"datedelactivite": colDate,
	"nomdelactivite":  colName, "nom": colName,
	"typedactivite":          colType,
	"descriptiondelactivite": colDescription,
	"nomdufichier":           colFilename, "fichier": colFilename,
	"trajetdomiciletravail": colCommute, "trajet": colCommute,
	"materieldelactivite": colGear, "equipementdelactivite": colGear, "materiel": colGear,
	// Spanish
	"iddelaactividad": colID, "identificadordelaactividad": colID,
	"fechadelaactividad": colDate, "fecha": colDate,
	"nombredelaactividad": colName, "nombre": colName,
	"tipodeactividad": colType, "tipo": colType,
	"descripciondelaactividad": colDescription, "descripcion": colDescription,
	"nombredelarchivo": colFilename, "nombredearchivo": colFilename, "archivo": colFilename,
	"desplazamiento": colCommute, "desplazamientoaltrabajo": colCommute,
	"equipamientodelaactividad": colGear, "equipodelaactividad": colGear, "equipo": colGear,
	// Italian
	"iddellattivita":   colID,
	"datadellattivita": colDate, "data": colDate,
	"nomedellattivita": colName, "nome": colName,
	"tipodiattivita":          colType,
	"descrizionedellattivita": colDescription, "descrizione": colDescription,
	"nomefile": colFilename, "nomedelfile": colFilename,
	"pendolarismo": colCommute, "tragittocasalavoro": colCommute,
	"attrezzaturadellattivita": colGear, "attrezzatura": colGear,
	// Portuguese
	"iddaatividade":   colID,
	"datadaatividade": colDate,
	"nomedaatividade": colName,
	"tipodeatividade": colType, "tipodaatividade": colType,
	"descricaodaatividade": colDescription, "descricao": colDescription,
	"nomedoarquivo": colFilename, "arquivo": colFilename,
	"deslocamento":           colCommute,
	"equipamentodaatividade": colGear, "equipamento": colGear,
	// Dutch
	"activiteitsid": colID, "activiteitid": colID,
	"activiteitsdatum": colDate, "datumvanactiviteit": colDate,
	"naamvanactiviteit": colName, "activiteitsnaam": colName, "naam": colName,
	"activiteitstype": colType, "typeactiviteit": colType,
	"activiteitsbeschrijving": colDescription, "beschrijving": colDescription,
	"bestandsnaam": colFilename, "bestand": colFilename,
	"woonwerkverkeer":       colCommute,
	"activiteitsuitrusting": colGear, "uitrusting": colGear,
}

// headerKey normalises a header: accents off, lower case, letters and
// digits only ("Aktivitäts-ID" → "aktivitatsid", "ID de l'activité" →
// "iddelactivite").
func headerKey(h string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(h) {
		if f, ok := unaccented[r]; ok {
			b.WriteString(f)
			continue
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// unaccented folds the accented letters of the export languages.
var unaccented = func() map[rune]string {
	m := map[rune]string{'ß': "ss", 'æ': "ae", 'œ': "oe", 'ø': "o"}
	for base, accented := range map[string]string{
		"a": "àáâãäå", "c": "ç", "e": "èéêë", "i": "ìíîï", "n": "ñ", "o": "òóôõö", "u": "ùúûü", "y": "ýÿ",
	} {
		for _, r := range accented {
			m[r] = base
		}
	}
	return m
}()

// findColumns maps each meaning to its column index (-1 when absent). Headers
// are tried against the table first; then by the words they contain, so an
// unknown language or year still finds the usual ones. Strava repeats some
// headers (a second "Elapsed Time", "Distance", "Commute"): the first wins.
func findColumns(header []string) [numColumns]int {
	var idx [numColumns]int
	for i := range idx {
		idx[i] = -1
	}
	keys := make([]string, len(header))
	for i, h := range header {
		keys[i] = headerKey(strings.TrimPrefix(h, "\ufeff"))
		if c, ok := knownHeaders[keys[i]]; ok && idx[c] < 0 {
			idx[c] = i
		}
	}
	for i, k := range keys {
		if c, ok := guessColumn(k); ok && idx[c] < 0 {
			idx[c] = i
		}
	}
	return idx
}

// guessColumn reads a header it does not know by its words.
func guessColumn(k string) (column, bool) {
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(k, w) {
				return true
			}
		}
		return false
	}
	switch {
	case has("filename", "dateiname", "fichier", "archivo", "arquivo", "bestand", "nomefile"):
		return colFilename, true
	case has("description", "beschreibung", "descripcion", "descrizione", "descricao", "beschrijving"):
		return colDescription, true
	case has("commute", "pendel", "trajet", "desplazamiento", "pendolar", "deslocamento", "woonwerk"):
		return colCommute, true
	case has("gear", "ausrustung", "materiel", "equipement", "equipamiento", "attrezzatura", "equipamento", "uitrusting"):
		return colGear, true
	case strings.HasSuffix(k, "id") || strings.HasPrefix(k, "id"):
		return colID, true
	case has("date", "datum", "fecha", "data"):
		return colDate, true
	case has("type", "typ", "tipo"):
		return colType, true
	case has("name", "nom", "titel", "title", "naam"):
		return colName, true
	}
	return 0, false
}
