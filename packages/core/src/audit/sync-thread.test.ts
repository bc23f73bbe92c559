import { execFile } from "node:child_process";
import fs from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempDir } from "@worksite/test-support";
import { fdatasyncHot, syncThreadState } from "./sync-thread.js";

/*
 * The audit's own sync thread (sync-thread.ts). Whether its syncs come before the caller goes on is
 * durability.test.ts's; these are its own promises: errors come back, the process lives as long as a sync it
 * waits for, and a one-shot process never starts it. Children run the built dist, as crash.test.ts's do.
 */
const DIST = new URL("../../dist/audit/sync-thread.js", import.meta.url).pathname;
const run = promisify(execFile);

let dir: string;
beforeEach(async () => {
  dir = await tempDir("worksite-sync-thread-");
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Syncs `fd` until the thread answers, as a stream of write calls would. */
async function threadReady(fd: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (syncThreadState().state !== "ready" && Date.now() < deadline) await fdatasyncHot(fd, 2);
  expect(syncThreadState().state).toBe("ready");
}

/** A child process that loads the built module, runs `body` with `fd` open on a file and `sync` at hand, and prints what it says. */
async function child(body: string): Promise<string> {
  const script = `
    import fs from "node:fs";
    import { fdatasyncHot as sync, syncThreadState as state } from ${JSON.stringify(DIST)};
    const fd = fs.openSync(${JSON.stringify(join(dir, "log"))}, "a");
    fs.writeSync(fd, "a line\\n");
    ${body}`;
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], {
    timeout: 30_000,
    killSignal: "SIGKILL",
  });
  return stdout.trim();
}

describe("the audit's own sync thread", () => {
  it("brings a failed sync's error back from the thread, as the pool would", async () => {
    const fd = fs.openSync(join(dir, "log"), "a");
    try {
      await threadReady(fd);
      const synced = syncThreadState().synced;
      // A descriptor nobody has open: the kernel says EBADF to the thread.
      await expect(fdatasyncHot(1_000_000, 2)).rejects.toMatchObject({ code: "EBADF", syscall: "fdatasync" });
      expect(syncThreadState().synced).toBe(synced + 1);
      await expect(fdatasyncHot(fd, 2)).resolves.toBeUndefined();
    } finally {
      fs.closeSync(fd);
    }
  });

  it("keeps the process alive for a sync it no longer polls for, and lets it end once that sync is done", async () => {
    // A wait of a microsecond stops polling at once: from then on only the thread's message can end it.
    const said = await child(`
      while (state().state === "off" || state().state === "starting") await sync(fd, 2);
      sync(fd, 0.001).then(() => console.log("synced by the thread:", state().synced > 0));`);
    expect(said).toBe("synced by the thread: true");
  });

  it("is never started by a process that makes one durable sync, and never holds a process open", async () => {
    const said = await child(`
      await sync(fd, 2);
      console.log(state().state);`);
    expect(said).toBe("off");
    const stream = await child(`
      while (state().state === "off" || state().state === "starting") await sync(fd, 2);
      console.log(state().state);`);
    // The child printed and then ended by itself, with the thread still looking for requests.
    expect(stream).toBe("ready");
  });
});
