// The shapes the Go side sends are generated from its types (models.ts, by
// `go generate ./backend/service`); this file adds the names the window uses
// for narrower values and the events.

export type {
  ActivityDetail,
  ActivityFilter,
  ActivityView,
  ArchiveProgress,
  BackfillRequest,
  CrashedRide,
  DiagnosticsCheck,
  DiagnosticsExchange,
  DiagnosticsReport,
  Failure,
  ImportFile,
  ImportResult,
  IntervalsStatus,
  Notice,
  PlannedDelivered,
  PlannedView,
  Counting,
  Preview,
  PreviewSource,
  Progress,
  Region,
  RunInfo,
  SettingInfo,
  Settings,
  SourceInfo,
  State,
  StateChange,
  Status,
  Streams,
  UndoFailure,
  UndoResult,
  UpdateNotice,
  WorkoutResult,
  WorkoutsRequest,
  WorkoutTargetInfo,
} from './models';
export { STATE_VALUES } from './models';

import type { ArchiveProgress, Counting, Notice, Progress, State } from './models';

/** An activity's state: exactly what the engine sends. */
export type ActivityState = State;

export type ConnectionState = 'connected' | 'needs_sign_in' | 'error' | '';

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

export type Theme = 'system' | 'light' | 'dark';

export type PlannedState = 'pending' | 'delivered' | 'changed' | 'removed' | 'failed';
/** Events the backend pushes. `library` carries no payload. */
export interface EventPayloads {
  progress: Progress;
  library: undefined;
  notice: Notice;
  import_progress: ArchiveProgress;
  counting: Counting;
}
export type EventName = keyof EventPayloads;
