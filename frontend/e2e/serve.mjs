// Starting and stopping `fitbridge serve` for the smaller e2e scripts
// (update-notice.mjs, bare-machine.mjs), each with its own environment.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const BIN = process.env.FITBRIDGE_BIN || path.resolve(here, '../../build/bin/fitbridge');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

/** Starts `fitbridge serve ...args` with env over this process's; resolves to { child, url }. */
export function startServe(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, ['serve', ...args, '--addr', '127.0.0.1:0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`no address within 30s:\n${out}${err}`)), 30_000);
    child.stderr.on('data', (d) => (err = (err + d).slice(-4000)));
    child.on('error', (e) => reject(new Error(`cannot start ${BIN}: ${e.message} (run \`make build\` first)`)));
    child.on('exit', (code) => reject(new Error(`serve exited (${code}):\n${out}${err}`)));
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

export async function stopServe(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** Named checks; report() prints the tally and exits non-zero on a failure. */
export function checks(title) {
  const results = [];
  return {
    async check(name, fn) {
      try {
        await fn();
        results.push(true);
        console.log(`ok   ${name}`);
      } catch (err) {
        results.push(false);
        console.log(`FAIL ${name}: ${err?.stack || err}`);
      }
    },
    report() {
      const failed = results.filter((ok) => !ok).length;
      console.log(`${title}: ${results.length - failed} passed, ${failed} failed`);
      process.exit(failed ? 1 : 0);
    },
  };
}

export function must(cond, msg) {
  if (!cond) throw new Error(msg);
}
