package trainingpeaks

import (
	"bytes"
	"encoding/base64"
	"errors"
	"math/rand"
	"strconv"
	"strings"
	"testing"

	"fitbridge/backend/fakes/trainingpeaksfake"
	"fitbridge/backend/source"
)

// seededActivities seeds a year with every special kind and lists it.
func seededActivities(t *testing.T, h *harness, c *Client) map[trainingpeaksfake.Kind][]source.Activity {
	t.Helper()
	seeded := h.fake.Seed(60, day("2025-10-01"), day("2026-09-30"), rand.New(rand.NewSource(11)))
	kind := map[string]trainingpeaksfake.Kind{}
	for _, w := range seeded {
		kind[strconv.FormatInt(w.ID, 10)] = w.Kind
	}
	out := map[trainingpeaksfake.Kind][]source.Activity{}
	for _, a := range list(t, c, source.Query{Since: day("2025-10-01"), Until: day("2026-09-30")}) {
		out[kind[a.RemoteID]] = append(out[kind[a.RemoteID]], a)
	}
	return out
}

func wid(t *testing.T, a source.Activity) int64 {
	t.Helper()
	id, err := strconv.ParseInt(a.RemoteID, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// Both ways a file can come: its own bytes, or JSON with them in base64.
func TestDownloadByKind(t *testing.T) {
	for _, asJSON := range []bool{false, true} {
		t.Run(map[bool]string{false: "bytes", true: "wrapped in JSON"}[asJSON], func(t *testing.T) { testDownloadByKind(t, asJSON) })
	}
}

func testDownloadByKind(t *testing.T, asJSON bool) {
	h := newHarness(t, trainingpeaksfake.Options{FilesAsJSON: asJSON})
	c := h.client(t, nil)
	byKind := seededActivities(t, h, c)

	tests := []struct {
		kind       trainingpeaksfake.Kind
		skip       string // reason, when the workout cannot be synced
		permanent  bool
		wantFormat string // sniffed format of the bytes returned
	}{
		{kind: trainingpeaksfake.KindFIT, wantFormat: "fit"},
		{kind: trainingpeaksfake.KindFITRaw, wantFormat: "fit"},
		{kind: trainingpeaksfake.KindFITMisnamed, wantFormat: "fit"},
		{kind: trainingpeaksfake.KindMerged, wantFormat: "fit"},
		{kind: trainingpeaksfake.KindNegativeID, wantFormat: "fit"},
		{kind: trainingpeaksfake.KindNullTitle, wantFormat: "fit"},
		{kind: trainingpeaksfake.KindTCX, wantFormat: "tcx"},
		{kind: trainingpeaksfake.KindGPX, wantFormat: "gpx"},
		{kind: trainingpeaksfake.KindAttachment, wantFormat: "fit"},
		{kind: trainingpeaksfake.KindManual, skip: "no file on TrainingPeaks (manual entry)", permanent: true},
		{kind: trainingpeaksfake.KindPWX, skip: "unsupported format on TrainingPeaks (only PWX, which Intervals.icu cannot read)", permanent: true},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			as := byKind[tt.kind]
			if len(as) == 0 {
				t.Fatalf("no %s workout listed", tt.kind)
			}
			a := as[0]
			data, err := c.Download(t.Context(), a)
			if tt.skip != "" {
				se, ok := skipErr(err)
				if !ok || se.Reason != tt.skip || se.Permanent != tt.permanent {
					t.Fatalf("Download = %v, want skip %q (permanent %v)", err, tt.skip, tt.permanent)
				}
				if n := h.fake.DownloadsOf(wid(t, a)); n != 0 {
					t.Fatalf("%d file downloads for a workout without a usable file", n)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if want := h.fake.FileBytes(wid(t, a)); !bytes.Equal(data, want) {
				t.Fatalf("got %d bytes (head %x), want the original %d bytes uncompressed", len(data), data[:min(12, len(data))], len(want))
			}
			if got := sniff(data); got != tt.wantFormat {
				t.Fatalf("format %q, want %q", got, tt.wantFormat)
			}
		})
	}

	// A negative fileId goes into the URL as it is.
	w, _ := h.fake.Workout(wid(t, byKind[trainingpeaksfake.KindNegativeID][0]))
	path := "/rawfiledata/" + strconv.FormatInt(w.Files[0].ID, 10)
	if w.Files[0].ID >= 0 || !requested(h.fake, path) {
		t.Fatalf("negative file id %d: %s not requested", w.Files[0].ID, path)
	}
	// The auto_merged file is never fetched.
	m, _ := h.fake.Workout(wid(t, byKind[trainingpeaksfake.KindMerged][0]))
	if requested(h.fake, "/rawfiledata/"+strconv.FormatInt(m.Files[0].ID, 10)) {
		t.Fatalf("the auto_merged file %s was downloaded", m.Files[0].Name)
	}
	h.secretsLogged(t)
}

func TestUnwrapJSONFile(t *testing.T) {
	fit := []byte("\x0e\x10\x00\x00\x00\x00\x00\x00.FIT")
	tests := []struct {
		name, body string
		wrapped    bool
		want       []byte
		err        string
	}{
		{"raw FIT", string(fit), false, fit, ""},
		{"standard base64", `{"fileName":"a.fit","data":"` + base64.StdEncoding.EncodeToString(fit) + `"}`, true, fit, ""},
		{"unpadded base64", `{"data":"` + base64.RawStdEncoding.EncodeToString(fit) + `"}`, true, fit, ""},
		{"JSON without data", `{"message":"Access denied"}`, false, []byte(`{"message":"Access denied"}`), ""},
		{"data not base64", `{"data":"%%%"}`, true, nil, "not base64"},
		{"empty data", `{"data":""}`, true, nil, "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, wrapped, err := unwrapJSONFile([]byte(tt.body))
			if wrapped != tt.wrapped || !bytes.Equal(got, tt.want) || (tt.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.err)) {
				t.Fatalf("got %q wrapped %v err %v", got, wrapped, err)
			}
		})
	}
}

func requested(f *trainingpeaksfake.Server, pathSuffix string) bool {
	for _, r := range f.Requests() {
		if strings.HasSuffix(r.Path, pathSuffix) && r.Status == 200 {
			return true
		}
	}
	return false
}

func TestDownloadDeletedWorkout(t *testing.T) {
	h := newHarness(t, trainingpeaksfake.Options{})
	c := h.client(t, nil)
	byKind := seededActivities(t, h, c)
	a := byKind[trainingpeaksfake.KindFIT][0]
	h.fake.Delete(wid(t, a))
	_, err := c.Download(t.Context(), a)
	se, ok := skipErr(err)
	if !ok || se.Reason != "deleted on TrainingPeaks" || !se.Permanent {
		t.Fatalf("Download = %v, want a permanent skip", err)
	}
	// Deleted rows that the list still shows (isDeleted) are never listed.
	if n := len(byKind[trainingpeaksfake.KindDeletedRow]); n != 0 {
		t.Fatalf("%d isDeleted rows listed", n)
	}
}

// On an account whose downloads are refused, each workout is skipped with an
// explanation and the run goes on; the session is renewed once, not per file.
func TestDownloadForbidden(t *testing.T) {
	h := newHarness(t, trainingpeaksfake.Options{FreeAccount403: true})
	c := h.client(t, nil)
	byKind := seededActivities(t, h, c)
	fits := byKind[trainingpeaksfake.KindFIT]
	if len(fits) < 3 {
		t.Fatalf("only %d FIT workouts", len(fits))
	}
	for _, a := range fits[:3] {
		_, err := c.Download(t.Context(), a)
		se, ok := skipErr(err)
		if !ok || se.Permanent || !strings.Contains(se.Reason, "(403)") || !strings.Contains(se.Reason, "account type may not allow file downloads") {
			t.Fatalf("Download = %v, want a retry-later skip explaining the 403", err)
		}
	}
	if n := h.fake.Exchanges(); n != 2 {
		t.Fatalf("%d exchanges, want 2 (one more after the first 403 only)", n)
	}
}

// A web page served 200 in place of the file is never taken for the file.
// Whether the rider must sign in again is settled by a fresh exchange, and
// nothing is skipped for good: a later run tries again.
func TestDownloadWebPageInsteadOfFile(t *testing.T) {
	tests := []struct {
		name       string
		page       trainingpeaksfake.WebPage
		revoke     bool // the session is gone as well
		wantSignIn bool
		wantIn     string
	}{
		{"sign-in page, session still good", trainingpeaksfake.WebPageSignIn, false, false, "sent its sign-in page instead of the file, although the saved sign-in still works"},
		{"sign-in page, session gone", trainingpeaksfake.WebPageSignIn, true, true, "sent a web page instead of the file"},
		{"maintenance page", trainingpeaksfake.WebPageError, false, false, "sent a web page instead of the file (an error or maintenance page?)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, trainingpeaksfake.Options{FilesAsWebPage: tt.page})
			c := h.client(t, nil)
			byKind := seededActivities(t, h, c)
			if tt.revoke {
				h.fake.RevokeCookie() // the bearer in hand lives on
			}
			for _, k := range []trainingpeaksfake.Kind{trainingpeaksfake.KindFIT, trainingpeaksfake.KindTCX, trainingpeaksfake.KindFITRaw} {
				data, err := c.Download(t.Context(), byKind[k][0])
				if err == nil {
					t.Fatalf("%s: took %d bytes of a web page (head %q) for the file", k, len(data), data[:min(40, len(data))])
				}
				if _, ok := skipErr(err); ok {
					t.Fatalf("%s: %v is a skip; want a failure tried again later", k, err)
				}
				if errors.Is(err, source.ErrNeedsSignIn) != tt.wantSignIn || !strings.Contains(err.Error(), tt.wantIn) {
					t.Fatalf("%s: %v; want needs-sign-in %v and %q", k, err, tt.wantSignIn, tt.wantIn)
				}
			}
			if !strings.Contains(h.logs.String(), "sent a web page instead of the file") {
				t.Fatalf("the web page is not logged:\n%s", h.logs.String())
			}
			h.secretsLogged(t)
		})
	}
}

func TestSniff(t *testing.T) {
	fit := []byte{14, 0x10, 0x2b, 0x08, 0, 0, 0, 0, '.', 'F', 'I', 'T', 0, 0}
	tests := []struct {
		in, want string
	}{
		{string(fit), "fit"},
		{"\xef\xbb\xbf<?xml version=\"1.0\"?>\n<!-- Garmin -->\n<TrainingCenterDatabase xmlns=\"x\">", "tcx"},
		{"<tcx:TrainingCenterDatabase>", "tcx"},
		{"  <?xml version=\"1.0\"?><gpx version=\"1.1\">", "gpx"},
		{"<!DOCTYPE html><html><head><title>Log In</title>", "html"},
		{"\n<html lang=\"en\">", "html"},
		{"<?xml version=\"1.0\"?><!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0//EN\"><html>", "html"},
		{"<head><title>Error</title></head>", "html"},
		{"<pwx version=\"1.0\">", "pwx"},
		{"<?xml version=\"1.0\"?>", ""},
		{"<!-- unterminated", ""},
		{"Invalid workoutId (42)", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got := sniff([]byte(tt.in))
		if tt.want == "pwx" {
			tt.want = "" // XML, but nothing Intervals.icu reads
		}
		if got != tt.want {
			t.Errorf("sniff(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPickFile(t *testing.T) {
	dev := func(id, name string) fileInfo { return fileInfo{FileID: flexID(id), FileName: name} }
	tests := []struct {
		name     string
		d        detailsAnswer
		want     string
		attach   bool
		reasonIn string
	}{
		{"first fit wins", detailsAnswer{WorkoutDeviceFileInfos: []fileInfo{dev("1", "a.tcx"), dev("2", "b.FIT.GZ"), dev("3", "c.fit")}}, "2", false, ""},
		{"auto_merged skipped", detailsAnswer{WorkoutDeviceFileInfos: []fileInfo{dev("9", "auto_merged_1.fit"), dev("-568394398", "480567774272323786.fit.gz")}}, "-568394398", false, ""},
		{"tcx before gpx", detailsAnswer{WorkoutDeviceFileInfos: []fileInfo{dev("4", "x.gpx"), dev("5", "x.tcx.gz")}}, "5", false, ""},
		{"attachment fit before tcx", detailsAnswer{WorkoutDeviceFileInfos: []fileInfo{dev("5", "x.tcx")}, AttachmentFileInfos: []fileInfo{dev("7", "notes.pdf"), dev("8", "ride.fit")}}, "8", true, ""},
		{"pwx only", detailsAnswer{WorkoutDeviceFileInfos: []fileInfo{dev("6", "a.pwx"), dev("7", "b.pwx")}}, "", false, "only PWX"},
		{"merged only", detailsAnswer{WorkoutDeviceFileInfos: []fileInfo{dev("9", "auto_merged_1.fit")}}, "", false, "auto_merged"},
		{"manual entry", detailsAnswer{}, "", false, "manual entry"},
		{"attachment without fit", detailsAnswer{AttachmentFileInfos: []fileInfo{dev("7", "notes.pdf")}}, "", false, "manual entry"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, reason := pickFile(tt.d)
			if tt.reasonIn != "" {
				if !strings.Contains(reason, tt.reasonIn) {
					t.Fatalf("reason %q, want it to mention %q", reason, tt.reasonIn)
				}
				return
			}
			if reason != "" || got.id != tt.want || got.attachment != tt.attach {
				t.Fatalf("picked %+v (%q), want %s attachment=%v", got, reason, tt.want, tt.attach)
			}
		})
	}
}
