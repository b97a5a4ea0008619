// The update notice in the browser UI against `fitbridge serve --demo`, with
// a loopback stand-in for the project's releases feed (FITBRIDGE_UPDATE_URL).
// The banner must appear when the feed has a newer release, and never when
// the check is off, the feed has nothing newer, or the feed cannot be reached.
// Settings shows the version the binary was stamped with.
//
//   npm run e2e            (runs after e2e/run.mjs)
//   FITBRIDGE_BIN, CHROMIUM as for e2e/run.mjs
import { spawn } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { BIN, CHROMIUM, checks, must, startServe, stopServe } from './serve.mjs';

const REPO_PATH = '/repos/fitbridge/fitbridge/releases/latest';
// FITBRIDGE_SCREENSHOTS=1 also writes docs/screenshots/update-notice.png.
const SHOT = process.env.FITBRIDGE_SCREENSHOTS === '1' ? fileURLToPath(new URL('../../docs/screenshots/update-notice.png', import.meta.url)) : '';

/** A releases feed whose latest release is `tag`; it records each request. */
function startFeed(tag) {
  const requests = [];
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method, url: req.url, headers: req.headers });
    if (req.method !== 'GET' || req.url !== REPO_PATH) {
      res.writeHead(404).end('{"message":"Not Found"}');
      return;
    }
    if (!req.headers['user-agent']) {
      res.writeHead(403).end('User-Agent required');
      return;
    }
    const { port } = server.address();
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ tag_name: tag, html_url: `http://127.0.0.1:${port}/fitbridge/fitbridge/releases/tag/${tag}`, draft: false, prerelease: false }));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, requests, url: `http://127.0.0.1:${server.address().port}${REPO_PATH}` })));
}

const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
const version = (await new Promise((resolve) => {
  const c = spawn(BIN, ['version']);
  let out = '';
  c.stdout.on('data', (d) => (out += d));
  c.on('exit', () => resolve(out));
})).trim().replace(/^fitbridge /, '');

/** Opens the UI, waits until it has started, and says whether the banner is there. */
async function bannerShown(env, { expect }) {
  const { child, url } = await startServe(['--demo'], { FITBRIDGE_UPDATE_URL: '', FITBRIDGE_NO_UPDATE_CHECK: '', ...env });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
  try {
    await page.goto(url);
    await page.getByTestId('wizard').waitFor({ timeout: 15_000 });
    const banner = page.getByTestId('update-banner');
    if (expect) {
      await banner.waitFor({ timeout: 15_000 });
      if (SHOT) await page.screenshot({ path: SHOT });
      return { shown: true, text: await banner.innerText(), href: await page.getByTestId('update-notes').getAttribute('href') };
    }
    // The UI has started and asked (or not): give the answer time to arrive.
    await page.waitForTimeout(3000);
    return { shown: await banner.isVisible() };
  } finally {
    await page.close();
    await stopServe(child);
  }
}

const { check, report } = checks('update notice');

await check(`the build names its version (${version})`, async () => {
  must(/^\d+\.\d+\.\d+/.test(version), `fitbridge version printed "${version}"`);
});

await check("Settings' This computer shows the same version as `fitbridge version`", async () => {
  const { child, url } = await startServe(['--demo'], { FITBRIDGE_NO_UPDATE_CHECK: '1' });
  const page = await browser.newPage();
  try {
    await page.goto(url);
    await page.getByTestId('wizard-close').click();
    await page.getByTestId('nav-settings').click();
    const shown = (await page.getByTestId('settings-version').innerText()).trim();
    must(shown === version, `Settings shows "${shown}", the binary says "${version}"`);
  } finally {
    await page.close();
    await stopServe(child);
  }
});

await check('a newer release in the feed shows the banner with a link to its notes', async () => {
  const feed = await startFeed('v99.0.0');
  try {
    const r = await bannerShown({ FITBRIDGE_UPDATE_URL: feed.url }, { expect: true });
    must(r.text.includes('FitBridge 99.0.0 is available'), `banner reads "${r.text}"`);
    must(r.href?.endsWith('/fitbridge/fitbridge/releases/tag/v99.0.0'), `the link goes to ${r.href}`);
    const asks = feed.requests.filter((q) => q.url === REPO_PATH);
    must(asks.length === 1, `the feed was asked ${asks.length} times`);
    must(asks[0].headers['user-agent'] === `FitBridge/${version}`, `User-Agent ${asks[0].headers['user-agent']}`);
    must(!asks[0].headers.cookie && !asks[0].headers.authorization, 'the request carried credentials');
  } finally {
    feed.server.close();
  }
});

await check('no banner when FITBRIDGE_NO_UPDATE_CHECK=1, and the feed is not asked', async () => {
  const feed = await startFeed('v99.0.0');
  try {
    const r = await bannerShown({ FITBRIDGE_UPDATE_URL: feed.url, FITBRIDGE_NO_UPDATE_CHECK: '1' }, { expect: false });
    must(!r.shown, 'the banner appeared');
    must(feed.requests.length === 0, `the feed was asked ${feed.requests.length} times`);
  } finally {
    feed.server.close();
  }
});

await check('no banner when the feed has nothing newer', async () => {
  const feed = await startFeed(`v${version.replace(/[-+].*/, '')}`);
  try {
    const r = await bannerShown({ FITBRIDGE_UPDATE_URL: feed.url }, { expect: false });
    must(feed.requests.length === 1, `the feed was asked ${feed.requests.length} times`);
    // A development build sorts before its release: then the release is news.
    const isRelease = !/[-+]/.test(version);
    must(r.shown === !isRelease, `banner shown=${r.shown} for build ${version}`);
  } finally {
    feed.server.close();
  }
});

await check('no banner, and no error, when the feed cannot be reached', async () => {
  const feed = await startFeed('v99.0.0');
  const url = feed.url;
  await new Promise((r) => feed.server.close(r)); // nothing listens there now
  const r = await bannerShown({ FITBRIDGE_UPDATE_URL: url }, { expect: false });
  must(!r.shown, 'the banner appeared without a feed');
});

await browser.close();
report();
