/**
 * The console's Secrets page in real headless Chromium against the real dev server: keep a secret,
 * save a new version, see names and versions only (the value is nowhere on the page), a delete
 * refused while an app references the secret (the API's 409 shown), then done. axe-core checks the page.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, sampleApp } from '../support/fixtures.js';
import { Client, startServer, type RunningServer } from '../support/server.js';
import { checkPage, ensureBrowserAndBundle, launch } from './browser.js';

const UI_MS = 60_000;
const email = `secrets-${Date.now()}@example.com`;
const VALUE = 'browser-secret-value-31f9';

let server: RunningServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  ensureBrowserAndBundle();
  server = await startServer();
  browser = await launch();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  page.setDefaultTimeout(UI_MS);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the Secrets page', () => {
  it('keeps a secret and a new version, shows names and versions only, and shows why a delete is refused', async () => {
    await page.goto(`${server.url}/`);
    await page.waitForURL(/\/signin\?next=/);
    await page.getByRole('button', { name: /create an account/i }).click();
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { level: 1, name: 'Home' }).waitFor();

    await page.getByRole('link', { name: 'Secrets', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Secrets' }).waitFor();
    await page.getByLabel('Name').fill('db-pass');
    await page.getByLabel('Value').fill(VALUE);
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('status').filter({ hasText: 'db-pass: version 1' }).waitFor();
    await page.getByRole('cell', { name: 'db-pass', exact: true }).waitFor();

    await page.getByLabel('Name').fill('db-pass');
    await page.getByLabel('Value').fill(`${VALUE}-2`);
    await page.getByRole('button', { name: 'Save a new version' }).click();
    await page.getByRole('status').filter({ hasText: 'db-pass: version 2' }).waitFor();
    await page
      .getByRole('row', { name: /db-pass/ })
      .getByRole('cell', { name: '2', exact: true })
      .waitFor();
    expect(await page.content()).not.toContain(VALUE);
    await checkPage(page, 'secrets');

    // An app references it: the delete is refused, naming the app.
    const api = new Client(server.url);
    api.token = (await api.post('/auth/login', { email, password: PASSWORD })).body.accessToken;
    const app = await api.post('/apps', { ...sampleApp(), secrets: { DB_PASSWORD: 'db-pass' } });
    expect(app.status).toBe(201);
    await page.getByRole('button', { name: 'Delete db-pass' }).click();
    await page.getByText(new RegExp(`referenced by app ${app.body.name}`)).waitFor();
  });
});
