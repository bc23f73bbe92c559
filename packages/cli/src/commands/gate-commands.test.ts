import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cliAsAlice as cli, gateWorksite } from "../test-support/gate-worksite.js";

const writeSrc = (content: string) => JSON.stringify({ path: "src/a.txt", content });

describe("worksite call, approvals, approve, deny, drafts", () => {
  it("call runs an allowed tool and exits 0", async () => {
    const root = await gateWorksite();
    const r = await cli(root, "call", "file.read", '{"path":"src/a.txt"}');
    expect(r).toMatchObject({ code: 0, out: "old\n" });
  });

  it("call of a forbidden command exits 1 naming the rule, and nothing runs", async () => {
    const root = await gateWorksite();
    const r = await cli(root, "call", "shell.run", '{"command":"rm -rf src"}');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/refused: refused by PERMISSIONS\.md:12 `shell\.run\(rm -rf\)`/);
    expect(existsSync(join(root, "src/a.txt"))).toBe(true);
  });

  it("call with bad JSON or a bad field is a clear error", async () => {
    const root = await gateWorksite();
    expect((await cli(root, "call", "file.read", "{path:")).err).toContain("the input is not JSON");
    const r = await cli(root, "call", "file.read", '{"paht":"x"}');
    expect(r.code).toBe(1);
    expect(r.err).toContain("file.read: invalid input — path:");
  });

  it("a confirm-tier call exits 3 with the id; approve lets exactly it run once; approvals lists what is waiting", async () => {
    const root = await gateWorksite();
    const pending = await cli(root, "call", "file.write", writeSrc("new\n"), "--json");
    expect(pending.code).toBe(3);
    const { approvalId } = JSON.parse(pending.out) as { approvalId: string };
    const listed = await cli(root, "approvals");
    expect(listed.out).toContain(`${approvalId}  pending`);
    expect(listed.out).toContain(`worksite approve ${approvalId}`);

    const approved = await cli(root, "approve", approvalId);
    expect(approved.code).toBe(0);
    expect(approved.out).toContain(`approved ${approvalId}: file.write src/a.txt`);
    // A different input still waits.
    expect((await cli(root, "call", "file.write", writeSrc("other\n"))).code).toBe(3);
    expect(await readFile(join(root, "src/a.txt"), "utf8")).toBe("old\n");
    expect((await cli(root, "call", "file.write", writeSrc("new\n"))).code).toBe(0);
    expect(await readFile(join(root, "src/a.txt"), "utf8")).toBe("new\n");
    expect((await cli(root, "call", "file.write", writeSrc("new\n"))).code).toBe(3);

    const json = JSON.parse((await cli(root, "approvals", "--json", "--all")).out) as { approvals: { id: string; status: string; approvedBy?: string }[] };
    expect(json.approvals.find((a) => a.id === approvalId)).toMatchObject({ status: "consumed", approvedBy: "person:alice" });
  });

  it("deny records the reason; approving it afterwards is refused", async () => {
    const root = await gateWorksite();
    const { approvalId } = JSON.parse((await cli(root, "call", "file.write", writeSrc("x"), "--json")).out) as { approvalId: string };
    const denied = await cli(root, "deny", approvalId, "--reason", "not now");
    expect(denied.out).toContain(`denied ${approvalId}`);
    const again = await cli(root, "approve", approvalId);
    expect(again.code).toBe(1);
    expect(again.err).toContain("already denied");
  });

  it("approve --for-thread writes a visible grant that approvals --revoke takes back", async () => {
    const root = await gateWorksite();
    const { approvalId } = JSON.parse((await cli(root, "call", "file.write", writeSrc("1\n"), "--json")).out) as { approvalId: string };
    const approved = await cli(root, "approve", approvalId, "--for-thread", "--json");
    const grantId = (JSON.parse(approved.out) as { grant: { id: string } }).grant.id;
    expect((await cli(root, "approvals")).out).toContain(`${grantId}  file.write src/a.txt`);
    expect((await cli(root, "call", "file.write", writeSrc("1\n"))).code).toBe(0);
    expect((await cli(root, "call", "file.write", writeSrc("2\n"))).code).toBe(0);
    expect((await cli(root, "approvals", "--revoke", grantId)).code).toBe(0);
    expect((await cli(root, "call", "file.write", writeSrc("3\n"))).code).toBe(3);
    expect(await readFile(join(root, "src/a.txt"), "utf8")).toBe("2\n");
  });

  it("in the draft stage a write becomes a draft; drafts lists it and approve runs it once", async () => {
    const root = await gateWorksite("draft");
    const drafted = await cli(root, "call", "file.write", JSON.stringify({ path: "notes/n.md", content: "hi\n" }), "--json");
    expect(drafted.code).toBe(0);
    const { draftId, draft } = JSON.parse(drafted.out) as { draftId: string; draft: { path: string; kind: string } };
    expect(draft.kind).toBe("draft");
    expect(existsSync(join(root, "notes/n.md"))).toBe(false);
    expect((await cli(root, "drafts")).out).toContain(`${draftId}  open  would create notes/n.md`);
    const ran = await cli(root, "approve", draftId);
    expect(ran.code).toBe(0);
    expect(await readFile(join(root, "notes/n.md"), "utf8")).toBe("hi\n");
    expect((await cli(root, "approve", draftId)).code).toBe(1);
    expect((await cli(root, "drafts")).out).toContain("no open drafts");
    const all = JSON.parse((await cli(root, "drafts", "--all", "--json")).out) as { drafts: { status: string; executedBy: string }[] };
    expect(all.drafts[0]).toMatchObject({ status: "executed", executedBy: "person:alice" });
  });

  it("deny discards a draft so it can never run", async () => {
    const root = await gateWorksite("draft");
    const { draftId } = JSON.parse((await cli(root, "call", "file.write", JSON.stringify({ path: "notes/n.md", content: "x" }), "--json")).out) as { draftId: string };
    expect((await cli(root, "deny", draftId, "--reason", "wrong file")).code).toBe(0);
    expect((await cli(root, "approve", draftId)).code).toBe(1);
    expect(existsSync(join(root, "notes/n.md"))).toBe(false);
  });

  it("--help documents the exit codes of call", async () => {
    const root = await gateWorksite();
    const r = await cli(root, "call", "--help");
    expect(r.out).toContain("3  waiting for a person");
  });
});
