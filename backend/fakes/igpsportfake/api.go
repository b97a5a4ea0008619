package igpsportfake

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

const (
	pathLogin    = "/service/auth/account/login"
	pathKey      = "/service/edge-core/api/public/key"
	pathActivity = "/service/web-gateway/web-analyze/activity/"
	pathList     = pathActivity + "queryMyActivity"
	pathDetail   = pathActivity + "queryActivityDetail/"
	pathDownload = pathActivity + "getDownloadUrl/"
	pathOSS      = "/oss/"

	// Business codes; the real values are unknown, these only need to be non-zero.
	codeBadLogin  = 40001
	codeNotFound  = 40004
	codeBadParam  = 40000
	codeSignature = 40300
)

// signingHeaders are what the web app adds to a signed China call.
var signingHeaders = []string{"x-access-key", "x-platform", "x-timestamp", "x-nonce", "x-signature"}

// Handler serves the whole fake: API, storage and pages.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+pathLogin, s.gateway(false, s.login))
	mux.HandleFunc("GET "+pathKey, s.publicKey)
	mux.HandleFunc("GET "+pathList, s.gateway(true, s.list))
	mux.HandleFunc("GET "+pathDetail+"{id}", s.gateway(true, s.detail))
	mux.HandleFunc("GET "+pathDownload+"{id}", s.gateway(true, s.downloadURL))
	mux.HandleFunc("GET "+pathOSS+"{object}", s.object)
	mux.HandleFunc("POST "+pathEditWorkout, s.gateway(true, s.editWorkout))
	mux.HandleFunc("GET "+pathListWorkouts, s.gateway(true, s.listWorkouts))
	mux.HandleFunc("GET /login", s.loginPage)
	mux.HandleFunc("GET /sport/history/list", s.listPage)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/sport/history/list", http.StatusFound)
	})
	var h http.Handler = mux
	if s.opts.Faults != nil {
		h = s.opts.Faults.Wrap(h)
	}
	return s.record(h)
}

// record logs every request with the status it finally got (faults included).
func (s *Server) record(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		req := Request{
			Method:        r.Method,
			Path:          r.URL.Path,
			Query:         r.URL.Query(),
			Authorization: r.Header.Get("Authorization") != "",
			Token:         s.tokenState(r),
		}
		for _, h := range signingHeaders {
			if r.Header.Get(h) != "" {
				req.SigningHeaders = append(req.SigningHeaders, h)
			}
		}
		next.ServeHTTP(sw, r)
		req.Status = sw.status
		req.Signed = sw.signed
		s.mu.Lock()
		s.requests = append(s.requests, req)
		s.mu.Unlock()
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
	signed bool
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

type envelope struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    any    `json:"data"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func ok(w http.ResponseWriter, data any) {
	writeJSON(w, http.StatusOK, envelope{Code: 0, Message: "success", Data: data})
}

// fail is a business error: HTTP 200 with a non-zero code, as the service answers.
func fail(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, http.StatusOK, envelope{Code: code, Message: msg})
}

// gateway puts the checks every gateway call meets in front of h: signing in
// China mode, then (when auth is set) the bearer token.
func (s *Server) gateway(auth bool, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		if s.opts.Region == RegionChina && s.opts.ChinaRequiresSignature {
			if why := s.checkSignature(r, body); why != "" {
				msg := "signature required: " + why
				switch {
				case s.opts.Unsigned == UnsignedOtherWords:
					fail(w, 10086, "请求非法")
				case s.opts.Unsigned == UnsignedBadRequest:
					http.Error(w, "Bad Request", http.StatusBadRequest)
				case s.opts.Unsigned == UnsignedHTML:
					w.Header().Set("Content-Type", "text/html; charset=utf-8")
					_, _ = io.WriteString(w, "<!DOCTYPE html><html><body><h1>访问被拒绝</h1></body></html>")
				case s.opts.Unsigned == UnsignedUnauthorized:
					writeJSON(w, http.StatusUnauthorized, envelope{Code: 401, Message: "Unauthorized"})
				case s.opts.SignatureErrorAs200:
					fail(w, codeSignature, msg)
				default:
					writeJSON(w, http.StatusForbidden, envelope{Code: codeSignature, Message: msg})
				}
				return
			}
			if sw, ok := w.(*statusWriter); ok {
				sw.signed = true
			}
		}
		if auth && s.tokenState(r) != "valid" {
			if s.opts.TokenErrorAs200 {
				fail(w, 401, "token expired, please login again")
			} else {
				writeJSON(w, http.StatusUnauthorized, envelope{Code: 401, Message: "Unauthorized"})
			}
			return
		}
		h(w, r)
	}
}

// checkSignature verifies the headers the web app's script adds. The real
// algorithm lives in iGPSport's WASM module; this one only has to be
// something nobody but the fake's own page computes.
func (s *Server) checkSignature(r *http.Request, body []byte) string {
	h := r.Header
	if h.Get("x-access-key") != "AKIDWebClient" || h.Get("x-platform") != "web" {
		return "missing x-access-key or x-platform"
	}
	ts, nonce, sig := h.Get("x-timestamp"), h.Get("x-nonce"), h.Get("x-signature")
	if ts == "" || nonce == "" || sig == "" {
		return "missing x-timestamp, x-nonce or x-signature"
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || math.Abs(float64(time.Now().Unix()-sec)) > 300 {
		return "x-timestamp out of range"
	}
	signed := r.URL.RequestURI()
	if s.opts.ReplayableSignatures {
		signed = r.URL.Path
	}
	want := sign(s.secret, r.Method, signed, ts, nonce, body)
	if !hmac.Equal([]byte(sig), []byte(want)) {
		return "bad x-signature"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.nonces[nonce] && !s.opts.ReplayableSignatures {
		return "x-nonce reused"
	}
	s.nonces[nonce] = true
	return ""
}

// sign is the fake's signature, the same computation its page script makes.
func sign(secret []byte, method, pathQuery, ts, nonce string, body []byte) string {
	m := hmac.New(sha256.New, secret)
	fmt.Fprintf(m, "%s\n%s\n%s\n%s\n", method, pathQuery, ts, nonce)
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func (s *Server) publicKey(w http.ResponseWriter, r *http.Request) {
	ok(w, map[string]string{"secret_key": base64.StdEncoding.EncodeToString(s.secret)})
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		fail(w, codeBadParam, "Content-Type must be application/json")
		return
	}
	var in struct {
		AppID    string `json:"appId"`
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		fail(w, codeBadParam, "invalid request body")
		return
	}
	if in.AppID != "igpsport-web" {
		fail(w, codeBadParam, "invalid appId")
		return
	}
	if in.Username != s.opts.Username || in.Password != s.opts.Password {
		fail(w, codeBadLogin, "账号或密码错误 (incorrect account or password)")
		return
	}
	s.mu.Lock()
	tok := s.issueLocked()
	s.mu.Unlock()
	ok(w, map[string]any{
		"access_token":  tok,
		"token_type":    "Bearer",
		"refresh_token": fmt.Sprintf("%x", randomBytes(16)),
		"expires_in":    604800,
		"scope":         "",
		"boundPhone":    false,
	})
}

// riderTime formats t in the rider's zone.
func (s *Server) riderTime(t time.Time, layout string) string {
	return t.In(s.opts.Location).Format(layout)
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	pageNo := atoiDefault(q.Get("pageNo"), 1)
	if pageNo < 1 {
		pageNo = 1
	}
	size := atoiDefault(q.Get("pageSize"), 20)
	if size < 1 || size > 20 {
		size = 20
	}
	var begin, end time.Time
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"beginTime", &begin}, {"endTime", &end}} {
		if v := q.Get(p.name); v != "" {
			t, err := time.ParseInLocation("2006-01-02", v, s.opts.Location)
			if err != nil {
				fail(w, codeBadParam, p.name+" must be YYYY-MM-DD")
				return
			}
			*p.dst = t
		}
	}

	s.mu.Lock()
	var rows []*Ride
	for _, rd := range s.rides {
		day := rd.Start.In(s.opts.Location)
		if !begin.IsZero() && day.Before(begin) {
			continue
		}
		if !end.IsZero() && !day.Before(end.AddDate(0, 0, 1)) {
			continue
		}
		rows = append(rows, rd)
	}
	if q.Get("sort") != "0" { // newest first unless asked otherwise
		for i, j := 0, len(rows)-1; i < j; i, j = i+1, j-1 {
			rows[i], rows[j] = rows[j], rows[i]
		}
	}
	total := len(rows)
	totalPage := (total + size - 1) / size
	page := pageNo
	if page > totalPage && !s.opts.NoRepeatPastEnd {
		page = totalPage // the service repeats its last page past the end
	}
	out := []map[string]any{}
	if page >= 1 {
		lo, hi := (page-1)*size, min(page*size, total)
		for i := lo; i < hi; i++ {
			out = append(out, s.row(r, rows[i]))
		}
	}
	s.mu.Unlock()
	data := map[string]any{"pageNo": pageNo, "pageSize": size, "totalPage": totalPage, "totalRows": total, "rows": out}
	if s.opts.OmitTotalPage {
		delete(data, "totalPage")
		delete(data, "totalRows")
	}
	ok(w, data)
}

func (s *Server) row(r *http.Request, rd *Ride) map[string]any {
	start := s.riderTime(rd.Start, "2006.01.02")
	if rd.ListDateTime {
		start = s.riderTime(rd.Start, "2006-01-02 15:04:05")
	}
	row := map[string]any{
		"id":              fmt.Sprintf("%024x", rd.RideID*7919+1),
		"rideId":          rd.RideID,
		"exerciseType":    rd.ExerciseType,
		"title":           rd.Title,
		"startTime":       start,
		"rideDistance":    rd.DistanceM,
		"totalMovingTime": int(rd.Duration.Seconds() * 0.95),
		"avgSpeed":        math.Round(rd.DistanceM/rd.Duration.Seconds()*100) / 100,
		"totalAscent":     int(rd.DistanceM / 100),
		"productName":     rd.ProductName,
		"dataStatus":      1,
		"errorType":       0,
		"analysisStatus":  1,
		"label":           1,
		"isOpen":          0,
		"unRead":          false,
	}
	switch rd.Via {
	case ViaOSSPath:
		row["fitOssPath"] = s.objectURL(r, rd)
		if rd.BareOSSPath {
			row["fitOssPath"] = rd.Object
		}
	case ViaDetail:
		row["fitOssPath"] = nil
	case ViaDownloadURL:
		row["fitOssPath"] = ""
	}
	return row
}

func (s *Server) objectURL(r *http.Request, rd *Ride) string {
	return "http://" + r.Host + pathOSS + rd.Object
}

// rideFor finds the path's ride, answering the business error itself when there is none.
func (s *Server) rideFor(w http.ResponseWriter, r *http.Request) (*Ride, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		fail(w, codeBadParam, "rideId must be a number")
		return nil, false
	}
	s.mu.Lock()
	rd, found := s.byID[id]
	s.mu.Unlock()
	if !found {
		fail(w, codeNotFound, "活动不存在 (activity not found)")
		return nil, false
	}
	return rd, true
}

func (s *Server) detail(w http.ResponseWriter, r *http.Request) {
	rd, found := s.rideFor(w, r)
	if !found {
		return
	}
	var fitURL any
	if rd.Via != ViaDownloadURL {
		fitURL = s.objectURL(r, rd)
	}
	secs := int(rd.Duration.Seconds())
	ok(w, map[string]any{
		"rideId":               rd.RideID,
		"memberId":             s.opts.MemberID,
		"title":                rd.Title,
		"startTime":            s.riderTime(rd.Start, "2006-01-02 15:04:05"),
		"endTime":              s.riderTime(rd.Start.Add(rd.Duration), "2006-01-02 15:04:05"),
		"totalTime":            secs,
		"totalMovingTime":      int(float64(secs) * 0.95),
		"rideDistance":         rd.DistanceM,
		"avgSpeed":             math.Round(rd.DistanceM/rd.Duration.Seconds()*100) / 100,
		"exerciseType":         rd.ExerciseType,
		"manufacturer":         "iGPSPORT",
		"product":              320,
		"productName":          rd.ProductName,
		"deviceInfo":           map[string]any{"deviceName": rd.ProductName, "softwareVersion": "2.31"},
		"status":               1,
		"errorType":            0,
		"dataSyncStravaStatus": 0,
		"fitUrl":               fitURL,
	})
}

func (s *Server) downloadURL(w http.ResponseWriter, r *http.Request) {
	rd, found := s.rideFor(w, r)
	if !found {
		return
	}
	link := s.objectURL(r, rd)
	if rd.Private {
		link = s.signedURL(r, rd)
	}
	ok(w, link)
}

// signedURL is a private object's link the way OSS signs them: an access
// key, an expiry and a signature in the query.
func (s *Server) signedURL(r *http.Request, rd *Ride) string {
	exp := strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)
	return s.objectURL(r, rd) + "?" + url.Values{
		"OSSAccessKeyId": {"LTAIfakeKey"}, "Expires": {exp}, "Signature": {s.ossSignature(rd.Object, exp)},
	}.Encode()
}

func (s *Server) ossSignature(object, expires string) string {
	m := hmac.New(sha256.New, s.secret)
	fmt.Fprintf(m, "GET\n%s\n%s", object, expires)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// signedFor reports a valid, unexpired signed link for object.
func (s *Server) signedFor(r *http.Request, object string) bool {
	q := r.URL.Query()
	exp, err := strconv.ParseInt(q.Get("Expires"), 10, 64)
	if err != nil || time.Now().Unix() > exp {
		return false
	}
	return hmac.Equal([]byte(q.Get("Signature")), []byte(s.ossSignature(object, q.Get("Expires"))))
}

// object is the storage bucket: plain unsigned object URLs. A bearer is
// ignored (recorded by Requests) unless StrictStorageAuth refuses it.
func (s *Server) object(w http.ResponseWriter, r *http.Request) {
	if s.opts.StrictStorageAuth && r.Header.Get("Authorization") != "" {
		ossError(w, http.StatusBadRequest, "InvalidArgument", "Authorization header is invalid.")
		return
	}
	name := r.PathValue("object")
	s.mu.Lock()
	var rd *Ride
	for _, x := range s.rides {
		if x.Object == name {
			rd = x
			break
		}
	}
	if rd == nil || s.removed[rd.RideID] {
		s.mu.Unlock()
		ossError(w, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
		return
	}
	if rd.Private && !s.signedFor(r, name) {
		s.mu.Unlock()
		ossError(w, http.StatusForbidden, "AccessDenied", "You have no right to access this object because of bucket acl.")
		return
	}
	var data []byte
	if s.emptyFrom == 0 || s.downloads < s.emptyFrom {
		data = s.fitLocked(rd)
		s.downloads++
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Header().Set("x-oss-request-id", fmt.Sprintf("%X", randomBytes(12)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(data)
}

func ossError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>
<Error>
  <Code>%s</Code>
  <Message>%s</Message>
  <RequestId>%X</RequestId>
  <HostId>igp-zh.oss-cn-hangzhou.aliyuncs.com</HostId>
</Error>
`, code, msg, randomBytes(12))
}

func atoiDefault(s string, def int) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return def
	}
	return n
}
