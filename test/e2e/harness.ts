// End-to-end harness: a real VS Code 1.100 (code-server) in headless Chromium with the packaged extension
// (.vsix) installed, pointed at the local Anthropic server and a sample Claude Code HOME, driven the way a
// person drives it. One workbench per test file (boot is ~10-20 s), see `useWorkbench`.
//
//   import { useWorkbench } from './harness';
//   describe('my feature', () => {
//     const wb = useWorkbench({ name: 'my-feature' });          // before/after hooks + a screenshot per test
//     it('shows the thing', async () => {
//       await wb().runCommand('Show Claude Usage');
//       const text = await wb().webview().locator('body').innerText();
//     });
//   });
//
// Artifacts: test-results/e2e/<test title>.png for every test, <name>-server.log, <name>-console.log.
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, FrameLocator, Locator, Page } from 'playwright-core';
import { loadSampleKeys, makeSampleHome, sampleEnv, startSampleApi, type SampleApi, type SampleKeys } from '../support/sampleWorld';
import type { MockServerOptions } from '../server/server';
import { STATUS_BAR_SELECTOR, freePort, launchChromium, removeDir, startCodeServer, tempDir, writeUserSettings, REPO, type Proc } from '../support/vscode';
import { prepareExtension } from './package';

export const RESULTS_DIR = join(REPO, 'test-results', 'e2e');
const ACTIVATION_TIMEOUT_MS = Number(process.env.CLAUDE_USAGE_E2E_ACTIVATION_TIMEOUT ?? 60_000);

export interface WorkbenchOptions {
  /** Names the log files and the temp folders; defaults to "workbench". */
  name?: string;
  /** Extra user settings (claudeUsage.baseUrl is set to the local server unless given here). */
  settings?: Record<string, unknown>;
  /** Keys exposed as ANTHROPIC_API_KEY / ANTHROPIC_ADMIN_API_KEY: the local server's sample keys (default), none, or these. */
  keys?: 'sample' | 'none' | SampleKeys;
  /** Start the local Anthropic server (default true); options go to startMockServer (seed, faults, rateLimits...). */
  mock?: boolean | MockServerOptions;
  /** HOME: sample transcripts (default), an empty home, or an existing folder. */
  home?: 'sample' | 'empty' | { dir: string };
  /** Extra environment for code-server (and so for the extension host). */
  env?: NodeJS.ProcessEnv;
  viewport?: { width: number; height: number };
  /** Wait for our status bar item before returning (default true: the extension has activated). */
  waitForActivation?: boolean;
}

export interface Workbench {
  page: Page;
  browser: Browser;
  /** The local Anthropic server (url, close, raw MockServer), undefined if not started. */
  server: SampleApi | undefined;
  /** The temporary HOME the extension sees. */
  home: string;
  url: string;
  userDataDir: string;
  extensionsDir: string;
  codeServer: Proc;
  /** Saves test-results/e2e/<name>.png and returns its path. */
  screenshot(name: string): Promise<string>;
  /**
   * F1, type the command's palette title (e.g. "Show Claude Usage" or "Claude Usage: Refresh Now"), pick it.
   * Resolves to the instant of the click on the browser's wall clock (`performance.timeOrigin + now()`).
   */
  runCommand(title: string): Promise<number>;
  /** Our status bar item's visible text (waits for it to appear). */
  statusBarText(timeoutMs?: number): Promise<string>;
  statusBarItem(): Locator;
  /**
   * Hovers our status bar item until its tooltip holding `text` shows, and returns it. The workbench drops a
   * pending hover when the item re-renders during its delay (a refresh, a tick): the pointer is moved away and
   * back, up to three times (a budgets run at a month end once waited 10 s for a hover that never came).
   */
  statusBarTooltip(text: string | RegExp, timeoutMs?: number): Promise<Locator>;
  /** The open quick input (palette, input box, pick list). */
  quickInput(): Locator;
  /** Types into the open input box and optionally presses Enter. */
  typeIntoQuickInput(text: string, submit?: boolean): Promise<void>;
  /** Opens our activity-bar container ("Claude Usage"). */
  openSidebar(): Promise<void>;
  /** A tree row in the workbench by (part of) its label. */
  treeItem(label: string | RegExp): Locator;
  /** The content frame of the visible webview (the second frame inside `iframe.webview.ready`). */
  webview(): FrameLocator;
  /** Texts of the notification toasts currently shown. */
  notifications(): Promise<string[]>;
  close(): Promise<void>;
}

function slug(s: string): string {
  return s.replace(/[^a-zA-Z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 120) || 'screenshot';
}

/** Boots code-server with the packaged extension and opens it in Chromium. */
export async function startWorkbench(opts: WorkbenchOptions = {}): Promise<Workbench> {
  const name = slug(opts.name ?? 'workbench');
  const t0 = performance.now();
  const extensionTemplate = await prepareExtension();
  mkdirSync(RESULTS_DIR, { recursive: true });
  const tmp = tempDir(`e2e-${name}`);
  const userDataDir = join(tmp, 'user-data');
  const extensionsDir = join(tmp, 'extensions');
  const workspace = join(tmp, 'workspace');
  mkdirSync(workspace, { recursive: true });
  cpSync(extensionTemplate, extensionsDir, { recursive: true });

  let server: SampleApi | undefined;
  let codeServer: Proc | undefined;
  let browser: Browser | undefined;
  const cleanup = async (): Promise<void> => {
    await browser?.close().catch(() => undefined);
    await codeServer?.stop();
    await server?.close().catch(() => undefined);
    if (!process.env.KEEP_TMP) removeDir(tmp);
  };
  try {
    if (opts.mock !== false) server = await startSampleApi(typeof opts.mock === 'object' ? opts.mock : undefined);
    let home: string;
    if (opts.home && typeof opts.home === 'object') home = opts.home.dir;
    else {
      home = join(tmp, 'home');
      if (opts.home === 'empty') mkdirSync(join(home, '.claude', 'projects'), { recursive: true });
      else await makeSampleHome(home);
    }
    const keys = opts.keys === 'none' ? {} : opts.keys && typeof opts.keys === 'object' ? opts.keys : loadSampleKeys();
    writeUserSettings(userDataDir, { ...(server ? { 'claudeUsage.baseUrl': server.url } : {}), ...opts.settings });

    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, ...sampleEnv(server, keys, home), ...opts.env };
    if (opts.keys === 'none') {
      delete env.ANTHROPIC_API_KEY;
      delete env.ANTHROPIC_ADMIN_API_KEY;
    }
    codeServer = await startCodeServer({ port, userDataDir, extensionsDir, folder: workspace, env, logFile: join(RESULTS_DIR, `${name}-server.log`) });
    const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`;

    browser = await launchChromium();
    const page = await browser.newPage({ viewport: opts.viewport ?? { width: 1400, height: 900 } });
    const consoleLines: string[] = [];
    page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => consoleLines.push(`[pageerror] ${e.message}`));
    await page.goto(url);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await page.locator('[id="workbench.parts.statusbar"]').waitFor({ timeout: 60_000 });

    const cs = codeServer;
    const b = browser;
    const wb: Workbench = {
      page,
      browser: b,
      server,
      home,
      url,
      userDataDir,
      extensionsDir,
      codeServer: cs,
      async screenshot(shot) {
        const file = join(RESULTS_DIR, `${slug(shot)}.png`);
        await page.screenshot({ path: file });
        return file;
      },
      async runCommand(title) {
        await dismissQuickInput(page);
        await page.keyboard.press('F1');
        const widget = page.locator('.quick-input-widget');
        await widget.locator('input').waitFor({ state: 'visible', timeout: 10_000 });
        await page.keyboard.type(title, { delay: 5 });
        const row = widget.locator('.monaco-list-row', { hasText: title }).first();
        await row.waitFor({ state: 'visible', timeout: 10_000 });
        const at = await page.evaluate(() => performance.timeOrigin + performance.now());
        await row.click();
        return at;
      },
      statusBarItem: () => page.locator(STATUS_BAR_SELECTOR),
      async statusBarTooltip(text, timeoutMs = 15_000) {
        const hover = page.locator('.monaco-hover, .workbench-hover').filter({ hasText: text }).first();
        for (let attempt = 1; ; attempt++) {
          await page.mouse.move(10, 10);
          await page.locator(STATUS_BAR_SELECTOR).hover();
          try {
            await hover.waitFor({ state: 'visible', timeout: attempt < 3 ? timeoutMs / 3 : timeoutMs });
            return hover;
          } catch (e) {
            if (attempt >= 3) throw e;
          }
        }
      },
      async statusBarText(timeoutMs = 60_000) {
        const item = page.locator(STATUS_BAR_SELECTOR);
        await item.waitFor({ state: 'visible', timeout: timeoutMs });
        return (await item.innerText()).trim();
      },
      quickInput: () => page.locator('.quick-input-widget'),
      async typeIntoQuickInput(text, submit = true) {
        const input = page.locator('.quick-input-widget input').first();
        await input.waitFor({ state: 'visible', timeout: 10_000 });
        await input.fill('');
        await page.keyboard.type(text, { delay: 2 });
        if (submit) await page.keyboard.press('Enter');
      },
      async openSidebar() {
        const tab = page.getByRole('tab', { name: /Claude Usage/ }).first();
        await tab.waitFor({ state: 'visible', timeout: 30_000 });
        const selected = await tab.getAttribute('aria-selected');
        if (selected !== 'true') await tab.click();
      },
      treeItem: (label) => page.getByRole('treeitem', { name: label }),
      webview: () => page.frameLocator('iframe.webview.ready').frameLocator('#active-frame'),
      async notifications() {
        return page.locator('.notification-toast .notification-list-item-message').allInnerTexts();
      },
      async close() {
        writeFileSync(join(RESULTS_DIR, `${name}-console.log`), consoleLines.join('\n'));
        await cleanup();
      },
    };
    if (opts.waitForActivation !== false) {
      try {
        // Fail fast when VS Code reports that activation threw, instead of waiting out the timeout.
        let onFailure: (() => void) | undefined;
        const failed = new Promise<never>((_, rej) => {
          onFailure = () => rej(new Error('activation failed'));
        });
        failed.catch(() => undefined);
        const watch = (m: { text(): string }): void => {
          if (/Activating extension 'claude-usage\.claude-usage' failed/i.test(m.text())) onFailure?.();
        };
        if (consoleLines.some((l) => /Activating extension 'claude-usage\.claude-usage' failed/i.test(l))) onFailure?.();
        page.on('console', watch);
        try {
          await Promise.race([wb.statusBarItem().waitFor({ state: 'visible', timeout: ACTIVATION_TIMEOUT_MS }), failed]);
        } finally {
          page.off('console', watch);
        }
      } catch {
        const clues = consoleLines.filter((l) => /claude-usage|claudeUsage/i.test(l) && /fail|error|throw/i.test(l)).slice(0, 5);
        const toasts = await wb.notifications().catch(() => []);
        writeFileSync(join(RESULTS_DIR, `${name}-console.log`), consoleLines.join('\n'));
        throw new Error(
          `the extension did not activate: its status bar item ${STATUS_BAR_SELECTOR} did not appear (waited up to ${ACTIVATION_TIMEOUT_MS / 1000} s)` +
            (clues.length ? `\n  browser console:\n    ${clues.join('\n    ')}` : '') +
            (toasts.length ? `\n  notifications: ${toasts.join(' | ')}` : '') +
            `\n  logs: test-results/e2e/${name}-server.log, ${name}-console.log; screenshot ${name}-startup-failure.png`,
        );
      }
    }
    console.log(`      [e2e] workbench "${name}" ready in ${((performance.now() - t0) / 1000).toFixed(1)} s on port ${port}`);
    return wb;
  } catch (e) {
    if (browser) {
      const pages = browser.contexts().flatMap((c) => c.pages());
      await pages[0]?.screenshot({ path: join(RESULTS_DIR, `${name}-startup-failure.png`) }).catch(() => undefined);
    }
    await cleanup();
    throw e;
  }
}

async function dismissQuickInput(page: Page): Promise<void> {
  if (await page.locator('.quick-input-widget input').isVisible().catch(() => false)) await page.keyboard.press('Escape');
}

/**
 * Mocha hooks for one workbench per test file: starts it in `before`, screenshots every test in
 * `afterEach` (test-results/e2e/<full test title>.png), closes it in `after`. Returns a getter.
 */
export function useWorkbench(opts: WorkbenchOptions = {}): () => Workbench {
  let wb: Workbench | undefined;
  before(async function () {
    this.timeout(240_000);
    wb = await startWorkbench(opts);
  });
  afterEach(async function () {
    const t = this.currentTest;
    if (wb && t) await wb.screenshot(t.fullTitle()).catch(() => undefined);
  });
  after(async function () {
    this.timeout(30_000);
    await wb?.close();
  });
  return () => {
    if (!wb) throw new Error('the workbench did not start (see the before hook failure)');
    return wb;
  };
}
