import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "@worksite/test-support";

/**
 * The README's first command ends in `worksite demo`; this runs the built
 * command as a person would, in a fresh folder, with real Chromium, npm and git,
 * and then walks the tour the demo's closing lines suggest.
 */
const bin = resolve(import.meta.dirname, "../../packages/cli/dist/bin.js");
const run = promisify(execFile);

async function worksite(cwd: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    // A fresh machine: no git identity, nothing in HOME.
    const env = { ...process.env, NO_COLOR: "1", WORKSITE_USER: "reviewer", HOME: home, GIT_CONFIG_NOSYSTEM: "1" };
    const { stdout, stderr } = await run("node", [bin, ...args], { cwd, env });
    return { code: 0, out: stdout, err: stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout, err: e.stderr };
  }
}

let home: string;
let demo: string;
let first: { code: number; out: string; err: string };

beforeAll(async () => {
  home = await tempDir("worksite-e2e-demo-");
  demo = join(home, "worksite-demo");
  first = await worksite(home, "demo");
});
afterAll(() => rm(home, { recursive: true, force: true }));

describe("worksite demo, as a new user meets it", () => {
  it("fixes the failing test in round 2, drafts the team update, and waits for a person to approve the tag", async () => {
    expect(first.code, first.err).toBe(0);
    expect(first.out).toContain("verification failed");
    expect(first.out).toContain("verification passed");
    expect(first.out).toMatch(/waiting: verification passed; 1 action waits for a person's approval/);
    expect(await readFile(join(demo, "src", "cart.js"), "utf8")).toContain("item.quantity");
    // The message to the team is a draft: the file it would write does not exist.
    expect(existsSync(join(demo, "outbox", "team-update.md"))).toBe(false);
  });

  it("keeps a screenshot of the cart page and every artifact in artifacts/index.json", async () => {
    const index = JSON.parse(await readFile(join(demo, "artifacts", "index.json"), "utf8")) as {
      artifacts: { path: string; kind: string; round: number }[];
    };
    const screenshots = index.artifacts.filter((a) => a.kind === "screenshot");
    expect(screenshots.map((s) => s.round)).toEqual([1, 2]);
    for (const a of index.artifacts) expect(existsSync(join(demo, a.path)), a.path).toBe(true);
    const png = await readFile(join(demo, screenshots[1]!.path));
    expect(png.subarray(1, 4).toString()).toBe("PNG");
  });

  it("status, report and audit verify tell the story without reading code", async () => {
    const status = await worksite(demo, "status");
    expect(status.code).toBe(0);
    expect(status.out).toMatch(/state\s+waiting/);
    expect(status.out).toMatch(/approvals\s+1 waiting/);
    expect(status.out).toMatch(/drafts\s+1 open \(nothing was sent\)/);

    const report = await worksite(demo, "report");
    expect(report.out).toMatch(/^## Round 2 — waiting/);
    expect(report.out).toContain("### Changed files\n- src/cart.js");

    const verify = await worksite(demo, "audit", "verify");
    expect(verify.code).toBe(0);
    expect(verify.out).toMatch(/\d+ entries, chain intact/);
  });

  it("after `worksite approve`, the next run tags the release exactly once and the thread is done", async () => {
    const pending = (
      JSON.parse((await worksite(demo, "approvals", "--json")).out) as { approvals: { id: string; tool: string }[] }
    ).approvals;
    expect(pending.map((a) => a.tool)).toEqual(["shell.run"]);
    expect((await worksite(demo, "approve", pending[0]!.id)).code).toBe(0);

    const again = await worksite(demo, "run");
    expect(again.code, again.err).toBe(0);
    expect(again.out).toContain("done: verification passed");
    const tags = await run("git", ["tag"], { cwd: demo });
    expect(tags.stdout.trim()).toBe("v1.0.1");
    expect(
      (JSON.parse((await worksite(demo, "approvals", "--json")).out) as { approvals: unknown[] }).approvals,
    ).toEqual([]);

    // PROGRESS.md opens with where the thread stands after its rounds.
    const progress = await readFile(join(demo, "PROGRESS.md"), "utf8");
    const standing = progress.slice(progress.indexOf("## Standing"), progress.indexOf("## Round 1 — "));
    expect(standing).toMatch(/^## Standing\n/);
    expect(standing).toMatch(/\*\*State:\*\* done \(round 3\)/);
    expect(standing).toMatch(new RegExp(`person:reviewer: approved ${pending[0]!.id} .*\\[audit #\\d+\\]`));
    expect(standing).toMatch(/~~P1~~ npm test: exit 1 — passed in round 2; open in round 1/);
    expect(standing).toMatch(/screenshot: \[artifacts\/round-\d\/screenshot\.png\]/);
    expect(standing).toContain("goal verified: yes, in round 3");
  });

  it("rollback 1 puts the buggy cart back and keeps the later evidence", async () => {
    const back = await worksite(demo, "rollback", "1", "--yes");
    expect(back.code, back.err).toBe(0);
    expect(await readFile(join(demo, "src", "cart.js"), "utf8")).not.toContain("item.quantity");
    expect(existsSync(join(demo, "artifacts", "round-3", "report.md"))).toBe(true);
  });

  it("a changed byte in the audit log is found and named", async () => {
    const path = join(demo, ".worksite", "audit.jsonl");
    const text = await readFile(path, "utf8");
    await writeFile(path, text.replace('"actor":"agent"', '"actor":"agenT"'));
    const verify = await worksite(demo, "audit", "verify");
    expect(verify.code).toBe(1);
    expect(verify.out + verify.err).toMatch(/audit\.jsonl:\d+/);
  });
});
