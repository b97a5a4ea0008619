// Which screen is shown.
export type Screen = 'library' | 'backfill' | 'settings' | 'diagnostics';

class UiStore {
  screen = $state<Screen>('library');
  wizardOpen = $state(false);
  /** Settings section to scroll to when opened from elsewhere (e.g. "Reconnect"). */
  focusSection = $state('');

  go(screen: Screen, section = '') {
    this.screen = screen;
    this.focusSection = section;
  }

  reset() {
    this.screen = 'library';
    this.wizardOpen = false;
    this.focusSection = '';
  }
}

export const ui = new UiStore();
