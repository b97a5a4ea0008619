// Pictures of the window for docs/screenshots, in English and German, light
// and dark, taken from `fitbridge serve --demo` with the system Chromium.
//
//   npm run screenshots                 after `make build`
//   FITBRIDGE_BIN=/path/to/fitbridge    another binary
//   CHROMIUM=/path/to/chromium          another browser
//
// The demo library is filled by one backfill through the same calls the
// window makes, then each screen is shown in each language and theme.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const BIN = process.env.FITBRIDGE_BIN || path.resolve(here, '../../build/bin/fitbridge');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const OUT = path.resolve(here, '../../docs/screenshots');
const LANGS = ['en', 'de'];
const THEMES = ['light', 'dark'];

function startServe() {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, ['serve', '--demo', '--addr', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no address within 30s:\n${out}`)), 30_000);
    child.on('error', (err) => reject(new Error(`cannot start ${BIN}: ${err.message} (run \`make build\` first)`)));
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/FitBridge is running at (http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1] });
      }
    });
  });
}

const { child, url } = await startServe();
const stop = () => {
  if (child.exitCode === null) child.kill('SIGTERM');
};
process.on('exit', stop);
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
try {
  mkdirSync(OUT, { recursive: true });
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-GB' })).newPage();
  await page.goto(url);
  await page.waitForURL((u) => !u.search.includes('token='));
  const call = (method, ...args) =>
    page.evaluate(
      async ([m, a]) => {
        const res = await fetch(`/api/call/${m}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(a) });
        const body = await res.json();
        if (!res.ok) throw new Error(`${m}: ${JSON.stringify(body)}`);
        return body.result;
      },
      [method, args],
    );

  // One backfill fills the library; the wizard is then done.
  await call('StartBackfill', { sources: [], since: '', until: '', ids: [], dry_run: false });
  for (let i = 0; i < 600 && (await call('Progress')).running; i++) await page.waitForTimeout(500);
  const settings = await call('GetSettings');
  await call('SaveSettings', { ...settings, wizard_done: true, continuous_sync: false });

  const tid = (id) => page.getByTestId(id);
  const shots = [
    ['calendar-month', async () => { await tid('nav-library').click(); await tid('view-month').click(); await tid('calendar-month').waitFor(); }],
    ['calendar-year', async () => { await tid('view-year').click(); await tid('calendar-year').waitFor(); }],
    ['calendar-list', async () => { await tid('view-list').click(); await tid('activity-list').waitFor(); }],
    ['settings', async () => { await tid('nav-settings').click(); await tid('settings-theme').waitFor(); }],
  ];
  for (const lang of LANGS) {
    for (const theme of THEMES) {
      const now = await call('GetSettings');
      await call('SaveSettings', { ...now, language: lang, theme });
      await page.reload();
      await tid('nav-library').waitFor();
      for (const [name, show] of shots) {
        await show();
        // Let the library load and transitions settle before the picture.
        await page.waitForFunction(() => !document.querySelector('.library .spinner'));
        await page.waitForTimeout(300);
        const file = path.join(OUT, `${name}-${lang}-${theme}.png`);
        // Settings is taller than the window: the whole page, so units and sync show.
        await page.screenshot({ path: file, fullPage: name === 'settings' });
        console.log(`wrote docs/screenshots/${path.basename(file)}`);
      }
    }
  }
  const now = await call('GetSettings');
  await call('SaveSettings', { ...now, language: '', theme: 'system' });
} finally {
  await browser.close();
  stop();
}
