import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../main.js";
import { captureIO, tempWorksite } from "../test-support/cli-harness.js";

async function initialised(): Promise<string> {
  const root = await tempWorksite({}, "worksite-check-");
  expect(await main(["init"], captureIO(root))).toBe(0);
  return root;
}

describe("worksite check", () => {
  it("prints the parsed structure with --json", async () => {
    const root = await initialised();
    const io = captureIO(root);
    expect(await main(["check", "--json"], io)).toBe(0);
    const data = JSON.parse(io.out);
    expect(data).toMatchObject({ ok: true, root, thread: { stage: "draft", plugins: ["browser"] }, goal: { pause: { repeatedFailure: 3, maxRounds: 20 } } });
    expect(data.permissions.rules.some((r: { tool: string; tier: string }) => r.tool === "payment.*" && r.tier === "forbidden")).toBe(true);
  });

  it("exits 1 and names FILE:LINE with a hint for every error across the files, without a stack trace", async () => {
    const root = await initialised();
    const permissions = join(root, "PERMISSIONS.md");
    const text = await readFile(permissions, "utf8");
    await writeFile(permissions, text.replace("## Read-only", "## Read-onyl").replace("- `shell.run(git push)`", "- `shell.run(git push)"));
    await writeFile(join(root, "THREAD.md"), "---\nstage: publish\nwkae: 30m\n---\n## Owns\n- x\n");
    const io = captureIO(join(root, "memory"));
    expect(await main(["check"], io)).toBe(1);
    const lines = text.split("\n");
    const tierLine = lines.indexOf("## Read-only") + 1;
    const pushLine = lines.indexOf("- `shell.run(git push)`") + 1;
    expect(io.err).toContain(`../PERMISSIONS.md:${tierLine}:1: error: unknown tier "Read-onyl"\n  hint: did you mean "read-only"?`);
    expect(io.err).toContain(`../PERMISSIONS.md:${pushLine}:3: error: this code span is never closed\n  hint: `);
    expect(io.err).toContain("../THREAD.md:2:1: error: setting `stage`: expected monitor, draft or write");
    expect(io.err).toContain("../THREAD.md:3:1: error: unknown setting `wkae`\n  hint: did you mean `wake`?");
    expect(io.err).toMatch(/error: 4 errors in the worksite/);
    expect(io.err).not.toMatch(/\n\s+at /);
    expect(io.out).toBe("");
  });

  it("reports a match: example its rule does not match", async () => {
    const root = await initialised();
    const permissions = join(root, "PERMISSIONS.md");
    await writeFile(permissions, (await readFile(permissions, "utf8")).replace('match: "src/app.ts"', 'match: "lib/app.ts"'));
    const io = captureIO(root);
    expect(await main(["check"], io)).toBe(1);
    expect(io.err).toMatch(/^PERMISSIONS\.md:\d+:\d+: error: `file\.write\(src\/\*\*\)` does not match its example "lib\/app\.ts"\n {2}hint: /m);
  });
});
