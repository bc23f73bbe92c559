import { readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UserError } from "../errors.js";
import { redactSecrets } from "../secrets/scan.js";
import { createArtifactStore, readArtifactIndex } from "./store.js";
import { tempDir } from "@worksite/test-support";

const tempRoot = () => tempDir("worksite-artifacts-");

describe("artifact store", () => {
  it("writes under artifacts/round-N with unique names and lists each in index.json", async () => {
    const root = await tempRoot();
    const store = createArtifactStore({ root, run: "r1", round: 3, redact: (t) => t, tool: "shell.run" });
    const a = await store.write({ name: "out.log", kind: "log", data: "one" });
    const b = await store.write({ name: "out.log", kind: "log", data: "two" });
    expect(a.path).toBe("artifacts/round-3/out.log");
    expect(b.path).toBe("artifacts/round-3/out-2.log");
    expect(await readFile(join(root, b.path), "utf8")).toBe("two");
    const index = await readArtifactIndex(root);
    expect(index.artifacts.map((x) => [x.path, x.tool, x.run, x.round])).toEqual([
      ["artifacts/round-3/out.log", "shell.run", "r1", 3],
      ["artifacts/round-3/out-2.log", "shell.run", "r1", 3],
    ]);
    expect(await store.list({ kind: "log", round: 3 })).toHaveLength(2);
    expect(await store.list({ round: 4 })).toHaveLength(0);
  });

  it("names the next file after the last one taken, and still never takes a name someone else created", async () => {
    const root = await tempRoot();
    // A store per call, as the gate makes them: where to look next is kept across stores.
    const write = () =>
      createArtifactStore({ root, run: "r1", round: 1, redact: (t) => t }).write({
        name: "shot.png",
        kind: "screenshot",
        data: new Uint8Array([1]),
      });
    expect((await write()).path).toBe("artifacts/round-1/shot.png");
    expect((await write()).path).toBe("artifacts/round-1/shot-2.png");
    await writeFile(join(root, "artifacts/round-1/shot-3.png"), "another writer's");
    expect((await write()).path).toBe("artifacts/round-1/shot-4.png");
    expect(await readFile(join(root, "artifacts/round-1/shot-3.png"), "utf8")).toBe("another writer's");
  });

  it("still never takes a taken name after a long-running process has written in over a thousand places", async () => {
    const root = await tempRoot();
    const write = (round: number, name: string) =>
      createArtifactStore({ root, run: "r1", round, redact: (t) => t }).write({ name, kind: "log", data: name });
    expect((await write(1, "a.log")).path).toBe("artifacts/round-1/a.log");
    // Where to look next is kept for a bounded number of names; these push round 1's out.
    for (let i = 0; i < 1_001; i++) await write(2, `n${i}.log`);
    expect((await write(1, "a.log")).path).toBe("artifacts/round-1/a-2.log");
    expect(await readFile(join(root, "artifacts/round-1/a.log"), "utf8")).toBe("a.log");
    // 1,002 artifacts, each listed in index.json: 2-4 ms apiece on a slow host. A naming test, not a speed test.
  }, 30_000);

  it("keeps every entry when many writes race for the index", async () => {
    const root = await tempRoot();
    const stores = [1, 2].map((n) => createArtifactStore({ root, run: `r${n}`, round: 1, redact: (t) => t }));
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => stores[i % 2]!.write({ name: "same.txt", kind: "log", data: String(i) })),
    );
    const index = await readArtifactIndex(root);
    expect(new Set(index.artifacts.map((a) => a.path)).size).toBe(30);
    expect((await readdir(join(root, "artifacts/round-1"))).length).toBe(30);
  });

  it("redacts secrets in text artifacts before they reach the disk", async () => {
    const root = await tempRoot();
    const store = createArtifactStore({ root, run: "r", round: 1, redact: redactSecrets });
    const key = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8";
    const ref = await store.write({ name: "env.txt", kind: "log", data: `token=${key}\n` });
    const text = await readFile(join(root, ref.path), "utf8");
    expect(text).not.toContain(key);
    expect(text).toContain("[REDACTED");
  });

  it("never writes a password given in artifact meta to index.json", async () => {
    const root = await tempRoot();
    const store = createArtifactStore({
      root,
      run: "r",
      round: 1,
      redact: (t) => t.replaceAll("s3cret-env", "[REDACTED:env]"),
    });
    const ref = await store.write({
      name: "a.log",
      kind: "log",
      data: "x",
      meta: { password: "hunter2", note: "uses s3cret-env" },
    });
    const index = await readFile(join(root, "artifacts/index.json"), "utf8");
    expect(index).not.toContain("hunter2");
    expect(index).not.toContain("s3cret-env");
    expect(ref.meta).toEqual({ password: "[REDACTED:password]", note: "uses [REDACTED:env]" });
  });

  it("a hand-broken index.json is a user error naming the file and line, not a crash", async () => {
    const root = await tempRoot();
    const store = createArtifactStore({ root, run: "r", round: 1, redact: (t) => t });
    await store.write({ name: "a.log", kind: "log", data: "x" });
    await writeFile(join(root, "artifacts/index.json"), '{\n  "version": 1,\n  "artifacts": [,]\n}\n');
    const error = await store.write({ name: "b.log", kind: "log", data: "y" }).catch((e: unknown) => e);
    expect(UserError.isUserError(error)).toBe(true);
    const e = error as UserError;
    expect(e.message).toMatch(/^artifacts\/index\.json is not valid JSON: /);
    expect(e.hint).toMatch(/move it aside/);
    expect(e.diagnostics[0]).toMatchObject({ file: "artifacts/index.json", line: 3 });
    await expect(readArtifactIndex(root)).rejects.toThrow(/index\.json is not valid JSON/);
  });

  it("a name cannot leave the round folder", async () => {
    const root = await tempRoot();
    const store = createArtifactStore({ root, run: "r", round: 2, redact: (t) => t });
    const ref = await store.write({ name: "../../../etc/passwd", kind: "log", data: "x" });
    expect(ref.path).toBe("artifacts/round-2/passwd.log");
  });
});
