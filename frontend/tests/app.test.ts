import { describe, expect, it } from 'vitest';
import App from '../src/App.svelte';
import { byTestId, click, queryTestId, render, settle, text } from './helpers';
import { FakeApi, makeSettings } from './fakeApi';

describe('app shell', () => {
  it('opens the wizard on first run', async () => {
    new FakeApi().install();
    const root = render(App).target;
    await settle();
    expect(queryTestId(root, 'wizard')).not.toBeNull();
    expect(queryTestId(root, 'nav-library')).toBeNull();
  });

  it('opens the calendar once set up, shows notices as toasts and applies the theme', async () => {
    const fake = new FakeApi();
    fake.status.first_run = false;
    fake.settings = makeSettings({ wizard_done: true });
    fake.install();
    const root = render(App).target;
    await settle();
    expect(queryTestId(root, 'wizard')).toBeNull();
    expect(queryTestId(root, 'calendar-month')).not.toBeNull();

    fake.emit('notice', { at: '2024-03-05T10:00:00Z', message: '2 new MyWhoosh rides uploaded' });
    await settle();
    expect(text(byTestId(document.body, 'toasts'))).toMatch(/2 new MyWhoosh rides uploaded/);

    await click(byTestId(root, 'nav-settings'));
    const theme = byTestId<HTMLSelectElement>(root, 'settings-theme');
    theme.value = 'dark';
    theme.dispatchEvent(new Event('change', { bubbles: true }));
    await settle();
    expect(fake.settings.theme).toBe('dark');
    expect(document.documentElement.dataset.theme).toBe('dark');

    // "System" leaves the choice to prefers-color-scheme.
    theme.value = 'system';
    theme.dispatchEvent(new Event('change', { bubbles: true }));
    await settle();
    expect(document.documentElement.dataset.theme).toBeUndefined();
  });

  it('says so plainly when the backend does not answer', async () => {
    const fake = new FakeApi();
    fake.handlers.Status = () => {
      throw new Error('FitBridge is not answering. Is it still running on this computer?');
    };
    fake.install();
    const root = render(App).target;
    await settle();
    expect(text(root)).toMatch(/not answering/);
  });
});
