import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import type { ArtifactRef, ToolContext } from "@worksite/core";
import type { Browser, CDPSession } from "puppeteer-core";
import type { EventLog } from "./events.js";

export interface DownloadRecord {
  guid: string;
  url: string;
  name: string;
  state: "in-progress" | "completed" | "canceled" | "failed";
  artifact?: ArtifactRef;
  error?: string;
}

export interface Downloads {
  list(): DownloadRecord[];
  /** Resolves when nothing is in progress (or the time is up). */
  settle(timeoutMs: number, signal?: AbortSignal): Promise<void>;
  dispose(): Promise<void>;
}

/**
 * Chromium writes downloads into a private temp folder (named by guid, so a
 * page cannot choose a path); finished files are copied into the worksite's
 * artifacts through the calling tool's context, as kind "download".
 */
export async function watchDownloads(
  browser: Browser,
  currentCtx: () => ToolContext | undefined,
  events: EventLog,
): Promise<Downloads> {
  const dir = await mkdtemp(join(tmpdir(), "worksite-downloads-"));
  const cdp: CDPSession = await browser.target().createCDPSession();
  await cdp.send("Browser.setDownloadBehavior", { behavior: "allowAndName", downloadPath: dir, eventsEnabled: true });
  const records = new Map<string, DownloadRecord>();
  const saving = new Set<Promise<void>>();
  const idleWaiters = new Set<() => void>();
  const busy = () => [...records.values()].some((r) => r.state === "in-progress") || saving.size > 0;
  const wake = () => {
    if (!busy()) for (const w of idleWaiters) w();
  };

  cdp.on("Browser.downloadWillBegin", (event) => {
    records.set(event.guid, {
      guid: event.guid,
      url: event.url,
      name: basename(event.suggestedFilename || "download"),
      state: "in-progress",
    });
  });
  cdp.on("Browser.downloadProgress", (event) => {
    const record = records.get(event.guid);
    if (!record || event.state === "inProgress") return;
    if (event.state === "canceled") {
      record.state = "canceled";
      events.push({ kind: "download", url: record.url, state: "canceled" });
      wake();
      return;
    }
    const save = (async () => {
      const ctx = currentCtx();
      try {
        if (!ctx) throw new Error("no tool call to save it for");
        const data = await readFile(join(dir, event.guid));
        record.artifact = await ctx.artifacts.write({
          name: record.name,
          kind: "download",
          data: new Uint8Array(data),
          meta: { url: record.url, time: new Date().toISOString(), bytes: data.length },
        });
        record.state = "completed";
        events.push({ kind: "download", url: record.url, path: record.artifact.path, state: "completed" });
      } catch (error) {
        record.state = "failed";
        record.error = (error as Error).message;
        events.push({ kind: "download", url: record.url, state: "failed" });
      }
    })();
    saving.add(save);
    void save.finally(() => {
      saving.delete(save);
      wake();
    });
  });

  return {
    list: () => [...records.values()],
    async settle(timeoutMs, signal) {
      if (!busy()) return;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          idleWaiters.delete(done);
          signal?.removeEventListener("abort", done);
          resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        idleWaiters.add(done);
        signal?.addEventListener("abort", done, { once: true });
      });
    },
    async dispose() {
      await cdp.detach().catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}
