/**
 * Costs and replays in the web console, in real headless Chromium against the real dev server and
 * Docker, with a monthly budget of $0.0003 (a bit more than one small run's minimum): a run's page
 * shows what it would cost on Fargate and replays it (the new run's page, linked to the old);
 * the app page shows its maxCostPerRun; the Costs page sums the runs per app as a chart and a
 * table with the budget; once the budget is spent a replay or a new run is refused with a clear
 * note (402). axe-core checks each page.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../shared/env.js';
import { PASSWORD } from '../support/fixtures.js';
import { Client, IMAGE, startServer, waitForTerminal, type RunningServer } from '../support/server.js';
import { checkPage, ensureBrowserAndBundle, launch, screenshot } from './browser.js';

/** Generous: a loaded machine runs containers and the browser slowly. */
const UI_MS = 60_000;
const email = `carol-${Date.now()}@example.com`;

let server: RunningServer;
let browser: Browser;
let page: Page;
let api: Client;
let appId: string;
let runId: string;
let replayId: string;

beforeAll(async () => {
  ensureBrowserAndBundle();
  server = await startServer({ env: { [ENV.MONTHLY_BUDGET_USD]: '0.0003' } });
  api = new Client(server.url);
  expect((await api.post('/auth/register', { email, password: PASSWORD })).status).toBe(201);
  api.token = (await api.post('/auth/login', { email, password: PASSWORD })).body.accessToken;
  const app = await api.post('/apps', { name: 'priced', image: IMAGE, command: ['sh', '-c', 'echo priced'], cpu: 0.25, memoryMiB: 512, maxCostPerRun: 0.5 });
  appId = app.body.appId;
  runId = (await api.post(`/apps/${appId}/runs`)).body.runId;
  await waitForTerminal(api, runId);
  browser = await launch();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(UI_MS);
  await page.goto(`${server.url}/`);
  await page.waitForURL(/\/signin\?next=/);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Home' }).waitFor({ timeout: UI_MS });
}, 180_000);

afterEach(async ({ task }) => {
  if (task.result?.state === 'fail') await screenshot(page, `failed-${task.name.slice(0, 40).replace(/\W+/g, '-')}`).catch(() => undefined);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('costs and replays in the console', () => {
  it("shows a finished run's cost as what it would cost on Fargate (dev mode), and the app's cost limit", async () => {
    await page.goto(`${server.url}/runs/${runId}`);
    const cost = page.getByTestId('run-cost');
    await cost.waitFor();
    const run = (await api.get(`/runs/${runId}`)).body;
    expect(await page.locator('dt', { hasText: 'Would cost on Fargate' }).count()).toBe(1);
    expect(await cost.textContent()).toContain(`$${run.cost.totalUsd.toFixed(4)}`);
    expect(await cost.textContent()).toMatch(/60 s billed/);
    await checkPage(page, 'run-cost');

    await page.goto(`${server.url}/apps/${appId}`);
    expect(await page.getByTestId('app-max-cost').textContent()).toMatch(/^\$0\.5000 of Fargate time/);
  });

  it('replays a finished run from its page and goes to the replay, which links back to it', async () => {
    await page.goto(`${server.url}/runs/${runId}`);
    await page.getByRole('button', { name: 'Replay this run' }).click();
    await page.waitForURL((url) => /\/runs\/[0-9A-Z]{26}$/.test(url.pathname) && !url.pathname.endsWith(runId));
    replayId = page.url().split('/runs/')[1]!;
    await page.getByTestId('run-status').getByText('SUCCEEDED').waitFor();
    expect((await api.get(`/runs/${replayId}`)).body).toMatchObject({ replayOf: runId, trigger: 'replay', status: 'SUCCEEDED' });
    await page.getByRole('link', { name: 'the run it replays' }).click();
    await page.waitForURL(new RegExp(`/runs/${runId}$`));
  });

  it('sums the runs per app on the Costs page: a chart, a table with the app by name, the total and the budget', async () => {
    await page.getByRole('link', { name: 'Costs', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Costs' }).waitFor();
    const table = page.getByTestId('cost-lines');
    await table.waitFor();
    const report = (await api.get('/costs')).body;
    expect(report.lines).toHaveLength(1);
    const row = table.locator('tbody tr');
    expect(await row.count()).toBe(1);
    expect(await row.locator('td').allTextContents()).toEqual([
      report.lines[0].period,
      'priced',
      '2',
      report.lines[0].vcpuHours.toFixed(4),
      report.lines[0].gbHours.toFixed(4),
      `$${report.totalUsd.toFixed(4)}`,
    ]);
    expect(await page.getByTestId('cost-total').textContent()).toContain('monthly budget $0.0003');
    await page.getByTestId('cost-estimate').waitFor();
    expect(await page.getByRole('img', { name: /Cost per day and app/ }).count()).toBe(1);
    await checkPage(page, 'costs');
    // Per month and per schedule: the runs were started by hand.
    await page.getByLabel('Per', { exact: true }).selectOption('schedule');
    await page.getByLabel('And per').selectOption('month');
    await table.locator('tbody tr td', { hasText: 'no schedule' }).waitFor();
    expect(await table.locator('tbody tr td').first().textContent()).toBe(new Date().toISOString().slice(0, 7));
  });

  it('refuses a replay and a new run past the monthly budget with a clear note (402)', async () => {
    await page.goto(`${server.url}/runs/${runId}`);
    await page.getByRole('button', { name: 'Replay this run' }).click();
    const refusal = page.getByTestId('budget-refusal');
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/^Monthly budget reached: no new run starts\. .*monthly budget is \$0\.0003/);
    expect(page.url()).toMatch(new RegExp(`/runs/${runId}$`));
    await checkPage(page, 'budget-refusal');

    await page.goto(`${server.url}/apps/${appId}`);
    await page.getByRole('button', { name: 'Run priced now' }).click();
    await page.getByTestId('budget-refusal').waitFor();
    await page.getByRole('link', { name: 'See the costs' }).click();
    await page.getByRole('heading', { level: 1, name: 'Costs' }).waitFor();
    // Nothing was started.
    expect((await api.get(`/runs?appId=${appId}`)).body.items).toHaveLength(2);
  });
});
