import { rmSync } from "node:fs";
import { rm } from "node:fs/promises";
import type { Browser } from "puppeteer-core";
import { CHROMIUM_FLAGS, makeProfile, proxyFlags } from "./chromium-args.js";
import type { EarlyBrowser } from "./early-start.js";
import { findBrowser } from "./find-browser.js";
import { endProcessGroup } from "./process-group.js";

export { CHROMIUM_FLAGS } from "./chromium-args.js";
export { endProcessGroup, groupMembers } from "./process-group.js";

export interface LaunchOptions {
  executablePath?: string;
  headless?: boolean;
  viewport?: { width: number; height: number };
  /** Extra Chromium flags, appended after ours. */
  args?: string[];
  /** `--proxy-server` rules: the proxy gate that is Chromium's only way out (proxy-gate.ts). */
  proxy?: string;
}

export interface LaunchedBrowser {
  browser: Browser;
  executablePath: string;
  profileDir: string;
  /** The browser's process id, which is also its process group (puppeteer starts it detached). */
  pid: number | undefined;
  /** Closes the browser, ends every process of its group, and removes its profile. Safe to call twice. */
  close(): Promise<void>;
}

const DEFAULT_VIEWPORT = { width: 1280, height: 800 };

/** A browser with a fresh profile that nobody else uses; its profile is deleted on close. */
export async function launchBrowser(options: LaunchOptions = {}): Promise<LaunchedBrowser> {
  const executablePath = findBrowser({ executablePath: options.executablePath });
  const profileDir = makeProfile();
  let browser: Browser;
  try {
    // Loaded when a browser is first wanted, not with the plugin: listing tools or checking a worksite needs no puppeteer.
    const { default: puppeteer } = await import("puppeteer-core");
    browser = await puppeteer.launch({
      executablePath,
      headless: options.headless ?? true,
      userDataDir: profileDir,
      args: [...CHROMIUM_FLAGS, ...proxyFlags(options.proxy), ...(options.args ?? [])],
      // The run's environment as it is now, WORKSITE_RUN_MARK included: a Chromium left behind by a
      // killed run carries its mark and the next start can find and end it (issue 21).
      env: { ...process.env },
      defaultViewport: options.viewport ?? DEFAULT_VIEWPORT,
      // puppeteer's own defaults include flags we set explicitly; keep its list but no extension/automation surprises.
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
  } catch (error) {
    await rm(profileDir, { recursive: true, force: true });
    throw error;
  }
  return launched(browser, executablePath, profileDir, browser.process()?.pid);
}

/**
 * puppeteer connected to a browser at `endpoint` with the default viewport, once its first tab is there (as
 * launch waits for it, waitForInitialPage). early-start.ts calls this as soon as its browser is ready.
 */
export async function preconnect(endpoint: string): Promise<Browser> {
  const { default: puppeteer } = await import("puppeteer-core");
  const browser = await puppeteer.connect({ browserWSEndpoint: endpoint, defaultViewport: DEFAULT_VIEWPORT });
  try {
    await browser.waitForTarget((t) => t.type() === "page", { timeout: 30_000 });
  } catch (error) {
    await browser.disconnect().catch(() => {});
    throw error;
  }
  return browser;
}

/**
 * Connects puppeteer to a browser early-start.ts started before puppeteer was loaded, or takes the connection it
 * made already (unless this session wants another viewport: puppeteer sets it on pages as it attaches them); the
 * result is what `launchBrowser` returns, and closes the same way. A browser that does not answer is ended, not left.
 */
export async function connectEarlyBrowser(
  early: EarlyBrowser,
  viewport: LaunchOptions["viewport"],
): Promise<LaunchedBrowser> {
  let browser: Browser | undefined;
  try {
    const made = await early.connection;
    const sameViewport =
      viewport === undefined ||
      (viewport.width === DEFAULT_VIEWPORT.width && viewport.height === DEFAULT_VIEWPORT.height);
    if (made && sameViewport) browser = made;
    else {
      await made?.disconnect().catch(() => {});
      const { default: puppeteer } = await import("puppeteer-core");
      browser = await puppeteer.connect({
        browserWSEndpoint: await early.endpoint,
        defaultViewport: viewport ?? DEFAULT_VIEWPORT,
      });
      await browser.waitForTarget((t) => t.type() === "page", { timeout: 30_000 });
    }
  } catch (error) {
    await browser?.disconnect().catch(() => {});
    await early.discard();
    throw error;
  }
  // puppeteer ends a browser it launched when this process exits; one it connected to is ended here.
  const atExit = () => {
    try {
      process.kill(-early.pid, "SIGKILL");
    } catch {
      // already gone
    }
    rmSync(early.profileDir, { recursive: true, force: true });
  };
  process.on("exit", atExit);
  return launched(browser, early.executablePath, early.profileDir, early.pid, async () => {
    await early.discard();
    process.off("exit", atExit);
  });
}

function launched(
  browser: Browser,
  executablePath: string,
  profileDir: string,
  pid: number | undefined,
  after?: () => Promise<void>,
): LaunchedBrowser {
  let closed = false;
  return {
    browser,
    executablePath,
    profileDir,
    pid,
    async close() {
      if (closed) return;
      closed = true;
      // A browser that does not answer is not waited for: its group is killed below either way.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        browser.close().catch(() => {}),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, 5000);
        }),
      ]);
      clearTimeout(timer);
      if (pid !== undefined) await endProcessGroup(pid);
      await rm(profileDir, { recursive: true, force: true, maxRetries: 3 });
      await after?.();
    },
  };
}
