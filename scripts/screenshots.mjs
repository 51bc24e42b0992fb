#!/usr/bin/env node
// Screenshots of the dashboard's main pages for the README (docs/images/), taken from a running `make demo` stack so
// every panel is full: `make demo && node scripts/screenshots.mjs`. Needs Chromium (/usr/bin/chromium, or
// CHROMIUM_PATH); reads DASHBOARD_PORT and ADMIN_TOKEN from the environment or .env.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const root = resolve(import.meta.dirname, '..');
const dotenv = existsSync(join(root, '.env'))
  ? Object.fromEntries(
      readFileSync(join(root, '.env'), 'utf8')
        .split('\n')
        .filter((line) => /^[A-Z_]+=/.test(line))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    )
  : {};
const setting = (name, fallback) => process.env[name] || dotenv[name] || fallback;
const url = `http://127.0.0.1:${setting('DASHBOARD_PORT', '3000')}`;
const token = setting('ADMIN_TOKEN');
if (!token) {
  console.error('ADMIN_TOKEN is not set (run make demo first, or export it).');
  process.exit(2);
}
const out = join(root, 'docs/images');
mkdirSync(out, { recursive: true });

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const tid = (id) => page.getByTestId(id);
  const shot = async (name, fullPage = true) => {
    await page.waitForTimeout(800); // charts animate in
    await page.screenshot({ path: join(out, `${name}.png`), fullPage });
    console.log(`docs/images/${name}.png`);
  };
  await page.goto(url);
  await tid('login-form').waitFor();
  await shot('login', false);
  await tid('login-secret').fill(token);
  await tid('login-submit').click();
  await tid('stat-requests-value').waitFor();
  await tid('period-select').selectOption('30d');
  await tid('chart-requests-cost').waitFor();
  await shot('overview');
  await page.getByRole('link', { name: 'Models' }).click();
  await tid('table-models').waitFor();
  await shot('models');
  await page.getByRole('link', { name: 'Customers' }).click();
  await tid('table-customers').waitFor();
  await shot('customers');
  await page.getByRole('link', { name: 'Request log' }).click();
  await tid('table-logs').waitFor();
  await shot('request-log');
  await tid('table-logs').locator('tbody tr').first().click();
  await tid('log-detail').waitFor();
  await shot('request-detail', false);
  await page.keyboard.press('Escape');
  await page.getByRole('link', { name: 'Pricing' }).click();
  await tid('price-form').waitFor();
  await shot('pricing');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByRole('button', { name: 'Menu' }).click();
  await page.getByRole('link', { name: 'Overview' }).click();
  await tid('stat-requests-value').waitFor();
  await shot('phone-overview');
} finally {
  await browser.close();
}
