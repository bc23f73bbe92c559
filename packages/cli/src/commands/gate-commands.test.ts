import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, tempWorksite } from "../test-support/cli-harness.js";
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
    expect(r.err).toMatch(/^refused: `rm -rf src`: forbidden by `shell\.run\(rm -rf\)` at PERMISSIONS\.md:12\n/);
    expect(r.err).not.toContain("refused: refused");
    expect(existsSync(join(root, "src/a.txt"))).toBe(true);
  });

  it("call of a command that exits non-zero prints its output and exits 1; one that exits 0 exits 0", async () => {
    const root = await tempWorksite(
      {
        "THREAD.md": "---\nstage: write\n---\n# t\n",
        "GOAL.md": "## Goal\nx\n",
        "PERMISSIONS.md": "# Permissions\n\n## Allow\n- `shell.run(sh)`\n- `shell.run(true)`\n",
      },
      "worksite-gate-cli-",
    );
    const failed = await cli(root, "call", "shell.run", JSON.stringify({ command: "sh -c 'echo partial; exit 3'" }));
    expect(failed.code).toBe(1);
    expect(failed.out).toContain("exit code 3");
    expect(failed.out).toContain("partial");
    expect(failed.err).toContain("shell.run: the command exited with 3");
    expect((await cli(root, "call", "shell.run", JSON.stringify({ command: "sh -c 'exit 3'" }), "--json")).code).toBe(
      1,
    );
    expect((await cli(root, "call", "shell.run", JSON.stringify({ command: "true" }))).code).toBe(0);
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

    const json = JSON.parse((await cli(root, "approvals", "--json", "--all")).out) as {
      approvals: { id: string; status: string; approvedBy?: string }[];
    };
    expect(json.approvals.find((a) => a.id === approvalId)).toMatchObject({
      status: "consumed",
      approvedBy: "person:alice",
    });
  });

  it("deny records the reason; approving it afterwards is refused", async () => {
    const root = await gateWorksite();
    const { approvalId } = JSON.parse((await cli(root, "call", "file.write", writeSrc("x"), "--json")).out) as {
      approvalId: string;
    };
    const denied = await cli(root, "deny", approvalId, "--reason", "not now");
    expect(denied.out).toContain(`denied ${approvalId}`);
    const again = await cli(root, "approve", approvalId);
    expect(again.code).toBe(1);
    expect(again.err).toContain("already denied");
  });

  it("approve --for-thread writes a visible grant that approvals --revoke takes back", async () => {
    const root = await gateWorksite();
    const { approvalId } = JSON.parse((await cli(root, "call", "file.write", writeSrc("1\n"), "--json")).out) as {
      approvalId: string;
    };
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
    const drafted = await cli(
      root,
      "call",
      "file.write",
      JSON.stringify({ path: "notes/n.md", content: "hi\n" }),
      "--json",
    );
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
    const all = JSON.parse((await cli(root, "drafts", "--all", "--json")).out) as {
      drafts: { status: string; executedBy: string }[];
    };
    expect(all.drafts[0]).toMatchObject({ status: "executed", executedBy: "person:alice" });
  });

  it("deny discards a draft so it can never run", async () => {
    const root = await gateWorksite("draft");
    const { draftId } = JSON.parse(
      (await cli(root, "call", "file.write", JSON.stringify({ path: "notes/n.md", content: "x" }), "--json")).out,
    ) as { draftId: string };
    expect((await cli(root, "deny", draftId, "--reason", "wrong file")).code).toBe(0);
    expect((await cli(root, "approve", draftId)).code).toBe(1);
    expect(existsSync(join(root, "notes/n.md"))).toBe(false);
  });

  it("call of a mistyped tool suggests the nearest tool instead of listing them all", async () => {
    const root = await gateWorksite();
    const r = await cli(root, "call", "shel.run", '{"command":"ls"}');
    expect(r.code).toBe(1);
    expect(r.err).toContain('error: unknown tool "shel.run": did you mean shell.run?');
    expect(r.err).toContain("hint: worksite call --list");
    expect(r.err).not.toContain("file.read");
    const listed = await cli(root, "call", "--list");
    expect(listed.code).toBe(0);
    expect(listed.out).toMatch(/^shell\.run +external +/m);
    expect(listed.out).toMatch(/^file\.read +read +/m);
  });

  it("says a one-byte write is 1 byte, and a draft's outcome once", async () => {
    const root = await gateWorksite();
    const one = await cli(root, "call", "file.write", JSON.stringify({ path: "notes/x.md", content: "x" }));
    expect(one).toMatchObject({ code: 0, out: "created notes/x.md (1 byte)\n" });
    const drafting = await gateWorksite("draft");
    const drafted = await cli(drafting, "call", "file.write", JSON.stringify({ path: "notes/n.md", content: "hi\n" }));
    expect(drafted.code).toBe(0);
    expect(drafted.out).toMatch(/^drafted, nothing was sent: /);
    expect(drafted.out).not.toContain("drafted: drafted");
  });

  it("approve says when the approved call runs, and that a thread grant lasts until revoked", async () => {
    const root = await gateWorksite();
    const { approvalId } = JSON.parse((await cli(root, "call", "file.write", writeSrc("1\n"), "--json")).out) as {
      approvalId: string;
    };
    const once = await cli(root, "approve", approvalId, "--expires", "10m");
    expect(once.out).toMatch(
      /the next identical call runs it once, if it comes before \d{4}-\d\d-\d\dT[\d:.]+Z \(a run takes it at the start of its next round; a `worksite call … --wait` that is still waiting runs it now\)/,
    );
    expect(once.out).not.toContain("now if the call is waiting");
    const second = JSON.parse((await cli(root, "call", "file.write", writeSrc("2\n"), "--json")).out) as {
      approvalId: string;
    };
    const granted = await cli(root, "approve", second.approvalId, "--for-thread", "--expires", "10m");
    expect(granted.out).toMatch(
      /granted for this thread as gr_\w+; the grant does not expire until revoked: .*worksite approvals --revoke gr_\w+/,
    );
  });

  it("approvals, drafts and a pending call print commands that run from where the person is", async () => {
    const root = await gateWorksite("draft");
    const parent = dirname(root);
    const from = (...argv: string[]) =>
      runCli([...argv, "-w", root], parent, { WORKSITE_USER: "alice", WORKSITE_CMD: "pnpm worksite" });
    const drafted = await from("call", "file.write", JSON.stringify({ path: "notes/n.md", content: "x" }));
    const draftId = /dr_[0-9a-zA-Z]+/.exec(drafted.out)![0];
    expect(drafted.out).toContain(`pnpm worksite approve ${draftId} --worksite ${basename(root)})`);
    expect((await from("drafts")).out).toContain(
      `run it once: pnpm worksite approve ${draftId} --worksite ${basename(root)}   discard: pnpm worksite deny ${draftId} --worksite ${basename(root)}`,
    );
    const pending = await from("call", "file.write", writeSrc("1\n"));
    expect(pending.code).toBe(3);
    const approvalId = /ap_[0-9a-zA-Z]+/.exec(pending.err)![0];
    expect(pending.err).toContain(`pnpm worksite approve ${approvalId} --worksite ${basename(root)}`);
    expect((await from("approvals")).out).toContain(
      `approve: pnpm worksite approve ${approvalId} --worksite ${basename(root)}`,
    );
  });

  it("--help documents the exit codes of call", async () => {
    const root = await gateWorksite();
    const r = await cli(root, "call", "--help");
    expect(r.out).toContain("3  waiting for a person");
  });
});
