import { execFileSync } from "node:child_process";
import { statSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { commitHandEdits } from "./hand-edits.js";
import { entryOrigins, recordPulled } from "./provenance.js";
import { memoryAtRunStart } from "./run-start.js";
import { openMemory } from "./store.js";
import { alice, entryText, fixedNow, gitCli, put, tempDir } from "./test-helpers/fixtures.js";
import { blobId } from "./working-status.js";

/*
 * Issue 20 / issue 13 item 2: an entry pulled from the remote and not changed since reaches the model
 * as "pulled" (untrusted). The run start now takes each file's blob id from its audit instead of
 * hashing every pulled entry again; a hand edit after the pull must still make the entry the person's,
 * even one that keeps the file's size and puts its mtime back.
 */
const PULLED = "tooling/from-remote.md";
const pulledText = entryText("from-remote", {}, `Pulled from the team's memory: ${"x".repeat(20)}.`);
// The same number of bytes, changed by hand.
const editedText = entryText("from-remote", {}, `Pulled from the team's memory: ${"y".repeat(20)}.`);

async function folderWithPulledEntry(gitCliOn: boolean) {
  const dir = await tempDir();
  await put(dir, PULLED, pulledText);
  await put(dir, "tooling/own.md", entryText("own"));
  const store = await openMemory({ dir, now: fixedNow, author: alice, gitCli: gitCliOn });
  await commitHandEdits(store, "start", alice);
  gitCli(dir, "status", "--porcelain");
  await recordPulled(store, new Map([[PULLED, blobId(Buffer.from(pulledText))]]));
  return { dir, store };
}

describe("whose text a memory entry is", () => {
  for (const gitCliOn of [true, false])
    it(`a pulled entry stays pulled until a person edits it, even behind a restored mtime (${gitCliOn ? "git CLI" : "isomorphic-git"})`, async () => {
      const { dir, store } = await folderWithPulledEntry(gitCliOn);
      const start = await memoryAtRunStart(store, { run: "r1" });
      expect(Object.fromEntries(start.origins)).toEqual({ "tooling/from-remote": "pulled", "tooling/own": "person" });
      expect(await entryOrigins(store, start.entries)).toEqual(start.origins);

      const path = join(dir, PULLED);
      const before = statSync(path, { bigint: true });
      expect(editedText.length).toBe(pulledText.length);
      await writeFile(path, editedText);
      const ns = before.mtimeNs;
      execFileSync("touch", [
        "-m",
        "-d",
        `@${ns / 1_000_000_000n}.${String(ns % 1_000_000_000n).padStart(9, "0")}`,
        path,
      ]);
      const again = await memoryAtRunStart(store, { run: "r2" });
      expect(again.origins.get("tooling/from-remote")).toBe("person");
      // Without the audit's blob ids: the index's stat cache does not vouch for the changed file, so it is hashed.
      expect((await entryOrigins(store, again.entries)).get("tooling/from-remote")).toBe("person");
    });
});
