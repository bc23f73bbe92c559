import { mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ToolContext } from "../plugin/types.js";
import { createArtifactStore } from "../artifacts/store.js";
import { silentLogger } from "../gate/logger.js";
import { wrapUntrusted } from "../untrusted.js";
import { fileList, fileRead, fileWrite } from "./file.js";
import { tempDir } from "@worksite/test-support";

async function site() {
  const base = await tempDir("worksite-files-");
  const root = join(base, "site");
  await mkdir(join(root, ".worksite", "approvals"), { recursive: true });
  await mkdir(join(root, "src"), { recursive: true });
  await writeFile(join(root, "src", "a.txt"), "hello\n");
  await writeFile(join(base, "outside.txt"), "secret plans\n");
  return { base, root };
}

function ctx(root: string): ToolContext {
  return {
    worksite: root,
    run: "t",
    round: 1,
    actor: "agent",
    artifacts: createArtifactStore({ root, run: "t", round: 1, redact: (t) => t }),
    signal: new AbortController().signal,
    log: silentLogger,
    untrusted: wrapUntrusted,
    redact: (t) => t,
    check: async () => ({ tier: "allow", reason: "test" }),
  };
}

describe("file tools stay inside the worksite", () => {
  it("read, list and write work inside", async () => {
    const { root } = await site();
    expect((await fileRead.run({ path: "src/a.txt" }, ctx(root))).content).toBe("hello\n");
    expect((await fileList.run({ path: "." }, ctx(root))).content).toContain("src/");
    await fileWrite.run({ path: "new/dir/b.txt", content: "made" }, ctx(root));
    expect(await readFile(join(root, "new/dir/b.txt"), "utf8")).toBe("made");
  });

  it.each([
    ["file.read", "../outside.txt"],
    ["file.read", "src/../../outside.txt"],
    ["file.read", "/etc/passwd"],
    ["file.read", ".worksite/audit.jsonl"],
    ["file.read", "./.WORKSITE/approvals"],
    ["file.list", ".worksite"],
    ["file.list", "src/../.worksite/approvals"],
    ["file.write", ".worksite/approvals/ap_0000000000.json"],
    ["file.write", "../escape.txt"],
    ["file.write", "src/../../escape.txt"],
  ])("%s refuses %j", async (tool, path) => {
    const { root, base } = await site();
    const t = tool === "file.read" ? fileRead : tool === "file.list" ? fileList : fileWrite;
    await expect(t.run({ path, content: '{"status":"approved"}' } as never, ctx(root))).rejects.toThrow(/refused path/);
    expect(existsSync(join(base, "escape.txt"))).toBe(false);
    expect(existsSync(join(root, ".worksite/approvals/ap_0000000000.json"))).toBe(false);
  });

  it("refuses symlinks that point out of the worksite or into .worksite", async () => {
    const { root, base } = await site();
    await symlink(join(base, "outside.txt"), join(root, "link-out.txt"));
    await symlink(base, join(root, "dir-out"));
    await symlink(join(root, ".worksite"), join(root, "state"));
    await symlink(join(base, "missing.txt"), join(root, "dangling.txt"));
    await expect(fileRead.run({ path: "link-out.txt" }, ctx(root))).rejects.toThrow(/outside the worksite/);
    await expect(fileWrite.run({ path: "dir-out/planted.txt", content: "x" }, ctx(root))).rejects.toThrow(
      /outside the worksite/,
    );
    await expect(
      fileWrite.run({ path: "state/approvals/ap_1111111111.json", content: "x" }, ctx(root)),
    ).rejects.toThrow(/\.worksite/);
    await expect(fileWrite.run({ path: "dangling.txt", content: "x" }, ctx(root))).rejects.toThrow(/refused path/);
    expect(existsSync(join(base, "planted.txt"))).toBe(false);
    expect(existsSync(join(base, "missing.txt"))).toBe(false);
    expect(existsSync(join(root, ".worksite/approvals/ap_1111111111.json"))).toBe(false);
  });

  it("listing the root hides .worksite", async () => {
    const { root } = await site();
    const listed = await fileList.run({ path: "." }, ctx(root));
    expect(listed.content).not.toContain(".worksite");
  });

  it("a drafted write is a diff of what would change", async () => {
    const { root } = await site();
    const draft = await fileWrite.draft!({ path: "src/a.txt", content: "hello\nworld\n" }, ctx(root));
    expect(draft.summary).toBe("would change src/a.txt");
    expect(draft.body).toContain("+world");
    expect(await readFile(join(root, "src/a.txt"), "utf8")).toBe("hello\n");
  });
});
