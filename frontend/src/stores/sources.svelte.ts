// Platforms and folders, and signing in to them.
import { api, errorText } from '../lib/api';
import { list, t } from '../lib/i18n/index.svelte';
import type { SourceInfo } from '../lib/types';

export type SourceTask = 'browser' | 'password' | 'token' | 'folder' | 'settings' | 'disconnect';

class SourcesStore {
  list = $state<SourceInfo[]>([]);
  /** Sources with nothing to connect (files added by hand), for their names and colours. */
  builtins = $state<SourceInfo[]>([]);
  loaded = $state(false);
  error = $state('');
  /** What is running per source, e.g. a browser sign-in that can take minutes. */
  busy = $state<Record<string, SourceTask | undefined>>({});
  /** Last error per source, in the backend's words. */
  errors = $state<Record<string, string>>({});

  connected = $derived(this.list.filter((s) => s.connected));

  async load() {
    this.error = '';
    try {
      const [list, builtins] = await Promise.all([api.Sources(), api.BuiltinSources()]);
      this.list = list ?? [];
      this.builtins = builtins ?? [];
      this.loaded = true;
    } catch (err) {
      this.error = errorText(err);
    }
  }

  byName(name: string): SourceInfo | undefined {
    return this.list.find((s) => s.name === name) ?? this.builtins.find((s) => s.name === name);
  }

  /**
   * The platforms a rider can connect, as one phrase ("A, B and C"), from
   * what the backend declares: no platform is named in the window's code.
   */
  platformNames(conjunction: 'and' | 'or'): string {
    const open = this.list.filter((s) => !s.coming_soon);
    // Online accounts first, then folders an app keeps; a folder the rider must
    // pick (a USB head unit, exported files) is "your bike computer".
    const anyFolder = (s: SourceInfo) => s.kind === 'folder' && (s.settings ?? []).some((x) => x.folder && x.required);
    const names = [
      ...open.filter((s) => s.kind !== 'folder').map((s) => s.display_name),
      ...open.filter((s) => s.kind === 'folder' && !anyFolder(s)).map((s) => s.display_name),
      ...(open.some(anyFolder) ? [t('sources.bikeComputer')] : []),
    ];
    if (names.length === 0) return t('sources.anyPlatform');
    return list(names, conjunction);
  }

  displayName(name: string): string {
    return this.byName(name)?.display_name || name;
  }

  private put(info: SourceInfo) {
    const i = this.list.findIndex((s) => s.name === info.name);
    if (i >= 0) this.list[i] = info;
    else this.list = [...this.list, info];
  }

  private async run(name: string, task: SourceTask, fn: () => Promise<SourceInfo | void>): Promise<boolean> {
    this.busy = { ...this.busy, [name]: task };
    this.errors = { ...this.errors, [name]: '' };
    try {
      const info = await fn();
      if (info) this.put(info);
      else await this.load();
      return true;
    } catch (err) {
      this.errors = { ...this.errors, [name]: errorText(err) };
      return false;
    } finally {
      this.busy = { ...this.busy, [name]: undefined };
    }
  }

  connectBrowser(name: string, region: string) {
    return this.run(name, 'browser', () => api.ConnectBrowser(name, region));
  }
  connectPassword(name: string, region: string, username: string, password: string) {
    return this.run(name, 'password', () => api.ConnectPassword(name, region, username, password));
  }
  connectToken(name: string, region: string, token: string) {
    return this.run(name, 'token', () => api.ConnectToken(name, region, token));
  }
  /** Saves settings the platform declares (a coached athlete); '' clears one. */
  saveSettings(name: string, values: Record<string, string>) {
    return this.run(name, 'settings', () => api.SetSourceSettings(name, values));
  }
  connectFolder(name: string, path: string) {
    return this.run(name, 'folder', () => api.ConnectFolder(name, path));
  }
  disconnect(name: string) {
    return this.run(name, 'disconnect', async () => {
      await api.Disconnect(name);
    });
  }

  reset() {
    this.list = [];
    this.loaded = false;
    this.error = '';
    this.busy = {};
    this.errors = {};
  }
}

export const sourcesStore = new SourcesStore();
