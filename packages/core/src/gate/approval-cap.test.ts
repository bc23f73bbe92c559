import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openAuditLog } from "../audit/audit-log.js";
import { parseGoal, parsePermissions } from "../files/index.js";
import { corePlugins } from "../tools/index.js";
import { approvalsDir, deny, denyRun, listApprovals } from "./approvals.js";
import { createGate, DEFAULT_PENDING_APPROVALS } from "./gate.js";
import { tempDir } from "@worksite/test-support";

/*
 * Issue 20 item 5: an agent filed 2,001 approval requests in one run, each
 * slower than the last, in random order, burying the one that mattered. Now a
 * run stops filing at a cap (GOAL.md `pause: { pendingApprovals: N }`), asking
 * again for the same call finds its request without reading the others, the
 * list is in the order requested, and one command denies a run's requests.
 */
const PERMISSIONS = "# Permissions\n\n## Confirm\n- `file.write`\n";
const roots: string[] = [];
afterAll(async () => {
  for (const r of roots) await rm(r, { recursive: true, force: true });
});

async function worksite(goalText?: string, run = "run-flood") {
  const root = await tempDir("worksite-cap-");
  roots.push(root);
  const permissions = parsePermissions(PERMISSIONS, { file: join(root, "PERMISSIONS.md"), root });
  const goal = goalText ? parseGoal(goalText, { file: join(root, "GOAL.md") }) : undefined;
  const audit = openAuditLog(join(root, ".worksite", "audit.jsonl"));
  const make = (r: string) =>
    createGate({
      root,
      worksite: { permissions, ...(goal ? { goal } : {}) },
      plugins: corePlugins(),
      audit,
      actor: "agent",
      run: r,
      round: 1,
    });
  return { root, gate: make(run), make };
}

const write = (n: number) => ({ tool: "file.write", input: { path: `src/${n}.txt`, content: `${n}\n` } });

describe("pending approvals of a run", () => {
  it("stop at the cap GOAL.md sets: further requests are refused with words a person understands, and nothing more is filed", async () => {
    const { root, gate } = await worksite("---\npause: { pendingApprovals: 3 }\n---\n# Goal\nShip it.\n");
    const outcomes = [];
    for (let n = 1; n <= 5; n++) outcomes.push(await gate.call(write(n)));
    expect(outcomes.map((o) => o.status)).toEqual([
      "pending-approval",
      "pending-approval",
      "pending-approval",
      "refused",
      "refused",
    ]);
    const message = (outcomes[3] as { message: string }).message;
    expect(message).toContain("this run already has 3 requests waiting for a person");
    expect(message).toContain("pendingApprovals: 3");
    expect(message).toContain("worksite deny --run run-flood");
    expect(await listApprovals(root, { status: "pending" })).toHaveLength(3);
  });

  it("default to a cap of 20", async () => {
    const { root, gate } = await worksite();
    for (let n = 1; n <= DEFAULT_PENDING_APPROVALS + 3; n++) await gate.call(write(n));
    expect(DEFAULT_PENDING_APPROVALS).toBe(20);
    expect(await listApprovals(root, { status: "pending" })).toHaveLength(20);
  });

  it("still return the request already filed for the same call at the cap, and make room once a person decides", async () => {
    const { root, gate } = await worksite("---\npause: { pendingApprovals: 2 }\n---\n# Goal\nShip it.\n");
    const first = await gate.call(write(1));
    await gate.call(write(2));
    expect(await gate.call(write(1))).toMatchObject({
      status: "pending-approval",
      approvalId: (first as { approvalId: string }).approvalId,
    });
    expect((await gate.call(write(3))).status).toBe("refused");
    await deny(root, (first as { approvalId: string }).approvalId, { by: "person:alice" });
    expect((await gate.call(write(3))).status).toBe("pending-approval");
  });

  it("are listed in the order they were requested, however fast they came", async () => {
    const { root, gate } = await worksite("---\npause: { pendingApprovals: 50 }\n---\n# Goal\nShip it.\n");
    const ids: string[] = [];
    for (let n = 1; n <= 40; n++) ids.push(((await gate.call(write(n))) as { approvalId: string }).approvalId);
    expect((await listApprovals(root, { status: "pending" })).map((a) => a.id)).toEqual(ids);
  });

  it("are found again for the same call through one index file per call, not by reading every request", async () => {
    const { root, gate } = await worksite();
    const { approvalId } = (await gate.call(write(1))) as { approvalId: string };
    const index = await readdir(join((await approvalsDir(root))!, "by-hash"));
    expect(index).toHaveLength(1);
    // Every other request file gone: the lookup still finds this one, so it never needed them.
    for (const name of await readdir((await approvalsDir(root))!))
      if (name.endsWith(".json") && name !== `${approvalId}.json`) await rm(join((await approvalsDir(root))!, name));
    expect(await gate.call(write(1))).toMatchObject({ approvalId });
  });

  it("can all be denied at once by run, leaving other runs' requests waiting", async () => {
    const { root, gate, make } = await worksite();
    for (let n = 1; n <= 4; n++) await gate.call(write(n));
    const other = await make("run-other").call(write(99));
    const denied = await denyRun(root, "run-flood", { by: "person:alice", reason: "flood" });
    expect(denied.map((d) => d.status)).toEqual(["denied", "denied", "denied", "denied"]);
    expect((await listApprovals(root, { status: "pending" })).map((a) => a.id)).toEqual([
      (other as { approvalId: string }).approvalId,
    ]);
  });
});
