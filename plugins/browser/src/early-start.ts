import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { rm } from "node:fs/promises";
import type { Browser } from "puppeteer-core";
import { chromiumCommandLine, makeProfile } from "./chromium-args.js";
import { findBrowser } from "./find-browser.js";
import { preconnect } from "./launch.js";
import { endProcessGroup } from "./process-group.js";
import { startProxyGate, type ProxyGate } from "./proxy-gate.js";

/**
 * Chromium started before the rest of worksite has loaded (issue 13 item 4: `worksite mcp`'s cold start).
 * Loading the runtime and puppeteer-core takes most of a second of JavaScript; Chromium's own start takes
 * about as long in processes of its own, so the two overlap instead of following each other. This module
 * loads nothing but Node's and the plugin's own small modules; the package names it in package.json
 * (`worksite.earlyStart`) and the runtime calls `startEarly` for a worksite whose THREAD.md names the plugin.
 *
 * The browser is the one `launchBrowser` would start with the default options (same command line, fresh
 * profile with our preferences, its own process group) and its only way out is a proxy gate that refuses
 * everything until a session binds its own decisions to it; it opens no page but about:blank. The plugin's
 * session takes it at its first launch (session.ts); one not taken is ended by `discard`, and at the
 * latest when the process exits.
 *
 * Once Chromium prints its DevTools address, puppeteer is loaded and connected to it (`connection`) while the
 * rest of worksite is still loading: the connection's round trips (the WebSocket handshake, attaching the first
 * targets, ~100 ms of waiting on Chromium) overlap that loading instead of following it. Connecting sends no
 * request anywhere: the page stays about:blank and the proxy refuses everything until the session binds.
 */
export interface EarlyBrowser {
  executablePath: string;
  profileDir: string;
  pid: number;
  /** The browser's DevTools address, once it has printed it; rejects if it exits or never does. */
  endpoint: Promise<string>;
  /**
   * puppeteer connected to it with the default viewport and its first tab there, or undefined if that failed
   * (the session then connects itself). The session that takes the browser takes this connection with it.
   */
  connection: Promise<Browser | undefined>;
  proxy: ProxyGate;
  /** The session's decisions for the proxy: until this, every connection and request is refused. */
  bind(permit: Permit, permitUrl: PermitUrl): void;
  /** Ends every process of the browser, removes its profile and closes its proxy. Safe to call twice. */
  discard(): Promise<void>;
}

type Permit = (host: string, port: number) => Promise<boolean>;
type PermitUrl = (url: string) => Promise<boolean>;

/** puppeteer's launch gives up after this long too. */
const ENDPOINT_TIMEOUT_MS = 30_000;

let started: Promise<EarlyBrowser | undefined> | undefined;

/**
 * Starts Chromium now, with the plugin's default options, unless it is already started; resolves once its
 * process is spawned (not once it is ready). Never throws: a browser that cannot start here is started, and
 * its failure reported, by the first call, as without this.
 */
export async function startEarly(): Promise<{ discard(): Promise<void> }> {
  started ??= spawnEarly().catch(() => undefined);
  await started;
  return { discard: discardEarly };
}

/**
 * The early browser, if one was started for these launch options (the defaults: no executable but the one
 * found, headless, no extra flags); the first caller takes it, later ones start their own.
 */
export async function takeEarlyBrowser(options: {
  executablePath?: string;
  headless?: boolean;
  args?: readonly string[];
}): Promise<EarlyBrowser | undefined> {
  const pending = started;
  if (!pending || (options.headless ?? true) !== true || (options.args?.length ?? 0) > 0) return undefined;
  const early = await pending;
  if (!early || started !== pending) return undefined;
  if (options.executablePath !== undefined && options.executablePath !== early.executablePath) return undefined;
  started = undefined;
  return early;
}

/** Ends an early browser nobody took; nothing when there is none. */
export async function discardEarly(): Promise<void> {
  const pending = started;
  started = undefined;
  await (await pending)?.discard();
}

async function spawnEarly(): Promise<EarlyBrowser> {
  const executablePath = findBrowser({});
  let permit: Permit = async () => false;
  let permitUrl: PermitUrl = async () => false;
  const proxy = await startProxyGate(
    (host, port) => permit(host, port),
    (url) => permitUrl(url),
  );
  const profileDir = makeProfile();
  const child = spawn(executablePath, chromiumCommandLine({ profileDir, headless: true, proxy: proxy.proxyArg }), {
    // Its own process group, as puppeteer starts it: ending the group ends its zygotes and renderers too.
    detached: true,
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env },
  });
  const pid = child.pid;
  // Kills what is left at exit (a stop signal, a client gone before the session opened): never a stray browser.
  const atExit = () => {
    if (pid !== undefined) {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    rmSync(profileDir, { recursive: true, force: true });
  };
  process.on("exit", atExit);
  if (pid === undefined) {
    process.off("exit", atExit);
    await proxy.close();
    rmSync(profileDir, { recursive: true, force: true });
    throw new Error(`could not start ${executablePath}`);
  }
  const endpoint = new Promise<string>((resolve, reject) => {
    let text: string | undefined = "";
    const timer = setTimeout(() => reject(new Error("Chromium printed no DevTools address")), ENDPOINT_TIMEOUT_MS);
    timer.unref();
    // Read to the end: a full pipe would stop a browser that keeps logging.
    child.stderr.on("data", (chunk: Buffer) => {
      if (text === undefined) return;
      text += chunk.toString("utf8");
      const found = /^DevTools listening on (ws:\/\/\S+)$/m.exec(text);
      if (found) {
        clearTimeout(timer);
        text = undefined;
        resolve(found[1]!);
      } else if (text.length > 100_000) text = text.slice(-10_000);
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`Chromium exited before it was ready (${signal ?? `code ${code}`})`));
    });
  });
  endpoint.catch(() => undefined);
  const connection = endpoint.then(preconnect).catch(() => undefined);
  // The early browser must not keep a process alive that has nothing else to do.
  child.unref();
  (child.stderr as unknown as { unref?: () => void }).unref?.();
  let discarded: Promise<void> | undefined;
  return {
    executablePath,
    profileDir,
    pid,
    endpoint,
    connection,
    proxy,
    bind(p, u) {
      permit = p;
      permitUrl = u;
    },
    discard() {
      discarded ??= (async () => {
        await (await connection)?.disconnect().catch(() => {});
        await endProcessGroup(pid);
        await rm(profileDir, { recursive: true, force: true, maxRetries: 3 });
        await proxy.close();
        process.off("exit", atExit);
      })();
      return discarded;
    },
  };
}
