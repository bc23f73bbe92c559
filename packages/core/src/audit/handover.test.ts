import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openAuditLog } from "./audit-log.js";
import { readEntries } from "./read.js";

/*
 * The writer holds `<log>.lock` while appends keep coming (writer.ts). Other
 * processes must still get in: `worksite approve` while a run streams calls,
 * a second MCP session. Real processes here; children run the built dist,
 * which the suite's global setup builds from this source.
 */

const auditIndex = new URL("../../dist/audit/index.js", import.meta.url).pathname;

/** Appends notes as fast as it can, forever: a run that never falls idle. */
const STREAMER = `
const { openAuditLog } = await import(${JSON.stringify(auditIndex)});
const log = openAuditLog(process.argv[1]);
await log.append({ type: "note", actor: "streamer", message: "start" });
process.stdout.write("holding\\n");
for (let i = 0; ; i++) {
  await log.append({ type: "note", actor: "streamer", message: "n" + i }, { durable: false });
}
`;

/** Appends three entries, as \`worksite approve\` does, and exits. */
const ONE_SHOT = `
const { openAuditLog } = await import(${JSON.stringify(auditIndex)});
const log = openAuditLog(process.argv[1], { lock: { timeoutMs: 60000 } });
for (let i = 0; i < 3; i++) await log.append({ type: "approval", actor: "person:cli", message: "approved " + i });
`;

let dir: string;
let path: string;
let children: ChildProcess[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "worksite-audit-handover-"));
  path = join(dir, "audit.jsonl");
});
afterEach(async () => {
  for (const c of children) c.kill("SIGKILL");
  children = [];
  await rm(dir, { recursive: true, force: true });
});

function start(script: string): { child: ChildProcess; exit: Promise<number | string | null>; out: () => string } {
  const child = spawn(process.execPath, ["--input-type=module", "-e", script, path], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exit = new Promise<number | string | null>((resolve) => child.on("exit", (code, sig) => resolve(sig ?? code)));
  return { child, exit, out: () => out };
}

const until = async (what: string, test: () => boolean | Promise<boolean>, ms = 60_000) => {
  const deadline = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe("handing the audit log over between processes", () => {
  it("lets a one-shot process append while another streams appends without ever falling idle", async () => {
    const streamer = start(STREAMER);
    await until("the streamer to hold the log", () => streamer.out().includes("holding"));
    const oneShot = start(ONE_SHOT);
    expect(await oneShot.exit, oneShot.out()).toBe(0);
    // The streamer is still running and still appending after the hand-over.
    expect(streamer.child.exitCode).toBeNull();
    const count = async () => (await readFile(path, "utf8")).split("\n").length;
    const now = await count();
    await until("the streamer to append again", async () => (await count()) > now + 10);
    streamer.child.kill("SIGKILL");
    await streamer.exit;
    const log = openAuditLog(path);
    expect(await log.verify()).toMatchObject({ ok: true });
    const approvals = (await readEntries(path)).filter((e) => e.actor === "person:cli");
    expect(approvals.map((e) => e.message)).toEqual(["approved 0", "approved 1", "approved 2"]);
  }, 120_000);

  it("verifies again and again while another process streams appends and moves both heads", async () => {
    // A worksite's own log, so both heads (local and the person's state folder) move while verify reads them.
    path = join(dir, ".worksite", "audit.jsonl");
    // A pause after each append, inside the loop: a streamer that never pauses grows the log faster than a
    // verify under load reads it, and verify reads to the end.
    const streamer = start(
      STREAMER.replace("{ durable: false });", "{ durable: false });\n  await new Promise((r) => setTimeout(r, 1));"),
    );
    await until("the streamer to hold the log", () => streamer.out().includes("holding"));
    for (let i = 0; i < 15; i++)
      expect(await openAuditLog(path).verify(), `verify ${i + 1}`).toMatchObject({ ok: true });
    streamer.child.kill("SIGKILL");
    await streamer.exit;
  }, 120_000);

  it("takes over at once from a holder killed with SIGKILL while it held the log", async () => {
    const streamer = start(STREAMER);
    await until("the streamer to hold the log", () => streamer.out().includes("holding"));
    streamer.child.kill("SIGKILL");
    await streamer.exit;
    expect(existsSync(`${path}.lock`)).toBe(true); // it died holding it
    const oneShot = start(ONE_SHOT);
    expect(await oneShot.exit, oneShot.out()).toBe(0);
    expect(await openAuditLog(path).verify()).toMatchObject({ ok: true });
  }, 120_000);

  it("hands the lock back by itself once appends stop, and at close", async () => {
    const log = openAuditLog(path);
    await log.append({ type: "note", actor: "agent", message: "one" });
    expect(existsSync(`${path}.lock`)).toBe(true);
    await until("the idle writer to hand the lock back", () => !existsSync(`${path}.lock`));
    await log.append({ type: "note", actor: "agent", message: "two" });
    await log.close();
    expect(existsSync(`${path}.lock`)).toBe(false);
    expect(await log.verify()).toEqual({ ok: true, entries: 2 });
  });

  it("hands the lock back and leaves both lines and the head on disk when the process exits", async () => {
    const script = `
      const { openAuditLog } = await import(${JSON.stringify(auditIndex)});
      const log = openAuditLog(process.argv[1]);
      await log.append({ type: "note", actor: "agent", message: "durable" });
      await log.append({ type: "note", actor: "agent", message: "grouped" }, { durable: false });
      process.exit(0);`;
    const child = start(script);
    expect(await child.exit, child.out()).toBe(0);
    expect(existsSync(`${path}.lock`)).toBe(false);
    const entries = await readEntries(path);
    expect(entries.map((e) => e.message)).toEqual(["durable", "grouped"]);
    // The exit handler moved the head to the grouped line, which had not been synced yet.
    expect(JSON.parse(await readFile(`${path}.head`, "utf8"))).toEqual({ seq: 2, hash: entries[1]!.hash });
  }, 60_000);
});
