import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { approve, deny, listApprovals, loadWorksite, openAuditLog } from "@worksite/core";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { agentFor } from "../agents/select.js";
import type { Agent, RoundContext } from "../agents/types.js";
import { runThread } from "../run.js";
import { auditPath } from "../session.js";
import { goal, makeWorksite, permissions, removeWorksites } from "../test-helpers/worksite.js";

afterAll(removeWorksites);
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => (s.closeAllConnections(), s.close(r)))));
});

const PERMISSIONS = permissions({
  Allow: ["file.read", "file.write(src/**)", "shell.run(node check.js)"],
  "Requires confirmation": ["shell.run(node publish.js)"],
});
const FILES = { "check.js": "process.exit(1);\n", "publish.js": "console.log('published');\n" };

async function pendingId(root: string): Promise<string> {
  const pending = (await listApprovals(root)).filter((a) => a.status === "pending");
  return pending[0]!.id;
}

describe("the agent gets the thread's standing state at the start of every round", () => {
  it("the script agent's round context carries it: the person's approval, the open problem, what this wake checks", async () => {
    const root = await makeWorksite({
      goal: goal(`
verify: ["node check.js"]
steps:
  - tool: shell.run
    input: { command: "node publish.js" }
`),
      permissions: PERMISSIONS,
      files: FILES,
    });
    const script = agentFor("script", await loadWorksite(root), {});
    const seen: RoundContext[] = [];
    const agent: Agent = { name: "script", act: (c, tools, signal) => (seen.push(c), script.act(c, tools, signal)) };

    await runThread({ root, agent, rounds: 1 });
    expect(seen[0]!.standing).toBeUndefined(); // round 1: nothing stands yet
    const id = await pendingId(root);
    await approve(root, id, { by: "person:alice", audit: openAuditLog(auditPath(root)) });
    await runThread({ root, agent, rounds: 1 });

    const standing = seen[1]!.standing!;
    expect(standing).toMatch(/^## Standing/);
    expect(standing).toMatch(new RegExp(`person:alice: approved ${id} .*\\[audit #\\d+\\]`));
    expect(standing).toMatch(/\*\*P1\*\* node check\.js: exit 1 — since round 1/);
    expect(standing).toContain("make node check.js pass (P1, failing since round 1)");
  });

  it("an OpenAI-compatible model reads it in the system prompt, before the last report and inside the untrusted envelope", async () => {
    const prompts: string[] = [];
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => (body += d.toString()));
      req.on("end", () => {
        const sent = JSON.parse(body) as { messages: { role: string; content: string }[] };
        const first = sent.messages.length === 2;
        if (first) prompts.push(sent.messages[0]!.content);
        const message = first
          ? {
              role: "assistant",
              content: null,
              tool_calls: [
                {
                  id: "c1",
                  type: "function",
                  function: { name: "shell__run", arguments: JSON.stringify({ command: "node publish.js" }) },
                },
              ],
            }
          : { role: "assistant", content: "asked to publish" };
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ id: "x", object: "chat.completion", choices: [{ index: 0, message }] }));
      });
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    const root = await makeWorksite({
      thread: "---\nstage: write\nagent: { kind: openai, model: m }\n---\n# Thread\n",
      goal: goal('verify: ["node check.js"]'),
      permissions: PERMISSIONS,
      files: FILES,
    });
    const env = { WORKSITE_OPENAI_BASE_URL: url };
    await runThread({ root, env, rounds: 1 });
    const id = await pendingId(root);
    await deny(root, id, { by: "person:bob", reason: "not today", audit: openAuditLog(auditPath(root)) });
    await runThread({ root, env, rounds: 1 });

    expect(prompts).toHaveLength(2);
    expect(prompts[0]).not.toContain("## Standing state of the thread");
    const prompt = prompts[1]!;
    const at = prompt.indexOf("## Standing state of the thread");
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThan(prompt.indexOf("## Last round's report"));
    const section = prompt.slice(at, prompt.indexOf("## Last round's report"));
    expect(section).toMatch(/<untrusted-content[^>]*>[\s\S]*## Standing/);
    expect(section).toMatch(new RegExp(`person:bob: denied ${id}: not today`));
    expect(section).toMatch(/\*\*P1\*\* node check\.js/);
  });
});
