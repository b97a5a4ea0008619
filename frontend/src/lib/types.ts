// Mirrors backend/service/types.go. Field names are the JSON the Go side sends.

export interface Status {
  first_run: boolean;
  wizard_step: string;
  intervals: IntervalsStatus;
  keyring_ok: boolean;
  keyring_error: string;
  data_dir: string;
  demo: boolean;
  version: string;
  browser_found: boolean;
  browser_path: string;
  backfill: Progress;
  notices: Notice[] | null;
  settings: Settings;
}

export type ConnectionState = 'connected' | 'needs_sign_in' | 'error' | '';

export interface IntervalsStatus {
  connected: boolean;
  athlete_id: string;
  athlete_name: string;
  timezone: string;
  state: ConnectionState;
  url: string;
}

export interface Region {
  id: string;
  name: string;
}

export interface SourceInfo {
  name: string;
  display_name: string;
  kind: 'cloud' | 'folder' | string;
  description: string;
  regions: Region[] | null;
  coming_soon: boolean;
  can_browser: boolean;
  can_password: boolean;
  can_token: boolean;
  connected: boolean;
  state: ConnectionState;
  state_reason: string;
  region: string;
  folder: string;
  found_folders: string[] | null;
  activities: number;
  last_sync: string;
}

export type ActivityState =
  | 'discovered'
  | 'downloaded'
  | 'ready'
  | 'uploading'
  | 'uploaded'
  | 'already_in_intervals'
  | 'skipped'
  | 'failed'
  | 'unreadable'
  | 'not_an_activity'
  | 'needs_review';

export interface ActivityView {
  id: number;
  source: string;
  remote_id: string;
  file: string;
  name: string;
  state: ActivityState | string;
  reason: string;
  permanent: boolean;
  next_try: string;
  sport: string;
  start: string;
  elapsed_s: number;
  distance_m: number;
  avg_power_w: number;
  avg_hr: number;
  device: string;
  intervals_id: string;
  intervals_url: string;
  matched_via: string;
}

export interface ActivityFilter {
  since: string;
  until: string;
  sources: string[];
  states: string[];
}

export interface ActivityDetail {
  activity: ActivityView;
  streams: Streams;
  history: StateChange[] | null;
}

export interface Streams {
  t: number[] | null;
  power: number[] | null;
  hr: number[] | null;
}

export interface StateChange {
  at: string;
  state: string;
  reason: string;
}

export interface ImportFile {
  name: string;
  data_base64: string;
}

export interface ImportResult {
  activities: ActivityView[] | null;
}

export interface BackfillRequest {
  sources: string[];
  since: string;
  until: string;
  ids: number[];
  dry_run: boolean;
  /** What the run does with rides Intervals.icu holds only as Strava copies; '' follows Settings. */
  strava_copies?: 'keep' | 'upload' | '';
}

export type Phase =
  | 'idle'
  | 'listing'
  | 'syncing'
  | 'downloading'
  | 'matching'
  | 'uploading'
  | 'done'
  | 'cancelled'
  | 'needs_sign_in'
  | '';

export interface Progress {
  running: boolean;
  paused: boolean;
  phase: Phase | string;
  total: number;
  done: number;
  counts: Record<string, number> | null;
  by_source: Record<string, Record<string, number>> | null;
  current: string;
  rate_per_min: number;
  seconds_left: number;
  failures: Failure[] | null;
  message: string;
  started_at: string;
  finished_at: string;
  /** Per source, what its listing found so far. */
  listed?: Record<string, number> | null;
}

export interface Failure {
  id: number;
  source: string;
  remote_id: string;
  name: string;
  reason: string;
  permanent: boolean;
}

export interface Preview {
  sources: PreviewSource[] | null;
  strava_copies: 'keep' | 'upload' | string;
}

/** activities (found) = already_in_intervals + to_upload + skipped; skipped is the sum of its reasons. */
export interface PreviewSource {
  name: string;
  display_name: string;
  activities: number;
  already_in_intervals: number;
  to_upload: number;
  skipped: number;
  no_file: number;
  manual_entry: number;
  needs_review: number;
  kept_out: number;
  unusable: number;
  strava_copies: number;
  needs_sign_in: boolean;
  error: string;
}

/** A preview's listing as it goes. */
export interface Counting {
  source: string;
  found: number;
}

/** One recorded run (manual, selection, continuous). */
export interface RunInfo {
  id: number;
  started: string;
  finished: string;
  kind: 'manual' | 'selection' | 'continuous' | string;
  uploaded: number;
  already: number;
  skipped: number;
  failed: number;
  /** Its uploads still in Intervals.icu. */
  undoable: number;
  undone?: string;
}

export interface UndoFailure {
  id: number;
  intervals_id: string;
  name: string;
  reason: string;
  kept: boolean;
}

export interface UndoResult {
  deleted: number;
  kept: number;
  failed: number;
  failures: UndoFailure[] | null;
}

export type Theme = 'system' | 'light' | 'dark';

export interface Settings {
  continuous_sync: boolean;
  poll_minutes: number;
  theme: Theme | string;
  strava_matches_duplicate: boolean;
  wizard_done: boolean;
  wizard_step: string;
  workouts_sync: boolean;
  /** The daily look for a newer FitBridge is off. */
  no_update_check?: boolean;
}

/** A newer FitBridge release; mirrors backend/update's Notice. */
export interface UpdateNotice {
  available: boolean;
  version: string;
  url: string;
}

/** Where planned workouts can go (Settings). */
export interface WorkoutTargetInfo {
  name: string;
  displayName: string;
  connected: boolean;
  unavailable?: string;
}

export type PlannedState = 'pending' | 'delivered' | 'changed' | 'removed' | 'failed';

export interface PlannedDelivered {
  target: string;
  displayName: string;
  state: PlannedState;
  reason?: string;
  changes: string[];
}

/** A planned workout from the Intervals.icu calendar and where it went. */
export interface PlannedView {
  id: string;
  date: string;
  name: string;
  sport: string;
  deliveries: PlannedDelivered[];
}

export interface WorkoutsRequest {
  to: string[];
  days: number;
  dryRun: boolean;
}

export interface WorkoutResult {
  id: string;
  date: string;
  name: string;
  target: string;
  state: PlannedState;
  changes: string[];
  reason?: string;
}

export interface Notice {
  at: string;
  message: string;
  /** The run an automatic upload belongs to (its list and undo). */
  run_id?: number;
}

/** One diagnostics run; mirrors backend/doctor's Report. Secrets are removed by the backend. */
export interface DiagnosticsReport {
  generated: string;
  version: string;
  os: string;
  /** Where the plain-text report was written; '' when it could not be. */
  file: string;
  checks: DiagnosticsCheck[] | null;
}

/** One harmless call to one service, or one look at a folder. */
export interface DiagnosticsCheck {
  service: string;
  call: string;
  ok: boolean;
  needs_sign_in: boolean;
  /** HTTP status of the last answer; 0 when none is known. */
  status: number;
  ms: number;
  /** Skeleton of the last reply: keys and kinds, no values. */
  shape?: unknown;
  note?: string;
  /** Findings for the open questions of the API notes, by question number. */
  answers?: Record<string, string> | null;
  exchanges?: DiagnosticsExchange[] | null;
}

export interface DiagnosticsExchange {
  method: string;
  host: string;
  path: string;
  query_keys?: string[] | null;
  auth?: string;
  status: number;
  ms: number;
  headers?: Record<string, string> | null;
  bytes: number;
  shape?: unknown;
  error?: string;
}

/** A recording a crash left unfinished (Zwift), offered for recovery. */
export interface CrashedRide {
  source: string;
  path: string;
  /** RFC 3339 UTC */
  start: string;
  minutes: number;
  records: number;
}

/** Events the backend pushes. `library` carries no payload. */
export interface EventPayloads {
  progress: Progress;
  library: undefined;
  notice: Notice;
  counting: Counting;
}
export type EventName = keyof EventPayloads;
