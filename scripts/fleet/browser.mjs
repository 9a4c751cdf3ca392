// The sign-in page in a real headless browser: Debian's chromium (/usr/bin/chromium, or CHROMIUM) driven by
// playwright-core, which never downloads a browser of its own. Each launch gets a fresh profile directory, removed
// when the browser closes. Used by signin.mjs for every step that needs a person at the page.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { check } from './job.mjs';

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run'];

/** Starts chromium; close() also removes its profile. */
export async function launchBrowser(sdkDir) {
  process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = '1';
  const { chromium } = createRequire(path.join(sdkDir, 'package.json'))('playwright-core');
  const profile = mkdtempSync(path.join(os.tmpdir(), 'raworc-signin-browser-'));
  const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
  // launchPersistentContext is the way to give chromium its own --user-data-dir; it is one browser with one context.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath, headless: true, args: FLAGS, timeout: 30000,
  });
  return {
    context,
    async close() { await context.close().catch(() => {}); rmSync(profile, { recursive: true, force: true }); },
  };
}

/**
 * Opens the authorization URL and answers the sign-in page as a person would: the account and password typed into
 * the fields found by their labels, "Read-only access" ticked when asked, then Allow or Cancel. Returns the status
 * of the form's POST /authorize (302 when the page sends the browser back to the client, 200 when it shows itself
 * again, 429 at a limit) and the page's text after it. A screenshot of the page as first shown is taken when
 * `screenshot` names a file (at `viewport`, default 1280x800).
 */
export async function answerSignInPage(browser, url, { username, password, decision = 'allow', readOnly = false, screenshot, viewport } = {}) {
  const page = await browser.context.newPage();
  try {
    await page.setViewportSize(viewport ?? { width: 1280, height: 800 });
    const shown = await page.goto(url, { timeout: 20000 });
    check(shown?.status() === 200, `GET the authorization URL answered ${shown?.status()}: ${(await page.textContent('body').catch(() => ''))?.slice(0, 300)}`);
    const form = page.locator('form[method="post" i][action="/authorize"]');
    check(await form.count() === 1, 'the sign-in page has no <form method="post" action="/authorize">');
    if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
    const account = page.getByLabel('Raworc account');
    check(await account.getAttribute('name') === 'username' && await account.getAttribute('autocomplete') === 'username',
      'the field labelled "Raworc account" is not <input name="username" autocomplete="username">');
    const secret = page.getByLabel('Password', { exact: true });
    check(await secret.getAttribute('type') === 'password' && await secret.getAttribute('name') === 'password'
      && await secret.getAttribute('autocomplete') === 'current-password',
    'the field labelled "Password" is not <input type="password" name="password" autocomplete="current-password">');
    await account.fill(username);
    await secret.fill(password);
    if (readOnly) await page.getByLabel('Read-only access').check();
    const button = page.locator(`button[type="submit"][name="decision"][value="${decision}"]`);
    check(await button.count() === 1, `the sign-in page has no <button type="submit" name="decision" value="${decision}">`);
    const [posted] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/authorize', { timeout: 20000 }),
      button.click(),
    ]);
    await page.waitForLoadState('load', { timeout: 20000 }).catch(() => {});
    return { status: posted.status(), location: posted.headers().location ?? null, text: await page.textContent('body').catch(() => '') };
  } finally {
    await page.close().catch(() => {});
  }
}

/** Takes a screenshot of the page at URL at the given viewport (the sign-in page as a phone or a desktop shows it). */
export async function screenshotPage(browser, url, file, viewport) {
  const page = await browser.context.newPage();
  try {
    await page.setViewportSize(viewport);
    const shown = await page.goto(url, { timeout: 20000 });
    check(shown?.status() === 200, `GET ${new URL(url).pathname} answered ${shown?.status()}`);
    await page.screenshot({ path: file, fullPage: true });
  } finally {
    await page.close().catch(() => {});
  }
}
