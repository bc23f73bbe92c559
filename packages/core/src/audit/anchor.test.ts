import { existsSync } from "node:fs";
import { readFile, rm, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { personStateDir } from "../boundary/person-folders.js";
import { anchorPlace } from "./anchor.js";
import { openAuditLog } from "./audit-log.js";
import type { AuditEntry, AuditEvent } from "./types.js";
import { tempDir } from "@worksite/test-support";

/*
 * Issue 11 item 4: an allowed command that deletes audit.jsonl and its head,
 * or cuts the log and rewrites the head from an earlier entry's hash, used to
 * leave `audit verify` saying "chain intact". The second anchor, in the
 * person's state folder per worksite id, makes each of these a failure that
 * says what it found. (The vitest setup points the state folder at a temp
 * folder: vitest.person-folders.ts.)
 */
let root: string;
let path: string;
beforeEach(async () => {
  root = await tempDir("worksite-anchor-");
  path = join(root, ".worksite", "audit.jsonl");
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const event = (i: number): AuditEvent => ({
  type: "decision",
  actor: "agent",
  tool: "shell.run",
  target: `echo ${i}`,
  outcome: "ok",
});
const lines = async () => (await readFile(path, "utf8")).split("\n").filter(Boolean);

async function writeFive(): Promise<AuditEntry[]> {
  const log = openAuditLog(path);
  const out: AuditEntry[] = [];
  for (let i = 1; i <= 5; i++) out.push(await log.append(event(i)));
  // The heads move on the turn after a sync (writer.ts, headsDueAt): the tests change them by hand only after that.
  await new Promise((resolve) => setImmediate(resolve));
  return out;
}

describe("the audit anchor in the person's state folder", () => {
  it("is written outside the worksite, in the state folder under the worksite's id, after every append", async () => {
    const [, , , , fifth] = await writeFive();
    const place = anchorPlace(path, { create: false })!;
    expect(place.path.startsWith(personStateDir())).toBe(true);
    expect(place.path).toContain((await readFile(join(root, ".worksite", "id"), "utf8")).trim());
    expect(JSON.parse(await readFile(place.path, "utf8"))).toEqual({ seq: 5, hash: fifth!.hash });
  });

  it("makes verify fail when the log and its head are deleted, saying the log was deleted", async () => {
    await writeFive();
    await unlink(path);
    await unlink(`${path}.head`);
    const result = await openAuditLog(path).verify();
    expect(result).toMatchObject({
      ok: false,
      entries: 0,
      problem: expect.stringMatching(/the log is missing, but entry seq 5 .*person's state folder.*deleted/),
    });
  });

  it("makes verify fail when the whole .worksite/ folder is deleted: the state folder remembers the path's id", async () => {
    await writeFive();
    await rm(join(root, ".worksite"), { recursive: true });
    expect(await openAuditLog(path).verify()).toMatchObject({
      ok: false,
      problem: expect.stringContaining("the log is missing, but entry seq 5"),
    });
  });

  it("makes verify fail when the log is cut and the head rewritten from an earlier entry's hash", async () => {
    const [, second] = await writeFive();
    await writeFile(
      path,
      (await lines())
        .slice(0, 2)
        .map((l) => `${l}\n`)
        .join(""),
    );
    await writeFile(`${path}.head`, `${JSON.stringify({ seq: 2, hash: second!.hash })}\n`);
    const result = await openAuditLog(path).verify();
    expect(result).toMatchObject({
      ok: false,
      entries: 2,
      line: 3,
      problem: expect.stringMatching(
        /the log ends at line 2, but entry seq 5 .*person's state folder.*lines were removed from the end/,
      ),
    });
    // Nor does the next append chain onto the cut log.
    await expect(openAuditLog(path).append(event(6))).rejects.toMatchObject({ code: "audit-corrupt" });
  });

  it("makes verify fail when the head alone is rewritten from an earlier entry", async () => {
    const [, , third] = await writeFive();
    await writeFile(`${path}.head`, `${JSON.stringify({ seq: 3, hash: third!.hash })}\n`);
    expect(await openAuditLog(path).verify()).toMatchObject({
      ok: false,
      problem: expect.stringContaining("the head was rewritten from an earlier entry"),
    });
  });

  it("makes verify fail when the anchor of a worksite that had one is missing", async () => {
    await writeFive();
    await unlink(anchorPlace(path, { create: false })!.path);
    expect(await openAuditLog(path).verify()).toMatchObject({
      ok: false,
      entries: 5,
      problem: expect.stringContaining("the anchor of this worksite's log is missing from the person's state folder"),
    });
  });

  it("leaves an older worksite (no id yet) verifying as before, and anchors it at its next append", async () => {
    await writeFive();
    await unlink(join(root, ".worksite", "id"));
    await rm(join(personStateDir(), "worksites"), { recursive: true });
    await rm(join(personStateDir(), "paths"), { recursive: true });
    expect(await openAuditLog(path).verify()).toEqual({ ok: true, entries: 5 });
    await openAuditLog(path).append(event(6));
    expect(existsSync(anchorPlace(path, { create: false })!.path)).toBe(true);
    expect(await openAuditLog(path).verify()).toEqual({ ok: true, entries: 6 });
  });
});
