import { describe, expect, it } from 'vitest';
import CrashedRides from '../src/components/library/CrashedRides.svelte';
import Library from '../src/components/library/Library.svelte';
import { activitiesStore } from '../src/stores/activities.svelte';
import { sourcesStore } from '../src/stores/sources.svelte';
import { byTestId, click, queryTestId, render, settle, text } from './helpers';
import { FakeApi, makeCrashedRide } from './fakeApi';

const FIRST = makeCrashedRide();
const SECOND = makeCrashedRide({
  path: '/home/rider/OneDrive/Documents/Zwift/Activities/inProgressActivity.fit',
  start: '2024-03-06T07:05:00Z',
  minutes: 0.4,
});

async function open(fake: FakeApi) {
  fake.install();
  await sourcesStore.load();
  const root = render(CrashedRides).target;
  await settle();
  return root;
}

describe('crashed rides', () => {
  it('shows nothing when there is nothing to recover', async () => {
    const fake = new FakeApi();
    const root = await open(fake);
    expect(fake.callsTo('CrashedRides')).toHaveLength(1);
    expect(queryTestId(root, 'crashed-rides')).toBeNull();
    expect(root.innerHTML.replace(/<!---->/g, '').trim()).toBe('');
  });

  it('stays quiet when the list cannot be read', async () => {
    const fake = new FakeApi();
    fake.handlers.CrashedRides = () => {
      throw new Error('FitBridge cannot do "CrashedRides" in this version.');
    };
    const root = await open(fake);
    expect(queryTestId(root, 'crashed-rides')).toBeNull();
  });

  it('lists each crashed ride with when it started and how long it was', async () => {
    const fake = new FakeApi();
    fake.crashed = [FIRST, SECOND];
    const root = await open(fake);
    const first = text(byTestId(root, 'crashed-ride-0'));
    expect(first).toMatch(/^Zwift stopped while recording a ride that started .+, about 42 minutes\./);
    expect(first).toContain(new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(FIRST.start)));
    expect(text(byTestId(root, 'crashed-ride-1'))).toMatch(/less than a minute\./);
    expect(byTestId(root, 'recover-0').getAttribute('aria-label')).toMatch(/^Recover the ride that started /);
  });

  it('recovers a ride, shows its state, refreshes the library and hides the row', async () => {
    const fake = new FakeApi();
    fake.crashed = [FIRST, SECOND];
    const root = await open(fake);
    // The calendar shows the month of the crash.
    activitiesStore.goTo(new Date(2024, 2, 1));
    await settle();
    const loadsBefore = fake.callsTo('Activities').length;

    await click(byTestId(root, 'recover-0'));
    expect(fake.callsTo('RecoverRide')).toEqual([['zwift', FIRST.path]]);
    expect(queryTestId(root, 'crashed-ride-0')).toBeNull();
    expect(queryTestId(root, 'recover-0')).toBeNull();
    // The other keeps its place and its id.
    expect(queryTestId(root, 'recover-1')).not.toBeNull();
    const note = byTestId(root, 'crashed-recovered');
    expect(text(note)).toMatch(/Recovered the ride from .+: ● Ready to upload/);
    expect(document.activeElement).toBe(note);
    expect(fake.callsTo('Activities').length).toBe(loadsBefore + 1);
    const recovered = activitiesStore.items.find((a) => a.name === 'Recovered ride');
    expect(recovered).toBeDefined();
    await click(byTestId(root, `crashed-show-${recovered!.id}`));
    expect(activitiesStore.openId).toBe(recovered!.id);
    activitiesStore.close();

    // Zwift's folder still holds the recording; opening the calendar again does not offer it twice.
    await click(byTestId(root, 'recover-1'));
    expect(fake.callsTo('RecoverRide').at(-1)).toEqual(['zwift', SECOND.path]);
    expect(queryTestId(root, 'crashed-ride-1')).toBeNull();
    await click(byTestId(root, 'crashed-recovered-close'));
    expect(queryTestId(root, 'crashed-rides')).toBeNull();

    const again = render(CrashedRides).target;
    await settle();
    expect(fake.callsTo('CrashedRides').length).toBeGreaterThan(1);
    expect(queryTestId(again, 'crashed-rides')).toBeNull();
  });

  it('says plainly when a ride cannot be recovered and keeps the row', async () => {
    const fake = new FakeApi();
    fake.crashed = [FIRST];
    fake.handlers.RecoverRide = () => {
      throw new Error("Zwift's recording now holds a different ride (it was overwritten by a newer one)");
    };
    const root = await open(fake);
    await click(byTestId(root, 'recover-0'));
    expect(text(byTestId(root, 'recover-error-0'))).toBe(
      "Could not recover it: Zwift's recording now holds a different ride (it was overwritten by a newer one)",
    );
    expect(queryTestId(root, 'crashed-ride-0')).not.toBeNull();
    expect(queryTestId(root, 'crashed-recovered')).toBeNull();
  });

  it('sits on the calendar screen', async () => {
    const fake = new FakeApi();
    fake.crashed = [FIRST];
    fake.install();
    await sourcesStore.load();
    const root = render(Library).target;
    await settle();
    expect(queryTestId(root, 'crashed-rides')).not.toBeNull();
    expect(queryTestId(root, 'recover-0')).not.toBeNull();
  });
});
