import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { openAuditLog } from "@worksite/core";
import { beforeEach, describe, expect, it } from "vitest";
import { runCli, tempWorksite } from "../test-support/cli-harness.js";

let root: string;
let auditPath: string;
beforeEach(async () => {
  root = await tempWorksite({ "THREAD.md": "# t\n" }, "worksite-audit-cli-");
  auditPath = join(root, ".worksite", "audit.jsonl");
});

const worksite = (...argv: string[]) => runCli([...argv, "--worksite", root], root);

async function seed() {
  const minutesAgo = (m: number) => () => new Date(Date.now() - m * 60_000);
  const at = (m: number) => openAuditLog(auditPath, { now: minutesAgo(m) });
  await at(120).append({ type: "run", actor: "runtime", run: "r1", message: "run started" });
  await at(90).append({
    type: "decision",
    actor: "agent",
    run: "r1",
    tool: "browser.open",
    target: "https://example.com/",
    tier: "allow",
    decidedBy: "rule PERMISSIONS.md:4",
    outcome: "ok",
  });
  await at(30).append({
    type: "decision",
    actor: "agent",
    run: "r2",
    tool: "shell.run",
    target: "npm publish",
    tier: "confirm",
    decidedBy: "rule PERMISSIONS.md:9",
    outcome: "pending",
  });
  await at(5).append({
    type: "approval",
    actor: "person:alice",
    run: "r2",
    tool: "shell.run",
    target: "npm publish",
    tier: "confirm",
    decidedBy: "person:alice",
    outcome: "ok",
  });
  await at(1).append({
    type: "decision",
    actor: "agent",
    run: "r2",
    tool: "browser.click",
    target: "https://example.com/buy",
    tier: "forbidden",
    decidedBy: "rule PERMISSIONS.md:12",
    outcome: "refused",
  });
}

describe("worksite audit verify", () => {
  it("says how many entries there are and that the chain is intact", async () => {
    await seed();
    const r = await worksite("audit", "verify");
    expect(r).toMatchObject({ code: 0, out: ".worksite/audit.jsonl: 5 entries, chain intact\n" });
    expect(JSON.parse((await worksite("audit", "verify", "--json")).out)).toMatchObject({ ok: true, entries: 5 });
  });

  it("exits non-zero and names the line when one byte of audit.jsonl is changed", async () => {
    await seed();
    const raw = await readFile(auditPath, "utf8");
    const third = raw.indexOf("npm publish");
    await writeFile(auditPath, `${raw.slice(0, third)}npm pUblish${raw.slice(third + "npm publish".length)}`);
    const r = await worksite("audit", "verify");
    expect(r.code).toBe(1);
    expect(r.out).toContain(".worksite/audit.jsonl:3: hash does not match");
    const json = JSON.parse((await worksite("audit", "verify", "--json")).out);
    expect(json).toMatchObject({ ok: false, line: 3, entries: 2 });
  });

  it("warns of a torn last line as a write a kill cut off, and the next append removes it and records what it held", async () => {
    await seed();
    const whole = await readFile(auditPath, "utf8");
    await writeFile(auditPath, `${whole}{"seq":6,"ti`);
    const r = await worksite("audit", "verify");
    expect(r.code).toBe(0);
    expect(r.out).toContain("5 entries, chain intact");
    expect(r.err).toContain(".worksite/audit.jsonl:6: the last line (12 bytes) has no newline");
    expect(JSON.parse((await worksite("audit", "verify", "--json")).out)).toMatchObject({
      ok: true,
      entries: 5,
      torn: { line: 6, bytes: 12 },
    });
    await openAuditLog(auditPath).append({ type: "note", actor: "x" });
    const after = await readFile(auditPath, "utf8");
    expect(after.startsWith(whole)).toBe(true);
    const [removal, next] = after
      .slice(whole.length)
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(removal).toMatchObject({
      seq: 6,
      type: "note",
      data: { torn: { at: Buffer.byteLength(whole), bytes: 12, start: '{"seq":6,"ti' } },
    });
    expect(next).toMatchObject({ seq: 7, actor: "x" });
    const again = await worksite("audit", "verify");
    expect(again.code).toBe(0);
    expect(again.err).toBe("");
  });

  it('says "entry" and "is" for one intact entry before a bad line, and "entries" … "are" for more', async () => {
    await seed();
    const raw = await readFile(auditPath, "utf8");
    await writeFile(auditPath, raw.replace('https://example.com/"', 'https://example.org/"'));
    const one = await worksite("audit", "verify");
    expect(one.out).toContain(".worksite/audit.jsonl:2: ");
    expect(one.out).toContain("  the 1 entry before it is intact; nothing from line 2 on can be trusted\n");
    await writeFile(auditPath, raw.replace("npm publish", "npm pUblish"));
    expect((await worksite("audit", "verify")).out).toContain(
      "  the 2 entries before it are intact; nothing from line 3 on can be trusted\n",
    );
  });

  it("fails, naming what it found, when .worksite/ is deleted, and refuses to start a new log over the anchor", async () => {
    await seed();
    await rm(join(root, ".worksite"), { recursive: true });
    const r = await worksite("audit", "verify");
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /^broken: \.worksite\/audit\.jsonl:1: the log is missing, but entry seq 5 \(hash [0-9a-f]{12}…\) was written \(recorded in the anchor in the person's state folder \(.*\)\): the log was deleted\n/,
    );
    await expect(openAuditLog(auditPath).append({ type: "note", actor: "x" })).rejects.toMatchObject({
      code: "audit-corrupt",
    });
  });

  it("fails when audit.jsonl and its head are deleted", async () => {
    await seed();
    await rm(auditPath);
    await rm(`${auditPath}.head`);
    const r = await worksite("audit", "verify");
    expect(r).toMatchObject({ code: 1, out: expect.stringContaining("the log is missing, but entry seq 5") });
    expect(JSON.parse((await worksite("audit", "verify", "--json")).out)).toMatchObject({ ok: false, entries: 0 });
  });

  it("fails when the log is cut and its head rewritten from an earlier entry's hash", async () => {
    await seed();
    const lines = (await readFile(auditPath, "utf8")).split("\n").filter(Boolean);
    await writeFile(auditPath, `${lines.slice(0, 3).join("\n")}\n`);
    const third = JSON.parse(lines[2]!) as { seq: number; hash: string };
    await writeFile(`${auditPath}.head`, JSON.stringify({ seq: third.seq, hash: third.hash }));
    const r = await worksite("audit", "verify");
    expect(r.code).toBe(1);
    expect(r.out).toContain(".worksite/audit.jsonl:4: the log ends at line 3, but entry seq 5");
    expect(r.out).toContain("lines were removed from the end");
    expect(r.out).toContain("the 3 entries before it are intact");
  });

  it("warns, still exiting 0, when an older log (no worksite id, no anchor in the state folder) has entries but its tail anchor audit.jsonl.head is gone", async () => {
    await seed();
    const anchoredRun = await worksite("audit", "verify");
    expect(anchoredRun.err).toBe("");
    expect(JSON.parse((await worksite("audit", "verify", "--json")).out)).toMatchObject({
      ok: true,
      entries: 5,
      anchored: true,
    });
    // A log from before the state folder's anchor: no .worksite/id, nothing in the state folder.
    await rm(join(root, ".worksite", "id"));
    await rm(process.env.WORKSITE_STATE_DIR!, { recursive: true });
    // Cut the last two lines and delete the head: the chain that is left is intact, but its end cannot be vouched for.
    const lines = (await readFile(auditPath, "utf8")).split("\n").filter(Boolean);
    await writeFile(auditPath, `${lines.slice(0, 3).join("\n")}\n`);
    await rm(`${auditPath}.head`);
    const r = await worksite("audit", "verify");
    expect(r).toMatchObject({ code: 0, out: ".worksite/audit.jsonl: 3 entries, chain intact\n" });
    expect(r.err).toBe(
      "warning: no tail anchor (audit.jsonl.head): whether lines were removed from the end cannot be checked\n",
    );
    const json = await worksite("audit", "verify", "--json");
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toMatchObject({ ok: true, entries: 3, anchored: false });
  });

  it("counts an empty or missing log as intact", async () => {
    expect(await worksite("audit", "verify")).toMatchObject({
      code: 0,
      out: ".worksite/audit.jsonl: 0 entries, chain intact\n",
    });
  });
});

describe("worksite audit tail", () => {
  it("prints one readable line per entry: time, actor, tool, target, tier, decided by, outcome", async () => {
    await seed();
    const r = await worksite("audit", "tail", "-n", "2");
    const lines = r.out.trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ {2}#5 {2}agent {2}browser\.click {2}https:\/\/example\.com\/buy {2}forbidden {2}rule PERMISSIONS\.md:12 {2}refused$/,
    );
  });

  it("shows a call's decision and its result as one line, with how long it ran", async () => {
    const log = openAuditLog(auditPath);
    const call = {
      actor: "agent",
      run: "r1",
      tool: "shell.run",
      target: "npm test",
      callHash: "a".repeat(64),
      tier: "allow" as const,
      decidedBy: "rule PERMISSIONS.md:3",
    };
    await log.append({ type: "decision", ...call });
    await log.append({ type: "result", ...call, outcome: "ok", durationMs: 812 });
    const lines = (await worksite("audit", "tail")).out.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      / {2}#1–2 {2}agent {2}shell\.run {2}npm test {2}allow {2}rule PERMISSIONS\.md:3 {2}ok {2}812 ms$/,
    );
  });

  it("filters by tool (with *), tier, run and time", async () => {
    await seed();
    const seqs = async (...f: string[]) =>
      (JSON.parse((await worksite("audit", "tail", "--json", ...f)).out) as { seq: number }[]).map((e) => e.seq);
    expect(await seqs("--tool", "browser.*")).toEqual([2, 5]);
    expect(await seqs("--tier", "confirm")).toEqual([3, 4]);
    expect(await seqs("--run", "r1")).toEqual([1, 2]);
    expect(await seqs("--since", "10m")).toEqual([4, 5]);
    expect(await seqs("--since", new Date(Date.now() - 60 * 60_000).toISOString(), "--tool", "shell.run")).toEqual([
      3, 4,
    ]);
  });

  it("refuses an unknown tier or a bad --since with a hint", async () => {
    await seed();
    const r = await worksite("audit", "tail", "--tier", "maybe");
    expect(r.code).toBe(1);
    expect(r.err).toContain('unknown tier "maybe"');
    expect((await worksite("audit", "tail", "--since", "yesterday")).err).toContain("hint:");
  });

  it("still shows the readable entries of a damaged log, with a warning naming the bad line", async () => {
    await seed();
    await writeFile(auditPath, `${await readFile(auditPath, "utf8")}{"torn`);
    const r = await worksite("audit", "tail");
    expect(r.code).toBe(0);
    expect(r.out.trim().split("\n")).toHaveLength(5);
    expect(r.err).toContain(".worksite/audit.jsonl:6: incomplete line");
  });
});
