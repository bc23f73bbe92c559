import { createHmac } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { canonicalJson } from "./call-hash.js";
import { findGrant, listApprovals, listGrants } from "./approvals.js";
import { sealKey } from "./person-seal.js";
import { tempDir } from "@worksite/test-support";

/*
 * A worksite from before approvals moved to the person's state folder still
 * has `.worksite/approvals/`. At the first look its waiting requests move over
 * as pending (an old approval's seal did not cover its status, so a person
 * decides again), grants whose old seal holds are sealed anew, a grant without
 * a valid seal is dropped, and the old folder is renamed with a note.
 */
const roots: string[] = [];
afterAll(async () => {
  for (const r of roots) await rm(r, { recursive: true, force: true });
});

const record = (id: string, status: string) => ({
  id,
  tool: "shell.run",
  input: { command: "npm publish" },
  target: "npm publish",
  callHash: "a".repeat(64),
  decision: { tier: "confirm", reason: "no rule" },
  requestedBy: "agent",
  created: "2026-01-01T00:00:00.000Z",
  status,
});

describe("an older worksite's .worksite/approvals/", () => {
  it("moves waiting requests over as pending and sealed grants over, drops unsealed ones, and leaves a note", async () => {
    const root = await tempDir("worksite-legacy-");
    roots.push(root);
    const legacy = join(root, ".worksite", "approvals");
    await mkdir(join(legacy, "grants"), { recursive: true });
    await mkdir(join(legacy, "used"), { recursive: true });
    await writeFile(join(legacy, "ap_1111111111.json"), JSON.stringify(record("ap_1111111111", "pending")));
    await writeFile(
      join(legacy, "ap_2222222222.json"),
      JSON.stringify({ ...record("ap_2222222222", "approved"), approvedBy: "person:alice", seal: "b".repeat(64) }),
    );
    await writeFile(join(legacy, "used", "ap_3333333333.json"), JSON.stringify(record("ap_3333333333", "consumed")));
    const key = (await sealKey({ create: true }))!;
    const grant = {
      id: "gr_4444444444",
      tool: "browser.open",
      target: "https://example.com/",
      by: "person:alice",
      created: "2026-01-01T00:00:00.000Z",
    };
    const oldSeal = createHmac("sha256", key)
      .update(canonicalJson({ kind: "grant", id: grant.id, tool: grant.tool, target: grant.target, by: grant.by }))
      .digest("hex");
    await writeFile(join(legacy, "grants", "gr_4444444444.json"), JSON.stringify({ ...grant, seal: oldSeal }));
    await writeFile(
      join(legacy, "grants", "gr_5555555555.json"),
      JSON.stringify({ ...grant, id: "gr_5555555555", target: "https://evil.example/", seal: "c".repeat(64) }),
    );

    const approvals = await listApprovals(root);
    expect(approvals.map((a) => [a.id, a.status, a.seal ?? null])).toEqual([
      ["ap_1111111111", "pending", null],
      ["ap_2222222222", "pending", null],
    ]);
    expect((await listGrants(root)).map((g) => g.id)).toEqual(["gr_4444444444"]);
    expect(await findGrant(root, "browser.open", "https://example.com/")).toMatchObject({ id: "gr_4444444444" });
    expect(existsSync(legacy)).toBe(false);
    expect(await readFile(join(root, ".worksite", "approvals.moved", "MOVED.txt"), "utf8")).toContain(
      "2 waiting request(s) moved there as pending",
    );
  });
});
