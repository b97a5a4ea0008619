// Finding, sorting and selecting in the calendar, the open drawer following a
// run, and the run's end state, each at the smallest and a large window.
// run.mjs calls these once the backfill has filled the library.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Real files that are in no demo source, so each one adds a new activity (testdata/PROVENANCE.md).
const testdata = path.join(path.dirname(fileURLToPath(import.meta.url)), 'testdata');
export const NEW_FILES = {
  '1024x700': path.join(testdata, 'garmin_edge200_2015-10-13_ride.fit'),
  '1920x1080': path.join(testdata, 'garmin_edge820_2017-06-12_commute_short.fit'),
};
export const SIZES = [
  { name: '1024x700', width: 1024, height: 700 },
  { name: '1920x1080', width: 1920, height: 1080 },
];

/**
 * @param {object} h the runner's helpers: test, check, until, page, tid, log, fail
 */
/** Whether the page scrolls sideways: the width it sticks out by, or 0. */
async function horizontalOverflowOf(page) {
  return page.evaluate(() => Math.max(0, document.documentElement.scrollWidth - document.documentElement.clientWidth));
}

export async function calendarChecks(h) {
  const { test, check, until, page, tid, log, expectRefusal } = h;
  const rows = () => tid('activity-list').locator('[data-testid^="list-row-"]');
  const attrs = (name) => rows().evaluateAll((els, n) => els.map((el) => el.getAttribute(n) ?? ''), name);

  // A check that failed may leave the drawer open over what the next one clicks.
  async function closeDrawer() {
    if ((await tid('activity-drawer').count()) === 0) return;
    await tid('drawer-close').click();
    await tid('activity-drawer').waitFor({ state: 'detached' });
  }

  async function list({ whole }) {
    await closeDrawer();
    await tid('nav-library').click();
    await tid('view-list').click();
    await tid('activity-list').waitFor();
    const on = (await tid('list-whole-history').getAttribute('aria-pressed')) === 'true';
    if (on !== whole) await tid('list-whole-history').click();
    await until(async () => !(await page.locator('.library .spinner').isVisible()) && (await rows().count()) > 0, 'rows in the list');
  }

  // The wizard's run has finished: its end state, before any other run starts.
  for (const size of SIZES) {
    const at = ` at ${size.name}`;
    await page.setViewportSize({ width: size.width, height: size.height });
    await test(`backfill: a finished run shows a full bar and Finished once${at}`, async () => {
      await tid('nav-backfill').click();
      await tid('backfill-new-run').waitFor({ timeout: 60_000 });
      const bar = tid('backfill-progress');
      const max = Number(await bar.getAttribute('aria-valuemax'));
      const now = Number(await bar.getAttribute('aria-valuenow'));
      await check(max > 0 && now === max, `the finished run's bar stands at ${now} of ${max}`);
      const width = await bar.locator('.fill').evaluate((el) => el.style.width);
      await check(width === '100%', `the bar is ${width} wide`);
      const phase = (await tid('backfill-phase').innerText()).trim();
      await check(phase === 'Finished', `the phase says "${phase}"`);
    });
  }

  // The drawer test moves the calendar to the added file's month: come back after.
  await tid('nav-library').click();
  await tid('view-month').click();
  const month = (await tid('cal-title').innerText()).trim();

  for (const size of SIZES) {
    const at = ` at ${size.name}`;
    await page.setViewportSize({ width: size.width, height: size.height });

    await test(`list: the whole history holds more than one year${at}`, async () => {
      await list({ whole: false });
      const year = await rows().count();
      await list({ whole: true });
      await check((await tid('cal-title').innerText()).trim() === 'Whole history', 'the title does not say Whole history');
      const all = await rows().count();
      const years = new Set((await attrs('data-start')).map((s) => s.slice(0, 4)).filter(Boolean));
      await check(all > year && years.size > 1, `whole history ${all} rows over ${[...years].join(', ')}; the year had ${year}`);
      log(`     ${all} activities over ${years.size} years, ${year} in this year`);
    });

    await test(`list: search by name keeps only what matches${at}`, async () => {
      await list({ whole: true });
      const total = await rows().count();
      const names = await rows().locator('[data-testid^="list-open-"]').allInnerTexts();
      // A word from a name, long enough to mean something.
      const word = names.flatMap((n) => n.split(/\s+/)).find((w) => /^[A-Za-z]{5,}$/.test(w));
      await check(word, `no word to search for in ${names.slice(0, 5).join(' | ')}`);
      await tid('filter-search').fill(word.toLowerCase());
      await until(async () => (await rows().count()) < total || (await rows().count()) === names.filter((n) => n.toLowerCase().includes(word.toLowerCase())).length, 'the list to narrow');
      const found = await rows().locator('[data-testid^="list-open-"]').allInnerTexts();
      await check(found.length > 0 && found.every((n) => n.toLowerCase().includes(word.toLowerCase())), `searching "${word}" shows ${found.join(' | ')}`);
      await tid('filter-search').fill('no ride is called this');
      await tid('list-empty').waitFor();
      await tid('filter-search').fill('');
      await until(async () => (await rows().count()) === total, 'every row back');
      log(`     "${word}": ${found.length} of ${total}`);
    });

    await test(`filters: a sport keeps only that sport${at}`, async () => {
      await list({ whole: true });
      const sports = await attrs('data-sport');
      const counts = new Map();
      for (const s of sports) counts.set(s, (counts.get(s) ?? 0) + 1);
      await check(counts.size > 1, `only one sport in the library: ${[...counts.keys()].join(', ')}`);
      const [sport, n] = [...counts].sort((a, b) => a[1] - b[1])[0];
      await tid(`filter-sport-${sport || 'unknown'}`).click();
      await until(async () => (await rows().count()) === n, `${n} ${sport} rows`);
      const shown = await attrs('data-sport');
      await check(shown.every((s) => s === sport), `the ${sport} filter shows ${[...new Set(shown)].join(', ')}`);
      await tid(`filter-sport-${sport || 'unknown'}`).click();
      await until(async () => (await rows().count()) === sports.length, 'every row back');
    });

    await test(`list: columns sort both ways${at}`, async () => {
      await list({ whole: true });
      await tid('list-sort-duration').click();
      let secs = (await attrs('data-elapsed')).map(Number);
      await check(secs.every((s, i) => i === 0 || secs[i - 1] >= s), `longest first is not in order: ${secs.slice(0, 10).join(', ')}`);
      const th = tid('list-sort-duration').locator('xpath=ancestor::th[1]');
      await check((await th.getAttribute('aria-sort')) === 'descending', 'the column does not say it is sorted');
      await tid('list-sort-duration').click();
      secs = (await attrs('data-elapsed')).map(Number);
      await check(secs.every((s, i) => i === 0 || secs[i - 1] <= s), `shortest first is not in order: ${secs.slice(0, 10).join(', ')}`);
      await tid('list-sort-name').click();
      const names = await rows().locator('[data-testid^="list-open-"]').allInnerTexts();
      const cmp = (a, b) => a.localeCompare(b, undefined, { sensitivity: 'base', numeric: true });
      await check(names.every((n, i) => i === 0 || cmp(names[i - 1], n) <= 0), `names are not A to Z: ${names.slice(0, 6).join(' | ')}`);
      await tid('list-sort-date').click();
      const starts = (await attrs('data-start')).filter(Boolean);
      await check(starts.every((s, i) => i === 0 || Date.parse(starts[i - 1]) >= Date.parse(s)), 'newest first is not in order');
    });

    await test(`calendar: Shift+click picks a range of days without selecting text${at}`, async () => {
      await closeDrawer();
      await tid('nav-library').click();
      await tid('view-month').click();
      await tid('calendar-month').waitFor();
      await page.evaluate(() => window.getSelection()?.removeAllRanges());
      const first = page.locator('[data-testid^="calendar-day-"]').nth(8);
      const last = page.locator('[data-testid^="calendar-day-"]').nth(19);
      // On the cell's own corner, not on a chip (a chip opens its activity).
      await first.click({ position: { x: 4, y: 4 } });
      await last.click({ position: { x: 4, y: 4 }, modifiers: ['Shift'] });
      const selectedText = await page.evaluate(() => window.getSelection()?.toString() ?? '');
      await check(selectedText.trim() === '', `Shift+click selected the page's text: "${selectedText.slice(0, 80)}"`);
      const picked = await page.locator('[data-testid^="calendar-day-"][aria-selected="true"]').count();
      await check(picked === 12, `${picked} days selected, not the 12 from the first to the last`);
      if ((await tid('selection-bar').count()) > 0) await tid('selection-clear').click();
    });

    await test(`drawer: shows Uploaded after its own Upload, without reopening${at}`, async () => {
      await closeDrawer();
      await tid('nav-library').click();
      await tid('import-file-input').setInputFiles(NEW_FILES[size.name]);
      await tid('import-result').waitFor();
      const item = tid('import-result').locator('li button').first();
      await item.click();
      const drawer = tid('activity-drawer');
      await drawer.waitFor();
      const before = (await tid('drawer-history').innerText()).replace(/\s+/g, ' ');
      await check(!/Uploaded/.test(before), `the added file is already uploaded: ${before}`);
      // Automatic sync may be uploading it already: then the drawer must follow that run.
      const shown = () => tid('drawer-history').innerText();
      const how = await until(
        async () => ((await tid('drawer-upload').count()) > 0 && (await tid('drawer-upload').isEnabled()) ? 'button' : /Uploaded|Already in Intervals\.icu/.test(await shown()) ? 'automatic' : false),
        'Upload to be possible or the automatic upload',
        90_000,
      );
      // Automatic sync can still win the race between seeing the button and pressing it.
      const pressed = how === 'button' && (await tid('drawer-upload').click({ timeout: 3000 }).then(() => true, () => false));
      log(`     uploaded by ${pressed ? 'its Upload button' : 'automatic sync, shown without reopening'}`);
      await until(async () => /Uploaded|Already in Intervals\.icu/.test(await tid('drawer-history').innerText()) && (await tid('drawer-upload').count()) === 0, 'the drawer to show the upload', 60_000);
      await check((await tid('drawer-intervals-link').count()) > 0, 'no Intervals.icu link after the upload');
      await page.keyboard.press('Escape');
      await drawer.waitFor({ state: 'detached' });
    });

  }
  // Units, week start and language, from Settings, at each size.
  async function setting(id, value) {
    await closeDrawer();
    await tid('nav-settings').click();
    await tid(id).selectOption(value);
    await until(async () => (await tid(id).inputValue()) === value, `${id} to keep ${value}`);
  }
  for (const size of SIZES) {
    const at = ` at ${size.name}`;
    await page.setViewportSize({ width: size.width, height: size.height });

    await test(`settings: miles in the list and the month${at}`, async () => {
      await setting('settings-units', 'mi');
      await list({ whole: true });
      const row = rows().and(page.locator('[data-distance]:not([data-distance="0"])')).first();
      const metres = Number(await row.getAttribute('data-distance'));
      const cell = (await row.locator('td.num').nth(1).innerText()).trim();
      const miles = Number(cell.replace(/[^\d.]/g, ''));
      await check(/ mi$/.test(cell) && Math.abs(miles - metres / 1609.344) < 0.06, `${metres} m shows as "${cell}"`);
      await tid('view-month').click();
      const totals = await page.locator('.month .total').allInnerTexts();
      await check(!totals.some((x) => / km\b/.test(x)), `week totals still in km: ${totals.join(' | ')}`);
      await setting('settings-units', '');
      await list({ whole: true });
      await check(/ km$|–/.test((await rows().first().locator('td.num').nth(1).innerText()).trim()), 'back to kilometres');
    });

    await test(`settings: weeks from Sunday${at}`, async () => {
      await setting('settings-week-start', 'sunday');
      await tid('nav-library').click();
      await tid('view-month').click();
      const head = (await page.locator('.month [role="columnheader"]').first().innerText()).trim();
      await check(head === 'Sun', `the first column is "${head}"`);
      const firstDay = await page.locator('[data-testid^="calendar-day-"]').first().getAttribute('data-day');
      const [y, m, d] = firstDay.split('-').map(Number);
      await check(new Date(y, m - 1, d).getDay() === 0, `the grid starts on ${firstDay}, not a Sunday`);
      await setting('settings-week-start', 'monday');
      await tid('nav-library').click();
      await check((await page.locator('.month [role="columnheader"]').first().innerText()).trim() === 'Mon', 'back to Monday');
    });

    await test(`settings: the window in German${at}`, async () => {
      await setting('settings-language', 'de');
      await check((await tid('nav-settings').innerText()).trim() === 'Einstellungen', 'the tab is not German');
      await tid('nav-library').click();
      await tid('view-month').click();
      const title = (await tid('cal-title').innerText()).trim();
      const months = ['Januar', 'Februar', 'März', 'April', 'Mai', 'Juni', 'Juli', 'August', 'September', 'Oktober', 'November', 'Dezember'];
      await check(months.some((n) => title.startsWith(n)), `the month is "${title}"`);
      await check((await tid('view-month').innerText()).trim() === 'Monat', 'the view buttons are not German');
      await check((await page.locator('.month [role="columnheader"]').first().innerText()).trim() === 'Mo', 'the weekdays are not German');
      await tid('view-list').click();
      await check((await tid('list-sort-duration').innerText()).includes('Dauer'), 'the list headings are not German');
      const over = await horizontalOverflowOf(page);
      await check(!over, `German text does not fit: ${over}`);
      await setting('settings-language', '');
      await check((await tid('nav-settings').innerText()).trim() === 'Settings', 'back to English');
    });
  }

  // A failed sign-in: its error beside the form that failed, announced, in view.
  for (const size of SIZES) {
    const at = ` at ${size.name}`;
    await page.setViewportSize({ width: size.width, height: size.height });
    await test(`sign-in: a wrong password's error sits in its form as an alert${at}`, async () => {
      await closeDrawer();
      await tid('nav-settings').click();
      const card = tid('source-card-igpsport');
      await card.scrollIntoViewIfNeeded();
      if (await tid('source-reconnect-igpsport').isVisible()) await tid('source-reconnect-igpsport').click();
      if (!(await tid('source-username-igpsport').isVisible())) await tid('source-more-igpsport').click();
      await tid('source-username-igpsport').fill('rider@example.com');
      await tid('source-password-igpsport').fill('not the password');
      expectRefusal('ConnectPassword');
      await tid('source-connect-password-igpsport').click();
      const err = tid('source-error-igpsport');
      await err.waitFor({ timeout: 30_000 });
      await check((await err.getAttribute('role')) === 'alert', 'the error is not an alert');
      const inForm = await err.evaluate((el, btn) => el.closest('form') !== null && el.closest('form') === document.querySelector(`[data-testid="${btn}"]`)?.closest('form'), 'source-connect-password-igpsport');
      await check(inForm, 'the error is not in the password form');
      const msg = (await err.innerText()).trim();
      await check(!/^\S+ sign-in:/i.test(msg) && !/^IGPSport/.test(msg) && !/[.!?]\s+[A-Z]/.test(msg), `the error is not one plain sentence: "${msg}"`);
      // In the window, not hidden under anything fixed or sticky.
      const box = await err.boundingBox();
      const vp = page.viewportSize();
      await check(box && box.y >= 0 && box.y + box.height <= vp.height, `the error is out of view at y=${box?.y}`);
      const covered = await err.evaluate((el) => {
        const r = el.getBoundingClientRect();
        const top = document.elementFromPoint(r.left + 4, r.top + r.height / 2);
        return top && !el.contains(top) ? top.outerHTML.slice(0, 80) : '';
      });
      await check(!covered, `the error is covered by ${covered}`);
      await check((await tid('source-username-igpsport').inputValue()) === 'rider@example.com', 'the email was not kept');
      log(`     "${msg}"`);
      await card.getByRole('button', { name: 'Cancel' }).click();
    });
  }

  await page.setViewportSize({ width: 1280, height: 800 });
  await test('calendar: back to the month shown before', async () => {
    await closeDrawer();
    await tid('nav-library').click();
    await tid('view-year').click();
    const [name, year] = month.split(' ');
    for (let i = 0; i < 30 && (await tid('cal-title').innerText()).trim() !== year; i++) {
      await tid(Number((await tid('cal-title').innerText()).trim()) > Number(year) ? 'cal-prev' : 'cal-next').click();
    }
    const m = tid('calendar-year').locator('[data-testid^="year-month-"]', { hasText: name });
    await m.click();
    await until(async () => (await tid('cal-title').innerText()).trim() === month, `the title ${month}`);
  });
}
