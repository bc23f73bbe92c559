import { afterAll, describe, expect, it } from "vitest";
import { type RunEvent, runThread } from "./run.js";
import {
  auditEntries,
  goal,
  makeWorksite,
  permissions,
  readProgress,
  removeWorksites,
} from "./test-helpers/worksite.js";

afterAll(removeWorksites);

describe("a command that ran but failed", () => {
  it("is reported with its exit code, not as a plain ok, while the audit says the tool ran", async () => {
    const root = await makeWorksite({
      goal: goal(`
verify: ["node ok.js"]
steps:
  - tool: shell.run
    input: { command: "node fail.js" }
`),
      permissions: permissions({ Allow: ["file.read", "shell.run(node)"] }),
      files: { "fail.js": "console.log('2 tests failed');\nprocess.exit(3);\n", "ok.js": "process.exit(0);\n" },
    });
    const events: RunEvent[] = [];
    await runThread({ root, onEvent: (e) => events.push(e) });
    const calls = events.filter((e) => e.type === "call");
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatchObject({
      tool: "shell.run",
      status: "ok",
      exitCode: 3,
      message: expect.stringMatching(/^exit 3: /),
    });
    // The passing verification command is a plain ok.
    expect(calls[1]).toMatchObject({ tool: "shell.run", status: "ok" });
    expect(calls[1]).not.toHaveProperty("exitCode");
    expect((calls[1] as { message: string }).message).not.toMatch(/^exit/);

    expect(await readProgress(root)).toMatch(/^- shell\.run: ok \(allow\) — exit 3: /m);
    expect(await readProgress(root)).toContain("### Done\nran 1 step(s): 1 exit 3\n");
    const results = (await auditEntries(root)).filter((e) => e.type === "result" && e.target === "node fail.js");
    expect(results.map((e) => e.outcome)).toEqual(["ok"]);
  });
});

describe("the script agent's round summary", () => {
  it("counts a step whose command exited non-zero apart from the ok ones", async () => {
    const root = await makeWorksite({
      goal: goal(`
verify: []
steps:
  - tool: file.write
    input: { path: src/a.txt, content: "a" }
  - tool: shell.run
    input: { command: "node ok.js" }
  - tool: shell.run
    input: { command: "node fail.js" }
  - tool: file.read
    input: { path: src/a.txt }
`),
      permissions: permissions({ Allow: ["file.read", "file.write(src/**)", "shell.run(node)"] }),
      files: { "fail.js": "process.exit(1);\n", "ok.js": "process.exit(0);\n" },
    });
    await runThread({ root });
    const progress = await readProgress(root);
    expect(progress).toContain("### Done\nran 4 step(s): 3 ok, 1 exit 1\n");
    expect(progress).not.toContain("4 ok");
  });
});
