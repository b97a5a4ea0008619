// Screens the first paint does not need load on demand, so the window's
// first screen parses only the calendar. Each is fetched once; after the
// first paint they are fetched in the background too, so switching screens
// never waits.
import type { Component } from 'svelte';

type Loader = () => Promise<{ default: Component<any> }>;

const loaders = {
  wizard: () => import('../components/wizard/Wizard.svelte'),
  backfill: () => import('../components/backfill/BackfillScreen.svelte'),
  settings: () => import('../components/Settings.svelte'),
  diagnostics: () => import('../components/Diagnostics.svelte'),
  chart: () => import('../components/PowerHrChart.svelte'),
} satisfies Record<string, Loader>;

export type LazyName = keyof typeof loaders;

class LazyScreens {
  loaded = $state<Partial<Record<LazyName, Component<any>>>>({});
  private pending = new Map<LazyName, Promise<void>>();

  /** Starts loading a screen; resolves once it can be shown. */
  need(name: LazyName): Promise<void> {
    let p = this.pending.get(name);
    if (!p) {
      p = (loaders[name] as Loader)().then((m) => {
        this.loaded[name] = m.default;
      });
      this.pending.set(name, p);
    }
    return p;
  }

  /** Fetches every screen once the browser is idle after the first paint. */
  prefetch() {
    const run = () => {
      for (const n of Object.keys(loaders) as LazyName[]) void this.need(n);
    };
    if (typeof requestIdleCallback === 'function') requestIdleCallback(run, { timeout: 2000 });
    else setTimeout(run, 200);
  }
}

export const lazy = new LazyScreens();
