// End-to-end run of the browser UI against `fitbridge serve --demo`, driven
// by playwright-core and the system Chromium (nothing is downloaded).
//
//   npm run e2e                         after `make build`
//   FITBRIDGE_BIN=/path/to/fitbridge    another binary
//   CHROMIUM=/path/to/chromium          another browser
//   FITBRIDGE_SCREENSHOTS=1             also write docs/screenshots/*.png
//
// The checks run in order, each building on the state the one before left
// (the wizard fills the library the calendar checks look at). The last line
// is "N passed, N failed"; the exit code is non-zero when anything failed.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';
import { calendarChecks } from './calendar-checks.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const BIN = process.env.FITBRIDGE_BIN || path.resolve(here, '../../build/bin/fitbridge');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SHOTS = process.env.FITBRIDGE_SCREENSHOTS === '1' ? path.resolve(here, '../../docs/screenshots') : '';
const SOURCES = ['mywhoosh', 'igpsport', 'trainingpeaks', 'zwift'];
const BACKFILL_LIMIT_MS = 4 * 60_000;
// Past this the whole run is stopped, so a hang never outlives CI.
const WATCHDOG_MS = Number(process.env.FITBRIDGE_E2E_TIMEOUT_MS || 7 * 60_000);

const t0 = Date.now();
const results = [];
let blocked = '';
let serve = null;
let serveLog = '';
let demoDir = '';
let browser = null;
let page = null;
const pageErrors = [];
const expectedRefusals = [];

function log(msg) {
  console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${msg}`);
}

/** A ZIP of stored (uncompressed) files, as a Strava export could be. */
function zipStored(files) {
  const parts = [];
  const central = [];
  let off = 0;
  for (const f of files) {
    const name = Buffer.from(f.name);
    const crc = zlib.crc32(f.data);
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(20, 4);
    h.writeUInt32LE(crc, 14);
    h.writeUInt32LE(f.data.length, 18);
    h.writeUInt32LE(f.data.length, 22);
    h.writeUInt16LE(name.length, 26);
    parts.push(h, name, f.data);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(20, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt32LE(crc, 16);
    c.writeUInt32LE(f.data.length, 20);
    c.writeUInt32LE(f.data.length, 24);
    c.writeUInt16LE(name.length, 28);
    c.writeUInt32LE(off, 42);
    central.push(c, name);
    off += 30 + name.length + f.data.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(off, 16);
  return Buffer.concat([...parts, cd, end]);
}

function fail(msg) {
  throw new Error(msg);
}

/** msg may be a function, for messages that cost a page query to build. */
async function check(cond, msg) {
  if (!cond) fail(typeof msg === 'function' ? await msg() : msg);
}

/** Runs one named check. A failed `gate` check stops the browser checks after it. */
async function test(name, fn, { gate = false, browserNeeded = true } = {}) {
  if (browserNeeded && blocked) {
    results.push({ name, ok: false });
    log(`FAIL ${name}: not run, because "${blocked}" failed`);
    return;
  }
  const start = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    log(`ok   ${name} (${((Date.now() - start) / 1000).toFixed(1)}s)`);
  } catch (err) {
    results.push({ name, ok: false });
    log(`FAIL ${name}: ${err?.stack || err}`);
    if (page) {
      // A picture of the moment it failed, outside the work tree.
      const file = path.join(os.tmpdir(), `fitbridge-e2e-failure-${results.length}.png`);
      if (await page.screenshot({ path: file }).then(() => true, () => false)) log(`     screen at the failure: ${file}`);
    }
    if (gate) blocked = name;
  }
}

/** Polls fn until it returns a truthy value. */
async function until(fn, what, timeout = 15_000, every = 200) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) fail(`timed out after ${timeout / 1000}s waiting for ${what}${last instanceof Error ? ` (${last.message})` : ''}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

const tid = (id) => page.getByTestId(id);

async function shot(name) {
  if (!SHOTS) return;
  // Let transitions and the SSE-driven redraws settle before the picture.
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(SHOTS, name) });
  log(`     wrote docs/screenshots/${name}`);
}

async function numberIn(id) {
  const text = (await tid(id).innerText()).replace(/[^\d]/g, '');
  return Number(text || '0');
}

/** Sideways scrolling: of the whole page, or of a box inside it (the list's table). */
async function horizontalOverflow() {
  return page.evaluate(() => {
    const name = (el) => `${el.tagName.toLowerCase()}${el.dataset.testid ? `[${el.dataset.testid}]` : ''}${[...el.classList].map((c) => `.${c}`).join('')}`;
    const doc = document.documentElement;
    const over = doc.scrollWidth - doc.clientWidth;
    if (over > 0) {
      // Name the elements that stick out, to say what to fix.
      const wide = [...document.querySelectorAll('body *')].filter((el) => el.getBoundingClientRect().right > doc.clientWidth + 1).slice(0, 3);
      return `the page is ${over}px too wide: ${wide.map(name).join(', ')}`;
    }
    const boxes = [...document.querySelectorAll('body *')].filter((el) => {
      const x = getComputedStyle(el).overflowX;
      return (x === 'auto' || x === 'scroll') && el.scrollWidth > el.clientWidth + 1;
    });
    return boxes.length ? `scrolls sideways inside ${boxes.map((el) => `${name(el)} (${el.scrollWidth - el.clientWidth}px)`).join(', ')}` : null;
  });
}

// Other demo instances (a rider starting afresh), stopped with the main one.
const extraServes = [];

function startServe(primary = true) {
  return new Promise((resolve, reject) => {
    // No update check here: e2e/update-notice.mjs tests it against its own feed.
    const child = spawn(BIN, ['serve', '--demo', '--addr', '127.0.0.1:0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FITBRIDGE_NO_UPDATE_CHECK: '1' },
    });
    if (primary) serve = child;
    else extraServes.push(child);
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no address printed within 30s; output:\n${out}${serveLog}`)), 30_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${BIN}: ${err.message} (run \`make build\` first or set FITBRIDGE_BIN)`));
    });
    child.on('exit', (code, sig) => {
      clearTimeout(timer);
      reject(new Error(`fitbridge serve exited (${code ?? sig}) before printing its address:\n${out}${serveLog}`));
    });
    child.stderr.on('data', (d) => {
      // Keep the tail only: it is printed when something fails.
      serveLog = (serveLog + d).slice(-8000);
    });
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/FitBridge is running at (http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
}

async function stopServe() {
  const child = serve;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const done = await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 5000))]);
  results.push({ name: 'serve stops promptly on SIGTERM', ok: done });
  if (!done) {
    log('fitbridge serve was still running 5s after SIGTERM; killed it');
    child.kill('SIGKILL');
    await exited;
    // Killed, it cannot remove its sample library: do it here, so runs do not pile up in the temp folder.
    if (path.basename(demoDir).startsWith('fitbridge-demo-') && path.dirname(demoDir) === path.resolve(os.tmpdir())) {
      rmSync(demoDir, { recursive: true, force: true });
    }
  }
}

const extraChildren = [];
let bigImportDir = '';
let cleaning = null;
function cleanup() {
  cleaning ??= (async () => {
    await browser?.close().catch(() => {});
    for (const c of extraServes) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
    await stopServe().catch(() => {});
    for (const c of extraChildren) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    if (bigImportDir) rmSync(bigImportDir, { recursive: true, force: true });
  })();
  return cleaning;
}

// The serve process must not outlive this one, however it ends.
process.on('exit', () => {
  for (const c of [serve, ...extraServes]) if (c && c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    log(`${sig}: stopping`);
    void cleanup().finally(() => process.exit(130));
  });
}
const watchdog = setTimeout(() => {
  log(`the run took longer than ${WATCHDOG_MS / 1000}s: stopping`);
  results.push({ name: 'finishes in time', ok: false });
  void cleanup().finally(() => summary(1));
}, WATCHDOG_MS);
watchdog.unref();

function summary(forceCode) {
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  if (failed > 0 && serveLog) console.log(`\nfitbridge serve, last output:\n${serveLog.trim()}\n`);
  console.log(`e2e took ${((Date.now() - t0) / 1000).toFixed(0)}s`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(forceCode ?? (failed > 0 ? 1 : 0));
}

/** A POST to /api/call/<method> with node:http, which (unlike fetch) can set Host. */
function rawCall(base, method, headers) {
  return new Promise((resolve, reject) => {
    const u = new URL(`/api/call/${method}`, base);
    const req = http.request(
      { host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { 'Content-Type': 'application/json', ...headers } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      },
    );
    req.on('error', reject);
    req.end('[]');
  });
}

async function main() {
  if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  let url = '';
  let base = '';

  await test(
    'fitbridge serve --demo starts and prints its address',
    async () => {
      url = await startServe();
      base = new URL(url).origin;
      const u = new URL(url);
      // The key rides in the fragment, which browsers never send to a server.
      const token = new URLSearchParams(u.hash.slice(1)).get('token');
      await check(token && !u.search, `no token in the fragment of ${url}`);
      const res = await fetch(`${base}/api/call/Status`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: '[]' });
      const status = (await res.json())?.result;
      await check(status?.demo === true && status?.first_run === true, `not a fresh demo: ${JSON.stringify(status).slice(0, 200)}`);
      demoDir = status.data_dir ?? '';
    },
    { gate: true },
  );

  await test(
    'the UI opens in Chromium and shows the wizard',
    async () => {
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light', locale: 'en-GB' });
      context.setDefaultTimeout(15_000);
      page = await context.newPage();
      page.on('pageerror', (err) => pageErrors.push(String(err)));
      page.on('console', (m) => {
        if (m.type() === 'error' && !expectedRefusals.some((x) => m.location().url.endsWith(`/api/call/${x}`))) {
          pageErrors.push(`console: ${m.text()} (${m.location().url})`);
        }
      });
      page.on('response', (r) => {
        // A check that provokes a refusal (a wrong password) says so in expectedRefusals.
        if (r.status() >= 400 && !expectedRefusals.some((m) => r.url().endsWith(`/api/call/${m}`))) {
          pageErrors.push(`${r.request().method()} ${r.url()} answered ${r.status()}`);
        }
      });
      await page.goto(url);
      // The page moves the key to this tab's storage and out of the address bar.
      await until(() => !page.url().includes('token='), 'the key to leave the address bar');
      await tid('wizard').waitFor();
      await check((await tid('wizard').getAttribute('data-step')) === 'welcome', 'the wizard does not start on the welcome step');
      await tid('wizard-step-welcome').waitFor();
    },
    { gate: true },
  );

  await test(
    'wizard: connect Intervals.icu as Demo Rider',
    async () => {
      await tid('wizard-next').click();
      await tid('wizard-step-intervals').waitFor();
      // The demo starts connected; the rider can still enter the account again.
      if (!(await tid('intervals-athlete-id').isVisible())) await tid('intervals-change').click();
      await tid('intervals-athlete-id').fill('i12345');
      await tid('intervals-api-key').fill('demo-api-key');
      await tid('intervals-verify').click();
      // The form closes once Intervals.icu accepted the key.
      await until(
        async () => (await tid('intervals-error').isVisible()) || (await tid('intervals-athlete-id').count()) === 0,
        'the verification to finish',
      );
      await check(!(await tid('intervals-error').isVisible()), async () => `verification failed: ${await tid('intervals-error').innerText()}`);
      const who = (await tid('intervals-athlete-name').innerText()).trim();
      await check(who === 'Demo Rider', `connected as "${who}"`);
      await check(await tid('wizard-next').isEnabled(), 'Next stays disabled after connecting');
    },
    { gate: true },
  );

  await test(
    'wizard: sources show MyWhoosh, iGPSport, TrainingPeaks and Zwift connected',
    async () => {
      await tid('wizard-next').click();
      await tid('wizard-step-sources').waitFor();
      for (const s of SOURCES) {
        const state = tid(`source-state-${s}`);
        await state.waitFor();
        const text = (await state.innerText()).trim();
        await check(/connected/i.test(text), `${s} shows "${text}", not Connected`);
      }
    },
    { gate: true },
  );

  await test(
    'wizard: the backfill step counts what each source has',
    async () => {
      // The count is held back a moment so the page is seen while counting:
      // the start button must not move when the counts arrive.
      const held = '**/api/call/PreviewBackfill';
      await page.route(held, async (route) => {
        await new Promise((r) => setTimeout(r, 1500));
        await route.continue();
      });
      await tid('wizard-next').click();
      await tid('wizard-step-backfill').waitFor();
      await tid('backfill-preview-pending').waitFor();
      const counting = await tid('start-backfill').boundingBox();
      await tid('backfill-preview-table').waitFor();
      await page.unroute(held);
      const counted = await tid('start-backfill').boundingBox();
      await check(
        counting && counted && counting.y === counted.y,
        `the start button moved from y=${counting?.y} to y=${counted?.y} when the counts arrived`,
      );
      let already = 0;
      for (const s of SOURCES) {
        await check(await tid(`backfill-source-${s}`).isChecked(), `${s} is not ticked for the run`);
        const cells = await tid(`preview-row-${s}`).locator('td.num').allInnerTexts();
        await check(cells.length === 4, `preview row for ${s} has no counts: ${await tid(`preview-row-${s}`).innerText()}`);
        const [activities, inIntervals, toUpload, skipped] = cells.map(Number);
        await check(activities > 0, `${s}: ${activities} activities`);
        await check(activities === inIntervals + toUpload + skipped, `${s}: ${activities} found is not ${inIntervals} already + ${toUpload} to upload + ${skipped} skipped`);
        await check(toUpload > 0 && toUpload <= activities, `${s}: ${toUpload} to upload of ${activities}`);
        already += inIntervals;
      }
      await check(already > 0, 'no source has activities already in Intervals.icu');
      await shot('wizard.png');
    },
    { gate: true },
  );

  await test(
    'wizard: start the run and watch it on the Backfill screen',
    async () => {
      await tid('start-backfill').click();
      await tid('wizard-step-summary').waitFor();
      await tid('backfill-progress').waitFor();
      // While the run goes on, the last step offers to watch it.
      const finish = tid('wizard-finish');
      await finish.waitFor();
      await finish.click();
      await tid('wizard').waitFor({ state: 'detached' });
      await tid('nav-backfill').waitFor();
      await check((await tid('nav-backfill').getAttribute('aria-current')) === 'page', 'finishing the wizard mid-run does not show the Backfill screen');
      await tid('backfill-progress').waitFor();
    },
    { gate: true },
  );

  await test(
    'backfill: progress moves while the run goes on',
    async () => {
      const bar = tid('backfill-progress');
      // Wait for real work in flight, so the picture shows a run half done.
      const seen = await until(
        async () => {
          if (await tid('backfill-new-run').isVisible()) return 'finished';
          const max = Number(await bar.getAttribute('aria-valuemax'));
          const now = Number(await bar.getAttribute('aria-valuenow'));
          return (await tid('backfill-pause').isVisible()) && max > 0 && now >= max * 0.25 && now < max * 0.8 && 'part way';
        },
        'the progress bar to be a quarter of the way',
        60_000,
        100,
      );
      await check(seen === 'part way', 'the run finished before it was seen part way');
      const phase = (await tid('backfill-phase').innerText()).trim();
      await check(!/^[a-z_]+$/.test(phase), `the phase shows the internal name "${phase}"`);
      await tid('backfill-done-total').waitFor();
      await shot('backfill.png');
    },
    { gate: true },
  );

  await test(
    'backfill: runs to the end with uploads and activities already in Intervals.icu',
    async () => {
      await tid('backfill-new-run').waitFor({ timeout: BACKFILL_LIMIT_MS });
      const bar = tid('backfill-progress');
      const max = Number(await bar.getAttribute('aria-valuemax'));
      const now = Number(await bar.getAttribute('aria-valuenow'));
      await check(max > 0 && now === max, `progress ends at ${now} of ${max}`);
      const uploaded = await numberIn('backfill-count-uploaded');
      const already = await numberIn('backfill-count-already_in_intervals');
      await check(uploaded > 0, `${uploaded} uploaded`);
      await check(already > 0, `${already} already in Intervals.icu`);
      await check(!(await tid('backfill-count-failed').isVisible()), async () => `some failed: ${await tid('backfill-count-failed').innerText()}`);
      const table = await tid('backfill-by-source').innerText();
      for (const name of ['MyWhoosh', 'iGPSport', 'TrainingPeaks', 'Zwift']) await check(table.includes(name), `${name} missing from the per-source table`);
      log(`     ${uploaded} uploaded, ${already} already in Intervals.icu, ${max} in the run`);
    },
    { gate: true },
  );

  let chip = null;
  await test(
    'calendar: the month view shows uploaded rides',
    async () => {
      await tid('nav-library').click();
      await tid('calendar-month').waitFor();
      await check((await tid('view-month').getAttribute('aria-pressed')) === 'true', 'the calendar does not open on the month view');
      const uploaded = () => tid('calendar-month').locator('[data-testid^="activity-chip-"][data-state="uploaded"]');
      const loaded = () => until(async () => !(await page.locator('.library .spinner').isVisible()), 'the month to load');
      // The current month or a recent one: the first with a few uploads, else the one with most.
      let best = { back: 0, n: 0 };
      let back = 0;
      for (;;) {
        await loaded();
        const n = await uploaded().count();
        if (n > best.n) best = { back, n };
        if (n >= 4 || back === 5) break;
        await tid('cal-prev').click();
        back++;
      }
      await check(best.n > 0, 'no uploaded ride in this month or the five before it');
      for (; back > best.back; back--) await tid('cal-next').click();
      await loaded();
      await check((await uploaded().count()) === best.n, 'the month with uploaded rides changed');
      // Rides from a trainer carry power as well as heart rate: the fuller drawer.
      const withPower = uploaded().and(page.locator('[data-source="mywhoosh"], [data-source="zwift"]'));
      chip = (await withPower.count()) > 0 ? withPower.first() : uploaded().first();
      const mark = (await chip.getByTestId('activity-mark').innerText()).trim();
      await check(mark === '✓', `an uploaded chip is marked "${mark}"`);
      await check(/Uploaded/.test((await chip.getAttribute('aria-label')) ?? ''), 'the chip does not say it was uploaded');
      const title = (await tid('cal-title').innerText()).trim();
      log(`     ${await uploaded().count()} uploaded rides in ${title}`);
      // A file whose date cannot be read is counted once, and the whole history lists it.
      if ((await tid('calendar-undated').count()) > 0) {
        await check(/\d+ files? without a date/.test(await tid('calendar-undated').innerText()), 'the note on files without a date does not count them');
        await check((await tid('undated-show').count()) === 1, 'no way to see the files without a date');
      }
      await shot('calendar-month.png');
    },
    { gate: true },
  );

  await test('activity drawer: summary, chart, history and the Intervals.icu link', async () => {
    await chip.click();
    const drawer = tid('activity-drawer');
    await drawer.waitFor();
    await until(async () => (await drawer.locator('.facts').count()) > 0, 'the activity details');
    const title = (await drawer.locator('#drawer-title').innerText()).trim();
    await check(title && title !== 'Activity', `the drawer title is "${title}"`);
    const facts = await drawer.locator('.facts').innerText();
    for (const label of ['When', 'Duration', 'Distance', 'Source']) await check(facts.includes(label), `no ${label} in the summary`);
    await check(/Uploaded/.test(await drawer.innerText()), 'the drawer does not say Uploaded');
    const chart = tid('activity-chart');
    await chart.waitFor();
    await chart.locator('canvas').first().waitFor();
    const box = await chart.locator('canvas').first().boundingBox();
    await check(box && box.width > 200 && box.height > 100, `the chart canvas is ${box?.width}×${box?.height}`);
    const history = tid('drawer-history').locator('li');
    await check((await history.count()) >= 2, `state history has ${await history.count()} entries`);
    await check(/Uploaded/.test(await tid('drawer-history').innerText()), 'the history does not include the upload');
    const href = (await tid('drawer-intervals-link').getAttribute('href')) ?? '';
    await check(/^https?:\/\/.+\/activities\/\S+/.test(href), `the Intervals.icu link is "${href}"`);
    await shot('drawer.png');
  });

  await test('keyboard: Escape closes the drawer and gives focus back', async () => {
    if (!(await tid('activity-drawer').isVisible())) await chip.click();
    await tid('activity-drawer').waitFor();
    await page.keyboard.press('Escape');
    await tid('activity-drawer').waitFor({ state: 'detached' });
    await check(await chip.evaluate((el) => el === document.activeElement), 'focus does not go back to the chip');
  });

  await test('keyboard: Tab reaches a chip from its day and Enter opens it', async () => {
    const day = chip.locator('xpath=ancestor::*[@role="gridcell"][1]');
    await day.focus();
    await page.keyboard.press('Tab');
    const first = day.locator('[data-testid^="activity-chip-"]').first();
    await check(await first.evaluate((el) => el === document.activeElement), 'Tab from the day does not reach its first activity');
    await page.keyboard.press('Enter');
    await tid('activity-drawer').waitFor();
    await check(await tid('drawer-close').evaluate((el) => el === document.activeElement), 'the drawer does not take focus');
    await page.keyboard.press('Escape');
    await tid('activity-drawer').waitFor({ state: 'detached' });
    await check((await tid('selection-bar').count()) === 0, 'Enter on a chip also selected it');
  });

  await test('calendar: the year view shows the rides', async () => {
    await tid('view-year').click();
    await tid('calendar-year').waitFor();
    await check((await tid('calendar-year').locator('[data-testid^="year-month-"]').count()) === 12, 'the year view has not 12 months');
    const withRides = await until(
      () => tid('calendar-year').locator('[data-testid^="year-day-"]:not([data-count="0"])').count(),
      'days with rides in the year view',
    );
    log(`     ${withRides} days with rides in ${(await tid('cal-title').innerText()).trim()}`);
    await shot('calendar-year.png');
  });

  await test('library: the list view after the backfill', async () => {
    await tid('view-list').click();
    await tid('activity-list').waitFor();
    const rows = tid('activity-list').locator('[data-testid^="list-row-"]');
    await until(() => rows.count(), 'rows in the list');
    const uploaded = await tid('activity-list').locator('[data-testid^="list-row-"][data-state="uploaded"]').count();
    const already = await tid('activity-list').locator('[data-testid^="list-row-"][data-state="already_in_intervals"]').count();
    await check(uploaded > 0, 'no uploaded row in the list');
    log(`     ${await rows.count()} rows, ${uploaded} uploaded, ${already} already in Intervals.icu`);
    await shot('library.png');
  });

  await calendarChecks({ test, check, until, page, tid, log, expectRefusal: (method) => expectedRefusals.push(method) });

  await test('needs review: a probable duplicate waits under its filter and goes up with "Upload anyway"', async () => {
    await tid('nav-library').click();
    await tid('view-list').click();
    await tid('activity-list').waitFor();
    await tid('filter-state-review').click();
    const rows = tid('activity-list').locator('[data-testid^="list-row-"][data-state="needs_review"]');
    await until(() => rows.count(), 'a row under "Needs review"');
    const others = await tid('activity-list').locator('[data-testid^="list-row-"]:not([data-state="needs_review"])').count();
    await check(others === 0, `${others} rows in other states under "Needs review"`);
    await shot('needs-review.png');
    const id = (await rows.first().getAttribute('data-testid')).replace('list-row-', '');
    await tid(`list-open-${id}`).click();
    await tid('drawer-review-help').waitFor();
    await check(/Upload anyway/.test(await tid('drawer-upload').innerText()), `the drawer offers "${await tid('drawer-upload').innerText()}"`);
    await check(await tid('drawer-keep-out').isVisible(), 'the drawer does not offer "Keep out"');
    await tid('drawer-upload').click();
    await page.keyboard.press('Escape');
    await tid('filter-clear').click();
    await until(async () => (await tid(`list-row-${id}`).getAttribute('data-state')) === 'uploaded', 'the reviewed ride to be uploaded', 30_000);
  });

  await test('diagnostics: the checks run and Intervals.icu answers', async () => {
    await tid('nav-diagnostics').click();
    await tid('diagnostics-run').click();
    // Each check has its own 20 s limit on the backend; the demo's services are loopback fakes.
    await until(async () => (await tid('diagnostics-busy').count()) === 0 && (await page.locator('[data-testid^="diagnostics-check-"]').count()) > 0, 'the checks to finish', 45_000);
    await check(!(await tid('diagnostics-error').isVisible()), async () => `the run failed: ${await tid('diagnostics-error').innerText()}`);
    const rows = page.locator('[data-testid^="diagnostics-check-"]');
    const intervals = rows.and(page.locator('[data-service="intervals"]'));
    await check((await intervals.count()) > 0, async () => `no Intervals.icu row among: ${(await rows.allInnerTexts()).join(' | ')}`);
    const ok = intervals.and(page.locator('[data-verdict="ok"]'));
    await check((await ok.count()) > 0, async () => `no Intervals.icu check is OK: ${(await intervals.allInnerTexts()).join(' | ')}`);
    await check((await tid('diagnostics-file').count()) > 0, 'no report file is named');
    // The technical detail is folded under "Details for a bug report".
    await tid('diagnostics-details-summary').click();
    for (const id of ['diagnostics-copy', 'diagnostics-open-folder']) await check(await tid(id).isVisible(), `no ${id} button`);
    const toggle = page.locator('[data-testid^="diagnostics-shape-toggle-"]').first();
    if ((await toggle.count()) > 0) {
      await toggle.click();
      const id = await toggle.getAttribute('aria-controls');
      await check(/\{|\[|\w/.test(await page.locator(`#${id}`).innerText()), 'the reply shape is empty');
      await toggle.click();
    }
    const verdicts = await rows.evaluateAll((els) => els.map((el) => `${el.dataset.service}=${el.dataset.verdict}`));
    log(`     ${verdicts.join(', ')}`);
    await shot('diagnostics.png');
  });

  await test('layout: no sideways scrolling at 1024×700', async () => {
    await page.setViewportSize({ width: 1024, height: 700 });
    const problems = [];
    const screens = [
      ['calendar month', async () => { await tid('nav-library').click(); await tid('view-month').click(); await tid('calendar-month').waitFor(); }],
      ['calendar year', async () => { await tid('view-year').click(); await tid('calendar-year').waitFor(); }],
      ['calendar list', async () => { await tid('view-list').click(); await tid('activity-list').waitFor(); }],
      ['activity drawer', async () => { await tid('view-month').click(); await chip.click(); await tid('activity-chart').waitFor(); }],
      ['backfill', async () => { await page.keyboard.press('Escape'); await tid('nav-backfill').click(); await tid('backfill-progress').waitFor(); }],
      ['settings', async () => { await tid('nav-settings').click(); await tid('settings-theme').waitFor(); }],
      ['diagnostics', async () => {
        await tid('nav-diagnostics').click();
        await tid('diagnostics-run').waitFor();
        // An open reply shape is the widest thing on the page.
        if (!(await tid('diagnostics-details').evaluate((d) => d.open))) await tid('diagnostics-details-summary').click();
        const toggle = page.locator('[data-testid^="diagnostics-shape-toggle-"]').first();
        if ((await toggle.count()) > 0) await toggle.click();
      }],
    ];
    for (const [name, open] of screens) {
      await open();
      await page.waitForTimeout(150);
      const over = await horizontalOverflow();
      if (over) problems.push(`${name}: ${over}`);
    }
    await page.setViewportSize({ width: 1280, height: 800 });
    await check(problems.length === 0, problems.join('; '));
  });

  await test('a reload keeps the wizard closed', async () => {
    await page.reload();
    await tid('nav-library').waitFor();
    await check((await tid('wizard').count()) === 0, 'the wizard opens again after it was finished');
  });

  await test('planned workouts: sent to Zwift and iGPSport, shown on the calendar', async () => {
    await tid('nav-settings').click();
    await tid('workouts-send-now').click();
    const summary = await until(async () => {
      const t = (await tid('workouts-last-run').count()) ? await tid('workouts-last-run').innerText() : '';
      return /delivered/.test(t) ? t : '';
    }, 'the planned workouts to be sent', 30_000);
    // The demo plans three rides; both Zwift and iGPSport take rides.
    await check(/^6 delivered, 0 updated, 0 removed\.$/.test(summary.trim()), `sending said: ${summary}`);
    await tid('nav-library').click();
    await tid('view-month').click();
    await tid('cal-today').click();
    const tomorrow = new Date(Date.now() + 86_400_000);
    if (tomorrow.getMonth() !== new Date().getMonth()) await tid('cal-next').click();
    const planned = page.locator('[data-testid^="planned-"]');
    await until(() => planned.count(), 'planned workouts on the calendar');
    const label = await planned.first().getAttribute('aria-label');
    await check(/Zwift: sent/.test(label) && /iGPSport: sent/.test(label), `the first planned workout says: ${label}`);
    await shot('calendar-planned.png');
  });

  // Last of the calendar checks: the import moves the calendar to those rides' month.
  await test('import: a Strava export ZIP added in the browser lists its rides by their CSV names', async () => {
    const fixtures = path.resolve(here, '../../backend/fitfile/testdata');
    const run = readFileSync(path.join(fixtures, 'garmin_fenix2_2015-08-15_run.fit'));
    const csv =
      'Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Filename\n' +
      '1,"Jun 11, 2017, 2:34:09 PM",Sunday shakeout,Run,"Easy, ""very"" easy\non the river",activities/1.fit\n' +
      '2,"Aug 15, 2015, 2:45:08 PM",Watch died,Run,,activities/2.fit\n';
    const zip = zipStored([
      { name: 'activities.csv', data: Buffer.from(csv) },
      { name: 'activities/1.fit', data: readFileSync(path.join(fixtures, 'garmin_fenix5_2017-06-11_run_short.fit')) },
      { name: 'activities/2.fit', data: run.subarray(0, Math.floor((run.length * 2) / 3)) },
    ]);
    await tid('nav-library').click();
    await page.getByTestId('import-file-input').setInputFiles({ name: 'export_99.zip', mimeType: 'application/zip', buffer: zip });
    const result = tid('import-result');
    await result.waitFor({ timeout: 30_000 });
    const t = await result.innerText();
    await check(t.includes('Sunday shakeout') && t.includes('Watch died'), `import result: ${t}`);
    await check(/Repaired: the file ended early/.test(t), `no word of the repair: ${t}`);
  });

  await test('import: a Strava export over 64 MiB and an unpacked export folder, both in the browser', async () => {
    const fixtures = path.resolve(here, '../../backend/fitfile/testdata');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fitbridge-export-'));
    try {
      const big = path.join(dir, 'export_100.zip');
      writeFileSync(
        big,
        zipStored([
          {
            name: 'activities.csv',
            data: Buffer.from('Activity ID,Activity Date,Activity Name,Activity Type,Filename\n7,"Nov 7, 2020, 7:13:55 PM",Autumn loop,Ride,activities/7.fit\n'),
          },
          { name: 'activities/7.fit', data: readFileSync(path.join(fixtures, 'garmin_edge530_2020-11-07_road.fit')) },
          // A ride's video: what makes real exports gigabytes.
          { name: 'media/ride.mp4', data: Buffer.alloc(70 * 2 ** 20) },
        ]),
      );
      await tid('nav-library').click();
      await page.getByTestId('import-file-input').setInputFiles(big);
      const result = tid('import-result');
      await until(async () => /Autumn loop/.test((await result.count()) ? await result.innerText() : ''), 'the large export imported', 120_000);

      const folder = path.join(dir, 'export_200');
      mkdirSync(path.join(folder, 'activities'), { recursive: true });
      mkdirSync(path.join(folder, 'media'), { recursive: true });
      writeFileSync(
        path.join(folder, 'activities.csv'),
        'Activity ID,Activity Date,Activity Name,Activity Type,Filename\n8,"Jun 12, 2017, 4:10:15 PM",Ride home in the rain,Ride,activities/8.fit.gz\n',
      );
      writeFileSync(
        path.join(folder, 'activities', '8.fit.gz'),
        zlib.gzipSync(readFileSync(path.join(fixtures, 'garmin_edge820_2017-06-12_commute_short.fit'))),
      );
      writeFileSync(path.join(folder, 'media', 'photo.jpg'), Buffer.alloc(1024));
      await page.getByTestId('import-folder-input').setInputFiles(folder);
      await until(async () => /Ride home in the rain/.test((await result.count()) ? await result.innerText() : ''), 'the export folder imported by its CSV', 60_000);
      const t = await result.innerText();
      await check(!/photo\.jpg/.test(t), `the export's photo was sent and listed: ${t}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // A second rider, starting afresh: continuous sync, a date range, undo.
  let fresh = null;
  const freshCall = async (method, ...args) => {
    const res = await fetch(`${fresh.base}/api/call/${method}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${fresh.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(args),
    });
    const body = await res.json();
    if (res.status !== 200) fail(`${method}: ${res.status} ${JSON.stringify(body)}`);
    return body.result;
  };
  const mainPage = page;
  await test('continuous sync: after "Finish set-up later", a minute of it uploads nothing old', async () => {
    const url2 = await startServe(false);
    fresh = { base: new URL(url2).origin, token: new URLSearchParams(new URL(url2).hash.slice(1)).get('token') };
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light', locale: 'en-GB' });
    page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    await page.goto(url2);
    await tid('wizard').waitFor();
    await check(/new rides from/.test(await tid('wizard-continuous-later').innerText()), 'the wizard does not say what continuous sync will do');
    await tid('wizard-close').click();
    await tid('wizard').waitFor({ state: 'detached' });
    const closed = Date.now();
    // Continuous sync lists every source: the library fills with their history.
    await until(async () => ((await freshCall('Activities', {})) ?? []).length > 100, 'continuous sync to list the sources', 60_000, 1000);
    const left = 60_000 - (Date.now() - closed);
    if (left > 0) await page.waitForTimeout(left);
    const acts = (await freshCall('Activities', {})) ?? [];
    const up = acts.filter((a) => a.state === 'uploaded');
    await check(up.length === 0, `continuous sync uploaded ${up.length} old activities: ${up.slice(0, 3).map((a) => `${a.source} ${a.start}`).join(', ')}`);
    const runs = (await freshCall('Runs')) ?? [];
    await check(runs.length === 0, `runs after a minute of continuous sync: ${JSON.stringify(runs)}`);
    log(`     ${acts.length} activities listed, none uploaded`);
  });

  const countOf = async (state) => ((await tid(`backfill-count-${state}`).count()) ? numberIn(`backfill-count-${state}`) : 0);
  let previewed = null;
  await test('backfill: the preview for a date range equals the run\'s totals, category by category', async () => {
    await check(fresh, 'no second rider');
    await tid('nav-backfill').click();
    await tid('backfill-source-igpsport').waitFor();
    // Let the first count (all history, every source) finish before changing the choice.
    await until(async () => (await tid('backfill-preview-table').count()) > 0, 'the first count', 30_000);
    for (const s of ['igpsport', 'trainingpeaks', 'zwift']) await tid(`backfill-source-${s}`).uncheck();
    await tid('backfill-range-dates').check();
    const day = (d) => d.toISOString().slice(0, 10);
    const now = new Date();
    await tid('backfill-since').fill(day(new Date(now.getTime() - 183 * 86_400_000)));
    await tid('backfill-until').fill(day(now));
    await until(async () => (await tid('backfill-preview-table').count()) && (await tid('preview-found-mywhoosh').count()), 'the preview for the range', 30_000);
    const [found, already, toUpload, skipped] = (await tid('preview-row-mywhoosh').locator('td.num').allInnerTexts()).map(Number);
    previewed = { found, already, toUpload, skipped };
    await check(found === already + toUpload + skipped, `preview: ${found} found ≠ ${already} + ${toUpload} + ${skipped}`);
    await check(toUpload > 0 && already > 0, `preview: ${JSON.stringify(previewed)}`);
    await shot('preview.png');
    await tid('start-backfill').click();
    await tid('backfill-new-run').waitFor({ timeout: BACKFILL_LIMIT_MS });
    const run = {
      uploaded: await countOf('uploaded'),
      already: await countOf('already_in_intervals'),
      skipped: (await countOf('skipped')) + (await countOf('needs_review')) + (await countOf('unreadable')) + (await countOf('not_an_activity')),
      failed: await countOf('failed'),
    };
    await check(
      run.uploaded === toUpload && run.already === already && run.skipped === skipped && run.failed === 0,
      `preview ${JSON.stringify(previewed)} but the run: ${JSON.stringify(run)}`,
    );
    const closing = await tid('backfill-closing').innerText();
    await check(new RegExp(`${found} activities found: ${toUpload} uploaded, ${already} already in Intervals\\.icu, ${skipped} skipped`).test(closing), `the closing sentence says: ${closing}`);
  });

  await test('undo: a run is undone from the Backfill screen, and only once', async () => {
    await check(previewed, 'no run to undo');
    const item = page.locator('[data-testid^="run-"][data-kind="manual"]').first();
    await item.waitFor();
    const id = (await item.getAttribute('data-testid')).replace('run-', '');
    await check(new RegExp(`^${previewed.toUpload} uploaded`).test(await tid(`run-${id}-totals`).innerText()), `the run says: ${await tid(`run-${id}-totals`).innerText()}`);
    await shot('run-undo.png');
    await tid(`run-${id}-undo`).click();
    await tid(`run-${id}-undo-confirm`).click();
    const said = await until(async () => (await tid(`run-${id}-undo-result`).count()) && tid(`run-${id}-undo-result`).innerText(), 'the undo to finish', 30_000);
    await check(new RegExp(`^${previewed.toUpload} deleted`).test(said), `undo said: ${said}`);
    const acts = (await freshCall('Activities', { sources: ['mywhoosh'] })) ?? [];
    const still = acts.filter((a) => a.state === 'uploaded').length;
    const kept = acts.filter((a) => a.state === 'skipped' && a.reason.startsWith('kept out')).length;
    await check(still === 0 && kept === previewed.toUpload, `after undo: ${still} still uploaded, ${kept} kept out`);
    const again = await freshCall('UndoRun', Number(id), false);
    await check(again.deleted === 0, `a second undo deleted ${again.deleted}`);
    await page.context().close();
    page = mainPage;
  });

  await test('the page logged no errors', async () => {
    await check(pageErrors.length === 0, pageErrors.join('\n'));
  });

  // Browser-mode security, from outside the browser.
  const token = new URLSearchParams(new URL(url || 'http://x/').hash.slice(1)).get('token') ?? '';
  const bearer = { Authorization: `Bearer ${token}` };
  await test(
    'security: /api/call/Status without the key is 401',
    async () => {
      await check(base, 'no server');
      const res = await fetch(`${base}/api/call/Status`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '[]' });
      await check(res.status === 401, `answered ${res.status}`);
      const asCookie = await fetch(`${base}/api/call/Status`, { method: 'POST', headers: { 'Content-Type': 'application/json', Cookie: `fitbridge_token=${token}` }, body: '[]' });
      await check(asCookie.status === 401, `the key as a cookie answered ${asCookie.status}`);
    },
    { browserNeeded: false },
  );

  await test(
    'security: no cookie is ever set, the key works only as a header',
    async () => {
      await check(base, 'no server');
      for (const res of [await fetch(url), await fetch(`${base}/?token=${token}`), await fetch(`${base}/api/call/Status`, { method: 'POST', headers: bearer, body: '[]' })]) {
        await check(!res.headers.get('set-cookie'), `${res.url} set a cookie: ${res.headers.get('set-cookie')}`);
      }
      const cookies = await page.context().cookies();
      await check(cookies.length === 0, `the browser holds cookies: ${JSON.stringify(cookies)}`);
      const ok = await fetch(`${base}/api/call/Status`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...bearer }, body: '[]' });
      await check(ok.status === 200, `with the key Status answered ${ok.status}`);
    },
    { browserNeeded: true },
  );

  await test(
    'security: a foreign Host header is 403, even with the key',
    async () => {
      await check(token, 'no key');
      // fetch always sends the URL's own Host, so this request goes through node:http.
      const port = new URL(base).port;
      const status = await rawCall(base, 'Status', { Host: `evil.example:${port}`, ...bearer });
      await check(status === 403, `answered ${status}`);
      const control = await rawCall(base, 'Status', { Host: `127.0.0.1:${port}`, ...bearer });
      await check(control === 200, `the same request with the right Host answered ${control}`);
    },
    { browserNeeded: false },
  );

  await test(
    'security: a foreign Origin is 403, even with the key',
    async () => {
      await check(token, 'no key');
      const res = await fetch(`${base}/api/call/Status`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...bearer, Origin: 'http://evil.example' },
        body: '[]',
      });
      await check(res.status === 403, `answered ${res.status}`);
      const same = await fetch(`${base}/api/call/Status`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...bearer, Origin: base },
        body: '[]',
      });
      await check(same.status === 200, `its own Origin answered ${same.status}`);
    },
    { browserNeeded: false },
  );

  await test(
    'security: a page on another local port, opened after FitBridge, receives nothing and can call nothing',
    async () => {
      const seen = [];
      const other = http.createServer((req, res) => {
        seen.push({ url: req.url, cookie: req.headers.cookie ?? '', authorization: req.headers.authorization ?? '' });
        if (req.url === '/report') {
          let body = '';
          req.on('data', (d) => (body += d));
          req.on('end', () => {
            seen.push({ report: body });
            res.end('ok');
          });
          return;
        }
        res.setHeader('Content-Type', 'text/html');
        res.end(`<!doctype html><title>other</title><script>
          (async () => {
            const out = { cookie: document.cookie, stored: sessionStorage.length + localStorage.length, calls: [] };
            for (const init of [{ method: 'POST', body: '[]', credentials: 'include' }, { method: 'POST', body: '[]', mode: 'no-cors', credentials: 'include' }]) {
              try {
                const r = await fetch(${JSON.stringify(base)} + '/api/call/Status', init);
                out.calls.push({ status: r.status, type: r.type, text: await r.text().catch(() => '') });
              } catch (e) { out.calls.push({ error: String(e) }); }
            }
            try {
              const r = await fetch(${JSON.stringify(base)} + '/api/events', { credentials: 'include' });
              out.calls.push({ status: r.status, type: r.type });
            } catch (e) { out.calls.push({ error: String(e) }); }
            await fetch('/report', { method: 'POST', body: JSON.stringify(out) });
          })();
        </script>`);
      });
      await new Promise((r) => other.listen(0, '127.0.0.1', r));
      const otherBase = `http://127.0.0.1:${other.address().port}`;
      const foreign = await page.context().newPage();
      try {
        await foreign.goto(`${otherBase}/`);
        const report = await until(() => seen.find((x) => x.report), 'the other page to report');
        const got = JSON.parse(report.report);
        await check(seen.every((x) => !x.report ? x.cookie === '' && x.authorization === '' : true), `the other server received: ${JSON.stringify(seen)}`);
        await check(got.cookie === '' && got.stored === 0, `the other page can read: ${JSON.stringify(got)}`);
        for (const c of got.calls) {
          await check(c.error || c.status === 401 || c.status === 403 || c.type === 'opaque', `the other page's call went through: ${JSON.stringify(c)}`);
          await check(!(c.text ?? '').includes('"result"'), `the other page read an answer: ${JSON.stringify(c)}`);
        }
      } finally {
        await foreign.close();
        other.close();
      }
      // FitBridge's own tab still works.
      await page.reload();
      await tid('nav-library').waitFor();
    },
  );

  await test(
    'serve and serve --demo in the same browser do not log each other out',
    async () => {
      const home = mkdtempSync(path.join(os.tmpdir(), 'fitbridge-e2e-home-'));
      const child = spawn(BIN, ['serve', '--addr', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FITBRIDGE_HOME: home } });
      extraChildren.push(child);
      try {
        const secondURL = await new Promise((resolve, reject) => {
          let out = '';
          const timer = setTimeout(() => reject(new Error(`no address within 30s: ${out}`)), 30_000);
          child.stdout.on('data', (d) => {
            out += d;
            const m = out.match(/FitBridge is running at (http:\/\/\S+)/);
            if (m) {
              clearTimeout(timer);
              resolve(m[1]);
            }
          });
          child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)));
        });
        const second = await page.context().newPage();
        const refused = [];
        second.on('response', (r) => r.status() === 401 && refused.push(r.url()));
        page.on('response', (r) => r.status() === 401 && refused.push(r.url()));
        await second.goto(secondURL);
        await until(() => !second.url().includes('token='), 'the second key to leave the address bar');
        await second.getByTestId('wizard').waitFor();
        // Each tab keeps its own key: both still answer after the other opened.
        await page.reload();
        await tid('nav-library').waitFor();
        await second.reload();
        await second.getByTestId('wizard').waitFor();
        const demo = await page.evaluate(() => fetch('/api/call/Status', { method: 'POST', headers: { Authorization: `Bearer ${sessionStorage.getItem('fitbridge_token')}` }, body: '[]' }).then((r) => r.json()));
        const real = await second.evaluate(() => fetch('/api/call/Status', { method: 'POST', headers: { Authorization: `Bearer ${sessionStorage.getItem('fitbridge_token')}` }, body: '[]' }).then((r) => r.json()));
        await check(demo?.result?.demo === true && real?.result?.demo === false, `Status: demo ${JSON.stringify(demo).slice(0, 120)}, real ${JSON.stringify(real).slice(0, 120)}`);
        await check(refused.length === 0, `refused: ${refused.join(', ')}`);
        await second.close();
      } finally {
        child.kill('SIGTERM');
        rmSync(home, { recursive: true, force: true });
      }
    },
  );

  await test(
    'browser import: 200 files, 300 MB, go up in parts with progress',
    async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'fitbridge-e2e-import-'));
      bigImportDir = dir;
      const files = [];
      const start = Date.UTC(2019, 0, 1, 6);
      for (let i = 0; i < 200; i++) {
        const t0 = start + i * 86_400_000;
        const head = `<?xml version="1.0" encoding="UTF-8"?>\n<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"><Activities><Activity Sport="Biking"><Id>${new Date(t0).toISOString()}</Id><Lap StartTime="${new Date(t0).toISOString()}"><TotalTimeSeconds>0</TotalTimeSeconds><DistanceMeters>0</DistanceMeters><Intensity>Active</Intensity><TriggerMethod>Manual</TriggerMethod><Track>\n`;
        const parts = [head];
        let size = head.length;
        for (let k = 0; size < 1.5 * 2 ** 20; k++) {
          const p = `<Trackpoint><Time>${new Date(t0 + k * 1000).toISOString()}</Time><Position><LatitudeDegrees>${(45 + k * 1e-5).toFixed(7)}</LatitudeDegrees><LongitudeDegrees>${(7 + k * 1e-5).toFixed(7)}</LongitudeDegrees></Position><DistanceMeters>${(k * 8.3).toFixed(1)}</DistanceMeters><HeartRateBpm><Value>${120 + (k % 40)}</Value></HeartRateBpm></Trackpoint>\n`;
          parts.push(p);
          size += p.length;
        }
        parts.push('</Track></Lap></Activity></Activities></TrainingCenterDatabase>\n');
        const f = path.join(dir, `ride-${String(i).padStart(3, '0')}.tcx`);
        writeFileSync(f, parts.join(''));
        files.push(f);
      }
      await tid('nav-library').click();
      let sawProgress = false;
      const watch = setInterval(async () => {
        if (await tid('import-progress').filter({ hasText: '%' }).isVisible().catch(() => false)) sawProgress = true;
      }, 100);
      try {
        await tid('import-file-input').setInputFiles(files);
        const result = await until(async () => ((await tid('import-result').isVisible()) ? tid('import-result').innerText() : null), 'the import to finish', 240_000, 500);
        await check(/200 files added/.test(result), `the import said: ${result.slice(0, 300)}`);
        await check(!(await tid('import-error').isVisible()), async () => `import error: ${await tid('import-error').innerText()}`);
      } finally {
        clearInterval(watch);
      }
      await check(sawProgress, 'no progress was shown while the files went up');
      const res = await page.evaluate(() =>
        fetch('/api/call/Activities', { method: 'POST', headers: { Authorization: `Bearer ${sessionStorage.getItem('fitbridge_token')}` }, body: JSON.stringify([{ since: '2019-01-01', until: '2019-12-31', sources: ['import'] }]) }).then((r) => r.json()),
      );
      const ready = (res.result ?? []).filter((a) => /^ride-\d{3}\.tcx$/.test(a.file ?? '') || /^ride-\d{3}$/.test(a.name ?? ''));
      await check(ready.length >= 200, `${ready.length} of the 200 rides are in the library`);
    },
  );
}

try {
  await main();
} catch (err) {
  results.push({ name: 'the run itself', ok: false });
  log(`FAIL the run itself: ${err?.stack || err}`);
} finally {
  await cleanup();
}
summary();
