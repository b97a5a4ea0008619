package fitfile

import "testing"

// Compares the scanner with tormoder/fit and muktihari/fit (both decoding the
// whole file, default options) on files all three read. Run with
//
//	go test -run '^$' -bench Summarize -benchmem ./backend/fitfile
var benchFiles = []string{
	"wahoo_elemnt_2019-02-17_ride_6h.fit",
	"garmin_edge530_2020-11-07_road.fit",
	"mywhoosh_2026-01-10_virtualride.fit",
}

func benchEach(b *testing.B, run func(testing.TB, []byte)) {
	for _, name := range benchFiles {
		data := readFixture(b, name)
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				run(b, data)
			}
		})
	}
}

func BenchmarkSummarizeScanner(b *testing.B) {
	benchEach(b, func(tb testing.TB, data []byte) {
		if _, err := Summarize(data); err != nil {
			tb.Fatal(err)
		}
	})
}

func BenchmarkSummarizeMuktihari(b *testing.B) {
	benchEach(b, func(tb testing.TB, data []byte) {
		if act, _, err := mukti(data, false); err != nil || act == nil {
			tb.Fatal(err)
		}
	})
}

func BenchmarkSummarizeTormoder(b *testing.B) {
	benchEach(b, func(tb testing.TB, data []byte) {
		f, err := tormoder(data)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := f.Activity(); err != nil {
			tb.Fatal(err)
		}
	})
}

func BenchmarkReadStreams(b *testing.B) {
	benchEach(b, func(tb testing.TB, data []byte) {
		if _, err := ReadStreams(data, 1000); err != nil {
			tb.Fatal(err)
		}
	})
}
