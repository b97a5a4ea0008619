// The one place that knows where the UI runs: inside the Wails window
// (bindings on window.go) or in a browser against `fitbridge serve` (HTTP + SSE).
// The window's words; `t` is a transport in this file.
import { t as tr } from './i18n/index.svelte';
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
  RunInfo,
  UndoResult,
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
  /** Sends raw bytes to a browser-mode endpoint (file parts); http only. */
  upload?(method: string, path: string, body: BodyInit): Promise<unknown>;
  on(event: string, cb: (payload: unknown) => void): () => void;
  /** Dropped files as paths on this computer (the window only); returns how to stop. */
  onFileDrop?(cb: (paths: string[]) => void): () => void;
  openURL(url: string): void;
}

type WailsApp = Record<string, (...args: unknown[]) => Promise<unknown>>;
interface WailsRuntime {
  EventsOn(name: string, cb: (...data: unknown[]) => void): (() => void) | void;
  EventsOff?(name: string, ...more: string[]): void;
  BrowserOpenURL?(url: string): void;
  OnFileDrop?(cb: (x: number, y: number, paths: string[]) => void, useDropTarget: boolean): void;
  OnFileDropOff?(): void;
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
    onFileDrop(cb) {
      const rt = w.runtime;
      if (!rt?.OnFileDrop) return () => {};
      // Anywhere in the window: the library is the one place that listens.
      rt.OnFileDrop((_x, _y, paths) => cb((paths ?? []).filter(Boolean)), false);
      return () => rt.OnFileDropOff?.();
    },
    openURL(url) {
      if (w.runtime?.BrowserOpenURL) w.runtime.BrowserOpenURL(url);
      else window.open(url, '_blank', 'noopener');
    },
  };
}

/** Where the page keeps the browser-mode key: this tab only, never a cookie. */
export const TOKEN_KEY = 'fitbridge_token';

/**
 * The browser-mode key. `fitbridge serve` prints an address with it in the
 * fragment (`/#token=...`), which browsers never send to a server; the page
 * moves it to this tab's sessionStorage and out of the address bar. A
 * cookie would reach every other server on 127.0.0.1, whatever its port.
 */
export function sessionToken(loc: Pick<Location, 'hash' | 'pathname' | 'search'> | undefined = globalThis.location): string {
  const store = globalThis.sessionStorage;
  const hash = loc?.hash ?? '';
  const m = /^#(?:.*&)?token=([A-Za-z0-9._~-]+)/.exec(hash);
  if (m) {
    try {
      store?.setItem(TOKEN_KEY, m[1]);
    } catch {
      // Storage refused (private mode quotas): the key still works for this page.
    }
    try {
      globalThis.history?.replaceState(globalThis.history.state, '', `${loc!.pathname}${loc!.search}`);
    } catch {
      // Not a real page (tests): nothing to tidy.
    }
    return m[1];
  }
  try {
    return store?.getItem(TOKEN_KEY) ?? '';
  } catch {
    return '';
  }
}

/** Splits a Server-Sent Events byte stream into events, as EventSource would. */
export function sseParser(emit: (event: string, data: string) => void): (chunk: string) => void {
  let buf = '';
  return (chunk) => {
    buf += chunk.replace(/\r\n?/g, '\n');
    let end: number;
    while ((end = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, end);
      buf = buf.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line === '' || line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? '' : line.slice(colon + 1);
        if (value.startsWith(' ')) value = value.slice(1);
        if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
      }
      if (data.length) emit(event, data.join('\n'));
    }
  };
}

export function httpTransport(base = '', token: () => string = memoToken()): Transport {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let streaming = false;

  function authHeaders(): Record<string, string> {
    const t = token();
    return t ? { Authorization: `Bearer ${t}` } : {};
  }

  function deliver(event: string, raw: string) {
    const set = listeners.get(event);
    if (!set) return;
    let payload: unknown = undefined;
    if (raw !== '') {
      try {
        payload = JSON.parse(raw);
      } catch {
        payload = raw;
      }
    }
    for (const cb of set) cb(payload);
  }

  // The event stream is a fetch carrying the key in a header (EventSource
  // cannot send one); it reconnects as EventSource would.
  async function stream() {
    for (;;) {
      let wait = 3000;
      try {
        const res = await fetch(`${base}/api/events`, { headers: { Accept: 'text/event-stream', ...authHeaders() }, cache: 'no-store' });
        if (res.status === 401) wait = 10_000;
        if (res.ok && res.body) {
          const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
          const feed = sseParser(deliver);
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            feed(value);
          }
        }
      } catch {
        // Server gone or restarting: try again shortly.
      }
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  function ensureStream() {
    if (streaming) return;
    streaming = true;
    void stream();
  }

  async function post(method: string, path: string, body: BodyInit, contentType: string): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method: 'POST',
        credentials: 'omit',
        headers: { 'Content-Type': contentType, ...authHeaders() },
        body,
      });
    } catch {
      throw new ApiError(tr('app.notRunning'), method);
    }
    const text = await res.text();
    let parsed: { result?: unknown; error?: unknown } | null = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    if (!res.ok) {
      let msg =
        parsed && typeof parsed.error === 'string' && parsed.error
          ? parsed.error
          : `FitBridge answered ${res.status}${res.statusText ? ' ' + res.statusText : ''}.`;
      if (res.status === 401 && !token()) msg = tr('app.noKey');
      throw new ApiError(msg, method, res.status);
    }
    return parsed ? parsed.result : undefined;
  }

  return {
    kind: 'http',
    call(method, args) {
      return post(method, `/api/call/${encodeURIComponent(method)}`, JSON.stringify(args), 'application/json');
    },
    upload(method, path, body) {
      return post(method, path, body, 'application/octet-stream');
    },
    on(event, cb) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(cb);
      ensureStream();
      return () => set.delete(cb);
    },
    openURL(url) {
      window.open(url, '_blank', 'noopener');
    },
  };
}

/** Reads the key once, on first use. */
function memoToken(): () => string {
  let t: string | null = null;
  return () => (t ??= sessionToken());
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
  /** Browser mode: imports files sent up with uploadFile. */
  ImportUploads: (files: { name: string; id: string }[]) => call<ImportResult>('ImportUploads', files),
  Activities: (filter: ActivityFilter) => call<ActivityView[] | null>('Activities', filter),
  ActivityDetail: (id: number) => call<ActivityDetail>('ActivityDetail', id),
  PreviewBackfill: (req: BackfillRequest) => call<Preview>('PreviewBackfill', req),
  Runs: () => call<RunInfo[] | null>('Runs'),
  UndoRun: (id: number, edited: boolean) => call<UndoResult>('UndoRun', id, edited),
  UndoUploads: (ids: number[], edited: boolean) => call<UndoResult>('UndoUploads', ids, edited),
  KeepOut: (ids: number[]) => call<void>('KeepOut', ids),
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
  /**
   * Hears files dropped on the window as their paths, so they are read where
   * they are, whatever their size; undefined where drops bring only bytes.
   */
  onFileDrop(cb: (paths: string[]) => void): (() => void) | undefined {
    const t = transport();
    return t.onFileDrop ? t.onFileDrop(cb) : undefined;
  },
  openURL: (url: string) => transport().openURL(url),
};

/** Whether files go up in parts (browser mode) rather than in one call. */
export function uploadsInParts(): boolean {
  return typeof transport().upload === 'function';
}

async function startsLikeZip(file: Blob): Promise<boolean> {
  const head = new Uint8Array(await file.slice(0, 4).arrayBuffer());
  return head.length === 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
}

/**
 * Sends one file up in parts (browser mode), calling onBytes after each, and
 * returns the id ImportUploads takes. Each part is a request of its own, so
 * neither a file's size nor the number of files meets a request limit.
 */
export async function uploadFile(file: Blob, onBytes: (n: number) => void): Promise<string> {
  const t = transport();
  if (!t.upload) throw new ApiError('Uploading files is for the browser.', 'upload');
  const started = (await t.upload('upload', '/api/upload', new Blob())) as { id: string; part: number; limit: number; archive_limit?: number };
  // An export archive (a ZIP) may be far larger than an activity file: it is read where it lands.
  const limit = started.archive_limit && (await startsLikeZip(file)) ? started.archive_limit : started.limit;
  if (file.size > limit) {
    throw new ApiError(tr('import.tooLarge', { mib: Math.floor(limit / 2 ** 20) }), 'upload', 413);
  }
  for (let off = 0; off < file.size; off += started.part) {
    const end = Math.min(off + started.part, file.size);
    await t.upload('upload', `/api/upload/${started.id}?offset=${off}`, file.slice(off, end));
    onBytes(end - off);
  }
  return started.id;
}

export function errorText(err: unknown): string {
  return messageOf(err) || tr('app.somethingWrong');
}
