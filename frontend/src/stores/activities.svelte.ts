// The library: activities in the shown period, filters, selection and the open drawer.
import { api, errorText } from '../lib/api';
import { addMonths, byDay, daysBetween, monthRange, startOfMonth, yearRange } from '../lib/calendar';
import { byText, dayOf, nameOf } from '../lib/format';
import { sportLabel, stateLabel } from '../lib/i18n/index.svelte';
import { canUpload, stateInfo, type StateGroup } from '../lib/palette';
import type { ActivityView } from '../lib/types';

export type LibraryView = 'month' | 'year' | 'list';

/** Columns the list can be ordered by. */
export type SortKey = 'date' | 'name' | 'sport' | 'duration' | 'distance' | 'source' | 'state';

/** Folds case and accents, so "morning" finds "Morning" and "cote" finds "Côte". */
export function fold(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
}

/** Compares two activities on one column; ties fall back to the start, then the id. */
export function compareBy(key: SortKey, a: ActivityView, b: ActivityView): number {
  const text = (x: string, y: string) => (x || '\uffff').localeCompare(y || '\uffff', undefined, { sensitivity: 'base', numeric: true });
  let c = 0;
  switch (key) {
    case 'name': c = text(nameOf(a), nameOf(b)); break;
    case 'sport': c = text(a.sport && sportLabel(a.sport), b.sport && sportLabel(b.sport)); break;
    case 'duration': c = (a.elapsed_s || 0) - (b.elapsed_s || 0); break;
    case 'distance': c = (a.distance_m || 0) - (b.distance_m || 0); break;
    case 'source': c = text(a.source, b.source); break;
    case 'state': c = text(stateLabel(a.state), stateLabel(b.state)); break;
  }
  return c || byText(a.start, b.start) || a.id - b.id;
}

class ActivitiesStore {
  items = $state<ActivityView[]>([]);
  loading = $state(false);
  loaded = $state(false);
  error = $state('');

  view = $state<LibraryView>('month');
  /** First day of the month shown; its year is the year shown. */
  cursor = $state<Date>(startOfMonth(new Date()));

  /** Filters: empty means "all". */
  sources = $state<string[]>([]);
  states = $state<StateGroup[]>([]);
  sports = $state<string[]>([]);
  /** Words the name (or the file name) must contain. */
  query = $state('');
  /** The list shows the whole history rather than the year shown. */
  wholeHistory = $state(false);
  sortKey = $state<SortKey>('date');
  /** 1 ascending, -1 descending. */
  sortDir = $state<1 | -1>(-1);

  selectedDays = $state<string[]>([]);
  selectedIds = $state<number[]>([]);
  anchor = $state<string | null>(null);

  /** Activity shown in the drawer. */
  openId = $state<number | null>(null);

  private seq = 0;

  /** The whole library when the list shows the whole history (empty bounds). */
  range = $derived(
    this.allTime ? { since: '', until: '' } : this.view === 'month' ? monthRange(this.cursor) : yearRange(this.cursor.getFullYear()),
  );

  get allTime(): boolean {
    return this.view === 'list' && this.wholeHistory;
  }

  /**
   * The period's activities. A file without a start is returned by every
   * period's query; it belongs to none, so only the whole history lists it.
   */
  inPeriod = $derived(this.allTime ? this.items : this.items.filter((a) => dayOf(a.start) !== ''));

  /** Files without a start in the library, counted once, whatever the period. */
  undatedCount = $derived(this.items.filter((a) => dayOf(a.start) === '').length);

  private words = $derived(fold(this.query).split(/\s+/).filter(Boolean));

  visible = $derived(
    this.inPeriod.filter(
      (a) =>
        (this.sources.length === 0 || this.sources.includes(a.source)) &&
        (this.states.length === 0 || this.states.includes(stateInfo(a.state).group)) &&
        (this.sports.length === 0 || this.sports.includes(a.sport || '')) &&
        (this.words.length === 0 || this.words.every((w) => fold(`${nameOf(a)} ${a.file}`).includes(w))),
    ),
  );

  filtering = $derived(this.sources.length > 0 || this.states.length > 0 || this.sports.length > 0 || this.words.length > 0);

  /** The list's rows in the chosen order. */
  sorted = $derived([...this.visible].sort((a, b) => this.sortDir * compareBy(this.sortKey, a, b)));

  days = $derived(byDay(this.visible));

  selected = $derived.by(() => {
    if (this.selectedDays.length === 0 && this.selectedIds.length === 0) return [] as ActivityView[];
    const days = new Set(this.selectedDays);
    const ids = new Set(this.selectedIds);
    return this.visible.filter((a) => ids.has(a.id) || days.has(dayOf(a.start)));
  });

  uploadable = $derived(this.selected.filter(canUpload));

  async load() {
    const seq = ++this.seq;
    const { since, until } = this.range;
    this.loading = true;
    this.error = '';
    try {
      const rows = (await api.Activities({ since, until, sources: [], states: [] })) ?? [];
      if (seq !== this.seq) return;
      this.items = rows;
      this.loaded = true;
    } catch (err) {
      if (seq === this.seq) this.error = errorText(err);
    } finally {
      if (seq === this.seq) this.loading = false;
    }
  }

  // A selection belongs to the period and filters it was made in: what the
  // bar counts is always what "Upload selected" would send.
  setView(v: LibraryView) {
    if (v === this.view) return;
    this.view = v;
    this.clearSelection();
    void this.load();
  }

  /** Moves a month (month view) or a year (year and list views). */
  step(dir: -1 | 1) {
    // From the whole history, either arrow comes back to the year last shown.
    if (!this.allTime) this.cursor = addMonths(this.cursor, this.view === 'month' ? dir : dir * 12);
    this.wholeHistory = false;
    this.clearSelection();
    void this.load();
  }

  goTo(date: Date, view: LibraryView = this.view) {
    this.cursor = startOfMonth(date);
    this.view = view;
    this.wholeHistory = false;
    this.clearSelection();
    void this.load();
  }

  /** The list of every activity, undated ones included. */
  showWholeHistory(on = true) {
    this.view = 'list';
    this.wholeHistory = on;
    this.clearSelection();
    void this.load();
  }

  sortBy(key: SortKey) {
    if (this.sortKey === key) this.sortDir = this.sortDir === 1 ? -1 : 1;
    else {
      this.sortKey = key;
      // Newest, longest and farthest first; words from A.
      this.sortDir = key === 'date' || key === 'duration' || key === 'distance' ? -1 : 1;
    }
  }

  private keepVisibleSelection() {
    const shown = new Set(this.visible.map((a) => a.id));
    this.selectedIds = this.selectedIds.filter((id) => shown.has(id));
  }

  toggleSource(name: string) {
    this.sources = this.sources.includes(name) ? this.sources.filter((s) => s !== name) : [...this.sources, name];
    this.keepVisibleSelection();
  }

  toggleState(group: StateGroup) {
    this.states = this.states.includes(group) ? this.states.filter((s) => s !== group) : [...this.states, group];
    this.keepVisibleSelection();
  }

  toggleSport(sport: string) {
    this.sports = this.sports.includes(sport) ? this.sports.filter((s) => s !== sport) : [...this.sports, sport];
    this.keepVisibleSelection();
  }

  search(text: string) {
    this.query = text;
    this.keepVisibleSelection();
  }

  clearFilters() {
    this.sources = [];
    this.states = [];
    this.sports = [];
    this.query = '';
  }

  /** Click: pick one day (again: unpick). Shift: a range from the last day. Ctrl/Cmd: add or remove a day. */
  selectDay(key: string, mode: 'single' | 'range' | 'toggle' = 'single') {
    if (mode === 'range' && this.anchor) {
      this.selectedDays = daysBetween(this.anchor, key);
      return;
    }
    if (mode === 'toggle') {
      this.selectedDays = this.selectedDays.includes(key)
        ? this.selectedDays.filter((d) => d !== key)
        : [...this.selectedDays, key];
    } else {
      this.selectedDays = this.selectedDays.length === 1 && this.selectedDays[0] === key ? [] : [key];
    }
    this.anchor = key;
  }

  toggleId(id: number) {
    this.selectedIds = this.selectedIds.includes(id)
      ? this.selectedIds.filter((x) => x !== id)
      : [...this.selectedIds, id];
  }

  isSelected(a: ActivityView): boolean {
    return this.selectedIds.includes(a.id) || this.selectedDays.includes(dayOf(a.start));
  }

  clearSelection() {
    this.selectedDays = [];
    this.selectedIds = [];
    this.anchor = null;
  }

  open(id: number) {
    this.openId = id;
  }

  close() {
    this.openId = null;
  }

  /** Reloads when the backend says the library changed; returns the unsubscribe. */
  init(): () => void {
    return api.on('library', () => {
      if (this.loaded) void this.load();
    });
  }

  reset() {
    this.items = [];
    this.loading = false;
    this.loaded = false;
    this.error = '';
    this.view = 'month';
    this.cursor = startOfMonth(new Date());
    this.wholeHistory = false;
    this.sortKey = 'date';
    this.sortDir = -1;
    this.clearFilters();
    this.clearSelection();
    this.openId = null;
  }
}

export const activitiesStore = new ActivitiesStore();
