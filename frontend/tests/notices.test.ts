import { describe, expect, it } from 'vitest';
import KeyringBanner from '../src/components/KeyringBanner.svelte';
import UpdateBanner from '../src/components/UpdateBanner.svelte';
import { statusStore } from '../src/stores/status.svelte';
import { byTestId, click, queryTestId, render, settle, text } from './helpers';
import { FakeApi } from './fakeApi';

describe('update notice', () => {
  it('shows a newer release with a link to its notes, opened outside the app, and hides on "Not now"', async () => {
    const fake = new FakeApi().install();
    fake.update = { available: true, version: '1.4.0', url: 'https://example.org/releases/tag/v1.4.0' };
    const root = render(UpdateBanner).target;
    await settle();
    expect(text(byTestId(root, 'update-banner'))).toContain('FitBridge 1.4.0 is available');
    await click(byTestId(root, 'update-notes'));
    expect(fake.opened).toEqual(['https://example.org/releases/tag/v1.4.0']);
    await click(byTestId(root, 'update-hide'));
    expect(queryTestId(root, 'update-banner')).toBeNull();
    expect(fake.callsTo('UpdateNotice')).toHaveLength(1);
  });

  it.each([
    ['nothing newer', { available: false, version: '', url: '' }],
    ['an answer without a link', { available: true, version: '1.4.0', url: '' }],
  ])('shows nothing for %s', async (_name, update) => {
    const fake = new FakeApi().install();
    fake.update = update;
    const root = render(UpdateBanner).target;
    await settle();
    expect(queryTestId(root, 'update-banner')).toBeNull();
  });

  it('shows nothing, and no error, when the backend cannot answer', async () => {
    const fake = new FakeApi().install();
    fake.handlers.UpdateNotice = () => {
      throw new Error('offline');
    };
    const root = render(UpdateBanner).target;
    await settle();
    expect(queryTestId(root, 'update-banner')).toBeNull();
    expect(root.textContent).not.toContain('offline');
  });
});

describe('keyring message', () => {
  it.each([
    ['usable keyring', { keyring_ok: true, keyring_error: '' }, false],
    ['no keyring', { keyring_ok: false, keyring_error: 'Install gnome-keyring' }, true],
    ['no keyring, demo (sign-ins stay in memory)', { keyring_ok: false, keyring_error: 'Install gnome-keyring', demo: true }, false],
  ])('%s', async (_name, over, shown) => {
    const fake = new FakeApi().install();
    Object.assign(fake.status, over);
    await statusStore.load();
    const root = render(KeyringBanner).target;
    await settle();
    const banner = queryTestId(root, 'keyring-banner');
    expect(banner !== null).toBe(shown);
    if (shown) expect(text(banner)).toContain('Install gnome-keyring');
  });
});
