import { describe, expect, it } from 'vitest';
import IntervalsForm from '../src/components/accounts/IntervalsForm.svelte';
import SourceCard from '../src/components/accounts/SourceCard.svelte';
import { signInError } from '../src/lib/signin';
import { sourcesStore } from '../src/stores/sources.svelte';
import { statusStore } from '../src/stores/status.svelte';
import { byTestId, click, queryTestId, render, settle, text, type } from './helpers';
import { FakeApi, makeStatus } from './fakeApi';

async function card(fake: FakeApi, name: string) {
  fake.install();
  await statusStore.load();
  await sourcesStore.load();
  const src = sourcesStore.list.find((s) => s.name === name)!;
  const r = render(SourceCard, { source: src });
  await settle();
  return r.target;
}

describe('sign-in screens', () => {
  it('reduces a sign-in error to one sentence without the platform as a label', () => {
    expect(
      signInError(
        'iGPSport sign-in: iGPSport did not accept the sign-in: 账号或密码错误 (incorrect account or password). International and China accounts are separate: choose China',
        'iGPSport',
      ),
    ).toBe('iGPSport did not accept the sign-in: 账号或密码错误 (incorrect account or password).');
    expect(signInError('MyWhoosh: the email or password is wrong.', 'MyWhoosh')).toBe('The email or password is wrong.');
    expect(signInError('iGPSport could not be reached: check your connection', 'iGPSport')).toBe('iGPSport could not be reached: check your connection');
    expect(signInError('Intervals.icu did not accept this API key: copy it again from Settings → Developer Settings on intervals.icu', 'Intervals.icu')).toBe(
      'Intervals.icu did not accept this API key: copy it again from Settings → Developer Settings on intervals.icu',
    );
  });

  it('puts a wrong password\'s error in the password form, as an alert, and keeps the email', async () => {
    const fake = new FakeApi();
    fake.handlers.ConnectPassword = () => {
      throw new Error('MyWhoosh: the email or password is wrong.');
    };
    const root = await card(fake, 'mywhoosh');
    await click(byTestId(root, 'source-more-mywhoosh'));
    await type(byTestId<HTMLInputElement>(root, 'source-username-mywhoosh'), 'ada@example.com');
    await type(byTestId<HTMLInputElement>(root, 'source-password-mywhoosh'), 'wrong');
    await click(byTestId(root, 'source-connect-password-mywhoosh'));
    const err = byTestId(root, 'source-error-mywhoosh');
    expect(err.getAttribute('role')).toBe('alert');
    expect(text(err)).toBe('The email or password is wrong.');
    // Beside the form that failed, not under the token form or the card's foot.
    expect(err.closest('form')).toBe(byTestId(root, 'source-connect-password-mywhoosh').closest('form'));
    expect(byTestId<HTMLInputElement>(root, 'source-username-mywhoosh').value).toBe('ada@example.com');
    expect(byTestId<HTMLInputElement>(root, 'source-password-mywhoosh').value).toBe('');
  });

  it('lets the rider show the token they pasted', async () => {
    const root = await card(new FakeApi(), 'mywhoosh');
    await click(byTestId(root, 'source-more-mywhoosh'));
    const field = byTestId<HTMLInputElement>(root, 'source-token-mywhoosh');
    expect(field.type).toBe('password');
    await click(byTestId(root, 'source-token-mywhoosh-show'));
    expect(field.type).toBe('text');
    expect(byTestId(root, 'source-token-mywhoosh-show').getAttribute('aria-pressed')).toBe('true');
  });

  it('asks before disconnecting, and hides the old account while another is entered', async () => {
    const fake = new FakeApi();
    fake.sources = fake.sources.map((s) => (s.name === 'mywhoosh' ? { ...s, connected: true, state: 'connected', activities: 12, last_sync: '2024-03-05T10:00:00Z' } : s));
    const root = await card(fake, 'mywhoosh');
    await click(byTestId(root, 'source-disconnect-mywhoosh'));
    expect(fake.callsTo('Disconnect')).toHaveLength(0);
    expect(text(byTestId(root, 'source-card-mywhoosh'))).toMatch(/Disconnect MyWhoosh\? Rides already in the library stay\./);
    await click(byTestId(root, 'source-disconnect-keep-mywhoosh'));
    expect(queryTestId(root, 'source-disconnect-confirm-mywhoosh')).toBeNull();
    expect(text(root)).toMatch(/12 activities found/);
    await click(byTestId(root, 'source-reconnect-mywhoosh'));
    expect(text(root)).not.toMatch(/12 activities found/);
    expect(queryTestId(root, 'source-connect-browser-mywhoosh')).not.toBeNull();
    const cancel = [...root.querySelectorAll('button')].find((b) => text(b) === 'Cancel')!;
    await click(cancel);
    expect(text(root)).toMatch(/12 activities found/);
  });

  it('Intervals.icu: another account hides the current one; Disconnect asks first; the key can be shown', async () => {
    const fake = new FakeApi();
    fake.status = makeStatus({ intervals: { connected: true, athlete_id: 'i1', athlete_name: 'Ada', timezone: '', units: 'km', state: 'connected', url: '' } });
    fake.install();
    await statusStore.load();
    const root = render(IntervalsForm, { allowDisconnect: true }).target;
    await settle();
    await click(byTestId(root, 'intervals-disconnect'));
    expect(fake.callsTo('DisconnectIntervals')).toHaveLength(0);
    await click(byTestId(root, 'intervals-disconnect-keep'));
    await click(byTestId(root, 'intervals-change'));
    expect(queryTestId(root, 'intervals-connected')).toBeNull();
    const key = byTestId<HTMLInputElement>(root, 'intervals-api-key');
    expect(key.type).toBe('password');
    await click(byTestId(root, 'intervals-api-key-show'));
    expect(key.type).toBe('text');
  });
});
