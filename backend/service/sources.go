package service

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"fitbridge/backend/backfill"
	"fitbridge/backend/capture"
	"fitbridge/backend/events"
	"fitbridge/backend/reason"
	"fitbridge/backend/secrets"
	"fitbridge/backend/source"
	"fitbridge/backend/store"
)

// Sources lists every platform FitBridge knows, connected or not.
func (s *Service) Sources() []SourceInfo {
	counts, _ := s.Store.Counts(store.Filter{})
	var out []SourceInfo
	for _, d := range source.All() {
		if d.Kind == source.KindFiles {
			continue // nothing to connect: see Builtins
		}
		info := SourceInfo{
			Name: d.Name, DisplayName: d.DisplayName, Kind: string(d.Kind), Description: d.Description,
			ComingSoon: d.ComingSoon, CanBrowser: d.Capture != nil, CanPassword: d.Login != nil,
			CanToken: d.Kind == source.KindCloud && d.Validate != nil,
			Color:    d.Color,
		}
		var values map[string]string
		for _, r := range d.Regions {
			info.Regions = append(info.Regions, Region{ID: r.ID, Name: r.Name})
		}
		if d.FindFolders != nil {
			info.FoundFolders = d.FindFolders()
		}
		if acc, err := s.Store.Account(d.Name); err == nil {
			info.Connected = true
			info.State = acc.State
			info.StateReason = acc.StateReason
			info.Region = acc.Region
			values = acc.SettingsMap()
			info.Folder = values[source.SettingFolder]
			if info.Folder == "" && d.Kind == source.KindFolder {
				info.Folder = strings.Join(info.FoundFolders, string(os.PathListSeparator))
			}
			if acc.LastSync != nil {
				info.LastSync = acc.LastSync.Format(time.RFC3339)
			}
		}
		info.Settings = settingInfos(d, values)
		for _, n := range counts[d.Name] {
			info.Activities += n
		}
		out = append(out, info)
	}
	return out
}

// Builtins are the sources that need no connecting (files added by hand):
// the window names and colours their activities from these.
func (s *Service) Builtins() []SourceInfo {
	out := []SourceInfo{}
	for _, d := range source.All() {
		if d.Kind == source.KindFiles {
			out = append(out, SourceInfo{Name: d.Name, DisplayName: d.DisplayName, Kind: string(d.Kind),
				Description: d.Description, Color: d.Color, Connected: true, Settings: []SettingInfo{}})
		}
	}
	return out
}

func (s *Service) descriptor(name string) (source.Descriptor, error) {
	d, ok := source.Lookup(name)
	if !ok {
		var names []string
		for _, d := range source.All() {
			names = append(names, d.Name)
		}
		return d, fmt.Errorf("unknown source %q (known: %s)", name, strings.Join(names, ", "))
	}
	if d.ComingSoon {
		return d, fmt.Errorf("%s is coming soon and cannot be connected yet", d.DisplayName)
	}
	if d.Kind == source.KindFiles {
		return d, fmt.Errorf("%s need no connecting: run `%s`", d.DisplayName, d.ConnectCommand())
	}
	return d, nil
}

// sourceConfig builds the platform configuration of an account.
func (s *Service) sourceConfig(d source.Descriptor, region, token string, settings map[string]string) source.Config {
	cfg, _ := s.sourceConfigLearning(d, region, token, settings)
	return cfg
}

// learntSettingsMu keeps two settings learnt at once from overwriting each other.
var learntSettingsMu sync.Mutex

// sourceConfigLearning is sourceConfig whose OnSetting keeps what the
// platform learns (which request form it takes): in the connected account,
// and in learnt, for a sign-in whose account is saved afterwards.
func (s *Service) sourceConfigLearning(d source.Descriptor, region, token string, settings map[string]string) (source.Config, func() map[string]string) {
	cfg := source.Config{Region: region, Token: token, Settings: s.withSecretSettings(d, settings), Transport: platformTransport}
	got := map[string]string{}
	cfg.OnSetting = func(k, v string) {
		learntSettingsMu.Lock()
		defer learntSettingsMu.Unlock()
		got[k] = v
		if _, err := s.Store.Account(d.Name); err == nil {
			if err := s.SetAccountSetting(d.Name, k, v); err != nil {
				s.Log.Warn("keep a learnt setting", "source", d.Name, "setting", k, "err", err)
			}
		}
		s.Log.Info("learnt an account setting", "source", d.Name, "setting", k, "value", v)
	}
	learnt := func() map[string]string {
		learntSettingsMu.Lock()
		defer learntSettingsMu.Unlock()
		return maps.Clone(got)
	}
	if d.EnvURL != "" {
		cfg.BaseURL = strings.TrimRight(s.env(d.EnvURL), "/")
	}
	name := d.Name
	cfg.OnToken = func(t string) {
		s.Redactor.Add(t)
		if err := s.Secrets.Set(name, t); err != nil {
			s.Log.Warn("keep refreshed session", "source", name, "err", err)
		}
	}
	if token != "" {
		s.Redactor.Add(token)
	}
	return cfg, learnt
}

func defaultRegion(d source.Descriptor, region string) (string, error) {
	if len(d.Regions) == 0 {
		return "", nil
	}
	if region == "" {
		return d.Regions[0].ID, nil
	}
	for _, r := range d.Regions {
		if r.ID == region {
			return region, nil
		}
	}
	var ids []string
	for _, r := range d.Regions {
		ids = append(ids, r.ID)
	}
	return "", fmt.Errorf("%s has no region %q (choose %s)", d.DisplayName, region, strings.Join(ids, " or "))
}

// ConnectBrowser opens the platform's own login page in a Chrome-family
// browser and keeps the session the page hands out.
func (s *Service) ConnectBrowser(ctx context.Context, name, region string) (SourceInfo, error) {
	d, err := s.descriptor(name)
	if err != nil {
		return SourceInfo{}, err
	}
	if d.Capture == nil {
		return SourceInfo{}, errors.New(reason.SignInNoPage.Text(d.DisplayName))
	}
	if region, err = defaultRegion(d, region); err != nil {
		return SourceInfo{}, err
	}
	if s.keyErr != nil {
		return SourceInfo{}, s.keyErr
	}
	cfg, learnt := s.sourceConfigLearning(d, region, "", nil)
	spec := d.Capture(cfg)
	opts := capture.OptionsFromEnv()
	opts.Logger = s.Log
	s.Log.Info("sign-in started", "source", name, "region", region)
	token, err := capture.Capture(ctx, spec, opts)
	if err != nil {
		return SourceInfo{}, fmt.Errorf("%s sign-in: %w", d.DisplayName, err)
	}
	// What the page's session check learnt joins the account's settings.
	var settings map[string]string
	if l := learnt(); len(l) > 0 {
		settings = map[string]string{}
		if acc, err := s.Store.Account(d.Name); err == nil {
			settings = acc.SettingsMap()
		}
		maps.Copy(settings, l)
	}
	return s.saveSourceAccount(ctx, d, region, token, settings)
}

// ConnectPassword signs in with a username and password used once; only
// the session the platform returns is kept.
func (s *Service) ConnectPassword(ctx context.Context, name, region, username, password string) (SourceInfo, error) {
	d, err := s.descriptor(name)
	if err != nil {
		return SourceInfo{}, err
	}
	if d.Login == nil {
		return SourceInfo{}, errors.New(reason.SignInNoPassword.Text(d.DisplayName))
	}
	if region, err = defaultRegion(d, region); err != nil {
		return SourceInfo{}, err
	}
	if strings.TrimSpace(username) == "" || password == "" {
		return SourceInfo{}, errors.New(reason.SignInBothNeeded.Text())
	}
	if s.keyErr != nil {
		return SourceInfo{}, s.keyErr
	}
	s.Redactor.Add(password)
	cfg := s.sourceConfig(d, region, "", nil)
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	sess, err := d.Login(ctx, cfg, strings.TrimSpace(username), password)
	if err != nil {
		if u := unreachable(d.DisplayName, err); u != err {
			return SourceInfo{}, u
		}
		return SourceInfo{}, fmt.Errorf("%s sign-in: %w", d.DisplayName, err)
	}
	// What the sign-in learnt (a rider id) joins the account's other settings.
	settings := map[string]string{}
	if acc, err := s.Store.Account(d.Name); err == nil {
		settings = acc.SettingsMap()
	}
	for k, v := range sess.Settings {
		settings[k] = v
	}
	return s.saveSourceAccount(ctx, d, region, sess.Token, settings)
}

// ConnectToken keeps a token (or cookie) the rider pasted, after checking it.
func (s *Service) ConnectToken(ctx context.Context, name, region, pasted string) (SourceInfo, error) {
	d, err := s.descriptor(name)
	if err != nil {
		return SourceInfo{}, err
	}
	if region, err = defaultRegion(d, region); err != nil {
		return SourceInfo{}, err
	}
	token := strings.TrimSpace(pasted)
	if d.CleanToken != nil {
		token = d.CleanToken(pasted)
	}
	if token == "" {
		return SourceInfo{}, errors.New(reason.SignInNoTokenPasted.Text())
	}
	if s.keyErr != nil {
		return SourceInfo{}, s.keyErr
	}
	s.Redactor.Add(token)
	return s.saveSourceAccount(ctx, d, region, token, nil)
}

// ConnectFolder connects a folder source. An empty path uses the folders
// found on this computer.
func (s *Service) ConnectFolder(name, path string) (SourceInfo, error) {
	d, err := s.descriptor(name)
	if err != nil {
		return SourceInfo{}, err
	}
	if d.Kind != source.KindFolder {
		return SourceInfo{}, fmt.Errorf("%s is not a folder source", d.DisplayName)
	}
	if path == "" && d.Validate != nil {
		// A source that finds its folders by itself keeps none, so it looks again
		// on every run: a folder made later (an app that moved its files, a new OneDrive) is read too.
		auto := map[string]string{source.SettingFolder: ""}
		if d.Validate(context.Background(), s.sourceConfig(d, "", "", auto)) == nil {
			return s.saveFolderAccount(d, auto)
		}
	}
	var folders []string
	if path != "" {
		abs, err := filepath.Abs(path)
		if err != nil {
			return SourceInfo{}, err
		}
		st, err := os.Stat(abs)
		if err != nil || !st.IsDir() {
			return SourceInfo{}, fmt.Errorf("%s is not a folder on this computer", path)
		}
		folders = []string{abs}
	} else if d.FindFolders != nil {
		folders = d.FindFolders()
	}
	if len(folders) == 0 {
		return SourceInfo{}, fmt.Errorf("no %s folder was found on this computer: give one with --folder PATH", d.DisplayName)
	}
	settings := map[string]string{source.SettingFolder: strings.Join(folders, string(os.PathListSeparator))}
	return s.saveFolderAccount(d, settings)
}

// saveFolderAccount connects a folder and lists it at once: the files
// already there are history, which continuous sync leaves alone; only files
// that arrive later go up on their own.
func (s *Service) saveFolderAccount(d source.Descriptor, settings map[string]string) (SourceInfo, error) {
	info, err := s.saveSourceAccount(context.Background(), d, "", "", settings)
	if err != nil {
		return info, err
	}
	if err := s.listHistory(context.Background(), d.Name); err != nil {
		s.Log.Warn("first listing of a folder", "source", d.Name, "err", err)
	}
	return info, nil
}

// listHistory runs a source's first listing when it has not had one.
func (s *Service) listHistory(ctx context.Context, name string) error {
	if acc, err := s.Store.Account(name); err != nil || acc.HistoryAt != nil {
		return err
	}
	e, _, err := s.Engine(BackfillOptions{Sources: []string{name}, FetchOnly: true}, events.Discard{})
	if err != nil {
		return err
	}
	for _, c := range e.Sources {
		if c.Desc.Name == name {
			s.runLock.Lock()
			err = e.Discover(ctx, c)
			s.runLock.Unlock()
		}
	}
	return err
}

// saveSourceAccount validates the secret, then keeps it in the keyring and
// the account in the library. The check ends with the caller's context.
func (s *Service) saveSourceAccount(ctx context.Context, d source.Descriptor, region, token string, settings map[string]string) (SourceInfo, error) {
	if settings == nil {
		settings = map[string]string{}
		if acc, err := s.Store.Account(d.Name); err == nil {
			settings = acc.SettingsMap()
		}
	}
	cfg, learnt := s.sourceConfigLearning(d, region, token, settings)
	if d.Validate != nil && token != "" {
		ctx, cancel := context.WithTimeout(ctx, time.Minute)
		err := d.Validate(ctx, cfg)
		cancel()
		maps.Copy(settings, learnt())
		if err != nil {
			// A platform that knows why (another region's account) says so.
			var why interface{ SignInAdvice() string }
			if errors.As(err, &why) {
				return SourceInfo{}, errors.New(reason.SignInNotAccepted.Text(d.DisplayName, why.SignInAdvice()))
			}
			if errors.Is(err, source.ErrNeedsSignIn) {
				return SourceInfo{}, errors.New(reason.SignInNotAccepted.Text(d.DisplayName, reason.SignInAgainOrToken.Text()))
			}
			if u := unreachable(d.DisplayName, err); u != err {
				return SourceInfo{}, u
			}
			return SourceInfo{}, fmt.Errorf("check the %s sign-in: %w", d.DisplayName, err)
		}
	}
	if token != "" {
		if err := s.Secrets.Set(d.Name, token); err != nil {
			return SourceInfo{}, fmt.Errorf("keep the %s sign-in in the system keyring: %w", d.DisplayName, err)
		}
	}
	acc := &store.Account{Name: d.Name, Region: region, State: store.AccountConnected, ConnectedAt: time.Now().UTC()}
	if old, err := s.Store.Account(d.Name); err == nil {
		// A fresh sign-in is the same account: what was history stays history.
		acc.LastSync, acc.HistoryAt = old.LastSync, old.HistoryAt
	}
	acc.SetSettingsMap(settings)
	if err := s.Store.SaveAccount(acc); err != nil {
		return SourceInfo{}, err
	}
	s.Log.Info("connected source", "source", d.Name, "region", region)
	for _, info := range s.Sources() {
		if info.Name == d.Name {
			return info, nil
		}
	}
	return SourceInfo{Name: d.Name}, nil
}

// SetAccountSetting changes one non-secret setting of a connected account,
// declared or not (tuning such as source.SettingMinInterval). Riders' changes
// go through SetSourceSettings, which holds them to the declarations.
func (s *Service) SetAccountSetting(name, key, value string) error {
	acc, err := s.Store.Account(name)
	if err != nil {
		return fmt.Errorf("%s is not connected", name)
	}
	m := acc.SettingsMap()
	m[key] = value
	acc.SetSettingsMap(m)
	return s.Store.SaveAccount(acc)
}

// Disconnect forgets an account and its secret; its activities stay.
func (s *Service) Disconnect(name string) error {
	if name == intervalsAccount {
		return s.DisconnectIntervals()
	}
	if _, err := s.Store.Account(name); err != nil {
		return fmt.Errorf("%s is not connected", name)
	}
	if err := s.Secrets.Delete(name); err != nil && !isNotFound(err) {
		return err
	}
	if d, ok := source.Lookup(name); ok {
		for _, decl := range d.Settings {
			if decl.Secret {
				if err := s.Secrets.Delete(secretSettingKey(name, decl.Key)); err != nil && !isNotFound(err) {
					return err
				}
			}
		}
	}
	return s.Store.DeleteAccount(name)
}

func isNotFound(err error) bool {
	return errors.Is(err, secrets.ErrNotFound) || errors.Is(err, ErrNotConnected)
}

// connected opens every connected source (or the named ones) for a run.
// Sources whose secret is missing come back in signIn.
func (s *Service) connected(names []string, override map[string]string) ([]backfill.Connected, []string, error) {
	accs, err := s.Store.Accounts()
	if err != nil {
		return nil, nil, err
	}
	want := map[string]bool{}
	for _, n := range names {
		if _, ok := source.Lookup(n); !ok {
			return nil, nil, fmt.Errorf("unknown source %q", n)
		}
		want[n] = true
	}
	var out []backfill.Connected
	var signIn []string
	found := map[string]bool{}
	for _, acc := range accs {
		d, ok := source.Lookup(acc.Name)
		if !ok || (len(want) > 0 && !want[acc.Name]) {
			continue
		}
		found[acc.Name] = true
		token := ""
		if d.Kind == source.KindCloud {
			token, err = s.secret(acc.Name)
			if err != nil {
				if errors.Is(err, ErrNotConnected) {
					signIn = append(signIn, acc.Name)
					continue
				}
				return nil, nil, err
			}
		}
		settings := acc.SettingsMap()
		for k, v := range override {
			settings[k] = v
		}
		src, err := d.New(s.sourceConfig(d, acc.Region, token, settings))
		if err != nil {
			return nil, nil, fmt.Errorf("open %s: %w", d.DisplayName, err)
		}
		out = append(out, backfill.Connected{Desc: d, Source: src})
	}
	// Sources without an account (files added by hand) are always there.
	for _, d := range source.All() {
		if d.Kind != source.KindFiles || (len(want) > 0 && !want[d.Name]) {
			continue
		}
		found[d.Name] = true
		src, err := d.New(s.sourceConfig(d, "", "", override))
		if err != nil {
			return nil, nil, fmt.Errorf("open %s: %w", d.DisplayName, err)
		}
		out = append(out, backfill.Connected{Desc: d, Source: src})
	}
	for n := range want {
		if !found[n] {
			d, _ := source.Lookup(n)
			return nil, nil, fmt.Errorf("%s is not connected: run `%s`", d.DisplayName, ConnectCommand(n))
		}
	}
	return out, signIn, nil
}
