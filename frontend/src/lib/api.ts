// The one place that knows where the UI runs: inside the Wails window
// (bindings on window.go) or in a browser against `fitbridge serve` (HTTP + SSE).
import { t } from './i18n/index.svelte';
import type {
  ActivityDetail,
  ActivityFilter,
  ActivityView,
  BackfillRequest,
  CrashedRide,
  DiagnosticsReport,
  EventName,
  EventPayloads,
  ImportFile,
  ImportResult,
  IntervalsStatus,
  Preview,
  PlannedView,
  Progress,
  Settings,
  SourceInfo,
  Status,
  UpdateNotice,
  WorkoutResult,
  WorkoutsRequest,
  WorkoutTargetInfo,
} from './types';

export interface Transport {
  readonly kind: 'wails' | 'http' | 'test';
  call(method: string, args: unknown[]): Promise<unknown>;
  on(event: string, cb: (payload: unknown) => void): () => void;
  openURL(url: string): void;
}

type WailsApp = Record<string, (...args: unknown[]) => Promise<unknown>>;
interface WailsRuntime {
  EventsOn(name: string, cb: (...data: unknown[]) => void): (() => void) | void;
  EventsOff?(name: string, ...more: string[]): void;
  BrowserOpenURL?(url: string): void;
}
interface WailsWindow {
  go?: { main?: { App?: WailsApp } };
  runtime?: WailsRuntime;
}

/** An error from the backend, carrying the message meant for the rider. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly method: string,
    readonly status = 0,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

function wailsApp(): WailsApp | undefined {
  return (globalThis as unknown as WailsWindow).go?.main?.App;
}

function messageOf(err: unknown): string {
  if (typeof err === 'string') return err;
  if (err instanceof Error) return err.message;
  if (err && typeof err === 'object' && 'error' in err) return String((err as { error: unknown }).error);
  return String(err);
}

export function wailsTransport(): Transport {
  const w = globalThis as unknown as WailsWindow;
  return {
    kind: 'wails',
    async call(method, args) {
      const fn = wailsApp()?.[method];
      if (typeof fn !== 'function') throw new ApiError(`FitBridge cannot do "${method}" in this version.`, method);
      try {
        return await fn(...args);
      } catch (err) {
        // Wails rejects with the Go error's text.
        throw new ApiError(messageOf(err), method);
      }
    },
    on(event, cb) {
      const rt = w.runtime;
      if (!rt?.EventsOn) return () => {};
      const off = rt.EventsOn(event, (...data: unknown[]) => cb(data[0]));
      return typeof off === 'function' ? off : () => rt.EventsOff?.(event);
    },
    openURL(url) {
      if (w.runtime?.BrowserOpenURL) w.runtime.BrowserOpenURL(url);
      else window.open(url, '_blank', 'noopener');
    },
  };
}

export function httpTransport(base = ''): Transport {
  let source: EventSource | null = null;
  const listeners = new Map<string, Set<(payload: unknown) => void>>();

  function ensureSource(event: string) {
    if (!source) source = new EventSource(`${base}/api/events`);
    if (listeners.has(event)) return;
    const set = new Set<(payload: unknown) => void>();
    listeners.set(event, set);
    source.addEventListener(event, (e) => {
      const raw = (e as MessageEvent).data;
      let payload: unknown = undefined;
      if (typeof raw === 'string' && raw !== '') {
        try {
          payload = JSON.parse(raw);
        } catch {
          payload = raw;
        }
      }
      for (const cb of set) cb(payload);
    });
  }

  return {
    kind: 'http',
    async call(method, args) {
      let res: Response;
      try {
        res = await fetch(`${base}/api/call/${encodeURIComponent(method)}`, {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(args),
        });
      } catch {
        throw new ApiError('FitBridge is not answering. Is it still running on this computer?', method);
      }
      const text = await res.text();
      let body: { result?: unknown; error?: unknown } | null = null;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        body = null;
      }
      if (!res.ok) {
        const msg =
          body && typeof body.error === 'string' && body.error
            ? body.error
            : `FitBridge answered ${res.status}${res.statusText ? ' ' + res.statusText : ''}.`;
        throw new ApiError(msg, method, res.status);
      }
      return body ? body.result : undefined;
    },
    on(event, cb) {
      ensureSource(event);
      const set = listeners.get(event)!;
      set.add(cb);
      return () => set.delete(cb);
    },
    openURL(url) {
      window.open(url, '_blank', 'noopener');
    },
  };
}

let current: Transport | null = null;

/** Picks the transport on first use: Wails bindings when present, HTTP otherwise. */
export function transport(): Transport {
  if (!current) current = wailsApp() ? wailsTransport() : httpTransport();
  return current;
}

/** Replaces the transport (tests) or, with null, makes the next call detect it again. */
export function setTransport(t: Transport | null): void {
  current = t;
}

function call<T>(method: string, ...args: unknown[]): Promise<T> {
  return transport().call(method, args) as Promise<T>;
}

export const api = {
  Status: () => call<Status>('Status'),
  /** Tells the backend the first screen shows its data (the start-up benchmark's mark). */
  Painted: () => call<void>('Painted'),
  ConnectIntervals: (athleteId: string, apiKey: string) =>
    call<IntervalsStatus>('ConnectIntervals', athleteId, apiKey),
  DisconnectIntervals: () => call<void>('DisconnectIntervals'),
  Sources: () => call<SourceInfo[] | null>('Sources'),
  BuiltinSources: () => call<SourceInfo[] | null>('BuiltinSources'),
  ConnectBrowser: (name: string, region: string) => call<SourceInfo>('ConnectBrowser', name, region),
  ConnectPassword: (name: string, region: string, username: string, password: string) =>
    call<SourceInfo>('ConnectPassword', name, region, username, password),
  ConnectToken: (name: string, region: string, token: string) =>
    call<SourceInfo>('ConnectToken', name, region, token),
  ConnectFolder: (name: string, path: string) => call<SourceInfo>('ConnectFolder', name, path),
  SetSourceSettings: (name: string, values: Record<string, string>) =>
    call<SourceInfo>('SetSourceSettings', name, values),
  Disconnect: (name: string) => call<void>('Disconnect', name),
  PickFiles: () => call<string[] | null>('PickFiles'),
  PickFolder: () => call<string>('PickFolder'),
  ImportPaths: (paths: string[]) => call<ImportResult>('ImportPaths', paths),
  ImportFiles: (files: ImportFile[]) => call<ImportResult>('ImportFiles', files),
  Activities: (filter: ActivityFilter) => call<ActivityView[] | null>('Activities', filter),
  ActivityDetail: (id: number) => call<ActivityDetail>('ActivityDetail', id),
  PreviewBackfill: (sources: string[]) => call<Preview>('PreviewBackfill', sources),
  StartBackfill: (req: BackfillRequest) => call<Progress>('StartBackfill', req),
  PauseBackfill: () => call<void>('PauseBackfill'),
  ResumeBackfill: () => call<void>('ResumeBackfill'),
  CancelBackfill: () => call<void>('CancelBackfill'),
  Progress: () => call<Progress>('Progress'),
  RetryFailed: (ids: number[]) => call<Progress>('RetryFailed', ids),
  GetSettings: () => call<Settings>('GetSettings'),
  SaveSettings: (s: Settings) => call<Settings>('SaveSettings', s),
  PlannedWorkouts: (from: string, to: string) => call<PlannedView[] | null>('PlannedWorkouts', from, to),
  WorkoutTargets: () => call<WorkoutTargetInfo[] | null>('WorkoutTargets'),
  DeliverWorkouts: (req: WorkoutsRequest) => call<WorkoutResult[] | null>('DeliverWorkouts', req),
  StartDemo: () => call<Status>('StartDemo'),
  // Its Go context.Context is supplied by the backend, not sent from here.
  Diagnostics: () => call<DiagnosticsReport>('Diagnostics'),
  OpenLogsFolder: () => call<void>('OpenLogsFolder'),
  CrashedRides: () => call<CrashedRide[] | null>('CrashedRides'),
  RecoverRide: (source: string, path: string) => call<ActivityView>('RecoverRide', source, path),
  UpdateNotice: () => call<UpdateNotice>('UpdateNotice'),

  on<E extends EventName>(event: E, cb: (payload: EventPayloads[E]) => void): () => void {
    return transport().on(event, cb as (p: unknown) => void);
  },
  /** Native file and folder dialogs exist only in the desktop window. */
  hasNativeDialogs: () => transport().kind === 'wails',
  openURL: (url: string) => transport().openURL(url),
};

export function errorText(err: unknown): string {
  return messageOf(err) || t('app.somethingWrong');
}
