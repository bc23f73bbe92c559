import { existsSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sendMessage } from "../inbox.js";
import { runThread } from "../run.js";
import { auditEntries, makeWorksite, permissions, removeWorksites, waitFor } from "../test-helpers/worksite.js";

afterAll(removeWorksites);

const commandThread = (script: string) =>
  `---\nagent: { kind: command, command: ["node", "${script}"] }\n---\n# Command thread\n`;

/** Keeps the round prompt it was given on stdin, one file per round. */
const RECORDER = `let prompt = "";
process.stdin.on("data", (d) => (prompt += d));
process.stdin.on("end", () => require("fs").writeFileSync("prompt-" + process.env.WORKSITE_ROUND + ".txt", prompt));
`;

/** Sleeps 20 s unless its prompt carries a person's steering; leaves its pid and prompt behind. */
const SLEEPER = `const fs = require("fs");
let prompt = "";
process.stdin.on("data", (d) => (prompt += d));
process.stdin.on("end", () => {
  const n = fs.readdirSync(".").filter((f) => f.startsWith("sleeper-")).length / 2;
  fs.writeFileSync("sleeper-" + n + ".pid", String(process.pid));
  fs.writeFileSync("sleeper-" + n + ".prompt", prompt);
  if (!prompt.includes("Steering from a person")) setTimeout(() => {}, 120000); // outlives the test: unsteered, the test times out
});
`;

/** The agent's processes, found by argument and folder: in the sandbox they have pids of their own namespace. */
function agentProcesses(root: string, script: string): number[] {
  return readdirSync("/proc")
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return (
          readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0").includes(script) &&
          readlinkSync(`/proc/${p}/cwd`) === root &&
          !/\) [ZX] /.test(readFileSync(`/proc/${p}/stat`, "utf8"))
        );
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe("the command agent", () => {
  it("gets the round prompt on stdin, with the goal and the round number", async () => {
    const root = await makeWorksite({
      thread: commandThread("recorder.js"),
      goal: "# Goal\nThe widget counts every sprocket.\n",
      permissions: permissions({ Allow: ["file.read"] }),
      files: { "recorder.js": RECORDER },
    });
    const result = await runThread({ root });
    expect(result).toMatchObject({ state: "done", rounds: [1] });
    const prompt = await readFile(join(root, "prompt-1.txt"), "utf8");
    expect(prompt).toContain("The widget counts every sprocket.");
    expect(prompt).toContain("round 1 (run ");
  });

  it("is stopped by a steering message, and started again with the steering in its prompt", async () => {
    const root = await makeWorksite({
      thread: commandThread("sleeper.js"),
      goal: "# Goal\nSleep well.\n",
      permissions: permissions({ Allow: ["file.read"] }),
      files: { "sleeper.js": SLEEPER },
    });
    const running = runThread({ root, steerPollMs: 50 });
    await waitFor(async () => existsSync(join(root, "sleeper-0.pid")), "the agent command to start");
    await sendMessage(root, "steer", "wake up and finish", "person:test");
    const result = await running;

    expect(result).toMatchObject({ state: "done", rounds: [1] });
    await waitFor(() => agentProcesses(root, "sleeper.js").length === 0, "the first agent process to be gone", 3000);
    expect(await readFile(join(root, "sleeper-0.prompt"), "utf8")).not.toContain("wake up and finish");
    expect(await readFile(join(root, "sleeper-1.prompt"), "utf8")).toContain(
      "## Steering from a person (takes priority; continue in this direction)\n- wake up and finish",
    );
    expect((await auditEntries(root)).filter((e) => e.type === "inbox").map((e) => e.message)).toEqual([
      "steering taken: wake up and finish",
    ]);
  });

  it("blocks the round, saying which command, when the agent command cannot start", async () => {
    const root = await makeWorksite({
      thread: "---\nagent: { kind: command, command: [no-such-agent-cli, exec] }\n---\n# Command thread\n",
      goal: "# Goal\nAnything.\n",
      permissions: permissions({ Allow: ["file.read"] }),
    });
    const result = await runThread({ root });
    expect(result.state).toBe("blocked");
    expect(result.reason).toMatch(
      /^blocked: the command agent failed: could not start the agent command no-such-agent-cli: .*ENOENT/,
    );
  });
});
