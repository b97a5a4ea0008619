package folder

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"fitbridge/backend/plan"
	"fitbridge/backend/reason"
	"fitbridge/backend/source"
)

// SettingWorkoutsAccount picks the Zwift account whose Workouts folder gets
// planned workouts when this computer has several (its numeric id).
const SettingWorkoutsAccount = "workouts_account"

// workoutsSubfolder is FitBridge's own folder inside an account's workouts:
// Zwift lists it as a group, and FitBridge never touches anything outside it.
const workoutsSubfolder = "FitBridge"

// zwiftWorkouts delivers planned workouts as .zwo files into Zwift's custom
// workouts folder: Workouts/<account id>/ beside the Activities folder, in
// the new and the legacy Zwift data folder alike.
type zwiftWorkouts struct {
	dir string // Workouts/<account id>/FitBridge
}

func newZwiftWorkouts(cfg source.Config) (plan.Target, error) {
	activities, err := configuredDirs("zwift", cfg)
	if err != nil {
		return nil, err
	}
	account, err := zwiftAccountDir(activities, cfg.Settings[SettingWorkoutsAccount])
	if err != nil {
		return nil, err
	}
	return &zwiftWorkouts{dir: filepath.Join(account, workoutsSubfolder)}, nil
}

var accountID = regexp.MustCompile(`^[0-9]+$`)

// zwiftAccountDir finds the account folder under Workouts. Zwift makes it
// (named by the account's numeric id) the first time the rider opens custom
// workouts; with several accounts on one computer the chosen one, else the
// one Zwift used last, is taken.
func zwiftAccountDir(activities []string, chosen string) (string, error) {
	type account struct {
		path string
		used int64
	}
	var found []account
	for _, a := range activities {
		root := filepath.Join(filepath.Dir(filepath.Clean(a)), "Workouts")
		entries, err := os.ReadDir(root)
		if err != nil {
			continue
		}
		for _, e := range entries {
			if !e.IsDir() || !accountID.MatchString(e.Name()) {
				continue
			}
			if chosen != "" && e.Name() != chosen {
				continue
			}
			info, err := e.Info()
			if err != nil {
				continue
			}
			found = append(found, account{filepath.Join(root, e.Name()), info.ModTime().UnixNano()})
		}
	}
	if len(found) == 0 {
		if chosen != "" {
			return "", fmt.Errorf("no Zwift workouts folder for account %s beside %s", chosen, strings.Join(activities, ", "))
		}
		return "", errors.New(reason.WorkoutNoFolderYet.Text("Zwift", "Zwift"))
	}
	sort.Slice(found, func(i, j int) bool { return found[i].used > found[j].used })
	return found[0].path, nil
}

func (z *zwiftWorkouts) Accepts() plan.Accepts { return zwiftAccepts }

func (z *zwiftWorkouts) Deliver(_ context.Context, w plan.Workout, prev plan.Delivery) (plan.Delivery, error) {
	title := w.Date.Format("2006-01-02") + " " + w.Name
	data, err := encodeZWO(w, title)
	if err != nil {
		return plan.Delivery{}, err
	}
	if err := os.MkdirAll(z.dir, 0o755); err != nil {
		return plan.Delivery{}, fmt.Errorf("make the FitBridge folder in Zwift's workouts: %w", err)
	}
	path := filepath.Join(z.dir, fileName(title, w.ID))
	if err := writeFileAtomic(path, data); err != nil {
		return plan.Delivery{}, fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	if prev.Ref != "" && prev.Ref != path {
		if err := z.Remove(context.Background(), prev); err != nil {
			return plan.Delivery{Ref: path}, err
		}
	}
	return plan.Delivery{Ref: path}, nil
}

// Remove deletes a file FitBridge wrote, and only such a file: the path
// must lie in a FitBridge folder of Zwift's workouts.
func (z *zwiftWorkouts) Remove(_ context.Context, d plan.Delivery) error {
	if d.Ref == "" {
		return nil
	}
	dir := filepath.Dir(d.Ref)
	if filepath.Base(dir) != workoutsSubfolder || filepath.Ext(d.Ref) != ".zwo" {
		return fmt.Errorf("refusing to delete %s: FitBridge only removes files it wrote in its own folder", d.Ref)
	}
	if err := os.Remove(d.Ref); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove %s: %w", filepath.Base(d.Ref), err)
	}
	return nil
}

var unsafeName = regexp.MustCompile(`[^\p{L}\p{N} ._()+-]+`)

// fileName keeps a name every OS accepts, and the event id so two workouts
// with one name on one day stay two files.
func fileName(title, id string) string {
	name := strings.TrimSpace(unsafeName.ReplaceAllString(title, " "))
	name = strings.Join(strings.Fields(name), " ")
	if r := []rune(name); len(r) > 80 {
		name = string(r[:80])
	}
	return fmt.Sprintf("%s [%s].zwo", name, unsafeName.ReplaceAllString(id, ""))
}

// writeFileAtomic replaces path in one step, so Zwift never reads half a file.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".fitbridge-*.tmp")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}
