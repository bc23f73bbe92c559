import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Polls `probe` until it returns something truthy, or fails naming `what` after a generous deadline. */
export async function waitUntil<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = 30_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export interface Xvfb {
  display: string;
  stop(): Promise<void>;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

/** A real X server on the first free display from :90 up (a display another test or person holds is skipped). */
export async function startXvfb(size = "1600x1000"): Promise<Xvfb> {
  for (let n = 90; n < 140; n++) {
    if (existsSync(`/tmp/.X${n}-lock`) || existsSync(`/tmp/.X11-unix/X${n}`)) continue;
    const display = `:${n}`;
    const child = spawn("Xvfb", [display, "-screen", "0", `${size}x24`, "-nolisten", "tcp"], { stdio: "ignore" });
    let exited = false;
    child.once("exit", () => {
      exited = true;
    });
    const ready = await waitUntil(
      () =>
        exited ||
        spawnSync("xdotool", ["getdisplaygeometry"], { env: { ...process.env, DISPLAY: display } }).status === 0,
      `Xvfb on ${display}`,
    );
    if (ready && !exited) return { display, stop: () => stopChild(child) };
  }
  throw new Error("no free X display between :90 and :139");
}

export interface LoggedEvent {
  type: string;
  [key: string]: unknown;
}

/**
 * The app under test: a local page that logs every click, key, text change,
 * drag and wheel to this server, and reports where its elements are on the
 * screen (window.screenX/Y plus the frame), so a test knows where to click.
 */
export async function startLoggingPage(): Promise<{
  url: string;
  events: LoggedEvent[];
  /** Where each element's centre is on the screen, per page (`?who=NAME`; "main" without). */
  layout: (who?: string) => Record<string, { x: number; y: number }> | undefined;
  close(): Promise<void>;
}> {
  const events: LoggedEvent[] = [];
  const layouts = new Map<string, Record<string, { x: number; y: number }>>();
  const body = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let data = "";
      req.on("data", (c) => {
        data += c;
      });
      req.on("end", () => resolve(data));
    });
  const server = createServer(async (req, res: ServerResponse) => {
    if (req.method === "POST" && req.url === "/log") {
      events.push(JSON.parse(await body(req)) as LoggedEvent);
      res.writeHead(204).end();
    } else if (req.method === "POST" && req.url === "/layout") {
      const { who, out } = JSON.parse(await body(req));
      layouts.set(who, out);
      res.writeHead(204).end();
    } else res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(PAGE);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    url,
    events,
    layout: (who = "main") => layouts.get(who),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const PAGE = `<!doctype html><html><head><title>Logging page</title><style>
body { margin: 0; height: 4000px; font: 20px sans-serif; }
#press { position: absolute; left: 40px; top: 40px; width: 200px; height: 80px; }
#field { position: absolute; left: 40px; top: 160px; width: 400px; height: 44px; font-size: 20px; }
#from { position: absolute; left: 500px; top: 40px; width: 120px; height: 120px; background: #c33; }
#to { position: absolute; left: 700px; top: 40px; width: 150px; height: 150px; background: #3c3; }
</style></head><body>
<button id="press">Press me</button>
<input id="field" autocomplete="off">
<div id="from">drag me</div><div id="to">drop here</div>
<script>
const who = new URLSearchParams(location.search).get('who') || 'main';
const log = (e) => fetch('/log', { method: 'POST', body: JSON.stringify({ ...e, who }) });
let down;
document.addEventListener('mousedown', (e) => { down = e.target.id; });
document.addEventListener('mouseup', (e) => { if (down && down !== e.target.id) log({ type: 'drag', from: down, to: e.target.id }); down = undefined; });
document.addEventListener('click', (e) => log({ type: 'click', target: e.target.id, button: e.button, detail: e.detail }));
document.addEventListener('contextmenu', (e) => { e.preventDefault(); log({ type: 'contextmenu', target: e.target.id }); });
document.addEventListener('keydown', (e) => log({ type: 'keydown', key: e.key, ctrl: e.ctrlKey, shift: e.shiftKey, alt: e.altKey }));
document.getElementById('field').addEventListener('input', (e) => log({ type: 'input', value: e.target.value }));
document.addEventListener('wheel', (e) => log({ type: 'wheel', deltaY: Math.sign(e.deltaY), deltaX: Math.sign(e.deltaX) }));
function report() {
  const frameX = (outerWidth - innerWidth) / 2, frameY = outerHeight - innerHeight - frameX;
  const out = {};
  for (const id of ['press', 'field', 'from', 'to']) {
    const r = document.getElementById(id).getBoundingClientRect();
    out[id] = { x: Math.round(screenX + frameX + r.left + r.width / 2), y: Math.round(screenY + frameY + r.top + r.height / 2) };
  }
  fetch('/layout', { method: 'POST', body: JSON.stringify({ who, out }) });
}
addEventListener('load', () => setTimeout(report, 300));
</script></body></html>`;

export interface Chromium {
  stop(): Promise<void>;
}

/** A headed Chromium app window on the display; `wmClass` sets its WM_CLASS (to play another app). */
export async function startChromium(
  display: string,
  url: string,
  options: { wmClass?: string; position?: [number, number]; size?: [number, number] } = {},
): Promise<Chromium> {
  const profile = await mkdtemp(join(tmpdir(), "worksite-cu-chromium-"));
  const [x, y] = options.position ?? [0, 0];
  const [w, h] = options.size ?? [1400, 900];
  const child = spawn(
    "/usr/bin/chromium",
    [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--no-default-browser-check",
      "--disable-quic",
      "--password-store=basic",
      "--force-device-scale-factor=1",
      `--user-data-dir=${profile}`,
      `--window-position=${x},${y}`,
      `--window-size=${w},${h}`,
      ...(options.wmClass ? [`--class=${options.wmClass}`] : []),
      `--app=${url}`,
    ],
    { env: { ...process.env, DISPLAY: display }, stdio: "ignore", detached: false },
  );
  return {
    async stop() {
      await stopChild(child);
      // Chromium's helper processes can still be writing into the profile just after the browser process exits.
      await rm(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    },
  };
}

/** The test's own xdotool (not the plugin's): to set up the desktop, never to act for the agent. */
export function xdo(display: string, ...args: string[]): string {
  const out = spawnSync("xdotool", args, { env: { ...process.env, DISPLAY: display }, encoding: "utf8" });
  if (out.status !== 0) throw new Error(`xdotool ${args.join(" ")}: ${out.stderr}`);
  return out.stdout;
}
