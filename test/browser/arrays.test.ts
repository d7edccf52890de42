/**
 * Array jobs in the web console (issue 21), in real headless Chromium against the real dev server and Docker: an
 * array of 3 children, 2 at once, whose index 1 fails (CONTAINERIZER_ARRAY_INDEX). The parent's page follows it live
 * to FAILED and shows its array properties, its status summary and its children (index, status, exit code); a child's
 * page shows its index, links back to its parent and shows its log; the runs list shows each child's index beside the
 * parent. axe-core checks the pages.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, sampleApp } from '../support/fixtures.js';
import { Client, startServer, type RunningServer } from '../support/server.js';
import { checkPage, ensureBrowserAndBundle, launch, screenshot } from './browser.js';

/** Generous: a loaded machine runs containers and the browser slowly. */
const UI_MS = 90_000;
const email = `arrays-${Date.now()}@example.com`;
/** Each child says hello with its index; index 1 then fails with exit code 3. */
const COMMAND = 'echo "hello from index $CONTAINERIZER_ARRAY_INDEX of $CONTAINERIZER_ARRAY_SIZE"; test "$CONTAINERIZER_ARRAY_INDEX" != 1 || exit 3';

let server: RunningServer;
let browser: Browser;
let page: Page;
let api: Client;
let appId: string;
let parentRunId: string;

beforeAll(async () => {
  ensureBrowserAndBundle();
  server = await startServer();
  api = new Client(server.url);
  expect((await api.post('/auth/register', { email, password: PASSWORD })).status).toBe(201);
  api.token = (await api.post('/auth/login', { email, password: PASSWORD })).body.accessToken;
  const app = await api.post('/apps', { ...sampleApp({ command: ['sh', '-c', COMMAND] }), name: 'fan-out' });
  expect(app.status).toBe(201);
  appId = app.body.appId;
  browser = await launch();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  page.setDefaultTimeout(UI_MS);
  await page.goto(`${server.url}/`);
  await page.waitForURL(/\/signin\?next=/);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Home' }).waitFor();
}, 180_000);

afterEach(async ({ task }) => {
  if (task.result?.state === 'fail') await screenshot(page, `failed-${task.name.slice(0, 40).replace(/\W+/g, '-')}`).catch(() => undefined);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('array jobs in the console', () => {
  it('follows a parent to FAILED: its array properties, status summary and children with their statuses and exit codes', async () => {
    const started = await api.post(`/apps/${appId}/runs`, { arrayProperties: { size: 3 }, parallelism: 2 });
    expect(started.status).toBe(202);
    parentRunId = started.body.runId;
    await page.goto(`${server.url}/runs/${parentRunId}`);
    expect(await page.getByTestId('array-properties').textContent()).toMatch(/^size 3, parallelism 2, \d children created$/);

    // The page polls while the array runs: it reaches FAILED by itself.
    await page.getByTestId('run-status').getByText('FAILED').waitFor();
    const parent = (await api.get(`/runs/${parentRunId}`)).body;
    expect(parent.stoppedReason).toBe('3 of 3 children ended: 2 SUCCEEDED, 1 FAILED');
    await page.getByTestId('run-facts').getByText(parent.stoppedReason).waitFor();
    await page.getByTestId('array-properties').getByText('size 3, parallelism 2, 3 children created').waitFor();
    // No exit code, container or log of its own: its children carry them.
    expect(await page.getByTestId('run-exit-code').count()).toBe(0);
    expect(await page.getByTestId('log-lines').count()).toBe(0);

    const summary = page.getByTestId('status-summary');
    await summary.getByText('3 of 3 children ended').waitFor();
    expect(await summary.locator('tbody td').allTextContents()).toEqual(['2', '1', '0', '0', '0', '0']);
    expect(await summary.locator('thead th').allTextContents()).toEqual(['SUCCEEDED', 'FAILED', 'STOPPED', 'TIMED_OUT', 'not ended', 'not created yet']);

    // The children table refreshes with the parent: every child ended once the parent did.
    const rows = page.getByTestId('children-table').locator('tbody tr');
    await page.getByTestId('children-table').locator('tbody tr', { hasText: 'FAILED' }).waitFor();
    const cells = async () => Promise.all((await rows.all()).map((row) => row.locator('td').allTextContents()));
    const table = await cells();
    expect(table.map(([index, attempt, status, exitCode]) => [index, attempt, status, exitCode])).toEqual([
      ['0', '1', 'SUCCEEDED', '0'],
      ['1', '1', 'FAILED', '3'],
      ['2', '1', 'SUCCEEDED', '0'],
    ]);
    expect(table.every((row) => row[4] !== '—')).toBe(true);
    await checkPage(page, 'array-parent');
  });

  it('opens a child from its parent: its index, the link back to the parent, and its log', async () => {
    await page.goto(`${server.url}/runs/${parentRunId}`);
    await page.getByRole('link', { name: 'child 1, attempt 1: FAILED' }).click();
    await page.waitForURL(new RegExp(`/runs/${parentRunId}-0001$`));
    await page.getByTestId('run-status').getByText('FAILED').waitFor();
    expect(await page.getByTestId('run-exit-code').textContent()).toBe('3');
    expect(await page.getByTestId('array-child').textContent()).toBe('index 1 of 3, of its array job (the parent run)');
    await page.getByTestId('log-lines').getByText('hello from index 1 of 3').waitFor();
    await checkPage(page, 'array-child');
    await page.getByRole('link', { name: 'its array job (the parent run)' }).click();
    await page.waitForURL(new RegExp(`/runs/${parentRunId}$`));
    await page.getByTestId('status-summary').waitFor();
  });

  it("lists the children beside their parent in the app's runs, each with its index and a link to the parent", async () => {
    await page.goto(`${server.url}/runs?appId=${appId}`);
    const rows = page.getByTestId('runs-table').locator('tbody tr');
    await rows.nth(3).waitFor();
    // Newest first: the children (by id, so index 2, 1, 0), then their parent.
    const arrayCells = await rows.locator('td:nth-child(4)').allTextContents();
    expect(arrayCells).toEqual([2, 1, 0].map((index) => `index ${index} of parent ${parentRunId}`).concat('array of 3'));
    await rows
      .nth(1)
      .getByRole('link', { name: `parent ${parentRunId}` })
      .click();
    await page.waitForURL(new RegExp(`/runs/${parentRunId}$`));
    await page.getByTestId('array-properties').waitFor();
  });
});
