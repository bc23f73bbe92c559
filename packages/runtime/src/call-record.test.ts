import { afterAll, describe, expect, it } from "vitest";
import { type RunEvent, runThread } from "./run.js";
import { auditEntries, goal, makeWorksite, permissions, readProgress, removeWorksites } from "./test-helpers/worksite.js";

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
    expect(calls[0]).toMatchObject({ tool: "shell.run", status: "ok", exitCode: 3, message: expect.stringMatching(/^exit 3: /) });
    // The passing verification command is a plain ok.
    expect(calls[1]).toMatchObject({ tool: "shell.run", status: "ok" });
    expect(calls[1]).not.toHaveProperty("exitCode");
    expect((calls[1] as { message: string }).message).not.toMatch(/^exit/);

    expect(await readProgress(root)).toMatch(/^- shell\.run: ok \(allow\) — exit 3: /m);
    const results = (await auditEntries(root)).filter((e) => e.type === "result" && e.target === "node fail.js");
    expect(results.map((e) => e.outcome)).toEqual(["ok"]);
  });
});
