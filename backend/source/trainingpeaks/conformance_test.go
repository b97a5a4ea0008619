package trainingpeaks

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"fitbridge/backend/fakes/trainingpeaksfake"
	"fitbridge/backend/source"
	"fitbridge/backend/source/sourcetest"
)

// conformanceFake is the TrainingPeaks fake as the conformance suite drives it.
type conformanceFake struct {
	fake   *trainingpeaksfake.Server
	url    string
	cookie string
}

func (f *conformanceFake) Config() source.Config {
	return source.Config{BaseURL: f.url, Token: f.cookie, Settings: map[string]string{SettingMinInterval: "0s"}}
}

func (f *conformanceFake) AddRide(r sourcetest.Ride) string {
	if r.File == nil {
		// Completed by hand: actuals, no file.
		return strconv.FormatInt(f.fake.Add(f.fake.NewWorkout(nil, 0, trainingpeaksfake.KindManual, r.Start)).ID, 10)
	}
	w := f.fake.NewWorkout(nil, 0, trainingpeaksfake.KindFITRaw, r.Start)
	// TrainingPeaks names the file by its format; a web page comes named as the FIT it replaces.
	name := sourcetest.FileName(r.File)
	if name == "activity.html" {
		name = "activity.fit"
	}
	file := trainingpeaksfake.File{Name: name, ContentType: "application/octet-stream", Want: true}
	w.Files = []trainingpeaksfake.File{file.WithData(r.File)}
	return strconv.FormatInt(f.fake.Add(w).ID, 10)
}

func (f *conformanceFake) ExpireSession() { f.fake.RevokeCookie() }

func TestConformance(t *testing.T) {
	sourcetest.Run(t, sourcetest.Harness{
		Name: Name,
		Start: func(t *testing.T) sourcetest.Fake {
			fk := trainingpeaksfake.New(trainingpeaksfake.Options{})
			u := fk.Start()
			t.Cleanup(fk.Close)
			return &conformanceFake{fake: fk, url: u, cookie: fk.IssueCookie()}
		},
		// TrainingPeaks keeps whatever the device or the rider uploaded.
		Accepts: []sourcetest.Kind{sourcetest.FIT, sourcetest.GzipFIT, sourcetest.TCX, sourcetest.GPX},
		IsFile: func(r *http.Request) bool {
			return strings.Contains(r.URL.Path, "/rawfiledata/") || strings.Contains(r.URL.Path, "/attachments/")
		},
		// Workouts are listed by the athlete's day, in windows of up to 90 days.
		WindowDays: windowDays,
		Day:        24 * time.Hour,
	})
}
