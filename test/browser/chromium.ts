/**
 * Debian's Chromium (local/ensure-browser.sh installs it; nothing is ever downloaded) driven by
 * playwright-core, headless; the browser tests and the console's bench (bench/console.ts) use it.
 */
import { execFileSync } from 'node:child_process';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
/** Flags for a quiet, self-contained headless Chromium (no network of its own, no first-run UI). */
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The browser and the console's bundle, installed and built if they are not (both quick when done). */
export function ensureBrowserAndBundle(): void {
  execFileSync('bash', ['local/ensure-browser.sh'], { stdio: 'inherit' });
  execFileSync('bash', ['local/ensure-web.sh'], { stdio: 'inherit' });
}

/** Headless Chromium; playwright launches it with a fresh temporary profile (--user-data-dir) of its own, deleted on close. */
export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
}
