// An in-memory backend for component tests: records calls, answers like the Go side, emits events.
import { setTransport, type Transport } from '../src/lib/api';
import type {
  ActivityView,
  CrashedRide,
  DiagnosticsCheck,
  DiagnosticsReport,
  Preview,
  RunInfo,
  UndoResult,
  Progress,
  PlannedView,
  Settings,
  SourceInfo,
  Status,
  WorkoutResult,
  UpdateNotice,
  WorkoutTargetInfo,
} from '../src/lib/types';

type Handler = (...args: any[]) => unknown;

export function makeSettings(over: Partial<Settings> = {}): Settings {
  return {
    continuous_sync: false,
    poll_minutes: 30,
    theme: 'system',
    strava_matches_duplicate: true,
    wizard_done: false,
    wizard_step: '',
    units: '',
    week_start: 'monday',
    language: 'en',
    workouts_sync: false,
    no_update_check: false,
    ...over,
  };
}

export function makeProgress(over: Partial<Progress> = {}): Progress {
  return {
    running: false,
    paused: false,
    phase: '',
    total: 0,
    done: 0,
    counts: {},
    by_source: {},
    listed: null,
    listed_pages: null,
    current: '',
    rate_per_min: 0,
    seconds_left: 0,
    failures: [],
    message: '',
    started_at: '',
    finished_at: '',
    ...over,
  };
}

export function makeStatus(over: Partial<Status> = {}): Status {
  return {
    first_run: true,
    wizard_step: '',
    intervals: { connected: false, athlete_id: '', athlete_name: '', timezone: '', units: '', state: '', url: '' },
    keyring_ok: true,
    keyring_error: '',
    data_dir: '/home/rider/.fitbridge',
    demo: false,
    version: 'test',
    browser_found: true,
    browser_path: '/usr/bin/chromium',
    backfill: makeProgress(),
    notices: [],
    settings: makeSettings(),
    ...over,
  };
}

export function makeSource(name: string, over: Partial<SourceInfo> = {}): SourceInfo {
  return {
    name,
    display_name: name,
    kind: 'cloud',
    description: '',
    regions: [],
    coming_soon: false,
    can_browser: true,
    can_password: true,
    can_token: true,
    connected: false,
    state: '',
    state_reason: '',
    region: '',
    folder: '',
    found_folders: [],
    activities: 0,
    last_sync: '',
    color: '',
    settings: [],
    ...over,
  };
}

export function makeActivity(id: number, over: Partial<ActivityView> = {}): ActivityView {
  return {
    id,
    source: 'mywhoosh',
    remote_id: String(id),
    file: `${id}.fit`,
    name: `Ride ${id}`,
    state: 'ready',
    reason: '',
    permanent: false,
    next_try: '',
    sport: 'VirtualRide',
    start: new Date(2024, 2, 1, 9, 0).toISOString(),
    elapsed_s: 3600,
    distance_m: 30000,
    avg_power_w: 200,
    avg_hr: 140,
    device: '',
    intervals_id: '',
    intervals_url: '',
    matched_via: '',
    ...over,
  };
}

export function makeCheck(over: Partial<DiagnosticsCheck> = {}): DiagnosticsCheck {
  return { service: 'intervals', call: 'GET /api/v1/athlete/0', ok: true, needs_sign_in: false, status: 200, ms: 120, ...over };
}

export function makeReport(over: Partial<DiagnosticsReport> = {}): DiagnosticsReport {
  return {
    generated: '2024-03-05T10:00:00Z',
    version: 'test',
    os: 'linux/amd64',
    file: '/home/rider/.fitbridge/logs/doctor-20240305-100000.txt',
    checks: [makeCheck()],
    ...over,
  };
}

export function makeCrashedRide(over: Partial<CrashedRide> = {}): CrashedRide {
  return {
    source: 'zwift',
    path: '/home/rider/Documents/Zwift/Activities/inProgressActivity.fit',
    start: '2024-03-04T18:30:00Z',
    minutes: 42.4,
    records: 2544,
    ...over,
  };
}

export const DEFAULT_SOURCES: SourceInfo[] = [
  makeSource('mywhoosh', { display_name: 'MyWhoosh', color: '#e69f00', can_password: true, can_token: true }),
  makeSource('igpsport', {
    display_name: 'iGPSport',
    color: '#0072b2',
    regions: [
      { id: 'intl', name: 'International' },
      { id: 'cn', name: 'China' },
    ],
    region: 'intl',
  }),
  makeSource('trainingpeaks', { display_name: 'TrainingPeaks', coming_soon: true, can_browser: false, can_password: false, can_token: false }),
  makeSource('zwift', {
    display_name: 'Zwift',
    color: '#d55e00',
    kind: 'folder',
    can_browser: false,
    can_password: false,
    can_token: false,
    found_folders: ['/home/rider/Documents/Zwift/Activities'],
  }),
];

export class FakeApi implements Transport {
  kind: Transport['kind'] = 'test';
  calls: { method: string; args: unknown[] }[] = [];
  opened: string[] = [];
  private listeners = new Map<string, Set<(p: unknown) => void>>();

  status = makeStatus();
  settings = makeSettings();
  sources: SourceInfo[] = structuredClone(DEFAULT_SOURCES);
  activities: ActivityView[] = [];
  progress = makeProgress();
  preview: Preview = { sources: [], strava_copies: 'keep' };
  report: DiagnosticsReport = makeReport();
  crashed: CrashedRide[] = [];
  planned: PlannedView[] = [];
  workoutTargets: WorkoutTargetInfo[] = [];
  workoutResults: WorkoutResult[] = [];
  runs: RunInfo[] = [];
  undoResult: UndoResult = { deleted: 0, kept: 0, failed: 0, failures: [] };
  update: UpdateNotice = { available: false, version: '', url: '' };
  private nextId = 1000;

  handlers: Record<string, Handler> = {
    Status: () => ({ ...this.status, settings: this.settings, backfill: this.progress }),
    GetSettings: () => this.settings,
    Painted: () => undefined,
    PlannedWorkouts: () => this.planned,
    WorkoutTargets: () => this.workoutTargets,
    DeliverWorkouts: () => this.workoutResults,
    SaveSettings: (s: Settings) => (this.settings = { ...s }),
    Sources: () => this.sources,
    BuiltinSources: () => [makeSource('import', { display_name: 'Added files', kind: 'files', color: '#7a7a7a', connected: true })],
    ConnectIntervals: (id: string) =>
      (this.status.intervals = {
        connected: true,
        athlete_id: id,
        athlete_name: 'Ada Rider',
        timezone: 'Europe/London',
        units: 'km',
        state: 'connected',
        url: `https://intervals.icu/athlete/${id}`,
      }),
    DisconnectIntervals: () => undefined,
    ConnectBrowser: (name: string, region: string) => this.connect(name, { region }),
    ConnectPassword: (name: string, region: string) => this.connect(name, { region }),
    ConnectToken: (name: string, region: string) => this.connect(name, { region }),
    ConnectFolder: (name: string, path: string) => this.connect(name, { folder: path }),
    SetSourceSettings: (name: string, values: Record<string, string>) => {
      const s = this.sources.find((x) => x.name === name);
      if (!s) throw new Error(`unknown source ${name}`);
      s.settings = (s.settings ?? []).map((d) => (d.key in values && !d.secret ? { ...d, value: values[d.key] } : d));
      return s;
    },
    Disconnect: (name: string) => {
      this.sources = this.sources.map((s) => (s.name === name ? { ...s, connected: false, state: '' } : s));
    },
    Activities: (f: { since: string; until: string }) =>
      this.activities.filter((a) => {
        // Like the backend: an activity without a start is in every period.
        if (!a.start) return true;
        const d = a.start.slice(0, 10);
        return (!f.since || d >= shiftDay(f.since, -1)) && (!f.until || d <= shiftDay(f.until, 1));
      }),
    ActivityDetail: (id: number) => ({
      activity: this.activities.find((a) => a.id === id),
      streams: { t: [0, 1, 2, 3], power: [100, 200, 250, 150], hr: [100, 120, 130, 125] },
      history: [
        { at: '2024-03-05T10:00:00Z', state: 'discovered', reason: '' },
        { at: '2024-03-05T10:01:00Z', state: 'failed', reason: 'Intervals.icu was busy' },
      ],
    }),
    PreviewBackfill: () => this.preview,
    Runs: () => this.runs,
    UndoRun: () => this.undoResult,
    UndoUploads: () => this.undoResult,
    KeepOut: (ids: number[]) => {
      this.activities = this.activities.map((a) => (ids.includes(a.id) ? { ...a, state: 'skipped', permanent: true, reason: 'kept out: you chose to keep it out of Intervals.icu' } : a));
    },
    StartBackfill: () => (this.progress = makeProgress({ running: true, phase: 'listing', started_at: '2024-03-05T10:00:00Z' })),
    PauseBackfill: () => {
      this.progress = { ...this.progress, paused: true };
    },
    ResumeBackfill: () => {
      this.progress = { ...this.progress, paused: false };
    },
    CancelBackfill: () => {
      this.progress = { ...this.progress, running: false, phase: 'cancelled' };
    },
    Progress: () => this.progress,
    RetryFailed: () => (this.progress = { ...this.progress, running: true, phase: 'uploading' }),
    ImportFiles: () => ({ activities: [] }),
    ImportPaths: () => ({ activities: [] }),
    StartDemo: () => ({ ...this.status, demo: true }),
    Diagnostics: () => this.report,
    UpdateNotice: () => this.update,
    CrashedRides: () => this.crashed,
    RecoverRide: (source: string, path: string) => {
      const ride = this.crashed.find((r) => r.source === source && r.path === path);
      if (!ride) throw new Error('that recording is no longer waiting to be recovered');
      const a = makeActivity(this.nextId++, { source, file: 'recovered.fit', name: 'Recovered ride', start: ride.start, state: 'ready' });
      this.activities = [...this.activities, a];
      return a;
    },
  };

  private connect(name: string, extra: Partial<SourceInfo>): SourceInfo {
    const s = this.sources.find((x) => x.name === name);
    if (!s) throw new Error(`unknown source ${name}`);
    Object.assign(s, { connected: true, state: 'connected', activities: 12 }, extra);
    return s;
  }

  async call(method: string, args: unknown[]): Promise<unknown> {
    this.calls.push({ method, args });
    const h = this.handlers[method];
    if (!h) throw new Error(`The fake has no ${method}`);
    const out = await h(...args);
    return out === undefined ? undefined : structuredClone(out);
  }

  on(event: string, cb: (p: unknown) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(cb);
    return () => set!.delete(cb);
  }

  emit(event: string, payload?: unknown) {
    for (const cb of this.listeners.get(event) ?? []) cb(payload);
  }

  openURL(url: string) {
    this.opened.push(url);
  }

  callsTo(method: string): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  install(): this {
    setTransport(this);
    return this;
  }
}

function shiftDay(key: string, n: number): string {
  const [y, m, d] = key.split('-').map(Number);
  const t = new Date(Date.UTC(y, m - 1, d + n));
  return t.toISOString().slice(0, 10);
}
