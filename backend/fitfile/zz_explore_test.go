package fitfile

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestZZExplore(t *testing.T) {
	files, _ := filepath.Glob("testdata/*")
	for _, f := range files {
		if filepath.Ext(f) == ".md" {
			continue
		}
		data, _ := os.ReadFile(f)
		t0 := time.Now()
		s, err := Summarize(data)
		d := time.Since(t0)
		fmt.Printf("%-52s %v err=%v\n   %s/%s start=%s el=%.1f tm=%.1f dist=%.1f pw=%.1f hr=%.1f manu=%d %q prod=%d %q dev=%q ft=%q n=%d type=%s note=%q dec=%q\n", filepath.Base(f), d, err, s.Sport, s.SubSport, s.Start.Format(time.RFC3339), s.ElapsedS, s.TimerS, s.DistanceM, s.AvgPowerW, s.AvgHR, s.ManufacturerID, s.Manufacturer, s.ProductID, s.Product, s.Device, s.FileType, len(s.Sessions), s.IntervalsType(), s.Note, s.Decoder)
	}
}
