import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { listApprovals, type GateOutcome } from "@worksite/core";
import { openCliSession } from "../session-for-cli.js";
import { gateWorksite } from "../test-support/gate-worksite.js";

/*
 * The must-show of the permission gate: a confirm-tier call waits; `worksite
 * approve` run as ANOTHER PROCESS lets exactly that call run once; a second
 * identical call and a different input each need a new approval.
 */

const repo = fileURLToPath(new URL("../../../../", import.meta.url));
// The other process is the real `worksite` binary, built by the suite's global setup.
const bin = join(repo, "packages/cli/dist/bin.js");
const run = promisify(execFile);

async function pendingIds(root: string): Promise<string[]> {
  return (await listApprovals(root, { status: "pending" })).map((a) => a.id);
}

async function waitForPending(root: string, except: string[] = []): Promise<string> {
  for (let i = 0; i < 300; i++) {
    const fresh = (await pendingIds(root)).filter((id) => !except.includes(id));
    if (fresh[0]) return fresh[0];
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("no approval request appeared");
}

const approveElsewhere = (root: string, id: string) =>
  run(process.execPath, [bin, "approve", id, "-w", root], { env: { ...process.env, WORKSITE_USER: "alice" } });

describe("approval from another process", () => {
  it("a waiting confirm-tier call runs exactly once after `worksite approve` in another process; a repeat or a different input needs a new approval", async () => {
    const root = await gateWorksite();
    const session = await openCliSession(root, { actor: "agent" });
    const call = (content: string, waitForApprovalMs = 0) =>
      session.gate.call({ tool: "file.write", input: { path: "src/a.txt", content }, waitForApprovalMs });

    const waiting = call("approved once\n", 20_000);
    let settled = false;
    void waiting.finally(() => (settled = true));
    const id = await waitForPending(root);
    // It is waiting: its request is pending, the call has not returned, nothing is written yet.
    expect(settled).toBe(false);
    expect(await readFile(join(root, "src/a.txt"), "utf8")).toBe("old\n");

    const { stdout } = await approveElsewhere(root, id);
    expect(stdout).toContain(`approved ${id}`);
    const outcome = await waiting;
    expect(outcome.status).toBe("ok");
    expect(await readFile(join(root, "src/a.txt"), "utf8")).toBe("approved once\n");

    const results = (await session.audit.entries()).filter((e) => e.type === "result" && e.tool === "file.write");
    expect(results.map((e) => e.outcome)).toEqual(["ok"]);
    expect(
      (await session.audit.entries()).find((e) => e.type === "approval" && e.actor === "person:alice"),
    ).toBeDefined();

    const repeat = (await call("approved once\n")) as Extract<GateOutcome, { status: "pending-approval" }>;
    expect(repeat.status).toBe("pending-approval");
    expect(repeat.approvalId).not.toBe(id);
    const different = (await call("something else\n")) as Extract<GateOutcome, { status: "pending-approval" }>;
    expect(different.status).toBe("pending-approval");
    expect(different.approvalId).not.toBe(repeat.approvalId);

    // Approving the repeat does not let the different input run.
    await approveElsewhere(root, repeat.approvalId);
    expect((await call("something else\n")).status).toBe("pending-approval");
    expect(await readFile(join(root, "src/a.txt"), "utf8")).toBe("approved once\n");
    await session.dispose();
  });

  it("`worksite call --wait` in one process is released by `worksite approve` in another, and exits 0", async () => {
    const root = await gateWorksite();
    const child = spawn(
      process.execPath,
      [
        bin,
        "call",
        "file.write",
        JSON.stringify({ path: "src/b.txt", content: "from the cli\n" }),
        "--wait",
        "20",
        "-w",
        root,
      ],
      {
        env: { ...process.env, WORKSITE_USER: "bob" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    const id = await waitForPending(root);
    expect(existsSync(join(root, "src/b.txt"))).toBe(false);
    await approveElsewhere(root, id);
    expect(await exited).toBe(0);
    expect(stderr).toContain("waiting up to 20 s");
    expect(await readFile(join(root, "src/b.txt"), "utf8")).toBe("from the cli\n");
  });

  it("without --wait, call exits 3 and names the approve command", async () => {
    const root = await gateWorksite();
    const result = await run(process.execPath, [
      bin,
      "call",
      "file.write",
      JSON.stringify({ path: "src/c.txt", content: "x" }),
      "-w",
      root,
    ]).catch((e: { code: number; stderr: string }) => e);
    expect((result as { code: number }).code).toBe(3);
    expect((result as { stderr: string }).stderr).toMatch(/worksite approve ap_[0-9a-f]{10}/);
  });
});
