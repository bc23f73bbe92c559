import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openAuditLog } from "../audit/audit-log.js";
import { parsePermissions } from "../files/index.js";
import { corePlugins } from "../tools/index.js";
import { approvalsDir, approve, deny } from "./approvals.js";
import { createGate } from "./gate.js";
import { approvalSealFields, seal, sealKey } from "./person-seal.js";
import type { ApprovalRecord, GateOutcome } from "./types.js";
import { tempDir } from "@worksite/test-support";

/*
 * Issue 11 item 3: an approval is used once. Its file can be put back as it
 * was when approved (the old seal then holds), or rewritten and re-sealed by
 * someone who read the key; the audit log's record of the use still stops it.
 * A record written without the key lets nothing run, and the seal covers every
 * field, status included.
 */
const PERMISSIONS = `# Permissions

## Allow
- \`file.write(src/**)\`

## Confirm
- \`file.write(deploy/**)\`
`;

const roots: string[] = [];
afterAll(async () => {
  for (const r of roots) await rm(r, { recursive: true, force: true });
});

async function worksite() {
  const root = await tempDir("worksite-replay-");
  roots.push(root);
  await writeFile(join(root, "PERMISSIONS.md"), PERMISSIONS);
  await mkdir(join(root, "deploy"));
  const permissions = parsePermissions(PERMISSIONS, { file: join(root, "PERMISSIONS.md"), root });
  const audit = openAuditLog(join(root, ".worksite", "audit.jsonl"));
  const gate = createGate({
    root,
    worksite: { permissions },
    plugins: corePlugins(),
    audit,
    actor: "agent",
    run: "run-replay",
    round: 1,
  });
  return { root, gate, audit };
}

const deploy = (n: number) => ({
  tool: "file.write",
  input: { path: "deploy/release.txt", content: `release ${n}\n` },
});
const idOf = (o: GateOutcome) => (o.status === "pending-approval" ? o.approvalId : "");
const file = async (root: string, id: string, where: "" | "used" = "") =>
  join((await approvalsDir(root))!, where, `${id}.json`);
/** Sealed as the person's channel seals: what someone holding the key (stolen, or a made-up one) can do. */
const reseal = (key: Buffer, record: object) => {
  const { seal: _s, ...rest } = record as ApprovalRecord;
  return { ...rest, seal: seal(key, approvalSealFields(rest)) };
};

describe("a used approval", () => {
  it("put back byte for byte as it was when approved (its old seal holds) is not honoured again", async () => {
    const { root, gate, audit } = await worksite();
    const id = idOf(await gate.call(deploy(1)));
    await approve(root, id, { by: "person:alice" });
    const asApproved = await readFile(await file(root, id), "utf8");
    expect((await gate.call(deploy(1))).status).toBe("ok");
    await writeFile(join(root, "deploy/release.txt"), "rolled back\n");

    // The replay: the approved record goes back where the gate looks, as an allowed command could once put it.
    await writeFile(await file(root, id), asApproved);
    const again = await gate.call(deploy(1));
    expect(again.status).toBe("pending-approval");
    expect(await readFile(join(root, "deploy/release.txt"), "utf8")).toBe("rolled back\n");
    const replay = (await audit.entries()).find((e) => e.data?.replayed === true);
    expect(replay).toMatchObject({
      outcome: "refused",
      message: expect.stringContaining(`approval ${id} was already used`),
    });
  });

  it("rewritten to approved and re-sealed with the stolen key is not honoured again", async () => {
    const { root, gate } = await worksite();
    const id = idOf(await gate.call(deploy(2)));
    await approve(root, id, { by: "person:alice" });
    expect((await gate.call(deploy(2))).status).toBe("ok");
    await writeFile(join(root, "deploy/release.txt"), "rolled back\n");

    const used = JSON.parse(await readFile(await file(root, id, "used"), "utf8")) as ApprovalRecord;
    const { consumedAt: _c, ...rest } = used;
    const forged = reseal((await sealKey({ create: false }))!, { ...rest, status: "approved" });
    await writeFile(await file(root, id), JSON.stringify(forged));
    await writeFile(await file(root, id, "used"), JSON.stringify(forged));
    expect((await gate.call(deploy(2))).status).toBe("pending-approval");
    expect(await readFile(join(root, "deploy/release.txt"), "utf8")).toBe("rolled back\n");
  });
});

describe("an approval record", () => {
  it("written without the key lets nothing run", async () => {
    const { root, gate } = await worksite();
    const id = idOf(await gate.call(deploy(3)));
    const pending = JSON.parse(await readFile(await file(root, id), "utf8")) as ApprovalRecord;
    await writeFile(
      await file(root, id),
      JSON.stringify(reseal(Buffer.alloc(32, 7), { ...pending, status: "approved", approvedBy: "person:alice" })),
    );
    expect((await gate.call(deploy(3))).status).toBe("pending-approval");
    expect(existsSync(join(root, "deploy/release.txt"))).toBe(false);
  });

  it("keeps its seal only while every field is as the person approved it: a denial turned into an approval, or a new expiry, lets nothing run", async () => {
    const { root, gate } = await worksite();
    const id = idOf(await gate.call(deploy(4)));
    const { approval } = await approve(root, id, { by: "person:alice", expiresInMs: 60_000 });
    // The same seal on a record whose expiry was pushed out.
    await writeFile(
      await file(root, id),
      JSON.stringify({ ...approval, expires: new Date(Date.now() + 365 * 86_400_000).toISOString() }),
    );
    expect((await gate.call(deploy(4))).status).toBe("pending-approval");

    const other = idOf(await gate.call(deploy(5)));
    const denied = await deny(root, other, { by: "person:bob", reason: "no" });
    // A denied record flipped to approved, with the seal of an approved record of another id.
    await writeFile(
      await file(root, other),
      JSON.stringify({ ...denied, status: "approved", approvedBy: "person:bob", seal: approval.seal }),
    );
    expect((await gate.call(deploy(5))).status).toBe("pending-approval");
    expect(existsSync(join(root, "deploy/release.txt"))).toBe(false);
  });
});
