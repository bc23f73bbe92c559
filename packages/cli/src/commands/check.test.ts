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
    expect(data).toMatchObject({
      ok: true,
      root,
      thread: { stage: "draft", plugins: ["browser"] },
      goal: { pause: { repeatedFailure: 3, maxRounds: 20 } },
    });
    expect(
      data.permissions.rules.some(
        (r: { tool: string; tier: string }) => r.tool === "payment.*" && r.tier === "forbidden",
      ),
    ).toBe(true);
  });

  it("exits 1 and names FILE:LINE with a hint for every error across the files, without a stack trace", async () => {
    const root = await initialised();
    const permissions = join(root, "PERMISSIONS.md");
    const text = await readFile(permissions, "utf8");
    await writeFile(
      permissions,
      text.replace("## Read-only", "## Read-onyl").replace("- `shell.run(git push)`", "- `shell.run(git push)"),
    );
    await writeFile(join(root, "THREAD.md"), "---\nstage: publish\nwkae: 30m\n---\n## Owns\n- x\n");
    const io = captureIO(join(root, "memory"));
    expect(await main(["check"], io)).toBe(1);
    const lines = text.split("\n");
    const tierLine = lines.indexOf("## Read-only") + 1;
    const pushLine = lines.indexOf("- `shell.run(git push)`") + 1;
    expect(io.err).toContain(
      `../PERMISSIONS.md:${tierLine}:1: error: unknown tier "Read-onyl"\n  hint: did you mean "read-only"?`,
    );
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
    await writeFile(
      permissions,
      (await readFile(permissions, "utf8")).replace('match: "src/app.ts"', 'match: "lib/app.ts"'),
    );
    const io = captureIO(root);
    expect(await main(["check"], io)).toBe(1);
    expect(io.err).toMatch(
      /^PERMISSIONS\.md:\d+:\d+: error: `file\.write\(src\/\*\*\)` does not match its example "lib\/app\.ts"\n {2}hint: /m,
    );
  });
});

describe("worksite check catches what a run would reject", () => {
  const base = {
    "THREAD.md": "---\nstage: write\n---\n# t\n## Owns\n- src/\n",
    "GOAL.md": "## Goal\nTidy.\n",
    "PERMISSIONS.md":
      "# Permissions\n\n## Allow\n- `shell.run(npm test)`\n\n## Requires confirmation\n- `shell.run(npm run lint)`\n",
  };

  it("an unknown agent kind is an error at THREAD.md:LINE with did-you-mean", async () => {
    const root = await tempWorksite(
      { ...base, "THREAD.md": "---\nstage: write\nagent: scrpit\n---\n# t\n" },
      "worksite-check-",
    );
    const io = captureIO(root);
    expect(await main(["check"], io)).toBe(1);
    expect(io.err).toContain(
      "THREAD.md:3:1: error: unknown agent kind `scrpit`\n  hint: did you mean `script`? the agent is one of: script, openai, command",
    );
    const object = await tempWorksite(
      { ...base, "THREAD.md": "---\nagent:\n  kind: opneai\n---\n# t\n" },
      "worksite-check-",
    );
    const io2 = captureIO(object);
    expect(await main(["check"], io2)).toBe(1);
    expect(io2.err).toContain("THREAD.md:3:3: error: unknown agent kind `opneai`\n  hint: did you mean `openai`?");
  });

  it("an uninstalled plugin is an error at THREAD.md:LINE, suggesting the nearest known name, since a run cannot start", async () => {
    const root = await tempWorksite(
      { ...base, "THREAD.md": "---\nstage: write\nplugins:\n  - browser\n  - browsr\n---\n# t\n" },
      "worksite-check-",
    );
    const io = captureIO(root);
    expect(await main(["check"], io)).toBe(1);
    expect(io.err).toMatch(
      /^THREAD\.md:5(:\d+)?: error: no installed package provides plugin `browsr` \(@worksite\/plugin-browsr\); a run cannot start without it\n {2}hint: did you mean `browser`\?/m,
    );
    expect(io.err).toContain("error: 1 error in the worksite at .; a run cannot start");
    // browser is installed (next to the CLI), so it is not named as missing.
    expect(io.err).not.toContain("plugin `browser`");
    expect(io.out).toBe("");
    const json = await run(root, "check", "--json");
    expect(json.code).toBe(1);
    const data = JSON.parse(json.out) as {
      ok: boolean;
      diagnostics: { line: number; severity: string; message: string; hint: string }[];
    };
    expect(data.ok).toBe(false);
    expect(data.diagnostics).toContainEqual(
      expect.objectContaining({
        line: 5,
        severity: "error",
        message: expect.stringContaining("`browsr`"),
        hint: "did you mean `browser`?",
      }),
    );
  });

  it("warns at GOAL.md:LINE about a step tool a run would not have, with did-you-mean", async () => {
    const goal =
      "---\nsteps:\n  - tool: file.read\n    input: { path: a }\n  - tool: file.wrte\n    input: { path: a, content: b }\n---\n## Goal\nTidy.\n";
    const root = await tempWorksite({ ...base, "GOAL.md": goal }, "worksite-check-");
    const io = captureIO(root);
    expect(await main(["check"], io)).toBe(0);
    expect(io.err).toMatch(/^GOAL\.md:5:\d+: warning: step tool `file\.wrte` is not a tool a run has/m);
    expect(io.err).toContain("hint: did you mean `file.write`?");
    expect(io.err).not.toContain("`file.read`");
  });

  it("warns at GOAL.md:LINE about a verify command PERMISSIONS.md does not allow, naming the deciding rule", async () => {
    const goal = "## Goal\nTidy.\n\n## Verify\n- `npm test` passes\n- `npm run lint` passes\n";
    const root = await tempWorksite({ ...base, "GOAL.md": goal }, "worksite-check-");
    const io = captureIO(root);
    expect(await main(["check"], io)).toBe(0);
    expect(io.err).toMatch(
      /^GOAL\.md:6(:\d+)?: warning: `npm run lint` will wait for a person every round \(confirm by PERMISSIONS\.md:7\); allow it, e\.g\. `shell\.run\(npm run lint\)`/m,
    );
    expect(io.err).not.toContain("`npm test`");
  });

  it("shows a rule's explanation beside it, and says when allowed writes and commands let agent code run outside the gate", async () => {
    const permissions =
      "# Permissions\n\n## Allow\n- `shell.run(npm test)` the suite only\n- `file.write(src/**)`\n\n## Forbidden\n- `shell.run(curl)` no network\n";
    const root = await tempWorksite({ ...base, "PERMISSIONS.md": permissions }, "worksite-check-");
    const io = captureIO(root);
    expect(await main(["check"], io)).toBe(0);
    expect(io.out).toMatch(/shell\.run\(curl\)\s+PERMISSIONS\.md:8\s+— no network/);
    expect(io.out).not.toContain("not enforced");
    expect(io.err).toMatch(
      /^PERMISSIONS\.md:4: note: `shell\.run\(npm test\)` runs commands and `file\.write\(src\/\*\*\)` \(line 5\)/m,
    );
  });
});

function run(root: string, ...argv: string[]) {
  const io = captureIO(root);
  return main(argv, io).then((code) => ({ code, out: io.out, err: io.err }));
}
