package trainingpeaks

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"

	"fitbridge/backend/httpcall"
	"fitbridge/backend/source"

	"fitbridge/backend/reason"
)

// Rider-facing reasons.
var (
	reasonManual  = reason.PlatformManualEntry.Text("TrainingPeaks")
	reasonDeleted = reason.PlatformDeleted.Text("TrainingPeaks")
	reasonMerged  = reason.PlatformMergedOnly.Text("TrainingPeaks")
	// Not permanent: upgrading the account (or a passing refusal) makes a later run work.
	reasonForbidden = reason.PlatformRefusedFile.Text("TrainingPeaks", "TrainingPeaks Premium")
)

type fileInfo struct {
	FileID       flexID `json:"fileId"`
	AttachmentID flexID `json:"attachmentId"`
	FileName     string `json:"fileName"`
}

type detailsAnswer struct {
	WorkoutDeviceFileInfos []fileInfo `json:"workoutDeviceFileInfos"`
	AttachmentFileInfos    []fileInfo `json:"attachmentFileInfos"`
}

// choice is the file chosen for a workout.
type choice struct {
	id, name   string
	attachment bool
}

// format is a file's kind judged by its name, a trailing .gz ignored.
func format(name string) string {
	n := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(name)), ".gz")
	ext := strings.TrimPrefix(path.Ext(n), ".")
	if ext == "" {
		return "unnamed"
	}
	return ext
}

// pickFile chooses the original recording: the first device FIT (TP's own
// auto_merged output skipped), else a FIT attachment, else a device TCX or
// GPX (Intervals.icu reads those; not PWX). The reason is set when nothing fits.
func pickFile(d detailsAnswer) (choice, string) {
	var tcx, gpx *choice
	var others []string
	merged := false
	for _, f := range d.WorkoutDeviceFileInfos {
		// The id goes into the download path: anything but a number
		// ("../x", "1?y") is treated as no id at all.
		id := string(f.FileID)
		if !validID(id) {
			continue
		}
		if strings.HasPrefix(strings.ToLower(strings.TrimSpace(f.FileName)), "auto_merged") {
			merged = true
			continue
		}
		switch format(f.FileName) {
		case "fit":
			return choice{id: id, name: f.FileName}, ""
		case "tcx":
			if tcx == nil {
				tcx = &choice{id: id, name: f.FileName}
			}
		case "gpx":
			if gpx == nil {
				gpx = &choice{id: id, name: f.FileName}
			}
		default:
			others = append(others, strings.ToUpper(format(f.FileName)))
		}
	}
	for _, f := range d.AttachmentFileInfos {
		id := string(f.AttachmentID)
		if id == "" {
			id = string(f.FileID)
		}
		if validID(id) && format(f.FileName) == "fit" {
			return choice{id: id, name: f.FileName, attachment: true}, ""
		}
	}
	switch {
	case tcx != nil:
		return *tcx, ""
	case gpx != nil:
		return *gpx, ""
	case len(others) > 0:
		return choice{}, reason.PlatformUnknownFormats.Text("TrainingPeaks", strings.Join(dedupe(others), ", "))
	case merged:
		return choice{}, reasonMerged
	}
	return choice{}, reasonManual
}

func dedupe(ss []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func invalidWorkout(r *response) bool {
	return r.status == http.StatusBadRequest && strings.Contains(strings.ToLower(string(r.body)), "invalid workoutid")
}

// validID accepts TP's numeric ids, negative ones included (int32 overflow).
func validID(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" || len(s) > 20 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Download fetches the workout's original file and returns it uncompressed
// (TrainingPeaks stores it gzipped; Intervals.icu's duplicate hash is best
// served by the device's own bytes). Workouts without a usable file give a
// *source.SkipError with a reason the rider understands.
func (c *Client) Download(ctx context.Context, a source.Activity) ([]byte, error) {
	wid := a.RemoteID
	what := "download TrainingPeaks workout " + wid
	if !validID(wid) {
		return nil, fmt.Errorf("%s: not a TrainingPeaks workout id", what)
	}
	aid := a.Extra["athlete"]
	if !validID(aid) {
		ath, err := c.resolveAthlete(ctx)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		aid = ath.id
	}
	base := "/fitness/v6/athletes/" + aid + "/workouts/" + wid

	r, err := c.get(ctx, what+": details", base+"/details", callData)
	if err != nil {
		return nil, err
	}
	switch {
	case r.status == http.StatusOK:
	case invalidWorkout(r):
		return nil, source.Skip("%s", reasonDeleted)
	case r.status == http.StatusForbidden:
		return nil, &source.SkipError{Reason: reason.PlatformRefusedDetails.Text("TrainingPeaks"), Permanent: false}
	default:
		return nil, unexpected(what+": details", r)
	}
	var det detailsAnswer
	if err := json.Unmarshal(r.body, &det); err != nil {
		return nil, fmt.Errorf("%s: details unreadable (%v; keys %v)", what, err, httpcall.JSONKeys(r.body))
	}
	pick, reason := pickFile(det)
	c.log.Debug("trainingpeaks files", "workout", wid, "device_files", len(det.WorkoutDeviceFileInfos),
		"attachments", len(det.AttachmentFileInfos), "picked", pick.name, "file_id", pick.id, "attachment", pick.attachment, "skip", reason)
	if reason != "" {
		return nil, source.Skip("%s", reason)
	}

	filePath := base + "/rawfiledata/" + pick.id
	if pick.attachment {
		filePath = base + "/attachments/" + pick.id + "/raw"
	}
	r, err = c.get(ctx, what, filePath, callFile)
	if err != nil {
		return nil, err
	}
	switch {
	case r.status == http.StatusOK:
	case invalidWorkout(r):
		return nil, source.Skip("%s", reasonDeleted)
	case r.status == http.StatusForbidden:
		c.filesRefused.Store(true)
		return nil, &source.SkipError{Reason: reasonForbidden, Permanent: false}
	case r.status == http.StatusNotFound:
		return nil, fmt.Errorf("%s: file %s (%s) is listed but TrainingPeaks cannot find it (HTTP 404)", what, pick.id, pick.name)
	default:
		return nil, unexpected(what, r)
	}
	head := r.body[:min(12, len(r.body))]
	c.log.Debug("trainingpeaks download",
		"workout", wid, "file_id", pick.id, "name", pick.name,
		"content_type", r.header.Get("Content-Type"), "content_encoding", r.header.Get("Content-Encoding"),
		"content_disposition", r.header.Get("Content-Disposition"), "bytes", len(r.body),
		"head", hex.EncodeToString(head), "gzip", isGzip(r.body))
	body, wrapped, err := unwrapJSONFile(r.body)
	if err != nil {
		return nil, fmt.Errorf("%s: file %s: %w", what, pick.name, err)
	}
	if wrapped {
		c.log.Debug("trainingpeaks file came wrapped in JSON", "workout", wid, "file_id", pick.id,
			"keys", httpcall.JSONKeys(r.body), "bytes", len(body), "gzip", isGzip(body))
	}
	data, err := gunzipIfNeeded(body)
	if err != nil {
		return nil, fmt.Errorf("%s: file %s: %w", what, pick.name, err)
	}
	kind := sniff(data)
	if kind != "fit" && kind != "tcx" && kind != "gpx" {
		return nil, c.notTheFile(ctx, what, wid, pick, r, data, kind)
	}
	if named := format(pick.name); named != kind || isHTMLType(r.header.Get("Content-Type")) {
		// The bytes are an activity file; only the name or label is odd
		// (names cannot be trusted). Worth knowing, not refusing.
		c.log.Info("trainingpeaks file differs from its name or label", "workout", wid, "file_id", pick.id,
			"named", named, "kind", kind, "content_type", r.header.Get("Content-Type"))
	}
	return data, nil
}

// notTheFile explains bytes that are not the file asked for. A web page is
// most likely the sign-in page of a lost session, but may be an error page:
// a fresh cookie exchange tells which, so the rider is only asked to sign in
// when that is the cure.
func (c *Client) notTheFile(ctx context.Context, what, wid string, pick choice, r *response, data []byte, kind string) error {
	ct := r.header.Get("Content-Type")
	if kind != "html" && !isHTMLType(ct) {
		return fmt.Errorf("%s: file %s is neither FIT, TCX nor GPX (starts %x)", what, pick.name, data[:min(12, len(data))])
	}
	signIn := signInPage(r.path, data)
	c.log.Info("trainingpeaks sent a web page instead of the file",
		"workout", wid, "file_id", pick.id, "path", r.path, "content_type", ct, "bytes", len(data),
		"title", pageTitle(data), "sign_in_page", signIn)
	if err := c.recheckSession(ctx); err != nil {
		return fmt.Errorf("%s: TrainingPeaks sent a web page instead of the file: %w", what, err)
	}
	if signIn {
		return fmt.Errorf("%s: TrainingPeaks sent its sign-in page instead of the file, although the saved sign-in still works; will try again later", what)
	}
	return fmt.Errorf("%s: TrainingPeaks sent a web page instead of the file (an error or maintenance page?); the sign-in still works, so will try again later", what)
}

func isHTMLType(ct string) bool {
	mt, _, _ := strings.Cut(ct, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	return mt == "text/html" || mt == "application/xhtml+xml"
}

// signInPage: redirected to a login path, or a page with a password field.
func signInPage(finalPath string, body []byte) bool {
	p := strings.ToLower(finalPath)
	if strings.Contains(p, "/login") || strings.Contains(p, "/signin") {
		return true
	}
	head := bytes.ToLower(body[:min(len(body), 64<<10)])
	return bytes.Contains(head, []byte(`type="password"`)) || bytes.Contains(head, []byte(`name="password"`))
}

// pageTitle is a web page's <title>, short, for the log.
func pageTitle(body []byte) string {
	head := body[:min(len(body), 16<<10)]
	lower := bytes.ToLower(head)
	i := bytes.Index(lower, []byte("<title"))
	if i < 0 {
		return ""
	}
	j := bytes.IndexByte(lower[i:], '>')
	if j < 0 {
		return ""
	}
	rest := head[i+j+1:]
	if k := bytes.Index(bytes.ToLower(rest), []byte("</title")); k >= 0 {
		rest = rest[:k]
	}
	t := snippet(rest)
	if len(t) > 80 {
		t = strings.ToValidUTF8(t[:80], "") + "…"
	}
	return t
}

// unwrapJSONFile takes a file answered as JSON with the bytes in base64
// ({data, fileName, contentType}; one public client decodes that form) out
// of its wrapper. Anything else comes back unchanged with wrapped false.
func unwrapJSONFile(b []byte) (out []byte, wrapped bool, err error) {
	t := bytes.TrimSpace(b)
	if len(t) == 0 || t[0] != '{' {
		return b, false, nil
	}
	var w struct {
		Data *string `json:"data"`
	}
	if json.Unmarshal(t, &w) != nil || w.Data == nil {
		return b, false, nil
	}
	s := strings.TrimSpace(*w.Data)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if out, err := enc.DecodeString(s); err == nil {
			if len(out) == 0 {
				return nil, true, errors.New("the JSON answer's data is empty")
			}
			return out, true, nil
		}
	}
	return nil, true, fmt.Errorf("the JSON answer's data (%d characters) is not base64", len(s))
}

func isGzip(b []byte) bool { return len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b }

// gunzipIfNeeded trusts the bytes, not the name: gzip magic means gunzip.
func gunzipIfNeeded(b []byte) ([]byte, error) {
	if !isGzip(b) {
		return b, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	defer zr.Close()
	out, err := io.ReadAll(io.LimitReader(zr, maxFileBody+1))
	if err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	if len(out) > maxFileBody {
		return nil, errors.New("gzip: unpacks to more than 512 MB")
	}
	return out, nil
}

// sniff names what the bytes are: "fit" for a FIT header, "tcx" or "gpx" by
// the XML root element, "html" for a web page, "" for anything else.
func sniff(b []byte) string {
	if len(b) >= 12 && string(b[8:12]) == ".FIT" {
		return "fit"
	}
	switch xmlRoot(b) {
	case "trainingcenterdatabase":
		return "tcx"
	case "gpx":
		return "gpx"
	case "html", "head", "body":
		return "html"
	}
	return ""
}

// xmlRoot is the lower-case local name of the first element, after a BOM,
// blanks, the XML declaration, comments and a doctype ("html" for an HTML
// doctype). Only the first kilobytes are read: a root further in is no root.
func xmlRoot(b []byte) string {
	b = b[:min(len(b), 8<<10)]
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	for {
		b = bytes.TrimLeft(b, " \t\r\n")
		switch {
		case bytes.HasPrefix(b, []byte("<?")):
			end := bytes.Index(b, []byte("?>"))
			if end < 0 {
				return ""
			}
			b = b[end+2:]
		case bytes.HasPrefix(b, []byte("<!--")):
			end := bytes.Index(b[4:], []byte("-->"))
			if end < 0 {
				return ""
			}
			b = b[4+end+3:]
		case len(b) >= 9 && strings.EqualFold(string(b[:9]), "<!doctype"):
			end := bytes.IndexByte(b, '>')
			if end < 0 {
				return ""
			}
			if f := bytes.Fields(b[9:end]); len(f) > 0 && strings.EqualFold(string(f[0]), "html") {
				return "html"
			}
			b = b[end+1:]
		case bytes.HasPrefix(b, []byte("<")):
			name := b[1:]
			end := bytes.IndexAny(name, " \t\r\n/>")
			if end <= 0 {
				return ""
			}
			name = name[:end]
			if i := bytes.LastIndexByte(name, ':'); i >= 0 {
				name = name[i+1:] // tcx:TrainingCenterDatabase
			}
			return strings.ToLower(string(name))
		default:
			return ""
		}
	}
}
