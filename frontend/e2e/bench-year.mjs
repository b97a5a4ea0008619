// The year view's render time in Chromium, over a library of five years
// (1,500 activities): from the click to the frame that shows the year's
// rides, measured inside the page, so the driver's round trips do not count.
//
//   FITBRIDGE_HOME=<seeded library> node e2e/bench-year.mjs
//
// make bench seeds the library (backend/bench TestSeedFiveYearLibrary) and
// runs this; each result line is "BenchmarkYearView/<case> <n> runs: median
// X ms, p95 Y ms, max Z ms".
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const BIN = process.env.FITBRIDGE_BIN || path.resolve(here, '../../build/bin/fitbridge');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ROUNDS = Number(process.env.ROUNDS || 10);
const YEARS = [2025, 2024, 2023, 2022, 2021];

if (!process.env.FITBRIDGE_HOME) {
  console.error('FITBRIDGE_HOME must name a seeded library');
  process.exit(2);
}

function startServe() {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, ['serve', '--addr', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TZ: 'UTC' } });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no address from fitbridge serve:\n${out}`)), 30_000);
    const read = (b) => {
      out += b;
      const m = out.match(/FitBridge is running at (http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1] });
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('exit', (code) => reject(new Error(`fitbridge serve exited (${code}):\n${out}`)));
  });
}

function stats(ms) {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
  return `median ${at(0.5).toFixed(1)} ms, p95 ${at(0.95).toFixed(1)} ms, max ${s[s.length - 1].toFixed(1)} ms`;
}

const { child, url } = await startServe();
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 }, timezoneId: 'UTC' });
  await page.goto(url);
  await page.getByTestId('view-year').waitFor();
  const token = new URLSearchParams(new URL(url).hash.slice(1)).get('token');
  const base = new URL(url).origin;

  // The days with rides each year should show, as the library answers them.
  const expected = {};
  for (const y of YEARS) {
    const res = await fetch(`${base}/api/call/Activities`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
      body: JSON.stringify([{ since: `${y}-01-01`, until: `${y}-12-31`, sources: [], states: [] }]),
    });
    const rows = (await res.json()).result;
    expected[y] = new Set(rows.map((r) => r.start.slice(0, 10))).size;
    if (expected[y] < 200) throw new Error(`the seeded library has only ${expected[y]} days with rides in ${y}`);
  }

  // Clicks a control and resolves, in the page, once the year view shows
  // `days` days with rides under the title `year` and a frame has been drawn.
  const timeClick = (testid, year, days) =>
    page.evaluate(
      ({ testid, year, days }) =>
        new Promise((resolve, reject) => {
          const t0 = performance.now();
          document.querySelector(`[data-testid="${testid}"]`).click();
          const limit = t0 + 10_000;
          const poll = () => {
            const grid = document.querySelector('[data-testid="calendar-year"]');
            const title = document.querySelector('[data-testid="cal-title"]')?.textContent ?? '';
            const n = grid ? grid.querySelectorAll('[data-count]:not([data-count="0"])').length : 0;
            if (grid && title.includes(String(year)) && n === days) {
              // The next frame is the one that shows it.
              requestAnimationFrame(() => resolve(performance.now() - t0));
            } else if (performance.now() > limit) {
              reject(new Error(`year ${year}: ${n} of ${days} days after 10 s (title "${title}")`));
            } else {
              requestAnimationFrame(poll);
            }
          };
          requestAnimationFrame(poll);
        }),
      { testid, year, days },
    );

  const fromMonth = [];
  const stepBack = [];
  for (let r = 0; r < ROUNDS; r++) {
    // January 2025 in the month view (through the year view's month link),
    // then the year view: a fetch and a full draw.
    await page.getByTestId('view-year').click();
    await page.getByTestId('cal-today').click();
    const today = new Date().getUTCFullYear();
    for (let y = today; y > 2025; y--) await page.getByTestId('cal-prev').click();
    await page.getByTestId('year-month-1').click();
    await page.getByTestId('calendar-year').waitFor({ state: 'detached' });
    fromMonth.push(await timeClick('view-year', 2025, expected[2025]));
    for (const y of YEARS.slice(1)) stepBack.push(await timeClick('cal-prev', y, expected[y]));
  }
  console.log(`library: 1500 activities over five years; ${Object.values(expected).join('/')} days with rides in ${YEARS.join('/')}`);
  console.log(`BenchmarkYearView/month-to-year ${fromMonth.length} runs: ${stats(fromMonth)}`);
  console.log(`BenchmarkYearView/previous-year ${stepBack.length} runs: ${stats(stepBack)}`);
  // The same medians as benchmark lines, for the comparison with the baseline.
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`BenchmarkYearViewMonthToYear 1 ${median(fromMonth).toFixed(1)} ms-median`);
  console.log(`BenchmarkYearViewPreviousYear 1 ${median(stepBack).toFixed(1)} ms-median`);
} finally {
  await browser.close();
  child.kill('SIGTERM');
}
