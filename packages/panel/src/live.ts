import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { approvalsDir, draftsDir } from "@worksite/core";
import { inboxDir, lockPath, progressPath, statePath } from "@worksite/runtime";
import { auditFile } from "./audit-view.js";

/*
 * Live updates: each thread's files are looked at a few times a second (stat only: cheap, and it sees
 * writes by any process — a run in another terminal, the scheduler, the CLI), and every change bumps
 * the thread's version. Versions start at the boot time in milliseconds, so an id a browser kept from a
 * panel that has since restarted is older than every current one: a reconnect with Last-Event-ID always
 * catches up, never misses a change.
 */

export interface Watcher {
  version(thread: number): number;
  /** Called with the thread index on each change; returns a function that stops listening. */
  subscribe(listener: (thread: number, version: number) => void): () => void;
  close(): void;
}

async function signature(root: string): Promise<string> {
  const approvals = await approvalsDir(root).catch(() => undefined);
  const paths = [
    auditFile(root),
    progressPath(root),
    join(root, "artifacts", "index.json"),
    statePath(root),
    lockPath(root),
    inboxDir(root),
    draftsDir(root),
    ...(approvals ? [approvals, join(approvals, "used")] : []),
  ];
  const parts = await Promise.all(
    paths.map(async (p) => {
      const s = await stat(p).catch(() => undefined);
      return s ? `${s.size}:${s.mtimeMs}` : "-";
    }),
  );
  // A folder's mtime changes when an entry is added or removed, not when one is rewritten in place: count names too.
  const names = await readdir(inboxDir(root)).catch(() => []);
  return `${parts.join("|")}|${names.length}`;
}

export function watchThreads(roots: readonly string[], intervalMs = 100): Watcher {
  const boot = Date.now();
  const versions = roots.map(() => boot);
  const seen: (string | undefined)[] = roots.map(() => undefined);
  const listeners = new Set<(thread: number, version: number) => void>();
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      await Promise.all(
        roots.map(async (root, i) => {
          const sig = await signature(root).catch(() => "error");
          if (seen[i] !== undefined && seen[i] !== sig) {
            versions[i] = (versions[i] ?? boot) + 1;
            for (const l of listeners) l(i, versions[i]!);
          }
          seen[i] = sig;
        }),
      );
    } finally {
      busy = false;
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  return {
    version: (i) => versions[i] ?? boot,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      clearInterval(timer);
      listeners.clear();
    },
  };
}

/**
 * A thread's server-sent events: `change` with the new version as its id. Resumable: a browser that
 * reconnects with an older Last-Event-ID missed something, and gets a `change` at once.
 */
export function eventStream(
  watcher: Watcher,
  thread: number,
  lastEventId: string | undefined,
  signal: AbortSignal,
): Response {
  const last = Number(lastEventId);
  const encoder = new TextEncoder();
  let stop = () => {};
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          stop();
        }
      };
      const change = (version: number) => send(`id: ${version}\nevent: change\ndata: {"version":${version}}\n\n`);
      send("retry: 1000\n\n");
      const now = watcher.version(thread);
      if (lastEventId !== undefined && Number.isFinite(last) && last < now) change(now);
      else send(`id: ${now}\nevent: hello\ndata: {}\n\n`);
      const unsubscribe = watcher.subscribe((i, version) => i === thread && change(version));
      const beat = setInterval(() => send(": keep-alive\n\n"), 15_000);
      stop = () => {
        unsubscribe();
        clearInterval(beat);
      };
      signal.addEventListener("abort", () => {
        stop();
        try {
          controller.close();
        } catch {}
      });
    },
    cancel() {
      stop();
    },
  });
  return new Response(stream, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}
