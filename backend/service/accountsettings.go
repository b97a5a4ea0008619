package service

import (
	"fmt"
	"maps"
	"strings"

	"fitbridge/backend/source"
)

// SettingInfo is one account setting a platform declares, as the window's
// connect form shows it.
type SettingInfo struct {
	Key      string   `json:"key"`
	Label    string   `json:"label"`
	Help     string   `json:"help"`
	Choices  []Region `json:"choices"`
	Secret   bool     `json:"secret"`
	Required bool     `json:"required"`
	Folder   bool     `json:"folder"`
	// Value is the account's current value; always "" for a secret.
	Value string `json:"value"`
}

// settingInfos lists a platform's declared settings with the account's values.
func settingInfos(d source.Descriptor, values map[string]string) []SettingInfo {
	out := []SettingInfo{}
	for _, s := range d.Settings {
		info := SettingInfo{Key: s.Key, Label: s.Label, Help: s.Help, Secret: s.Secret, Required: s.Required, Folder: s.Folder}
		for _, c := range s.Choices {
			info.Choices = append(info.Choices, Region{ID: c.ID, Name: c.Name})
		}
		if !s.Secret {
			info.Value = values[s.Key]
		}
		out = append(out, info)
	}
	return out
}

// secretSettingKey is the keyring entry of an account's secret setting,
// apart from its sign-in.
func secretSettingKey(account, key string) string { return account + "/" + key }

// SetSourceSettings changes settings a platform declares on a connected
// account. A key the platform does not declare, or a value outside its
// choices, is refused with what is accepted; secret values go to the
// keyring, never the library. An empty value clears the setting.
// It returns the platform as the window shows it.
func (s *Service) SetSourceSettings(name string, values map[string]string) (SourceInfo, error) {
	if err := s.setSourceSettings(name, values); err != nil {
		return SourceInfo{}, err
	}
	for _, info := range s.Sources() {
		if info.Name == name {
			return info, nil
		}
	}
	return SourceInfo{Name: name}, nil
}

func (s *Service) setSourceSettings(name string, values map[string]string) error {
	d, err := s.descriptor(name)
	if err != nil {
		return err
	}
	acc, err := s.Store.Account(name)
	if err != nil {
		return fmt.Errorf("%s is not connected: run `%s`", d.DisplayName, ConnectCommand(name))
	}
	m := acc.SettingsMap()
	for key, v := range values {
		decl, ok := d.SettingFor(key)
		if !ok {
			var keys []string
			for _, s := range d.Settings {
				keys = append(keys, s.Key)
			}
			if len(keys) == 0 {
				return fmt.Errorf("%s has no settings to change", d.DisplayName)
			}
			return fmt.Errorf("%s has no setting %q (it has %s)", d.DisplayName, key, strings.Join(keys, ", "))
		}
		v = strings.TrimSpace(v)
		if v == "" && decl.Required {
			return fmt.Errorf("%s: %s cannot be empty", d.DisplayName, decl.Label)
		}
		if len(decl.Choices) > 0 && v != "" {
			var ids []string
			found := false
			for _, c := range decl.Choices {
				ids = append(ids, c.ID)
				found = found || c.ID == v
			}
			if !found {
				return fmt.Errorf("%s: %s %q is not one of %s", d.DisplayName, decl.Label, v, strings.Join(ids, ", "))
			}
		}
		if decl.Secret {
			if v == "" {
				if err := s.Secrets.Delete(secretSettingKey(name, key)); err != nil && !isNotFound(err) {
					return err
				}
				continue
			}
			s.Redactor.Add(v)
			if err := s.Secrets.Set(secretSettingKey(name, key), v); err != nil {
				return fmt.Errorf("keep the %s %s in the system keyring: %w", d.DisplayName, decl.Label, err)
			}
			continue
		}
		if v == "" {
			delete(m, key)
		} else {
			m[key] = v
		}
	}
	acc.SetSettingsMap(m)
	return s.Store.SaveAccount(acc)
}

// withSecretSettings adds an account's secret settings, read from the
// keyring, to the settings a platform is opened with. It works on a copy:
// the map given is what the library keeps, and a secret must never join it.
func (s *Service) withSecretSettings(d source.Descriptor, settings map[string]string) map[string]string {
	out, cloned := settings, false
	for _, decl := range d.Settings {
		if !decl.Secret {
			continue
		}
		v, err := s.Secrets.Get(secretSettingKey(d.Name, decl.Key))
		if err != nil || v == "" {
			continue
		}
		s.Redactor.Add(v)
		if !cloned {
			out, cloned = make(map[string]string, len(settings)+1), true
			maps.Copy(out, settings)
		}
		out[decl.Key] = v
	}
	return out
}
