import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import puppeteer, { type Browser } from "puppeteer-core";
import { findBrowser } from "./find-browser.js";

/** Flags this machine kind needs (TOOLCHAIN.md "Chromium"); none of them phones home. */
export const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
  "--disable-default-apps",
  "--disable-extensions",
  "--no-default-browser-check",
  "--password-store=basic",
] as const;

export interface LaunchOptions {
  executablePath?: string;
  headless?: boolean;
  viewport?: { width: number; height: number };
  /** Extra Chromium flags, appended after ours. */
  args?: string[];
}

export interface LaunchedBrowser {
  browser: Browser;
  executablePath: string;
  profileDir: string;
  /** Closes the browser and removes its profile. Safe to call twice. */
  close(): Promise<void>;
}

/** A browser with a fresh profile that nobody else uses; its profile is deleted on close. */
export async function launchBrowser(options: LaunchOptions = {}): Promise<LaunchedBrowser> {
  const executablePath = findBrowser({ executablePath: options.executablePath });
  const profileDir = await mkdtemp(join(tmpdir(), "worksite-browser-"));
  const viewport = options.viewport ?? { width: 1280, height: 800 };
  let browser: Browser;
  try {
    browser = await puppeteer.launch({
      executablePath,
      headless: options.headless ?? true,
      userDataDir: profileDir,
      args: [...CHROMIUM_FLAGS, ...(options.args ?? [])],
      defaultViewport: viewport,
      // puppeteer's own defaults include flags we set explicitly; keep its list but no extension/automation surprises.
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
  } catch (error) {
    await rm(profileDir, { recursive: true, force: true });
    throw error;
  }
  let closed = false;
  return {
    browser,
    executablePath,
    profileDir,
    async close() {
      if (closed) return;
      closed = true;
      await browser.close().catch(() => browser.process()?.kill("SIGKILL"));
      await rm(profileDir, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}
