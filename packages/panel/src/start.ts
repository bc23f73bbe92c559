import { processIsAlive } from "@worksite/core";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { serve } from "@hono/node-server";
import { personStateDir } from "@worksite/core";
import { watchThreads } from "./live.js";
import { createAuth, DEFAULT_SESSION_LIMITS, type SessionLimits } from "./security.js";
import { createPanelApp } from "./server.js";
import { type NextWake, panelThreads } from "./thread-data.js";

export interface PanelOptions {
  /** The worksites to show (absolute or relative to the current folder). */
  worksites: readonly string[];
  /** 0 (default): a free port. */
  port?: number;
  /** How often the worksites' files are looked at for live updates. */
  pollMs?: number;
  /** Where "next wake" comes from; default: THREAD.md's wake schedule in words. */
  nextWake?: NextWake;
  /** When a signed-in session ends (default: 8 hours idle, 24 hours in all). */
  sessionLimits?: Partial<SessionLimits>;
}

export interface Panel {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  port: number;
  /** The one-time login link (good once); `newLoginUrl()` makes another. */
  loginUrl: string;
  newLoginUrl(): string;
  close(): Promise<void>;
}

/** What `worksite run` finds of a running panel: its address and worksites, never a token. */
export interface RunningPanel {
  pid: number;
  origin: string;
  worksites: string[];
}

/* Each running panel leaves a note in the person's state folder (outside every worksite, out of the sandbox's reach) so `worksite run` can print its link. */
const notesDir = () => join(personStateDir(), "panels");

export async function startPanel(options: PanelOptions): Promise<Panel> {
  const roots = options.worksites.map((w) => resolve(w));
  const threads = panelThreads(roots);
  const watcher = watchThreads(roots, options.pollMs ?? 100);
  // The port is known only after listening; auth and app are made once it is.
  let app: ReturnType<typeof createPanelApp> | undefined;
  const server = serve({ fetch: (req, env) => app!.fetch(req, env), port: options.port ?? 0, hostname: "127.0.0.1" });
  await new Promise<void>((ok, fail) => {
    if (server.listening) return ok();
    server.once("listening", ok);
    server.once("error", fail);
  });
  const port = (server.address() as AddressInfo).port;
  const auth = createAuth(port, { ...DEFAULT_SESSION_LIMITS, ...options.sessionLimits });
  app = createPanelApp({ threads, auth, port, watcher, ...(options.nextWake ? { nextWake: options.nextWake } : {}) });
  const origin = `http://127.0.0.1:${port}`;
  const note = join(notesDir(), `${process.pid}-${port}.json`);
  await mkdir(notesDir(), { recursive: true, mode: 0o700 });
  await writeFile(note, `${JSON.stringify({ pid: process.pid, origin, worksites: roots } satisfies RunningPanel)}\n`, {
    mode: 0o600,
  });
  const loginUrl = (token: string) => `${origin}/login?token=${token}`;
  return {
    origin,
    port,
    loginUrl: loginUrl(auth.loginToken),
    newLoginUrl: () => loginUrl(auth.issueLoginToken()),
    async close() {
      watcher.close();
      await rm(note, { force: true });
      await new Promise<void>((ok) => {
        server.close(() => ok());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
    },
  };
}

/** Panels running now that show `root` (a note whose process is gone is removed). */
export async function runningPanels(root?: string): Promise<RunningPanel[]> {
  const names = await readdir(notesDir()).catch(() => [] as string[]);
  const out: RunningPanel[] = [];
  for (const name of names.filter((n) => n.endsWith(".json"))) {
    const path = join(notesDir(), name);
    const note = await readFile(path, "utf8")
      .then((t) => JSON.parse(t) as RunningPanel)
      .catch(() => undefined);
    if (!note || typeof note.pid !== "number") continue;
    if (!processIsAlive(note.pid)) {
      await rm(path, { force: true });
      continue;
    }
    if (!root || note.worksites.includes(resolve(root))) out.push(note);
  }
  return out;
}
