import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { PermissionsFile } from "../files/types.js";
import type { Rule, Stage, Tier } from "../policy/types.js";
import { openAuditLog } from "../audit/audit-log.js";
import { UserError } from "../errors.js";
import { definePlugin, defineTool } from "../plugin/define.js";
import type { Plugin } from "../plugin/types.js";
import { corePlugins } from "../tools/index.js";
import { approvalsDir, approve, deny, listApprovals, listGrants, revokeGrant } from "./approvals.js";
import { listDrafts } from "./drafts.js";
import { createGate } from "./gate.js";
import type { ApprovalRecord, GateOutcome } from "./types.js";
import { tempDir } from "@worksite/test-support";

function rule(tier: Tier, tool: string, specifier: string | undefined, line: number): Rule {
  const text = specifier === undefined ? tool : `${tool}(${specifier})`;
  return {
    tier,
    tool,
    ...(specifier !== undefined ? { specifier } : {}),
    text,
    source: { file: "PERMISSIONS.md", line },
    examples: { match: [], notMatch: [] },
  };
}

function permissions(rules: Rule[]): PermissionsFile {
  return {
    file: "PERMISSIONS.md",
    defaults: { read: "read-only", write: "confirm", external: "confirm" },
    rules,
    notes: [],
  };
}

const flaky = definePlugin({
  name: "test",
  tools: {
    boom: defineTool({
      description: "fails",
      effect: "read",
      input: z.object({}),
      run: async () => {
        throw new Error("kaboom");
      },
    }),
    setup: defineTool({
      description: "fails with what the person should do",
      effect: "read",
      input: z.object({}),
      run: async () => {
        throw new UserError("no Chromium found", { hint: "install the chromium package, or set WORKSITE_CHROMIUM" });
      },
    }),
    peek: defineTool({
      description: "asks about a redirect",
      effect: "read",
      targetKind: "url",
      input: z.object({ url: z.string() }),
      target: (i) => i.url,
      run: async (i, ctx) => ({ content: (await ctx.check("test.peek", i.url.replace("good", "evil"))).tier }),
    }),
    secret: defineTool({
      description: "needs confirm when typing a password",
      effect: "write",
      input: z.object({ field: z.string() }),
      target: (i) => i.field,
      minimumTier: (i) => (i.field === "password" ? "confirm" : undefined),
      run: async () => ({ content: "typed" }),
    }),
    listen: defineTool({
      description: "keeps the signal it was given",
      effect: "read",
      input: z.object({}),
      run: async (_i, ctx) => {
        signals.push(ctx.signal);
        return { content: String(ctx.signal.aborted) };
      },
    }),
  },
});
const signals: AbortSignal[] = [];

async function setup(rules: Rule[], stage: Stage = "write", plugins: Plugin[] = []) {
  const root = await tempDir("worksite-gate-");
  await mkdir(join(root, "src"));
  await writeFile(join(root, "PERMISSIONS.md"), "# Permissions\n");
  await writeFile(join(root, "src", "a.txt"), "old\n");
  const audit = openAuditLog(join(root, ".worksite", "audit.jsonl"));
  const gate = createGate({
    root,
    worksite: { permissions: permissions(rules) },
    stage,
    plugins: [...corePlugins(), flaky, ...plugins],
    audit,
    actor: "agent",
    run: "run-1",
    round: 1,
    pollMs: 20,
  });
  return { root, audit, gate };
}

const write = (path: string, content: string) => ({ tool: "file.write", input: { path, content } });

describe("the gate", () => {
  it("records a read call as one audit line holding its decision and outcome, and a write call's decision before it runs", async () => {
    const { gate, audit } = await setup([
      rule("allow", "file.read", "src/**", 3),
      rule("allow", "file.write", "src/**", 4),
    ]);
    let linesWhileWriting = -1;
    const watcher = definePlugin({
      name: "watch",
      tools: {
        change: defineTool({
          description: "a write tool that looks at the log while it runs",
          effect: "write",
          input: z.object({}),
          run: async () => {
            linesWhileWriting = (await readFile(audit.path, "utf8")).split("\n").filter(Boolean).length;
            return { content: "changed" };
          },
        }),
      },
    });
    expect((await gate.call({ tool: "file.read", input: { path: "src/a.txt" } })).status).toBe("ok");
    const [read] = await audit.entries();
    expect(read).toMatchObject({ type: "decision", tool: "file.read", tier: "allow", outcome: "ok" });
    expect(read!.decidedBy).toBe("rule PERMISSIONS.md:3");
    expect(read!.callHash).toMatch(/^[0-9a-f]{64}$/);
    expect(typeof read!.durationMs).toBe("number");

    const writer = createGate({
      root: dirname(dirname(audit.path)),
      worksite: { permissions: permissions([rule("allow", "watch.change", undefined, 5)]) },
      plugins: [watcher],
      audit,
      actor: "agent",
      run: "run-1",
      round: 1,
    });
    expect((await writer.call({ tool: "watch.change", input: {} })).status).toBe("ok");
    // While the write tool ran, its decision was already in the log: the read call's line plus this decision.
    expect(linesWhileWriting).toBe(2);
    expect((await audit.entries()).slice(1).map((e) => [e.type, e.outcome ?? null])).toEqual([
      ["decision", null],
      ["result", "ok"],
    ]);
  });

  it("an allowed call runs and leaves a decision and a result in the audit log, bound by the call hash", async () => {
    const { root, gate, audit } = await setup([rule("allow", "file.write", "src/**", 3)]);
    const outcome = await gate.call(write("src/b.txt", "new"));
    expect(outcome.status).toBe("ok");
    expect(await readFile(join(root, "src/b.txt"), "utf8")).toBe("new");
    const entries = await audit.entries();
    expect(entries.map((e) => [e.type, e.outcome ?? null])).toEqual([
      ["decision", null],
      ["result", "ok"],
    ]);
    expect(entries[0]!.decidedBy).toBe("rule PERMISSIONS.md:3");
    expect(entries[0]!.callHash).toMatch(/^[0-9a-f]{64}$/);
    expect(entries[1]!.callHash).toBe(entries[0]!.callHash);
    expect((outcome as { auditSeq: number }).auditSeq).toBe(entries[1]!.seq);
  });

  it("refuses a forbidden call naming the rule, and nothing runs", async () => {
    const { root, gate, audit } = await setup([
      rule("allow", "shell.run", undefined, 2),
      rule("forbidden", "shell.run", "rm -rf", 12),
    ]);
    const outcome = await gate.call({ tool: "shell.run", input: { command: "rm -rf src" } });
    expect(outcome.status).toBe("refused");
    // The rule is named once, with its line: "refused: `rm -rf src`: forbidden by `shell.run(rm -rf)` at PERMISSIONS.md:12".
    const message = (outcome as { message: string }).message;
    expect(message).toMatch(/^refused: .*forbidden by `shell\.run\(rm -rf\)` at PERMISSIONS\.md:12/);
    expect(message.split("shell.run(rm -rf)")).toHaveLength(2);
    expect(message.split("PERMISSIONS.md:12")).toHaveLength(2);
    expect(existsSync(join(root, "src/a.txt"))).toBe(true);
    expect((await audit.entries()).at(-1)).toMatchObject({ type: "decision", outcome: "refused", tier: "forbidden" });
  });

  it("read-only runs reads and refuses writes", async () => {
    const { root, gate } = await setup([rule("read-only", "file.*", undefined, 4)]);
    expect((await gate.call({ tool: "file.read", input: { path: "src/a.txt" } })).status).toBe("ok");
    const refused = await gate.call(write("src/a.txt", "changed"));
    expect(refused.status).toBe("refused");
    expect(await readFile(join(root, "src/a.txt"), "utf8")).toBe("old\n");
  });

  it("the draft tier makes a draft artifact and writes nothing; approving the draft runs it exactly once", async () => {
    const { root, gate } = await setup([rule("allow", "file.*", undefined, 2)], "draft");
    const outcome = await gate.call(write("src/a.txt", "new content\n"));
    expect(outcome.status).toBe("drafted");
    const drafted = outcome as Extract<GateOutcome, { status: "drafted" }>;
    expect(await readFile(join(root, "src/a.txt"), "utf8")).toBe("old\n");
    expect(drafted.draft.kind).toBe("draft");
    const artifact = JSON.parse(await readFile(join(root, drafted.draft.path), "utf8"));
    expect(artifact).toMatchObject({ tool: "file.write", target: "src/a.txt", input: { path: "src/a.txt" } });
    expect(artifact.draft.body).toContain("-old");
    expect(artifact.draft.body).toContain("+new content");
    expect((await listDrafts(root)).map((d) => [d.id, d.status])).toEqual([[drafted.draftId, "open"]]);
    // Reads still run in the draft stage.
    expect((await gate.call({ tool: "file.read", input: { path: "src/a.txt" } })).status).toBe("ok");

    const ran = await gate.runDraft(drafted.draftId, { by: "person:alice" });
    expect(ran.status).toBe("ok");
    expect(await readFile(join(root, "src/a.txt"), "utf8")).toBe("new content\n");
    expect((await listDrafts(root))[0]).toMatchObject({ status: "executed", executedBy: "person:alice" });
    await writeFile(join(root, "src/a.txt"), "edited by hand\n");
    expect((await gate.runDraft(drafted.draftId, { by: "person:alice" })).status).toBe("error");
    expect(await readFile(join(root, "src/a.txt"), "utf8")).toBe("edited by hand\n");
  });

  it("a confirm call waits for approval; the approval lets exactly that call run once", async () => {
    const { root, gate } = await setup([rule("confirm", "file.write", undefined, 5)]);
    const first = await gate.call(write("src/a.txt", "one\n"));
    expect(first.status).toBe("pending-approval");
    const id = (first as { approvalId: string }).approvalId;
    expect((first as { message: string }).message).toContain(`worksite approve ${id}`);
    expect(await readFile(join(root, "src/a.txt"), "utf8")).toBe("old\n");
    // Asking again before anyone answers does not queue a second request.
    expect(((await gate.call(write("src/a.txt", "one\n"))) as { approvalId: string }).approvalId).toBe(id);

    await approve(root, id, { by: "person:alice" });
    // A different input is not covered by that approval.
    const other = await gate.call(write("src/a.txt", "two\n"));
    expect(other.status).toBe("pending-approval");
    expect((other as { approvalId: string }).approvalId).not.toBe(id);
    expect(await readFile(join(root, "src/a.txt"), "utf8")).toBe("old\n");

    expect((await gate.call(write("src/a.txt", "one\n"))).status).toBe("ok");
    expect(await readFile(join(root, "src/a.txt"), "utf8")).toBe("one\n");
    const again = await gate.call(write("src/a.txt", "one\n"));
    expect(again.status).toBe("pending-approval");
    expect((again as { approvalId: string }).approvalId).not.toBe(id);
    expect((await listApprovals(root)).find((a) => a.id === id)?.status).toBe("consumed");
  });

  it("a hand-written 'approved' record for another call lets nothing run", async () => {
    const { root, gate } = await setup([rule("confirm", "file.write", undefined, 5)]);
    const pending = (await gate.call(write("src/a.txt", "evil\n"))) as { approvalId: string };
    const forged: ApprovalRecord = {
      ...(JSON.parse(
        await readFile(join((await approvalsDir(root))!, `${pending.approvalId}.json`), "utf8"),
      ) as ApprovalRecord),
      status: "approved",
      approvedBy: "person:alice",
      callHash: "0".repeat(64),
    };
    await writeFile(join((await approvalsDir(root))!, `${pending.approvalId}.json`), JSON.stringify(forged));
    await writeFile(
      join((await approvalsDir(root))!, "ap_aaaaaaaaaa.json"),
      JSON.stringify({ ...forged, id: "ap_aaaaaaaaaa" }),
    );
    expect((await gate.call(write("src/a.txt", "evil\n"))).status).toBe("pending-approval");
    expect(await readFile(join(root, "src/a.txt"), "utf8")).toBe("old\n");
  });

  it("waits for a person, then runs once; a denial refuses with the reason", async () => {
    const { root, gate } = await setup([rule("confirm", "file.write", undefined, 5)]);
    const waiting = gate.call({ ...write("src/a.txt", "approved\n"), waitForApprovalMs: 5000 });
    const id = await pendingId(root);
    await approve(root, id, { by: "person:bob" });
    expect((await waiting).status).toBe("ok");
    expect(await readFile(join(root, "src/a.txt"), "utf8")).toBe("approved\n");

    const denied = gate.call({ ...write("src/a.txt", "denied\n"), waitForApprovalMs: 5000 });
    await deny(root, await pendingId(root), { by: "person:bob", reason: "not today" });
    const outcome = await denied;
    expect(outcome.status).toBe("refused");
    expect((outcome as { message: string }).message).toBe("denied by person:bob: not today");
    expect(await readFile(join(root, "src/a.txt"), "utf8")).toBe("approved\n");
  });

  it("a grant for the thread covers the same tool and target until it is revoked", async () => {
    const { root, gate } = await setup([rule("confirm", "file.write", undefined, 5)]);
    const first = (await gate.call(write("src/a.txt", "1\n"))) as { approvalId: string };
    const { grant } = await approve(root, first.approvalId, { by: "person:alice", forThread: true });
    expect(grant).toMatchObject({ tool: "file.write", target: "src/a.txt", by: "person:alice" });
    expect(await listGrants(root)).toHaveLength(1);
    expect((await gate.call(write("src/a.txt", "1\n"))).status).toBe("ok");
    expect((await gate.call(write("src/a.txt", "2\n"))).status).toBe("ok");
    expect((await gate.call(write("src/other.txt", "2\n"))).status).toBe("pending-approval");
    await revokeGrant(root, grant!.id, { by: "person:alice" });
    expect((await gate.call(write("src/a.txt", "3\n"))).status).toBe("pending-approval");
    expect(await readFile(join(root, "src/a.txt"), "utf8")).toBe("2\n");
  });

  it("an approval past its expiry no longer lets the call run", async () => {
    const { root, gate } = await setup([rule("confirm", "file.write", undefined, 5)]);
    const first = (await gate.call(write("src/a.txt", "late\n"))) as { approvalId: string };
    const { approval } = await approve(root, first.approvalId, { by: "person:alice", expiresInMs: 1 });
    // Wait for the clock to pass the recorded expiry, not for a guessed number of milliseconds.
    while (Date.now() <= Date.parse(approval.expires!)) await new Promise((r) => setTimeout(r, 1));
    expect((await gate.call(write("src/a.txt", "late\n"))).status).toBe("pending-approval");
  });

  it("a secret in a call's input reaches neither the approval file, the draft record, nor the audit log", async () => {
    const token = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8";
    const { root, gate } = await setup([
      rule("confirm", "file.write", "src/**", 5),
      rule("draft", "file.write", "notes/**", 6),
    ]);
    const pending = (await gate.call(write("src/env.txt", `TOKEN=${token}\n`))) as { approvalId: string };
    const drafted = (await gate.call(write("notes/env.txt", `TOKEN=${token}\n`))) as {
      draftId: string;
      status: string;
      draft: { path: string };
    };
    expect(drafted.status).toBe("drafted");
    const approvalFile = join((await approvalsDir(root))!, `${pending.approvalId}.json`);
    for (const file of [
      approvalFile,
      ...[
        `.worksite/drafts/${drafted.draftId}.json`,
        ".worksite/audit.jsonl",
        "artifacts/index.json",
        drafted.draft.path,
      ].map((f) => join(root, f)),
    ]) {
      expect(await readFile(file, "utf8")).not.toContain(token);
    }
    // The stored draft lost the secret, so it cannot be replayed faithfully: executing it is refused.
    expect((await gate.runDraft(drafted.draftId, { by: "person:alice" })).status).toBe("error");
    expect(existsSync(join(root, "notes/env.txt"))).toBe(false);
  });

  it("a bad input is an error naming the field; a failing tool is an error, not a crash", async () => {
    const { gate } = await setup([rule("allow", "*", undefined, 1)]);
    const bad = await gate.call({ tool: "file.write", input: { path: "x" } });
    expect(bad).toMatchObject({ status: "error" });
    expect((bad as { message: string }).message).toMatch(/^file\.write: invalid input — content: /);
    expect(await gate.call({ tool: "test.boom", input: {} })).toMatchObject({ status: "error", message: "kaboom" });
    expect(await gate.call({ tool: "nope.nothing", input: {} })).toMatchObject({ status: "error" });
  });

  it("a tool's error keeps its how-to-fix: the agent and the person reading the result learn the next step", async () => {
    const { gate, audit } = await setup([rule("allow", "*", undefined, 1)]);
    const failed = await gate.call({ tool: "test.setup", input: {} });
    expect(failed).toMatchObject({
      status: "error",
      message: "no Chromium found\nhint: install the chromium package, or set WORKSITE_CHROMIUM",
    });
    const logged = (await audit.entries()).find((e) => e.tool === "test.setup" && e.outcome === "error");
    expect(logged?.message).toContain("hint: install the chromium package");
  });

  it("a tool checking where it was redirected is decided and audited", async () => {
    const { gate, audit } = await setup([
      rule("allow", "test.peek", "https://good.test/**", 1),
      rule("forbidden", "test.peek", "https://evil.test/**", 2),
    ]);
    const outcome = await gate.call({ tool: "test.peek", input: { url: "https://good.test/a" } });
    expect(outcome).toMatchObject({ status: "ok", result: { content: "forbidden" } });
    expect((await audit.entries()).find((e) => e.type === "navigation")).toMatchObject({
      target: "https://evil.test/a",
      outcome: "blocked",
    });
  });

  it("a tool can raise its own call to confirm (a password field)", async () => {
    const { gate } = await setup([rule("allow", "test.secret", undefined, 1)]);
    expect((await gate.call({ tool: "test.secret", input: { field: "name" } })).status).toBe("ok");
    expect((await gate.call({ tool: "test.secret", input: { field: "password" } })).status).toBe("pending-approval");
  });

  it("gives each call made without a signal one of its own, which a tool can listen on, and a caller's signal as it is", async () => {
    const { gate } = await setup([rule("allow", "test.listen", undefined, 1)]);
    signals.length = 0;
    expect(await gate.call({ tool: "test.listen", input: {} })).toMatchObject({
      status: "ok",
      result: { content: "false" },
    });
    await gate.call({ tool: "test.listen", input: {} });
    const controller = new AbortController();
    await gate.call({ tool: "test.listen", input: {}, signal: controller.signal });
    expect(signals).toHaveLength(3);
    expect(signals.every((s) => s instanceof AbortSignal)).toBe(true);
    // Not one signal shared by every call: listeners a tool leaves behind go with its call.
    expect(signals[0]).not.toBe(signals[1]);
    expect(signals[2]).toBe(controller.signal);
  });

  it("hands a tool a context it may take apart: its channels work unbound, and its artifact store is one per call", async () => {
    const parts = definePlugin({
      name: "parts",
      tools: {
        use: defineTool({
          description: "uses its context's members as plain values",
          effect: "read",
          input: z.object({}),
          run: async (_i, ctx) => {
            const { check, decide, note, artifacts, log, signal, worksite, run, round, actor } = ctx;
            const asked = await check("test.peek", "https://evil.example/");
            const told = decide?.("test.peek", "https://evil.example/");
            await note?.({ tool: "parts.use", outcome: "blocked", message: "a request it stopped itself" });
            log.info("seen");
            const a = await artifacts.write({ name: "a.md", kind: "markdown", data: "# a\n" });
            const b = await ctx.artifacts.write({ name: "b.md", kind: "markdown", data: "# b\n" });
            return {
              content: JSON.stringify({
                asked: asked.tier,
                told: told?.tier,
                same: artifacts === ctx.artifacts,
                aborted: signal.aborted,
                where: [worksite, run, round, actor],
                paths: [a.path, b.path],
              }),
            };
          },
        }),
      },
    });
    const { root, gate, audit } = await setup([rule("allow", "parts.use", undefined, 1)], "write", [parts]);
    const outcome = await gate.call({ tool: "parts.use", input: {} });
    expect(outcome.status).toBe("ok");
    const seen = JSON.parse(outcome.status === "ok" ? outcome.result.content : "{}");
    expect(seen).toEqual({
      asked: "read-only",
      told: "read-only",
      same: true,
      aborted: false,
      where: [root, "run-1", 1, "agent"],
      paths: ["artifacts/round-1/a.md", "artifacts/round-1/b.md"],
    });
    // Both artifacts are the call's, whichever way the store was reached.
    expect(outcome.status === "ok" && outcome.result.artifacts?.map((a) => a.path)).toEqual(seen.paths);
    const entries = await audit.entries();
    expect(
      entries.some((e) => e.type === "navigation" && e.tool === "test.peek" && e.target === "https://evil.example/"),
    ).toBe(true);
    expect(entries.some((e) => e.type === "navigation" && e.message === "a request it stopped itself")).toBe(true);
    await gate.dispose();
  });

  it("stopping a call kills the running command", async () => {
    const { root, gate } = await setup([
      rule("allow", "shell.run", undefined, 1),
      rule("allow", "file.write", "started.txt", 2),
    ]);
    const controller = new AbortController();
    const running = gate.call({
      tool: "shell.run",
      input: { command: "echo started > started.txt && sleep 20" },
      signal: controller.signal,
    });
    // Stop it once the command is really running (it wrote its file), not after a guessed delay.
    for (let i = 0; i < 400 && !existsSync(join(root, "started.txt")); i++) await new Promise((r) => setTimeout(r, 25));
    expect(existsSync(join(root, "started.txt"))).toBe(true);
    controller.abort();
    // Were the command not killed, the call would wait out its 20 s sleep and the test would time out.
    expect((await running).status).toBe("aborted");
  }, 30_000);
});

async function pendingId(root: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const pending = await listApprovals(root, { status: "pending" });
    if (pending[0]) return pending[0].id;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("no pending approval appeared");
}
