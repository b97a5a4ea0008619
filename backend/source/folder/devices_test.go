package folder

import (
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"
)

func TestDetectDeviceFolders(t *testing.T) {
	type file struct{ path, fixture string }
	tests := []struct {
		name  string
		files []file
		dirs  []string // empty folders to create
		want  map[string]string
	}{
		{
			name:  "Garmin Edge, upper-case GARMIN/Activity, empty",
			dirs:  []string{"GARMIN/Activity", "GARMIN/Courses", "GARMIN/NewFiles"},
			want:  map[string]string{"GARMIN/Activity": "Garmin"},
			files: nil,
		},
		{
			name: "Garmin/Activities with rides, courses elsewhere",
			files: []file{
				{"Garmin/Activities/2017-06-11-14-34-09.fit", "garmin_fenix5_2017-06-11_run_short.fit"},
				{"Garmin/Courses/route.fit", "course_stages_link_28832.fit"},
			},
			want: map[string]string{"Garmin/Activities": "Garmin"},
		},
		{
			name:  "Bryton, recognised by its files",
			files: []file{{"Bryton/Activity/20201017.fit", "bryton_2020-10-17_ride_no_laps.fit"}},
			want:  map[string]string{"Bryton/Activity": "Bryton"},
		},
		{
			name:  "iGPSport, recognised by its files whatever the folder name",
			files: []file{{"iGPSPORT/Sport/2021-06-27-09-20-13.fit", "igpsport_igs320_2021-06-27_ride_serial32B.fit"}},
			want:  map[string]string{"iGPSPORT/Sport": "iGPSport"},
		},
		{
			name:  "Wahoo over MTP (storage folder, then exports)",
			files: []file{{"Internal shared storage/exports/2017-08-21-081801-ELEMNT BOLT.fit", "wahoo_elemnt_bolt_2017-08-21_no_app_id.fit"}},
			want:  map[string]string{"Internal shared storage/exports": "Wahoo"},
		},
		{
			name: "no rides: courses, photos, system folders, too deep",
			files: []file{
				{"Courses/route.fit", "course_stages_link_28832.fit"},
				{"System Volume Information/ride.fit", "garmin_fenix5_2017-06-11_run_short.fit"},
				{".Trashes/ride.fit", "garmin_fenix5_2017-06-11_run_short.fit"},
				{"a/b/c/d/ride.fit", "garmin_fenix5_2017-06-11_run_short.fit"},
			},
			dirs: []string{"DCIM/100CANON"},
			want: map[string]string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			for _, d := range tt.dirs {
				if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			for _, f := range tt.files {
				writeFile(t, root, f.path, fixture(t, f.fixture), longAgo)
			}
			got := map[string]string{}
			for _, d := range DetectDeviceFolders(root) {
				rel, _ := filepath.Rel(root, d.Path)
				got[filepath.ToSlash(rel)] = d.Kind
				if d.Why == "" {
					t.Errorf("%s: no reason", rel)
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("found %v, want %v", got, tt.want)
			}
		})
	}
}

func TestMountRoots(t *testing.T) {
	tree := map[string][]string{
		"/media/ann":          {"GARMIN", "BRYTON"},
		"/run/media/ann":      {"IGPSPORT"},
		"/mnt":                {"usb"},
		"/run/user/1000/gvfs": {"mtp:host=Wahoo_ELEMNT_BOLT"},
		"/Volumes":            {"Macintosh HD", "GARMIN", ".timemachine"},
	}
	tests := []struct {
		name string
		sys  system
		want []string
	}{
		{
			name: "Linux",
			sys:  fakeSystem("linux", "/home/ann", map[string]string{"USER": "ann"}, nil),
			want: []string{"/media/ann/BRYTON", "/media/ann/GARMIN", "/run/media/ann/IGPSPORT", "/mnt/usb", "/run/user/1000/gvfs/mtp:host=Wahoo_ELEMNT_BOLT"},
		},
		{
			name: "macOS",
			sys:  fakeSystem("darwin", "/Users/ann", nil, nil),
			want: []string{"/Volumes/GARMIN"},
		},
		{
			name: "Windows",
			sys:  fakeSystem("windows", "", nil, []string{`C:\`, `E:\`, `G:\`}),
			want: []string{`E:\`, `G:\`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.sys
			s.uid = "1000"
			s.subdirs = func(p string) []string {
				names := append([]string(nil), tree[p]...)
				sort.Sort(sort.Reverse(sort.StringSlice(names))) // order must not depend on the listing
				return names
			}
			s.isLink = func(p string) bool { return p == "/Volumes/Macintosh HD" }
			if got := mountRoots(s); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("mountRoots = %v, want %v", got, tt.want)
			}
		})
	}
}
