package archive

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"fitbridge/backend/reason"
)

// stravaRows is what activities.csv says: the rows by the lower-cased path
// of the file each names, those paths in the CSV's order, and the rows
// entered by hand, which name no file.
type stravaRows struct {
	byFile map[string]*Meta
	order  []string
	manual []*Meta
}

// readCSV reads activities.csv.
func (s *Source) readCSV() (stravaRows, error) {
	e := s.t.entries[s.l.csv]
	rc, err := s.t.open(e)
	rows := stravaRows{byFile: map[string]*Meta{}}
	if err != nil {
		return rows, err
	}
	defer rc.Close()
	r := csv.NewReader(io.LimitReader(rc, maxCSV))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		return rows, fmt.Errorf("no header line: %w", plainZipErr(err))
	}
	cols := findColumns(header)
	for line := 2; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) && !errors.Is(pe.Err, csv.ErrFieldCount) {
				return rows, fmt.Errorf("line %d: %w", pe.Line, pe.Err)
			}
			if !errors.As(err, &pe) {
				return rows, plainZipErr(err)
			}
		}
		if cols[colFilename] < 0 {
			// An export whose header names nothing known: the file column
			// is the one that points into activities/.
			for i, v := range rec {
				if strings.HasPrefix(strings.ToLower(strings.TrimSpace(v)), "activities/") {
					cols[colFilename] = i
					break
				}
			}
		}
		get := func(c column) string {
			if i := cols[c]; i >= 0 && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		file := get(colFilename)
		m := &Meta{
			ID: get(colID), Date: get(colDate), Name: get(colName), Type: get(colType),
			Description: strings.TrimSpace(strings.ReplaceAll(get(colDescription), "\r\n", "\n")),
			Commute:     truthy(get(colCommute)), Gear: get(colGear),
		}
		m.Sport = IntervalsType(m.Type)
		if file == "" {
			if m.ID != "" || m.Name != "" {
				rows.manual = append(rows.manual, m)
			}
			continue
		}
		key := strings.ToLower(s.l.prefix + CleanPath(file))
		if _, dup := rows.byFile[key]; !dup {
			rows.order = append(rows.order, key)
		}
		rows.byFile[key] = m
	}
	return rows, nil
}

// truthy reads the commute column: "true"/"false" in every language seen,
// with a few spelled-out forms to be safe.
func truthy(v string) bool {
	switch strings.ToLower(v) {
	case "true", "1", "yes", "wahr", "ja", "vrai", "oui", "verdadero", "si", "sí", "vero", "verdadeiro", "waar":
		return true
	}
	return false
}

func (s *Source) walkStrava(ctx context.Context, opts Options, fn func(Member) error) error {
	rows, csvErr := s.readCSV()
	if csvErr != nil {
		// The files still come; they decide for themselves.
		err := fmt.Errorf("activities.csv could not be read (%v): names and descriptions from it are missing", csvErr)
		if ferr := fn(Member{Path: s.t.entries[s.l.csv].path, Err: err}); ferr != nil {
			return ferr
		}
	}
	total := len(s.l.files)
	seen := make(map[string]bool, len(s.l.files))
	for n, i := range s.l.files {
		if err := ctx.Err(); err != nil {
			return err
		}
		e := s.t.entries[i]
		key := strings.ToLower(e.path)
		seen[key] = true
		m := Member{Path: e.path, Meta: rows.byFile[key]}
		m.Data, m.Err = s.t.read(e, opts.MaxMember)
		if opts.Progress != nil {
			opts.Progress(n+1, total, e.path)
		}
		if err := fn(m); err != nil {
			return err
		}
	}
	// Rows whose file the archive lacks: said once each, so none goes unnoticed.
	for _, key := range rows.order {
		if seen[key] {
			continue
		}
		m := rows.byFile[key]
		name := key
		if i, ok := s.t.byPath[key]; ok {
			name = s.t.entries[i].path
		}
		err := errors.New(reason.NotInExport.Text())
		if i, ok := s.t.byPath[key]; ok && !isActivityName(s.t.entries[i].path) {
			err = errors.New(reason.NotActivityFile.Text())
		}
		if ferr := fn(Member{Path: name, Meta: m, Err: err}); ferr != nil {
			return ferr
		}
	}
	// Activities entered by hand: one entry each, so the count adds up.
	csvPath := s.t.entries[s.l.csv].path
	for _, m := range rows.manual {
		if err := fn(Member{Path: csvPath, Meta: m, Manual: true}); err != nil {
			return err
		}
	}
	return nil
}
