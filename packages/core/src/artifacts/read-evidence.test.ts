import { execFileSync } from "node:child_process";
import { link, mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { UserError } from "../errors.js";
import { readEvidenceFile } from "./read-evidence.js";
import { createArtifactStore, readArtifactIndex } from "./store.js";
import { tempDir } from "@worksite/test-support";

const made: string[] = [];
afterEach(async () => {
  await Promise.all(made.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});
async function temp(): Promise<string> {
  const dir = await tempDir("worksite-evidence-");
  made.push(dir);
  return dir;
}

describe("evidence is read only from the worksite's own files", () => {
  it("reads what the artifact store wrote", async () => {
    const root = await temp();
    const ref = await createArtifactStore({ root, run: "r1", round: 1, redact: (t) => t }).write({
      name: "out.log",
      kind: "log",
      data: "output",
    });
    expect(await readEvidenceFile(root, ref.path)).toEqual({ ok: true, data: Buffer.from("output") });
  });

  it("refuses a symlinked file, a symlinked folder on the way, and a hard link to a file outside", async () => {
    const root = await temp();
    const outside = await temp();
    await writeFile(join(outside, "key"), "secret");
    await mkdir(join(root, "artifacts", "round-1"), { recursive: true });
    await symlink(join(outside, "key"), join(root, "PROGRESS.md"));
    await symlink(outside, join(root, "artifacts", "round-2"));
    await link(join(outside, "key"), join(root, "artifacts", "round-1", "key.log"));
    expect(await readEvidenceFile(root, "PROGRESS.md")).toMatchObject({ ok: false, problem: "symlink" });
    expect(await readEvidenceFile(root, "artifacts/round-2/key")).toMatchObject({
      ok: false,
      problem: "symlink",
      reason: "artifacts/round-2 is a symbolic link",
    });
    expect(await readEvidenceFile(root, "artifacts/round-1/key.log")).toMatchObject({
      ok: false,
      problem: "hard-linked",
    });
    expect(await readEvidenceFile(root, "artifacts/../../key")).toMatchObject({ ok: false, problem: "outside" });
  });

  it("refuses a named pipe without waiting for a writer", async () => {
    const root = await temp();
    execFileSync("mkfifo", [join(root, "PROGRESS.md")]);
    expect(await readEvidenceFile(root, "PROGRESS.md")).toMatchObject({ ok: false, problem: "not-a-file" });
  });

  it("stops at a symlinked or hard-linked artifacts/index.json with a message, rather than listing what it names", async () => {
    const root = await temp();
    const outside = await temp();
    await writeFile(
      join(outside, "index.json"),
      JSON.stringify({
        version: 1,
        artifacts: [{ path: "artifacts/round-1/x.log", kind: "log", round: 1, run: "r", created: "" }],
      }),
    );
    await mkdir(join(root, "artifacts"));
    await symlink(join(outside, "index.json"), join(root, "artifacts", "index.json"));
    const error = await readArtifactIndex(root).catch((e: unknown) => e);
    expect(UserError.isUserError(error) && error.message).toBe(
      "artifacts/index.json is not read: artifacts/index.json is a symbolic link",
    );
    await rm(join(root, "artifacts", "index.json"));
    await link(join(outside, "index.json"), join(root, "artifacts", "index.json"));
    await expect(readArtifactIndex(root)).rejects.toThrow(/has 2 hard links/);
  });
});
