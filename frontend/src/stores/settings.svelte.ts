// The rider's settings, and the theme they pick.
import { api, errorText } from '../lib/api';
import { locale } from '../lib/i18n/index.svelte';
import type { Settings } from '../lib/types';

export const DEFAULT_SETTINGS: Settings = {
  continuous_sync: false,
  poll_minutes: 30,
  theme: 'system',
  strava_matches_duplicate: true,
  wizard_done: false,
  wizard_step: '',
  units: '',
  week_start: 'monday',
  language: '',
  workouts_sync: false,
  no_update_check: false,
};

/** Light or dark by choice; "system" leaves it to prefers-color-scheme. */
export function applyTheme(theme: string) {
  if (typeof document === 'undefined') return;
  const root = document.documentElement;
  if (theme === 'light' || theme === 'dark') root.dataset.theme = theme;
  else delete root.dataset.theme;
}

/** Language, units and the first day of the week, for every screen at once. */
export function applyRegion(s: Pick<Settings, 'language' | 'units' | 'week_start'>) {
  locale.choice = s.language === 'en' || s.language === 'de' ? s.language : '';
  locale.chosenUnits = s.units === 'km' || s.units === 'mi' ? s.units : '';
  locale.weekStart = s.week_start === 'sunday' ? 0 : 1;
  if (typeof document !== 'undefined') document.documentElement.lang = locale.lang;
}

class SettingsStore {
  settings = $state<Settings>({ ...DEFAULT_SETTINGS });
  saving = $state(false);
  error = $state('');

  set(s: Settings | null | undefined) {
    if (!s) return;
    this.settings = { ...DEFAULT_SETTINGS, ...s };
    applyTheme(this.settings.theme);
    applyRegion(this.settings);
  }

  async load() {
    try {
      this.set(await api.GetSettings());
    } catch (err) {
      this.error = errorText(err);
    }
  }

  /** Saves a change; the screen shows it at once and settles on what the backend kept. */
  async save(patch: Partial<Settings>): Promise<boolean> {
    const next = { ...this.settings, ...patch };
    this.settings = next;
    applyTheme(next.theme);
    applyRegion(next);
    this.saving = true;
    this.error = '';
    try {
      this.set(await api.SaveSettings(next));
      return true;
    } catch (err) {
      this.error = errorText(err);
      return false;
    } finally {
      this.saving = false;
    }
  }

  reset() {
    this.settings = { ...DEFAULT_SETTINGS };
    applyRegion(this.settings);
    this.saving = false;
    this.error = '';
  }
}

export const settingsStore = new SettingsStore();
