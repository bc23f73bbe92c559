import { existsSync } from "node:fs";
import { link, mkdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { openAuditLog } from "../audit/audit-log.js";
import { parsePermissions } from "../files/index.js";
import { approve, listApprovals } from "../gate/approvals.js";
import { createGate } from "../gate/gate.js";
import { sealKeyPath } from "../gate/person-seal.js";
import type { GateOutcome } from "../gate/types.js";
import { createPolicy } from "../policy/policy.js";
import type { Stage } from "../policy/types.js";
import { corePlugins } from "../tools/index.js";
import { definePlugin, defineTool } from "../plugin/define.js";
import { z } from "zod";
import { personConfigDir, personStateDir } from "./person-folders.js";
import { tempDir } from "@worksite/test-support";

/*
 * Issue 11 item 2, issue 20 item 1, issue 21 item 7: with `file.write(**)`
 * (and an absolute `/**`) allowed, at every stage, an agent's file.write still
 * cannot change the person's contract, the runtime's state, the evidence,
 * git's control files or the person's own folders. Each path is tried for real
 * through the gate, and the bytes on disk are compared before and after.
 */
const PERMISSIONS = `---
default: { read: allow, write: allow, external: allow }
---
# Permissions

## Allow
- \`file.write(**)\`
- \`file.write(/**)\`
- \`file.*\`
`;

const roots: string[] = [];
afterAll(async () => {
  for (const r of roots) await rm(r, { recursive: true, force: true });
});

async function worksite(stage: Stage = "write") {
  const root = await tempDir("worksite-floor-");
  roots.push(root);
  await writeFile(join(root, "PERMISSIONS.md"), PERMISSIONS);
  for (const f of ["THREAD.md", "GOAL.md", "PROGRESS.md", ".gitmodules"]) await writeFile(join(root, f), `# ${f}\n`);
  for (const f of [
    ".git/config",
    "src/sub/.git/config",
    "memory/.git/HEAD",
    "artifacts/index.json",
    "artifacts/round-1/report.md",
    "src/a.txt",
  ]) {
    await mkdir(join(root, f, ".."), { recursive: true });
    await writeFile(join(root, f), `# ${f}\n`);
  }
  const permissions = parsePermissions(PERMISSIONS, { file: join(root, "PERMISSIONS.md"), root });
  const audit = openAuditLog(join(root, ".worksite", "audit.jsonl"));
  const gate = createGate({
    root,
    worksite: { permissions },
    stage,
    plugins: corePlugins(),
    audit,
    actor: "agent",
    run: "run-floor",
    round: 1,
  });
  return { root, gate, permissions };
}

const write = (path: string) => ({ tool: "file.write", input: { path, content: "pwned\n" } });
const message = (o: GateOutcome) => ("message" in o ? o.message : "");

const CONTROL = [
  "THREAD.md",
  "GOAL.md",
  "PERMISSIONS.md",
  "PROGRESS.md",
  "thread.md",
  "./GOAL.md",
  "src/../PERMISSIONS.md",
  "src\\..\\THREAD.md",
  ".worksite/approvals/ap_0000000000.json",
  ".worksite/audit.jsonl.head",
  ".worksite/id",
  ".WORKSITE/audit.jsonl",
  "artifacts/index.json",
  "artifacts/round-1/report.md",
  "artifacts/round-9/new.png",
  ".git/config",
  ".git/hooks/pre-commit",
  "src/sub/.git/config",
  "src/sub/.GIT/HEAD",
  "memory/.git/HEAD",
  ".gitmodules",
  "src/.gitmodules",
];

describe("the floor", () => {
  it.each(CONTROL)(
    "refuses file.write %j with file.write(**) allowed, naming the floor, and leaves the disk as it was",
    async (path) => {
      const { root, gate } = await worksite();
      const before = await snapshot(root);
      const outcome = await gate.call(write(path));
      expect(outcome.status).toBe("refused");
      expect(message(outcome)).toMatch(/the floor/);
      expect(message(outcome)).not.toContain("PERMISSIONS.md default");
      expect(await snapshot(root)).toEqual(before);
    },
  );

  it.each(["monitor", "draft", "write"] as const)(
    "holds at the %s stage: a control path is refused, never drafted or queued for approval",
    async (stage) => {
      const { root, gate } = await worksite(stage);
      const outcome = await gate.call(write("THREAD.md"));
      expect(outcome.status).toBe("refused");
      expect(await listApprovals(root)).toEqual([]);
      expect(existsSync(join(root, "artifacts", "round-1"))).toBe(true);
      expect(await readFile(join(root, "THREAD.md"), "utf8")).toBe("# THREAD.md\n");
    },
  );

  it("says how a person edits the file by hand", async () => {
    const { gate } = await worksite();
    expect(message(await gate.call(write("PERMISSIONS.md")))).toMatch(
      /PERMISSIONS\.md is the person's contract.*A person edits it by hand/,
    );
    expect(message(await gate.call(write("artifacts/index.json")))).toMatch(
      /artifacts\/ is the evidence.*only through their artifact store/,
    );
    expect(message(await gate.call(write("src/sub/.git/config")))).toMatch(/git's control data.*core\.fsmonitor/);
  });

  it("refuses a symlink or a hard link that leads to a worksite file", async () => {
    const { root, gate } = await worksite();
    await symlink(join(root, "THREAD.md"), join(root, "src", "notes.md"));
    await symlink(join(root, "artifacts"), join(root, "src", "evidence"));
    await link(join(root, "GOAL.md"), join(root, "src", "goal-copy.md"));
    for (const path of ["src/notes.md", "src/evidence/index.json", "src/goal-copy.md"]) {
      const outcome = await gate.call(write(path));
      expect({ path, status: outcome.status }).toEqual({ path, status: "refused" });
    }
    expect(await readFile(join(root, "THREAD.md"), "utf8")).toBe("# THREAD.md\n");
    expect(await readFile(join(root, "GOAL.md"), "utf8")).toBe("# GOAL.md\n");
    expect(await readFile(join(root, "artifacts", "index.json"), "utf8")).toBe("# artifacts/index.json\n");
  });

  it("refuses reads and writes of the person's config and state folders, even with file.write(/**) and file.* allowed", async () => {
    const { gate } = await worksite();
    await mkdir(personConfigDir(), { recursive: true });
    await writeFile(sealKeyPath(), "ab".repeat(32));
    for (const call of [
      write(join(personStateDir(), "worksites", "ws_0000000000000000", "approvals", "ap_0000000000.json")),
      write(sealKeyPath()),
      { tool: "file.read", input: { path: sealKeyPath() } },
      { tool: "file.list", input: { path: personStateDir() } },
    ]) {
      const outcome = await gate.call(call);
      expect({
        call: call.tool,
        status: outcome.status,
        floor: /person's own worksite folder/.test(message(outcome)),
      }).toEqual({ call: call.tool, status: "refused", floor: true });
    }
    expect(await readFile(sealKeyPath(), "utf8")).toBe("ab".repeat(32));
  });

  it("refuses the seal key's path through a symlinked home before the person's folder exists: an agent cannot make the key first", async () => {
    const person = await tempDir("worksite-floor-home-");
    roots.push(person);
    await mkdir(join(person, "real"));
    await symlink(join(person, "real"), join(person, "home"));
    // The person's config folder is reached through the symlink and does not exist yet (nobody approved anything).
    vi.stubEnv("XDG_CONFIG_HOME", join(person, "home", "config"));
    vi.stubEnv("WORKSITE_APPROVAL_KEY_FILE", undefined);
    try {
      const { gate } = await worksite();
      const key = join(person, "real", "config", "worksite", "approval.key");
      for (const call of [write(key), write(join(person, "real", "config", "worksite")), write(`${key}/../x`)]) {
        const outcome = await gate.call(call);
        expect({ status: outcome.status, floor: /person's own worksite folder/.test(message(outcome)) }).toEqual({
          status: "refused",
          floor: true,
        });
      }
      expect(existsSync(join(person, "real", "config"))).toBe(false);
      // A name that only looks like it is no business of the floor's (outside the worksite, it waits for a person).
      const lookalike = await gate.call(write(join(person, "real", "config", "worksite-notes.md")));
      expect(lookalike.status).toBe("pending-approval");
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("lets an ordinary file be written, and the worksite files be read", async () => {
    const { root, gate } = await worksite();
    expect((await gate.call(write("src/a.txt"))).status).toBe("ok");
    expect(await readFile(join(root, "src/a.txt"), "utf8")).toBe("pwned\n");
    expect((await gate.call({ tool: "file.read", input: { path: "THREAD.md" } })).status).toBe("ok");
    expect((await gate.call({ tool: "file.read", input: { path: ".git/config" } })).status).toBe("ok");
  });

  it("is what permissions explain and a shell redirection meet too: the policy decides it, by the floor", async () => {
    const { root, permissions } = await worksite();
    const policy = createPolicy(permissions, { root, stage: "write" });
    expect(policy.decide({ tool: "file.write", target: "GOAL.md", effect: "write", targetKind: "path" })).toMatchObject(
      { tier: "forbidden", by: "floor" },
    );
    expect(
      policy.decide({ tool: "plugin.save", target: "artifacts/x.png", effect: "write", targetKind: "path" }),
    ).toMatchObject({ tier: "forbidden", by: "floor" });
    expect(policy.decide({ tool: "file.read", target: "GOAL.md", effect: "read", targetKind: "path" }).tier).toBe(
      "allow",
    );
  });

  it("holds for a plugin tool that writes a path without declaring its target a path", async () => {
    const root = await tempDir("worksite-floor-plugin-");
    roots.push(root);
    await writeFile(join(root, "GOAL.md"), "# Goal\n");
    const saved: string[] = [];
    const notes = definePlugin({
      name: "notes",
      tools: {
        save: defineTool({
          description: "saves a note to a file",
          effect: "write",
          input: z.object({ file: z.string() }),
          target: (i) => i.file,
          run: async (i) => (saved.push(i.file), { content: "saved" }),
        }),
      },
    });
    const permissions = parsePermissions("# Permissions\n\n## Allow\n- `notes.*`\n", {
      file: join(root, "PERMISSIONS.md"),
      root,
    });
    const gate = createGate({
      root,
      worksite: { permissions },
      plugins: [notes],
      audit: openAuditLog(join(root, ".worksite", "audit.jsonl")),
      actor: "agent",
      run: "run-plugin",
      round: 1,
    });
    for (const file of ["GOAL.md", "artifacts/index.json", "lib/.git/hooks/post-checkout"])
      expect((await gate.call({ tool: "notes.save", input: { file } })).status).toBe("refused");
    expect((await gate.call({ tool: "notes.save", input: { file: "notes/today.md" } })).status).toBe("ok");
    expect(saved).toEqual(["notes/today.md"]);
  });

  it("cannot be lifted by a person's approval: a refused call files no request, so there is nothing to approve", async () => {
    const { root, gate } = await worksite();
    const outcome = await gate.call(write("PERMISSIONS.md"));
    expect(outcome.status).toBe("refused");
    expect(await listApprovals(root)).toEqual([]);
    await expect(approve(root, "ap_0000000000", { by: "person:alice" })).rejects.toThrow(/no approval request/);
  });
});

/** Every file under root except the runtime's own audit log, id and locks, with its bytes. */
async function snapshot(root: string): Promise<Record<string, string>> {
  const { readdir } = await import("node:fs/promises");
  const out: Record<string, string> = {};
  async function walk(dir: string, rel: string): Promise<void> {
    for (const d of await readdir(dir, { withFileTypes: true })) {
      const r = rel ? `${rel}/${d.name}` : d.name;
      if (r.startsWith(".worksite/audit") || r === ".worksite/id") continue;
      if (d.isDirectory()) await walk(join(dir, d.name), r);
      else out[r] = await readFile(join(dir, d.name), "utf8");
    }
  }
  await walk(root, "");
  return out;
}
