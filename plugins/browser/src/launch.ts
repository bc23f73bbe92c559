import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "puppeteer-core";
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

/**
 * Written into the fresh profile before launch. WebRTC would otherwise send UDP
 * (STUN/TURN) straight to any host, past the proxy that decides every
 * connection: with this policy it only speaks through the proxy. No network
 * prediction: nothing is looked up or connected to before a request exists.
 * (The command-line switch for the WebRTC policy was measured to have no effect here; the preference does.)
 */
const PROFILE_PREFERENCES = {
  webrtc: {
    ip_handling_policy: "disable_non_proxied_udp",
    multiple_routes_enabled: false,
    nonproxied_udp_enabled: false,
  },
  net: { network_prediction_options: 2 },
};

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

/** A browser with a fresh profile that nobody else uses; its profile is deleted on close. */
export async function launchBrowser(options: LaunchOptions = {}): Promise<LaunchedBrowser> {
  const executablePath = findBrowser({ executablePath: options.executablePath });
  const profileDir = await mkdtemp(join(tmpdir(), "worksite-browser-"));
  await mkdir(join(profileDir, "Default"));
  await writeFile(join(profileDir, "Default", "Preferences"), JSON.stringify(PROFILE_PREFERENCES));
  const viewport = options.viewport ?? { width: 1280, height: 800 };
  let browser: Browser;
  try {
    // Loaded when a browser is first wanted, not with the plugin: listing tools or checking a worksite needs no puppeteer.
    const { default: puppeteer } = await import("puppeteer-core");
    browser = await puppeteer.launch({
      executablePath,
      headless: options.headless ?? true,
      userDataDir: profileDir,
      args: [
        ...CHROMIUM_FLAGS,
        // Loopback too goes through the gate: Chromium would otherwise bypass a proxy for 127.0.0.1 and localhost.
        ...(options.proxy ? [`--proxy-server=${options.proxy}`, "--proxy-bypass-list=<-loopback>"] : []),
        ...(options.args ?? []),
      ],
      // The run's environment as it is now, WORKSITE_RUN_MARK included: a Chromium left behind by a
      // killed run carries its mark and the next start can find and end it (issue 21).
      env: { ...process.env },
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
  const pid = browser.process()?.pid;
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
    },
  };
}

/**
 * Kills what is left of a process group (Chromium's zygotes, renderers and
 * GPU process outlive the main process for a moment) and waits until none of
 * it is alive, so a disposed plugin leaves nothing running.
 */
export async function endProcessGroup(pgid: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      process.kill(-pgid, "SIGKILL");
    } catch {
      // ESRCH: no process is left in the group.
    }
    const left = await groupMembers(pgid);
    if (left.length === 0 || Date.now() > deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Live (not zombie) processes whose process group is `pgid`, read from /proc; elsewhere, whether the leader answers. */
export async function groupMembers(pgid: number): Promise<number[]> {
  let names: string[];
  try {
    names = await readdir("/proc");
  } catch {
    try {
      process.kill(-pgid, 0);
      return [pgid];
    } catch {
      return [];
    }
  }
  const found: number[] = [];
  await Promise.all(
    names
      .filter((n) => /^\d+$/.test(n))
      .map(async (n) => {
        const stat = await readFile(`/proc/${n}/stat`, "utf8").catch(() => "");
        // Fields after the command name, which is in parentheses and may hold spaces: state ppid pgrp …
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        if (fields[0] !== "Z" && fields[0] !== "X" && Number(fields[2]) === pgid) found.push(Number(n));
      }),
  );
  return found;
}
