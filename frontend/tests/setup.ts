import { afterEach, beforeAll, beforeEach } from 'vitest';
import { setTransport } from '../src/lib/api';
import { activitiesStore } from '../src/stores/activities.svelte';
import { backfillStore } from '../src/stores/backfill.svelte';
import { crashedStore } from '../src/stores/crashed.svelte';
import { diagnosticsStore } from '../src/stores/diagnostics.svelte';
import { settingsStore } from '../src/stores/settings.svelte';
import { sourcesStore } from '../src/stores/sources.svelte';
import { statusStore } from '../src/stores/status.svelte';
import { ui } from '../src/stores/ui.svelte';
import { cleanup } from './helpers';
import { lazy } from '../src/lib/lazy.svelte';

// Every test starts from empty stores and picks its own transport.
beforeEach(() => {
  statusStore.reset();
  sourcesStore.reset();
  settingsStore.reset();
  backfillStore.reset();
  activitiesStore.reset();
  diagnosticsStore.reset();
  crashedStore.reset();
  ui.reset();
});

afterEach(() => {
  cleanup();
  setTransport(null);
});

// Screens load on demand in the app; the tests render them at once.
beforeAll(async () => {
  await Promise.all((['wizard', 'backfill', 'settings', 'diagnostics', 'chart'] as const).map((n) => lazy.need(n)));
});
