/**
 * The web console in real headless Chromium against the real dev server and Docker: sign in →
 * create an app → run it → its logs arrive live on its page → it ends FAILED with its exit code →
 * stop a long run from its page → a schedule with its next fire times → build an image and watch
 * its log → metrics → the session across reloads and its expiry → another user sees none of it.
 * axe-core checks every page; screenshots of the main pages go to test-results/screenshots/.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../support/fixtures.js';
import { Client, startServer, waitForTerminal, type RunningServer } from '../support/server.js';
import { checkPage, ensureBrowserAndBundle, launch, screenshot } from './browser.js';
import { startWebhookSink } from '../support/webhook-sink.js';

/** Generous: a loaded machine runs containers and the browser slowly. */
const UI_MS = 60_000;
const emailA = `alice-${Date.now()}@example.com`;
const emailB = `bob-${Date.now()}@example.com`;

let server: RunningServer;
let browser: Browser;
let alice: BrowserContext;
let page: Page;
/** Alice through the API, to check what the page shows against what the API says. */
let api: Client;
let appId: string;
let failedRunId: string;

/** Creates an account and signs in through the sign-in page, mouse and keyboard as a person would. */
async function register(page: Page, email: string) {
  await page.goto(`${server.url}/`);
  await page.waitForURL(/\/signin\?next=/);
  await page.getByRole('button', { name: /create an account/i }).click();
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { level: 1, name: 'Home' }).waitFor({ timeout: UI_MS });
}

beforeAll(async () => {
  ensureBrowserAndBundle();
  server = await startServer();
  browser = await launch();
  alice = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await alice.newPage();
  page.setDefaultTimeout(UI_MS);
});

// What the page showed when a step failed, for the reviewer.
afterEach(async ({ task }) => {
  if (task.result?.state === 'fail') await screenshot(page, `failed-${task.name.slice(0, 40).replace(/\W+/g, '-')}`).catch(() => undefined);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the web console', () => {
  it('opens at / on sign-in, which is accessible, and registers and signs in', async () => {
    await page.goto(`${server.url}/`);
    await page.waitForURL(/\/signin\?next=%2F$/);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await checkPage(page, 'sign-in');
    await register(page, emailA);
    api = new Client(server.url);
    api.token = (await api.post('/auth/login', { email: emailA, password: PASSWORD })).body.accessToken;
    await checkPage(page, 'home-empty');
  });

  it('creates an app, showing the API’s validation beside the field', async () => {
    await page.getByRole('link', { name: 'Apps', exact: true }).click();
    await page.getByRole('link', { name: 'New app' }).click();
    await page.getByLabel('Name').fill('not a valid name!');
    await page.getByLabel('Command', { exact: true }).fill('sh\n-c\nfor i in 1 2 3 4 5 6 7 8; do echo tick $i; sleep 1; done; echo oops >&2; exit 3');
    await page.getByRole('button', { name: 'Create app' }).click();
    const nameError = page.locator('#name-error');
    await nameError.waitFor();
    expect(await nameError.textContent()).toMatch(/letters, digits/);
    await checkPage(page, 'app-form-error');
    await page.getByLabel('Name').fill('ticker');
    await page.getByRole('button', { name: 'Create app' }).click();
    await page.getByRole('heading', { level: 1, name: 'ticker' }).waitFor();
    appId = page.url().split('/apps/')[1]!;
    expect((await api.get(`/apps/${appId}`)).body.command).toHaveLength(3);
    await checkPage(page, 'app');
  });

  it('runs it: its logs arrive live on its page, stderr told apart, and it ends FAILED with exit code 3', async () => {
    await page.getByRole('button', { name: 'Run ticker now' }).click();
    await page.waitForURL(/\/runs\/[0-9A-Z]{26}$/);
    failedRunId = page.url().split('/runs/')[1]!;
    const lines = page.getByTestId('log-lines');
    await lines.getByText('tick 1', { exact: true }).waitFor();
    // Seen while the job still runs (it prints for 8 s): the line came live, not with the finished log.
    expect(['PENDING', 'PROVISIONING', 'RUNNING']).toContain((await api.get(`/runs/${failedRunId}`)).body.status);
    await lines.getByText('tick 3', { exact: true }).waitFor();
    await page.getByTestId('run-status').getByText('FAILED').waitFor({ timeout: 90_000 });
    await expect.poll(() => page.getByTestId('run-exit-code').textContent(), { timeout: UI_MS }).toBe('3');
    const stderr = lines.locator('.line-stderr');
    await stderr.first().waitFor();
    expect(await stderr.textContent()).toContain('oops');
    expect(await lines.locator('.line-stdout').count()).toBe(8);
    await page.getByTestId('timeline').getByText('FAILED').waitFor();
    // Search within the loaded lines, then jump to the end.
    await page.getByLabel('Search the lines').fill('tick 2');
    await expect.poll(() => lines.locator('.line').count()).toBe(1);
    await page.getByLabel('Search the lines').fill('');
    await page.getByRole('button', { name: 'Jump to end' }).click();
    await expect.poll(() => page.getByTestId('log-state').textContent()).toContain('Ended: FAILED');
    await checkPage(page, 'run-failed');
    const run = await waitForTerminal(api, failedRunId);
    expect(run).toMatchObject({ status: 'FAILED', exitCode: 3 });
  });

  it('lists runs with their filters, and is readable at phone width', async () => {
    await page.getByRole('link', { name: 'Runs', exact: true }).click();
    await page.getByTestId('runs-table').getByText('ticker').first().waitFor();
    await page.getByLabel('Status').selectOption('SUCCEEDED');
    await page.getByText('No runs.').waitFor();
    await page.getByLabel('Status').selectOption('FAILED');
    await page.getByTestId('runs-table').getByText('ticker').first().waitFor();
    await checkPage(page, 'runs');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${server.url}/runs/${failedRunId}`);
    await page.getByTestId('run-status').getByText('FAILED').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await checkPage(page, 'run-phone');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('stops a long run from its page', async () => {
    await page.goto(`${server.url}/apps/${appId}`);
    await page.getByText('Overrides for this run').click();
    await page.getByLabel('Command', { exact: true }).fill('sleep\n600');
    await page.getByRole('button', { name: 'Run ticker now' }).click();
    await page.waitForURL(/\/runs\/[0-9A-Z]{26}$/);
    const runId = page.url().split('/runs/')[1]!;
    await page.getByTestId('run-status').getByText('RUNNING').waitFor({ timeout: 90_000 });
    await page.getByLabel('Grace (s) before SIGKILL').fill('2');
    await page.getByRole('button', { name: 'Stop (SIGTERM)' }).click();
    await page.getByTestId('run-status').getByText('STOPPED').waitFor({ timeout: 90_000 });
    expect((await api.get(`/runs/${runId}`)).body.status).toBe('STOPPED');
    await page.getByRole('button', { name: /Stop \(SIGTERM\)/ }).waitFor({ state: 'detached' });
  });

  it('creates a schedule in a time zone, its expression checked as it is typed and its next fire times shown before saving', async () => {
    await page.getByRole('link', { name: 'Schedules', exact: true }).click();
    await page.getByLabel('App').selectOption(appId);
    await page.getByLabel('Time zone (IANA)').fill('Europe/Berlin');
    const expression = page.getByLabel('Expression', { exact: true });
    await expression.fill('cron(61 9 ? * MON-FRI *)');
    await page.locator('#expression-error').waitFor();
    expect(await page.getByRole('button', { name: 'Create schedule' }).isDisabled()).toBe(true);
    await expression.fill('cron(0 9 ? * MON-FRI *)');
    await expect.poll(() => page.getByTestId('next-times').locator('li').count()).toBe(5);
    // Each slot in Berlin's local time with its offset: 09:00 at +01:00 or +02:00.
    expect(await page.getByTestId('next-times').locator('li').first().textContent()).toMatch(/ 09:00:00\+0[12]:00/);
    expect(await api.get('/schedules').then((r) => r.body.items.length)).toBe(0);
    await checkPage(page, 'schedule-preview');
    await page.getByRole('button', { name: 'Create schedule' }).click();
    const card = page.getByTestId('schedule');
    await card.getByText('cron(0 9 ? * MON-FRI *)').waitFor();
    await card.getByText(/^Next: /).waitFor();
    expect((await api.get('/schedules')).body.items[0]).toMatchObject({ timeZone: 'Europe/Berlin', catchUp: { policy: 'none' } });
    await card
      .getByText(/Europe\/Berlin/)
      .first()
      .waitFor();
    await card.getByRole('button', { name: 'Suspend' }).click();
    await card.getByRole('button', { name: 'Resume' }).waitFor();
    expect((await api.get('/schedules')).body.items[0].enabled).toBe(false);
    await card.getByRole('button', { name: 'Resume' }).click();
    await card.getByRole('button', { name: 'Suspend' }).waitFor();
    await checkPage(page, 'schedules');
  });

  it('builds an image from a Dockerfile and an uploaded file, its build log followed live, its scan shown', async () => {
    // Unique, so Docker's layer cache cannot answer the RUN step without running it.
    const greeting = `hello-${Date.now()}`;
    await page.getByRole('link', { name: 'Images', exact: true }).click();
    await page.getByLabel('Name').fill('greeter');
    await page
      .getByLabel('Dockerfile (unless you upload one)')
      .fill('FROM containerizer/busybox:latest\nCOPY greeting.txt /opt/\nRUN echo built-marker-$(cat /opt/greeting.txt)\n');
    await page.getByLabel('Add files').setInputFiles({ name: 'greeting.txt', mimeType: 'text/plain', buffer: Buffer.from(greeting) });
    await page.getByRole('button', { name: 'Create image' }).click();
    await page.getByRole('heading', { level: 1, name: 'greeter' }).waitFor();
    await page.getByRole('button', { name: 'greeting.txt' }).waitFor();
    await page.getByRole('button', { name: 'Build it' }).click();
    await page.getByTestId('log-lines').getByText(`built-marker-${greeting}`).waitFor({ timeout: 120_000 });
    await expect.poll(() => page.getByTestId('log-state').textContent(), { timeout: 120_000 }).toContain('Ended: BUILT');
    await page.getByTestId('scan-counts').waitFor({ timeout: UI_MS });
    await checkPage(page, 'image-built');
    // Edited while no build runs: a new version.
    await page.getByRole('button', { name: 'greeting.txt' }).click();
    await expect.poll(() => page.getByLabel('Edit greeting.txt').inputValue()).toBe(greeting);
    await page.getByLabel('Edit greeting.txt').fill('hi again');
    await page.getByRole('button', { name: 'Save greeting.txt' }).click();
    await page.getByText(/^Version 2 /).waitFor();
  }, 300_000);

  it("shows an app's metric across runs as a chart", async () => {
    const created = await api.post('/apps', {
      name: 'scorer',
      image: 'containerizer/busybox:latest',
      script: {
        language: 'sh',
        source:
          'wget -q -O- --header "authorization: Bearer $CONTAINERIZER_RUN_TOKEN" --header "content-type: application/json" --post-data "{\\"perf\\": $PERF}" "$CONTAINERIZER_RESULT_URL"',
      },
    });
    expect(created.status).toBe(201);
    for (const perf of ['0.5', '0.75', '0.9']) {
      const run = await api.post(`/apps/${created.body.appId}/runs`, { env: { PERF: perf } });
      expect(await waitForTerminal(api, run.body.runId)).toMatchObject({ status: 'SUCCEEDED' });
    }
    await page.goto(`${server.url}/metrics?appId=${created.body.appId}`);
    await expect.poll(() => page.getByLabel('Metric', { exact: true }).inputValue(), { timeout: UI_MS }).toBe('perf');
    await page.locator('canvas[role="img"]').waitFor();
    expect(await page.locator('canvas[role="img"]').getAttribute('aria-label')).toContain('3 points, last 0.9');
    await checkPage(page, 'metrics');
  });

  it('shows the day on Home: counts, success rate and the latest failure with its reason', async () => {
    await page.getByRole('link', { name: 'Home' }).click();
    await expect.poll(() => page.getByTestId('today-failed').textContent(), { timeout: UI_MS }).toBe('1');
    expect(await page.getByTestId('today-succeeded').textContent()).toBe('3');
    expect(await page.getByTestId('today-rate').textContent()).toBe('60 %');
    await page.getByRole('heading', { name: 'Latest failures' }).waitFor();
    await page.getByText('exit code 3').waitFor();
    await page
      .getByText(/in \d+ (h|d|min)/)
      .or(page.getByText('No schedule fires in the next 24 hours.'))
      .first()
      .waitFor();
    await checkPage(page, 'home');
  });

  it('lists alert rules, sends a test through one and shows its delivery log', async () => {
    const sink = await startWebhookSink();
    try {
      const created = await api.post('/alerts', {
        name: 'ticker failures',
        conditions: [{ type: 'RUN_FAILED' }, { type: 'FAILURE_STREAK', count: 2 }],
        webhook: { url: `${sink.url}/console` },
      });
      expect(created.status).toBe(201);
      await page.getByRole('link', { name: 'Alerts', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'Alerts' }).waitFor();
      const row = page.getByRole('row', { name: /ticker failures/ });
      await row.getByText('RUN_FAILED, FAILURE_STREAK 2').waitFor();
      await row.getByRole('button', { name: 'Send test' }).click();
      await row.getByRole('status').getByText('DELIVERED (200)').waitFor();
      expect(sink.received).toHaveLength(1);
      await row.getByRole('button', { name: 'Deliveries' }).click();
      await page.getByRole('table', { name: 'Delivery log' }).getByText('Test alert from Containerizer').waitFor();
      await checkPage(page, 'alerts');
      expect(await page.content()).not.toContain(created.body.webhookSecret);
    } finally {
      await sink.close();
    }
  });

  it('keeps the session across a reload, and after it expires returns to sign-in and then to the page asked for', async () => {
    await page.goto(`${server.url}/schedules`);
    await page.getByRole('heading', { level: 1, name: 'Schedules' }).waitFor();
    // The access token lived in memory only: the page came back through the kept refresh token, never in a URL.
    expect(await page.evaluate(() => Object.keys(localStorage))).toEqual(['containerizer.refreshToken']);
    await page.evaluate(() => localStorage.setItem('containerizer.refreshToken', 'revoked-or-expired'));
    await page.goto(`${server.url}/runs/${failedRunId}`);
    await page.waitForURL(/\/signin\?next=/);
    await page.getByLabel('E-mail').fill(emailA);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(new RegExp(`/runs/${failedRunId}$`));
    await page.getByTestId('run-status').getByText('FAILED').waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/signin/);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
  });

  it('shows another user none of it, signing in with the keyboard alone', async () => {
    const bob = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const other = await bob.newPage();
    other.setDefaultTimeout(UI_MS);
    await new Client(server.url).post('/auth/register', { email: emailB, password: PASSWORD });
    await other.goto(`${server.url}/apps`);
    await other.waitForURL(/\/signin\?next=%2Fapps/);
    // Keyboard only: the page puts focus on its heading, and the next stop is the e-mail field.
    await expect.poll(() => other.evaluate(() => document.activeElement?.textContent)).toBe('Sign in');
    await other.keyboard.press('Tab');
    await expect.poll(() => other.evaluate(() => document.activeElement?.id)).toBe('email');
    await other.keyboard.type(emailB);
    await other.keyboard.press('Tab');
    await other.keyboard.type(PASSWORD);
    await other.keyboard.press('Enter');
    await other.waitForURL(/\/apps$/);
    await other.getByText('No apps yet.').waitFor();
    await other.goto(`${server.url}/runs`);
    await other.getByText('No runs.').waitFor();
    await other.goto(`${server.url}/schedules`);
    await other.getByText('No schedules yet.').waitFor();
    await other.goto(`${server.url}/images`);
    await other.getByText('No images yet.').waitFor();
    await other.goto(`${server.url}/runs/${failedRunId}`);
    await other
      .getByRole('alert')
      .getByText(/Not Found/)
      .waitFor();
    await other.goto(`${server.url}/apps/${appId}`);
    await other
      .getByRole('alert')
      .getByText(/Not Found/)
      .waitFor();
    await checkPage(other, 'other-user-run-not-found');
    await screenshot(other, 'other-user');
    await bob.close();
  });
});
