// First launch on a bare machine, in the browser UI against `fitbridge serve`
// (a real library, not the demo): no Secret Service on the session bus and no
// Chrome-family browser. The window must say what to install, keep no key
// anywhere else, and offer the email/password and paste sign-ins with a note.
//
//   npm run e2e            (runs after e2e/run.mjs)
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM, checks, must, startServe, stopServe } from './serve.mjs';

const { check, report } = checks('bare machine');
// FITBRIDGE_SCREENSHOTS=1 also writes docs/screenshots/no-keyring.png.
const SHOT = process.env.FITBRIDGE_SCREENSHOTS === '1' ? fileURLToPath(new URL('../../docs/screenshots/no-keyring.png', import.meta.url)) : '';
const home = mkdtempSync(path.join(os.tmpdir(), 'fitbridge-bare-'));
// A bus address where nothing listens: the keyring cannot be reached.
const { child, url } = await startServe([], {
  FITBRIDGE_HOME: home,
  DBUS_SESSION_BUS_ADDRESS: `unix:path=${path.join(home, 'no-bus')}`,
  FITBRIDGE_BROWSER: path.join(home, 'no-browser', 'chrome'),
  FITBRIDGE_NO_UPDATE_CHECK: '1',
});
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
const tid = (id) => page.getByTestId(id);

try {
  await page.goto(url);
  await tid('wizard').waitFor({ timeout: 15_000 });

  await check('no Secret Service: the window names what to install and keeps no key elsewhere', async () => {
    const banner = tid('keyring-banner');
    await banner.waitFor({ timeout: 10_000 });
    const text = await banner.innerText();
    must(/gnome-keyring/.test(text) && /Secret Service/.test(text), `the banner reads "${text}"`);
    must(/never in a plain file/.test(text), `the banner does not say keys stay out of files: "${text}"`);
    must(!/locked/.test(text), `a missing keyring is described as locked: "${text}"`);
    if (SHOT) await page.screenshot({ path: SHOT });
  });

  await check('no browser: the sign-in card offers email and password, and pasting, with a note', async () => {
    await tid('wizard-next').click();
    await tid('wizard-step-intervals').waitFor();
    await tid('wizard-skip').click();
    await tid('wizard-step-sources').waitFor();
    await tid('source-no-browser-mywhoosh').waitFor({ timeout: 10_000 });
    must(await tid('source-username-mywhoosh').isVisible(), 'no email field for MyWhoosh');
    must(await tid('source-password-mywhoosh').isVisible(), 'no password field for MyWhoosh');
    must(await tid('source-token-trainingpeaks').isVisible(), 'no paste field for TrainingPeaks');
    must((await tid('source-connect-browser-mywhoosh').count()) === 0, 'a browser sign-in is offered without a browser');
  });

  await check('a password typed there never lands in the data folder', async () => {
    const secret = 'a-password-that-must-not-be-kept';
    await tid('source-username-mywhoosh').fill('rider@example.com');
    await tid('source-password-mywhoosh').fill(secret);
    await tid('source-connect-password-mywhoosh').click();
    // Whatever the sign-in's fate here (no network, no keyring), wait for its answer.
    await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'), null, { timeout: 60_000 }).catch(() => {});
    await page.waitForTimeout(2000);
    for (const f of readdirSync(home, { recursive: true })) {
      const p = path.join(home, String(f));
      if (!statSync(p).isFile()) continue;
      must(!readFileSync(p).includes(secret), `the password is in ${f}`);
    }
  });
} finally {
  await browser.close();
  await stopServe(child);
  rmSync(home, { recursive: true, force: true });
}
report();
