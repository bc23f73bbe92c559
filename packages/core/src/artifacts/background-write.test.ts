import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { openAuditLog } from "../audit/audit-log.js";
import { createGate } from "../gate/gate.js";
import { definePlugin, defineTool } from "../plugin/define.js";
import { createArtifactStore, createPendingWrites, readArtifactIndex } from "./store.js";

// Evidence written after the call returns (issue 13 item 4) is never lost: whoever holds the tracker waits for it.
const picture = new Uint8Array(4 * 1024 * 1024).fill(7);

describe("artifacts written in the background", () => {
  it("a background write names the file at once, and settled() leaves its bytes and its index entry on disk", async () => {
    const root = await mkdtemp(join(tmpdir(), "worksite-artifacts-bg-"));
    const pending = createPendingWrites();
    const store = createArtifactStore({ root, run: "r1", round: 2, redact: (t) => t, pending });
    const refs = await Promise.all(
      [1, 2, 3].map(() => store.write({ name: "shot.png", kind: "screenshot", data: picture, background: true })),
    );
    expect(refs.map((r) => r.path).sort()).toEqual([
      "artifacts/round-2/shot-2.png",
      "artifacts/round-2/shot-3.png",
      "artifacts/round-2/shot.png",
    ]);
    await pending.settled();
    for (const ref of refs) expect((await readFile(join(root, ref.path))).length).toBe(picture.length);
    expect((await readArtifactIndex(root)).artifacts.map((a) => a.path).sort()).toEqual(refs.map((r) => r.path).sort());
  });

  it("a name is reserved while the bytes are still coming (a screenshot being taken), and they are listed at settled()", async () => {
    const root = await mkdtemp(join(tmpdir(), "worksite-artifacts-bg-"));
    const pending = createPendingWrites();
    const heard: string[] = [];
    const store = createArtifactStore({
      root,
      run: "r1",
      round: 1,
      redact: (t) => t,
      pending,
      onWrite: (r) => void heard.push(r.path),
    });
    let give: (bytes: Uint8Array) => void = () => {};
    const coming = new Promise<Uint8Array>((r) => (give = r));
    const ref = await store.write({ name: "shot.jpg", kind: "screenshot", data: coming, background: true });
    expect(ref.path).toBe("artifacts/round-1/shot.jpg");
    expect(heard).toEqual([]);
    give(picture);
    await pending.settled();
    expect((await readFile(join(root, ref.path))).length).toBe(picture.length);
    expect((await readArtifactIndex(root)).artifacts.map((a) => a.path)).toEqual([ref.path]);
    expect(heard).toEqual([ref.path]);
  });

  it("bytes that never come (a capture that failed) leave no file and no index entry", async () => {
    const root = await mkdtemp(join(tmpdir(), "worksite-artifacts-bg-"));
    const pending = createPendingWrites();
    const store = createArtifactStore({ root, run: "r1", round: 1, redact: (t) => t, pending });
    const ref = await store.write({
      name: "shot.jpg",
      kind: "screenshot",
      data: Promise.resolve(undefined),
      background: true,
    });
    await pending.settled();
    await expect(readFile(join(root, ref.path))).rejects.toThrow(/ENOENT/);
    expect((await readArtifactIndex(root)).artifacts).toEqual([]);
  });

  it("without a tracker a background write is an ordinary one, finished when write returns", async () => {
    const root = await mkdtemp(join(tmpdir(), "worksite-artifacts-bg-"));
    const store = createArtifactStore({ root, run: "r1", round: 1, redact: (t) => t });
    const ref = await store.write({ name: "shot.png", kind: "screenshot", data: picture, background: true });
    expect((await readFile(join(root, ref.path))).length).toBe(picture.length);
    expect((await readArtifactIndex(root)).artifacts).toHaveLength(1);
  });

  it("a tool's background screenshot is on disk and listed once the gate is disposed, and named in the audit entry", async () => {
    const root = await mkdtemp(join(tmpdir(), "worksite-artifacts-bg-"));
    await writeFile(join(root, "PERMISSIONS.md"), "# Permissions\n");
    const camera = definePlugin({
      name: "camera",
      tools: {
        shoot: defineTool({
          description: "takes a picture",
          effect: "read",
          input: z.object({}),
          run: async (_i, ctx) => {
            const ref = await ctx.artifacts.write({
              name: "view",
              kind: "screenshot",
              data: picture,
              background: true,
            });
            return { content: `saved ${ref.path}`, artifacts: [ref] };
          },
        }),
      },
    });
    const audit = openAuditLog(join(root, ".worksite", "audit.jsonl"));
    const gate = createGate({
      root,
      worksite: {
        permissions: {
          file: "PERMISSIONS.md",
          defaults: { read: "allow", write: "confirm", external: "confirm" },
          rules: [],
          notes: [],
        },
      },
      plugins: [camera],
      audit,
      actor: "agent",
      run: "run-1",
      round: 1,
    });
    const outcome = await gate.call({ tool: "camera.shoot", input: {} });
    expect(outcome.status).toBe("ok");
    await gate.dispose();
    expect((await readFile(join(root, "artifacts/round-1/view.png"))).length).toBe(picture.length);
    expect((await readArtifactIndex(root)).artifacts.map((a) => a.path)).toEqual(["artifacts/round-1/view.png"]);
    // A read call that ran is one line: its decision, carrying the outcome and the artifacts.
    const entries = (await audit.entries()).filter((e) => e.tool === "camera.shoot");
    expect(entries.map((e) => [e.type, e.outcome, e.artifacts])).toEqual([
      ["decision", "ok", ["artifacts/round-1/view.png"]],
    ]);
  });
});
