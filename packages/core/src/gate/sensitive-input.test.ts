import { existsSync } from "node:fs";
import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import type { PermissionsFile } from "../files/types.js";
import type { Tier } from "../policy/types.js";
import { openAuditLog } from "../audit/audit-log.js";
import { definePlugin, defineTool } from "../plugin/define.js";
import { approvalsDir, approve } from "./approvals.js";
import { createGate } from "./gate.js";
import { SENSITIVE_INPUT } from "./sensitive-input.js";
import type { ApprovalRecord, DraftRecord, GateOutcome } from "./types.js";
import { tempDir } from "@worksite/test-support";

// An ordinary password: nothing about it looks like a token to the secret scanner.
const PASSWORD = "correct horse battery staple";
const LOGIN = "https://example.test/login";

let runs = 0;
const form = definePlugin({
  name: "form",
  tools: {
    // Like browser.type: only live state (the field is a password field) makes the call need a person.
    type: defineTool({
      description: "types into a field",
      effect: "external",
      targetKind: "url",
      input: z.object({ field: z.string(), text: z.string() }),
      target: () => LOGIN,
      minimumTier: (i) => (i.field === "password" ? "confirm" : undefined),
      run: async (i, ctx) => {
        runs += 1;
        // A careless tool echoing what it typed into an artifact: the gate still keeps the value off the disk.
        await ctx.artifacts.write({ name: "typed.log", kind: "log", data: `typed ${i.text} into ${i.field}\n` });
        return { content: `typed ${i.text.length} characters` };
      },
    }),
    note: defineTool({
      description: "writes a note; a private one only as a draft",
      effect: "write",
      input: z.object({ private: z.boolean(), text: z.string() }),
      target: () => "notes/today.md",
      minimumTier: (i) => (i.private ? "draft" : undefined),
      run: async () => ({ content: "written" }),
    }),
    fail: defineTool({
      description: "fails repeating its input",
      effect: "external",
      input: z.object({ text: z.string() }),
      minimumTier: () => "confirm",
      run: async (i) => {
        throw new Error(`the page rejected ${i.text}`);
      },
    }),
  },
});

const allowAll: PermissionsFile = {
  file: "PERMISSIONS.md",
  defaults: { read: "read-only", write: "confirm", external: "confirm" },
  rules: [
    {
      tier: "allow" as Tier,
      tool: "form.*",
      text: "form.*",
      source: { file: "PERMISSIONS.md", line: 3 },
      examples: { match: [], notMatch: [] },
    },
  ],
  notes: [],
};

const roots: string[] = [];
afterEach(async () => {
  await Promise.all(roots.splice(0).map((r) => rm(r, { recursive: true, force: true })));
});

async function setup() {
  const root = await tempDir("worksite-sensitive-");
  roots.push(root);
  const audit = openAuditLog(join(root, ".worksite", "audit.jsonl"));
  const gate = createGate({
    root,
    worksite: { permissions: allowAll },
    plugins: [form],
    audit,
    actor: "agent",
    run: "run-1",
    round: 1,
  });
  return { root, audit, gate };
}

/** Every file under .worksite/ and artifacts/, with its text. */
async function storedFiles(root: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const top of [".worksite", "artifacts"]) {
    if (!existsSync(join(root, top))) continue;
    for (const entry of await readdir(join(root, top), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const path = join(entry.parentPath, entry.name);
      // The audit log's lock file comes and goes while the writer holds and hands back the log.
      const text = await readFile(path, "utf8").catch(() => undefined);
      if (text !== undefined) files.set(path.slice(root.length + 1), text);
    }
  }
  return files;
}

async function expectNowhereOnDisk(root: string, value: string): Promise<void> {
  const files = await storedFiles(root);
  expect(files.size).toBeGreaterThan(0);
  const leaking = [...files].filter(([, text]) => text.includes(value)).map(([path]) => path);
  expect(leaking).toEqual([]);
}

describe("a call whose tool marks its input sensitive", () => {
  it("never stores a typed password in the approval record or the audit log, and the identical call runs once after approval", async () => {
    runs = 0;
    const { root, gate, audit } = await setup();
    const call = { tool: "form.type", input: { field: "password", text: PASSWORD } };

    const pending = (await gate.call(call)) as Extract<GateOutcome, { status: "pending-approval" }>;
    expect(pending.status).toBe("pending-approval");
    expect(runs).toBe(0);
    await expectNowhereOnDisk(root, PASSWORD);
    const record = JSON.parse(
      await readFile(join((await approvalsDir(root))!, `${pending.approvalId}.json`), "utf8"),
    ) as ApprovalRecord;
    // The person sees the page and the shape of the call, never the value.
    expect(record).toMatchObject({
      tool: "form.type",
      target: LOGIN,
      input: { field: SENSITIVE_INPUT, text: SENSITIVE_INPUT },
    });

    await approve(root, pending.approvalId, { by: "person:alice", audit });
    const done = await gate.call(call);
    expect(done.status).toBe("ok");
    expect(runs).toBe(1);
    // The approval was used up: the same call again waits for a person, and does not run.
    expect((await gate.call(call)).status).toBe("pending-approval");
    expect(runs).toBe(1);

    await expectNowhereOnDisk(root, PASSWORD);
    const typedLog = (done as Extract<GateOutcome, { status: "ok" }>).result.artifacts?.find((a) =>
      a.path.endsWith(".log"),
    );
    expect(await readFile(join(root, typedLog!.path), "utf8")).toBe(
      `typed ${SENSITIVE_INPUT} into ${SENSITIVE_INPUT}\n`,
    );
    expect((await audit.entries()).every((e) => e.target === undefined || e.target === LOGIN)).toBe(true);
  });

  it("an approval whose record hides the value still lets only the value that was asked for run", async () => {
    runs = 0;
    const { root, gate, audit } = await setup();
    const pending = (await gate.call({ tool: "form.type", input: { field: "password", text: PASSWORD } })) as {
      approvalId: string;
    };
    await approve(root, pending.approvalId, { by: "person:alice", audit });
    // Both records look alike on disk; the call hash binds the live value.
    expect((await gate.call({ tool: "form.type", input: { field: "password", text: "something else" } })).status).toBe(
      "pending-approval",
    );
    expect(runs).toBe(0);
  });

  it("an ordinary call keeps its input readable in the record", async () => {
    const { root, gate } = await setup();
    await gate.call({ tool: "form.type", input: { field: "name", text: "Ada Lovelace" } });
    expect((await storedFiles(root)).get(join("artifacts", "round-1", "typed.log"))).toBe(
      "typed Ada Lovelace into name\n",
    );
  });

  it("a sensitive draft keeps no value in its record or artifact and cannot be replayed", async () => {
    const { root, gate } = await setup();
    const drafted = (await gate.call({ tool: "form.note", input: { private: true, text: PASSWORD } })) as Extract<
      GateOutcome,
      { status: "drafted" }
    >;
    expect(drafted.status).toBe("drafted");
    await expectNowhereOnDisk(root, PASSWORD);
    const record = JSON.parse(
      await readFile(join(root, ".worksite", "drafts", `${drafted.draftId}.json`), "utf8"),
    ) as DraftRecord;
    expect(record).toMatchObject({ inputRedacted: true, input: { private: true, text: SENSITIVE_INPUT } });
    expect((await gate.runDraft(drafted.draftId, { by: "person:alice" })).status).toBe("error");
  });

  it("a failing sensitive call's error never carries the value into the audit log", async () => {
    const { root, gate, audit } = await setup();
    const pending = (await gate.call({ tool: "form.fail", input: { text: PASSWORD } })) as { approvalId: string };
    await approve(root, pending.approvalId, { by: "person:alice", audit });
    const failed = await gate.call({ tool: "form.fail", input: { text: PASSWORD } });
    expect(failed).toMatchObject({ status: "error", message: `the page rejected ${SENSITIVE_INPUT}` });
    await expectNowhereOnDisk(root, PASSWORD);
  });
});
