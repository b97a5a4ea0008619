// The Diagnostics page: one run of harmless calls to every connected service.
import { api, errorText } from '../lib/api';
import type { DiagnosticsCheck, DiagnosticsReport } from '../lib/types';

export type Verdict = 'ok' | 'needs_sign_in' | 'problem';

/** A check that needs sign-in is also not OK; the sign-in is what the rider can fix. */
export function verdictOf(c: DiagnosticsCheck): Verdict {
  if (c.needs_sign_in) return 'needs_sign_in';
  return c.ok ? 'ok' : 'problem';
}

class DiagnosticsStore {
  report = $state<DiagnosticsReport | null>(null);
  running = $state(false);
  error = $state('');

  checks = $derived(this.report?.checks ?? []);
  attention = $derived(this.checks.filter((c) => verdictOf(c) !== 'ok').length);

  async run(): Promise<boolean> {
    if (this.running) return false;
    this.running = true;
    this.error = '';
    try {
      this.report = await api.Diagnostics();
      return true;
    } catch (err) {
      this.error = errorText(err);
      return false;
    } finally {
      this.running = false;
    }
  }

  reset() {
    this.report = null;
    this.running = false;
    this.error = '';
  }
}

export const diagnosticsStore = new DiagnosticsStore();
