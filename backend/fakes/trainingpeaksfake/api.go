package trainingpeaksfake

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// tokenExchange turns a valid session cookie into a bearer. The real service
// wants the cookie only; anything else is 401 {success:false}.
func (s *Server) tokenExchange(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(CookieName)
	s.mu.Lock()
	ok := err == nil && s.cookies[c.Value]
	var bearer string
	var exp time.Time
	if ok {
		bearer = "tpb." + randomToken(96)
		exp = s.now().Add(s.opts.BearerLifetime)
		s.bearers[bearer] = exp
		s.exchanges++
	}
	s.mu.Unlock()
	if !ok {
		if s.opts.RefuseWith200 {
			writeJSON(w, http.StatusOK, map[string]any{"success": false, "token": nil, "message": "Invalid or expired session"})
			return
		}
		writeJSON(w, http.StatusUnauthorized, map[string]any{"success": false})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"success": true,
		"token": map[string]any{
			"access_token":  bearer,
			"token_type":    "bearer",
			"expires_in":    int(math.Ceil(s.opts.BearerLifetime.Seconds())),
			"expires":       exp.UTC().Format(time.RFC3339),
			"refresh_token": "tpr." + randomToken(32),
			"scope":         "users:read file:read workouts:read",
		},
	})
}

// authed requires a live bearer, like every tpapi call but the exchange.
func (s *Server) authed(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		scheme, tok, found := strings.Cut(h, " ")
		if !found || !strings.EqualFold(scheme, "bearer") || tok == "" {
			writeJSON(w, http.StatusUnauthorized, map[string]any{"message": "Authorization has been denied for this request."})
			return
		}
		s.mu.Lock()
		exp, known := s.bearers[tok]
		live := known && s.now().Before(exp)
		s.mu.Unlock()
		if !live {
			writeJSON(w, http.StatusUnauthorized, map[string]any{"message": "Authorization has been denied for this request."})
			return
		}
		next(w, r)
	})
}

func (s *Server) user(w http.ResponseWriter, r *http.Request) {
	if s.opts.CoachAccount || s.opts.Athletes == AthletesOneCoached {
		athletes := []map[string]any{
			{"athleteId": CoachedAthleteID, "firstName": "Ana", "lastName": "Costa", "userName": "ana.c", "isPremium": true},
			{"athleteId": SecondAthleteID, "firstName": "Ben", "lastName": "Okafor", "userName": "ben.o", "isPremium": false},
		}
		if !s.opts.CoachAccount {
			athletes = athletes[:1]
		}
		writeJSON(w, http.StatusOK, map[string]any{
			"user": map[string]any{
				"userId": CoachID, "userName": "coach.kim", "firstName": "Kim", "lastName": "Coach", "fullName": "Kim Coach",
				"email": "coach@example.com", "timeZone": s.opts.TimeZone, "units": 1, "dateFormat": "dd/mm/yyyy",
				"userType": 2, "athleteType": 0, "coachType": 1, "isPremium": true, "isCoached": false, "isAthlete": false,
				"expireDate": nil, "premiumTrial": false, "premiumTrialDaysRemaining": 0,
				"settings": map[string]any{"account": map[string]any{"isPremium": true}},
				"athletes": athletes,
			},
			"accountStatus": map[string]any{"isAthlete": false, "isCoach": true, "isCoachedAthlete": false, "lockedOut": false, "pastDue": false, "billingTier": 3},
		})
		return
	}
	self := []any{}
	if s.opts.Athletes == AthletesSelf {
		self = append(self, map[string]any{"athleteId": AthleteID, "firstName": "Riley", "lastName": "Rider", "userName": "rider", "isPremium": !s.opts.FreeAccount403})
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"user": map[string]any{
			"userId": AthleteID, "userName": "rider", "firstName": "Riley", "lastName": "Rider", "fullName": "Riley Rider",
			"email": "rider@example.com", "timeZone": s.opts.TimeZone, "units": 1, "dateFormat": "dd/mm/yyyy",
			"userType": 1, "athleteType": 1, "coachType": 0, "isPremium": !s.opts.FreeAccount403, "isCoached": false, "isAthlete": true,
			"expireDate": nil, "premiumTrial": false, "premiumTrialDaysRemaining": 0,
			"settings": map[string]any{"account": map[string]any{"isPremium": !s.opts.FreeAccount403}},
			"athletes": self,
		},
		"accountStatus": map[string]any{"isAthlete": true, "isCoach": false, "isCoachedAthlete": false, "lockedOut": false, "pastDue": false, "billingTier": 1},
	})
}

// athleteAllowed: an athlete reads itself, a coach its athletes.
func (s *Server) athleteAllowed(w http.ResponseWriter, r *http.Request) (int64, bool) {
	aid, err := strconv.ParseInt(r.PathValue("aid"), 10, 64)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"message": "The request is invalid."})
		return 0, false
	}
	ok := aid == s.PrimaryAthlete() || s.opts.CoachAccount && aid == SecondAthleteID
	if !ok {
		writeJSON(w, http.StatusForbidden, map[string]any{"message": "Access denied"})
		return 0, false
	}
	return aid, true
}

// list answers /workouts/{start}/{end}: a bare array of the rows whose
// workoutDay lies in the range, both ends included, planned rows too.
func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	aid, ok := s.athleteAllowed(w, r)
	if !ok {
		return
	}
	start, err1 := time.Parse(time.DateOnly, r.PathValue("start"))
	end, err2 := time.Parse(time.DateOnly, r.PathValue("end"))
	if err1 != nil || err2 != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"message": "The request is invalid."})
		return
	}
	win := Window{Athlete: aid, Start: start, End: end}
	status := http.StatusOK
	switch {
	case end.Before(start):
		status = http.StatusBadRequest
	case win.Days() > maxListDays:
		status = http.StatusBadRequest
	}
	win.Status = status
	s.mu.Lock()
	s.windows = append(s.windows, win)
	var rows []map[string]any
	if status == http.StatusOK {
		for _, wk := range s.workouts {
			d := wk.Day()
			if wk.AthleteID != aid || wk.Removed || d.Before(start) || d.After(end) {
				continue
			}
			rows = append(rows, wk.row())
		}
	}
	s.mu.Unlock()
	if status != http.StatusOK {
		writeJSON(w, status, map[string]any{"message": fmt.Sprintf("The date range %s to %s is invalid: at most %d days may be requested.", r.PathValue("start"), r.PathValue("end"), maxListDays)})
		return
	}
	sort.Slice(rows, func(i, j int) bool {
		return rows[i]["startTimePlanned"].(string) < rows[j]["startTimePlanned"].(string)
	})
	if rows == nil {
		rows = []map[string]any{}
	}
	writeJSON(w, http.StatusOK, rows)
}

const maintenancePage = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>TrainingPeaks - Down for Maintenance</title></head>
<body><h1>We'll be right back</h1><p>TrainingPeaks is undergoing scheduled maintenance.</p></body></html>
`

const wallClock = "2006-01-02T15:04:05"

// row is the list shape: local times without offset, decimal hours, metres,
// nulls where the web app leaves them.
func (wk *Workout) row() map[string]any {
	nz := func(v float64) any {
		if v == 0 {
			return nil
		}
		return v
	}
	var title any = wk.Title
	if wk.NullTitle {
		title = nil
	}
	row := map[string]any{
		"workoutId": wk.ID, "athleteId": wk.AthleteID, "title": title,
		"workoutTypeValueId": wk.TypeID, "code": nil, "workoutDay": wk.Start.Format("2006-01-02") + "T00:00:00",
		"startTime": nil, "startTimePlanned": wk.Start.Format(wallClock), "isItAnOr": false, "isHidden": nil,
		"completed": nil, "description": nil, "userTags": "", "coachComments": nil, "workoutComments": []any{},
		"newComment": nil, "publicSettingValue": 0, "sharedWorkoutInformationKey": "", "sharedWorkoutInformationExpireKey": "",
		"distance": nz(wk.DistanceM), "distancePlanned": nil, "distanceCustomized": nil, "distanceUnitsCustomized": nil,
		"totalTime": nz(wk.Hours), "totalTimePlanned": nz(wk.Planned), "heartRateMinimum": nil, "heartRateMaximum": nil,
		"heartRateAverage": nil, "calories": nz(wk.Calories), "caloriesPlanned": nil, "tssActual": nz(wk.TSS),
		"tssPlanned": nil, "tssSource": 0, "if": nil, "ifPlanned": nil, "velocityAverage": nil, "velocityPlanned": nil,
		"velocityMaximum": nil, "normalizedSpeedActual": nil, "normalizedPowerActual": nil, "powerAverage": nil,
		"powerMaximum": nil, "energy": nil, "energyPlanned": nil, "elevationGain": nil, "elevationGainPlanned": nil,
		"elevationLoss": nil, "elevationMinimum": nil, "elevationAverage": nil, "elevationMaximum": nil,
		"torqueAverage": nil, "torqueMaximum": nil, "tempMin": nil, "tempAvg": nil, "tempMax": nil,
		"cadenceAverage": nil, "cadenceMaximum": nil, "lastModifiedDate": wk.Start.Add(3 * time.Hour).Format(wallClock),
		"equipmentBikeId": nil, "equipmentShoeId": nil, "isLocked": nil, "complianceDurationPercent": nil,
		"complianceDistancePercent": nil, "complianceTssPercent": nil, "rpe": nil, "feeling": nil, "structure": nil,
		"orderOnDay": nil, "personalRecordCount": 0, "syncedTo": nilIfEmpty(wk.SyncedTo), "poolLengthOptionId": nil,
		"workoutSubTypeId": nil, "workoutDeviceSource": nilIfEmpty(wk.DeviceSource), "isDeleted": wk.Deleted || wk.Kind == KindDeletedRow,
	}
	if wk.Kind != KindPlanned {
		row["startTime"] = wk.Start.Format(wallClock)
		if wk.ID%3 == 0 {
			row["completed"] = true // mostly null, as on the real service
		}
	} else if wk.ID%2 == 0 {
		row["completed"] = false
		row["totalTime"] = 0.0 // a missed workout: zeros rather than nulls
	}
	return row
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// workout finds {wid} of {aid}; a deleted or unknown id is 400
// "Invalid workoutId (<id>)", as the real service answers.
func (s *Server) workout(w http.ResponseWriter, r *http.Request) (*Workout, bool) {
	aid, ok := s.athleteAllowed(w, r)
	if !ok {
		return nil, false
	}
	raw := r.PathValue("wid")
	wid, err := strconv.ParseInt(raw, 10, 64)
	s.mu.Lock()
	wk, found := s.workouts[wid]
	valid := err == nil && found && wk.AthleteID == aid && !wk.Removed && !wk.Deleted && wk.Kind != KindDeletedRow
	s.mu.Unlock()
	if !valid {
		writeJSON(w, http.StatusBadRequest, fmt.Sprintf("Invalid workoutId (%s)", raw))
		return nil, false
	}
	return wk, true
}

func (s *Server) single(w http.ResponseWriter, r *http.Request) {
	wk, ok := s.workout(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	row := wk.row()
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, row)
}

func fileInfos(fs []File) []map[string]any {
	out := []map[string]any{}
	for _, f := range fs {
		out = append(out, map[string]any{
			"fileId": f.ID, "fileSystemId": f.FileSystemID, "fileName": f.Name,
			"dateUploaded": f.Uploaded.Format(wallClock),
		})
	}
	return out
}

func (s *Server) details(w http.ResponseWriter, r *http.Request) {
	wk, ok := s.workout(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	body := map[string]any{
		"workoutId":              wk.ID,
		"workoutDeviceFileInfos": fileInfos(wk.Files),
		"attachmentFileInfos":    fileInfos(wk.Attachments),
		"timeInHeartRateZones":   map[string]any{"timeInZones": []any{}},
		"timeInPowerZones":       map[string]any{"timeInZones": []any{}},
		"meanMaxPowers":          map[string]any{"meanMaxes": []any{}},
		"workoutStructure":       nil,
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, body)
}

func (s *Server) rawFile(w http.ResponseWriter, r *http.Request) {
	s.serveFile(w, r, false)
}

func (s *Server) attachment(w http.ResponseWriter, r *http.Request) {
	s.serveFile(w, r, true)
}

func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, attachment bool) {
	wk, ok := s.workout(w, r)
	if !ok {
		return
	}
	if s.opts.FreeAccount403 {
		writeJSON(w, http.StatusForbidden, map[string]any{"message": "Access denied"})
		return
	}
	switch s.opts.FilesAsWebPage {
	case WebPageSignIn:
		http.Redirect(w, r, "/login?ReturnUrl="+url.QueryEscape(r.URL.Path), http.StatusFound)
		return
	case WebPageError:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, maintenancePage)
		return
	}
	fid, err := strconv.ParseInt(r.PathValue("fid"), 10, 64)
	s.mu.Lock()
	files := wk.Files
	if attachment {
		files = wk.Attachments
	}
	var f *File
	for i := range files {
		if err == nil && files[i].ID == fid {
			f = &files[i]
		}
	}
	if f == nil {
		s.mu.Unlock()
		writeJSON(w, http.StatusNotFound, map[string]any{"message": "File not found"})
		return
	}
	file := *f
	s.downloads[wk.ID]++
	s.mu.Unlock()
	body, name, ct := file.onWire(), file.Name, file.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	if s.opts.FilesAsJSON {
		writeJSON(w, http.StatusOK, map[string]any{"fileName": name, "contentType": ct, "data": base64.StdEncoding.EncodeToString(body)})
		return
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body)
}
