// The library: activities in the shown period, filters, selection and the open drawer.
import { api, errorText } from '../lib/api';
import { addMonths, byDay, daysBetween, monthRange, startOfMonth, yearRange } from '../lib/calendar';
import { dayOf } from '../lib/format';
import { canUpload, stateInfo, type StateGroup } from '../lib/palette';
import type { ActivityView } from '../lib/types';

export type LibraryView = 'month' | 'year' | 'list';

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

  selectedDays = $state<string[]>([]);
  selectedIds = $state<number[]>([]);
  anchor = $state<string | null>(null);

  /** Activity shown in the drawer. */
  openId = $state<number | null>(null);

  private seq = 0;

  range = $derived(this.view === 'month' ? monthRange(this.cursor) : yearRange(this.cursor.getFullYear()));

  visible = $derived(
    this.items.filter(
      (a) =>
        (this.sources.length === 0 || this.sources.includes(a.source)) &&
        (this.states.length === 0 || this.states.includes(stateInfo(a.state).group)),
    ),
  );

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

  setView(v: LibraryView) {
    if (v === this.view) return;
    this.view = v;
    void this.load();
  }

  /** Moves a month (month view) or a year (year and list views). */
  step(dir: -1 | 1) {
    this.cursor = addMonths(this.cursor, this.view === 'month' ? dir : dir * 12);
    void this.load();
  }

  goTo(date: Date, view: LibraryView = this.view) {
    this.cursor = startOfMonth(date);
    this.view = view;
    void this.load();
  }

  toggleSource(name: string) {
    this.sources = this.sources.includes(name) ? this.sources.filter((s) => s !== name) : [...this.sources, name];
  }

  toggleState(group: StateGroup) {
    this.states = this.states.includes(group) ? this.states.filter((s) => s !== group) : [...this.states, group];
  }

  clearFilters() {
    this.sources = [];
    this.states = [];
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
    this.sources = [];
    this.states = [];
    this.clearSelection();
    this.openId = null;
  }
}

export const activitiesStore = new ActivitiesStore();
