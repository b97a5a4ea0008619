package main

import (
	"context"
	"errors"
	"sync"

	"fitbridge/backend/backfill"
	"fitbridge/backend/doctor"
	"fitbridge/backend/service"
	"fitbridge/backend/update"
	"fitbridge/backend/workouts"
)

// App is the one facade the window talks to. Every method is one rider
// action, thin, delegating to the service. The same methods are bound to the
// Wails window and served by `fitbridge serve`.
type App struct {
	mu  sync.RWMutex
	svc *service.Service
	// desktop holds what only the native window can do (file dialogs);
	// nil in browser mode.
	desktop desktopUI
	// demo switches the App to the built-in sample services.
	demo func() (*service.Service, error)
	// stop ends continuous sync when the App closes or switches to demo.
	stop context.CancelFunc
	// attach connects a (new) service's events to the window or browser.
	attach func(*service.Service)
	// opening, while the window's library is still opening, is closed once
	// it is open (or failed); nil otherwise.
	opening chan struct{}
	// life bounds the calls that reach the network or a browser; it ends when
	// the App closes. Methods take no context.Context: the Wails v2 window
	// cannot pass one and would count it as an argument the page must send.
	life    context.Context
	endLife context.CancelFunc
	// uploads holds files the browser sent up in parts; nil in the window.
	uploads uploadStore
}

// uploadStore is the browser transport's store of uploaded files.
type uploadStore interface {
	UploadPath(id string) (string, error)
	DiscardUpload(id string)
}

// UploadedFile names a file the browser has sent up in parts.
type UploadedFile struct {
	Name string `json:"name"`
	ID   string `json:"id"`
}

// desktopUI is the part of the native window the App uses.
type desktopUI interface {
	PickFiles() ([]string, error)
	PickFolder() (string, error)
}

var errNotInBrowser = errors.New("this works only in the desktop window: drop the files here or use the file picker")

// ctx is the App's lifetime context, made on first use.
func (a *App) ctx() context.Context {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.life == nil {
		a.life, a.endLife = context.WithCancel(context.Background())
	}
	return a.life
}

// service is the open library. In the window it may still be opening
// when the page makes its first calls: they wait for it.
func (a *App) service() *service.Service {
	a.mu.RLock()
	s, opening := a.svc, a.opening
	a.mu.RUnlock()
	if s == nil && opening != nil {
		<-opening
		a.mu.RLock()
		s = a.svc
		a.mu.RUnlock()
	}
	return s
}

// setService switches the library (demo mode) and restarts continuous sync.
func (a *App) setService(s *service.Service) {
	a.mu.Lock()
	old := a.svc
	a.svc = s
	if a.opening != nil {
		close(a.opening)
		a.opening = nil
	}
	if a.stop != nil {
		a.stop()
	}
	ctx, cancel := context.WithCancel(context.Background())
	a.stop = cancel
	a.mu.Unlock()
	if old != nil && old != s {
		old.Close()
	}
	if a.attach != nil {
		a.attach(s)
	}
	go s.RunBackground(ctx)
}

// shutdown stops background work and closes the library.
func (a *App) shutdown() {
	a.mu.Lock()
	if a.stop != nil {
		a.stop()
	}
	if a.endLife != nil {
		a.endLife()
	}
	s := a.svc
	a.mu.Unlock()
	if s != nil {
		s.Close()
	}
}

func (a *App) Status() service.Status { return a.service().Status() }

func (a *App) ConnectIntervals(athleteID, apiKey string) (service.IntervalsStatus, error) {
	return a.service().ConnectIntervals(a.ctx(), athleteID, apiKey)
}

func (a *App) DisconnectIntervals() error { return a.service().DisconnectIntervals() }

func (a *App) Sources() []service.SourceInfo { return a.service().Sources() }

// BuiltinSources are the sources with nothing to connect (files added by hand).
func (a *App) BuiltinSources() []service.SourceInfo { return a.service().Builtins() }

func (a *App) ConnectBrowser(name, region string) (service.SourceInfo, error) {
	return a.service().ConnectBrowser(a.ctx(), name, region)
}

func (a *App) ConnectPassword(name, region, username, password string) (service.SourceInfo, error) {
	return a.service().ConnectPassword(a.ctx(), name, region, username, password)
}

func (a *App) ConnectToken(name, region, token string) (service.SourceInfo, error) {
	return a.service().ConnectToken(a.ctx(), name, region, token)
}

func (a *App) ConnectFolder(name, path string) (service.SourceInfo, error) {
	return a.service().ConnectFolder(name, path)
}

// SetSourceSettings changes settings the platform declares (a coached athlete).
func (a *App) SetSourceSettings(name string, values map[string]string) (service.SourceInfo, error) {
	return a.service().SetSourceSettings(name, values)
}

func (a *App) Disconnect(name string) error { return a.service().Disconnect(name) }

func (a *App) PickFiles() ([]string, error) {
	if a.desktop == nil {
		return nil, errNotInBrowser
	}
	return a.desktop.PickFiles()
}

func (a *App) PickFolder() (string, error) {
	if a.desktop == nil {
		return "", errNotInBrowser
	}
	return a.desktop.PickFolder()
}

func (a *App) ImportPaths(paths []string) service.ImportResult { return a.service().Import(paths) }

func (a *App) ImportFiles(files []service.ImportFile) service.ImportResult {
	return a.service().ImportFiles(files)
}

// ImportUploads imports files the browser sent up in parts (browser mode),
// then lets their temporary copies go.
func (a *App) ImportUploads(files []UploadedFile) (service.ImportResult, error) {
	if a.uploads == nil {
		return service.ImportResult{}, errors.New("uploading in parts is for the browser: the window imports files where they are")
	}
	// In the order chosen; one that never finished uploading says so in its
	// place, and an export (a ZIP, or a chosen folder's files) gives one entry
	// per activity in it.
	up := make([]service.UploadedFile, len(files))
	for i, f := range files {
		up[i].Name = f.Name
		up[i].Path, up[i].Err = a.uploads.UploadPath(f.ID)
	}
	res := a.service().ImportUploaded(up)
	for _, f := range files {
		a.uploads.DiscardUpload(f.ID)
	}
	return res, nil
}

func (a *App) Activities(f service.ActivityFilter) ([]service.ActivityView, error) {
	return a.service().Activities(f)
}

func (a *App) ActivityDetail(id uint) (service.ActivityDetail, error) {
	return a.service().ActivityDetail(id)
}

func (a *App) PreviewBackfill(req service.BackfillRequest) (service.Preview, error) {
	return a.service().PreviewBackfill(a.ctx(), req)
}

func (a *App) StartBackfill(req service.BackfillRequest) (service.Progress, error) {
	return a.service().StartBackfill(req)
}

func (a *App) PauseBackfill()  { a.service().PauseBackfill() }
func (a *App) ResumeBackfill() { a.service().ResumeBackfill() }
func (a *App) CancelBackfill() { a.service().CancelBackfill() }

func (a *App) Progress() service.Progress { return a.service().Progress() }

func (a *App) RetryFailed(ids []uint) (service.Progress, error) { return a.service().RetryFailed(ids) }

// Runs lists every recorded run (manual, selection, continuous), newest first.
func (a *App) Runs() ([]service.RunInfo, error) { return a.service().Runs() }

// UndoRun deletes from Intervals.icu what a run created; edited confirms
// deleting uploads the rider changed there since.
func (a *App) UndoRun(id uint, edited bool) (backfill.UndoResult, error) {
	return a.service().UndoRun(a.ctx(), id, edited)
}

// UndoUploads deletes single uploads of FitBridge's from Intervals.icu.
func (a *App) UndoUploads(ids []uint, edited bool) (backfill.UndoResult, error) {
	return a.service().UndoActivities(a.ctx(), ids, edited)
}

// KeepOut keeps activities out of Intervals.icu until the rider selects them.
func (a *App) KeepOut(ids []uint) error { return a.service().KeepOut(ids) }

func (a *App) GetSettings() service.Settings { return a.service().Settings() }

// PlannedWorkouts lists the planned workouts recorded between two days (YYYY-MM-DD).
func (a *App) PlannedWorkouts(from, to string) ([]service.PlannedView, error) {
	return a.service().Planned(from, to)
}

// WorkoutTargets lists where planned workouts can go.
func (a *App) WorkoutTargets() ([]service.WorkoutTargetInfo, error) {
	return a.service().WorkoutTargets()
}

// DeliverWorkouts sends the next days of planned workouts now.
func (a *App) DeliverWorkouts(req service.WorkoutsRequest) ([]workouts.Result, error) {
	return a.service().DeliverWorkouts(a.ctx(), req)
}

func (a *App) SaveSettings(s service.Settings) (service.Settings, error) {
	return a.service().SaveSettings(s)
}

// UpdateNotice says whether a newer FitBridge is out (asked at most once a day).
func (a *App) UpdateNotice() update.Notice { return a.service().UpdateNotice(a.ctx()) }

// Diagnostics makes one harmless call per connected service and returns what
// answered, secrets removed; Report.File is the copy kept in the logs folder.
func (a *App) Diagnostics() (doctor.Report, error) {
	return a.service().Doctor(a.ctx())
}

// OpenLogsFolder shows the folder with the diagnostics reports in the file manager.
func (a *App) OpenLogsFolder() error { return a.service().OpenLogsFolder(a.ctx()) }

// StartDemo switches to the built-in sample services (no accounts needed).
func (a *App) StartDemo() (service.Status, error) {
	if a.service().Demo {
		return a.service().Status(), nil
	}
	if a.demo == nil {
		return service.Status{}, errors.New("demo mode is not available in this build")
	}
	s, err := a.demo()
	if err != nil {
		return service.Status{}, err
	}
	a.setService(s)
	return s.Status(), nil
}

// CrashedRides lists recordings a crash left unfinished (Zwift).
func (a *App) CrashedRides() ([]service.CrashedRide, error) { return a.service().CrashedRides() }

// RecoverRide recovers one into the library, ready to upload.
func (a *App) RecoverRide(sourceName, path string) (service.ActivityView, error) {
	return a.service().RecoverRide(sourceName, path)
}
