import { readFile } from "node:fs/promises";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { sendMessage } from "../inbox.js";
import { runThread } from "../run.js";
import {
  auditEntries,
  makeWorksite,
  permissions,
  progressHeadings,
  readState,
  removeWorksites,
  verifyAudit,
  waitFor,
} from "../test-helpers/worksite.js";

interface Seen {
  headers: IncomingHttpHeaders;
  body: {
    model: string;
    messages: { role: string; content: string | null; tool_call_id?: string }[];
    tools: { function: { name: string } }[];
  };
}

/** A chat-completions endpoint that answers from a script, one answer per request, and keeps what it was sent. */
async function fakeModel(
  answers: unknown[],
  hold: (n: number) => boolean = () => false,
): Promise<{ url: string; seen: Seen[]; server: Server }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let text = "";
    req.on("data", (d: Buffer) => (text += d.toString()));
    req.on("end", () => {
      if (req.method !== "POST" || req.url !== "/v1/chat/completions") {
        res.writeHead(404).end("not found");
        return;
      }
      seen.push({ headers: req.headers, body: JSON.parse(text) as Seen["body"] });
      if (hold(seen.length)) return; // a model that is still thinking: no answer until the client gives up
      const message = answers[seen.length - 1] ?? { role: "assistant", content: "out of script" };
      res.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({
          id: `c${seen.length}`,
          object: "chat.completion",
          choices: [{ index: 0, message, finish_reason: "stop" }],
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, seen, server };
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise((r) => {
          s.closeAllConnections();
          s.close(r);
        }),
    ),
  );
});
afterAll(removeWorksites);

const toolCall = (id: string, name: string, args: unknown) => ({
  id,
  type: "function",
  function: { name, arguments: JSON.stringify(args) },
});

describe("the openai agent, against a local chat-completions server standing in for a hosted model API", () => {
  it("acts through the gate: allowed calls run, refused ones are told to the model, and the key goes in the Authorization header", async () => {
    const model = await fakeModel([
      {
        role: "assistant",
        content: null,
        tool_calls: [
          toolCall("call_1", "file__write", { path: "src/a.txt", content: "hi" }),
          toolCall("call_2", "shell__run", { command: "rm -rf src" }),
        ],
      },
      { role: "assistant", content: "Wrote src/a.txt; deleting src was refused." },
    ]);
    const root = await makeWorksite({
      thread: "---\nagent: { kind: openai, model: test-model }\n---\n# Model thread\n",
      goal: "# Goal\nSay hi in src/a.txt.\n",
      permissions: permissions({ Allow: ["file.read", "file.write(src/**)"], Forbidden: ["shell.run(rm -rf)"] }),
    });
    const result = await runThread({
      root,
      env: { WORKSITE_OPENAI_BASE_URL: model.url, WORKSITE_OPENAI_API_KEY: "sk-test-key-123" },
    });

    expect(await readFile(join(root, "src/a.txt"), "utf8")).toBe("hi");
    expect(model.seen).toHaveLength(2);
    const [first, second] = model.seen;
    expect(first!.headers.authorization).toBe("Bearer sk-test-key-123");
    expect(first!.body.model).toBe("test-model");
    expect(first!.body.tools.map((t) => t.function.name)).toEqual(
      expect.arrayContaining(["file__write", "shell__run"]),
    );
    expect(first!.body.messages[0]).toMatchObject({
      role: "system",
      content: expect.stringContaining("Say hi in src/a.txt."),
    });

    const toolMessages = second!.body.messages.filter((m) => m.role === "tool");
    expect(toolMessages).toHaveLength(2);
    expect(toolMessages[0]).toMatchObject({ tool_call_id: "call_1", content: expect.stringMatching(/^\[ok\] /) });
    expect(toolMessages[1]).toMatchObject({ tool_call_id: "call_2", content: expect.stringMatching(/^\[refused\] /) });

    const decisions = (await auditEntries(root)).filter((e) => e.type === "decision");
    expect(decisions.map((e) => [e.actor, e.tool, e.target, e.tier])).toEqual([
      ["agent", "file.write", "src/a.txt", "allow"],
      ["agent", "shell.run", "rm -rf src", "forbidden"],
    ]);
    // The refused call was needed, so the thread pauses and says which.
    expect(result.state).toBe("paused");
    expect(result.reason).toMatch(/^paused: a forbidden action was needed: shell\.run/);
    expect(JSON.stringify(await auditEntries(root))).not.toContain("sk-test-key-123");
    expect((await verifyAudit(root)).ok).toBe(true);
  });

  it("is steered while it waits for the model: the request is given up and the model is asked again with the steering", async () => {
    const model = await fakeModel([null, { role: "assistant", content: "Changed course as asked." }], (n) => n === 1);
    const root = await makeWorksite({
      thread: "---\nagent: { kind: openai, model: test-model }\n---\n# Model thread\n",
      goal: "# Goal\nSay hi.\n",
      permissions: permissions({ Allow: ["file.read"] }),
    });
    const running = runThread({ root, rounds: 1, steerPollMs: 50, env: { WORKSITE_OPENAI_BASE_URL: model.url } });
    await waitFor(() => model.seen.length === 1, "the first model request");
    await sendMessage(root, "steer", "say hello instead", "person:test");
    const result = await running;

    expect(model.seen).toHaveLength(2);
    expect(model.seen[1]!.body.messages[0]!.content).toContain(
      "## Steering from a person (takes priority; continue in this direction)\n- say hello instead",
    );
    expect(result.rounds).toEqual([1]);
    expect(result.state).toBe("done"); // the model ended its turn after the steering and the (empty) verification passed
  });

  it("blocks the round with a one-line reason when the model endpoint cannot be reached", async () => {
    const model = await fakeModel([]);
    const url = model.url;
    await new Promise((r) => {
      model.server.close(r);
    }); // nothing listens there any more
    const root = await makeWorksite({
      thread: "---\nagent: { kind: openai, model: test-model }\n---\n# Model thread\n",
      goal: "# Goal\nSay hi.\n",
      permissions: permissions({ Allow: ["file.read"] }),
    });
    const result = await runThread({ root, env: { WORKSITE_OPENAI_BASE_URL: url } });
    expect(result.state).toBe("blocked");
    expect(result.reason).toMatch(
      new RegExp(`^blocked: the openai agent failed: could not reach the model endpoint ${url.replace(/[.]/g, "\\.")}`),
    );
    expect(result.reason).not.toContain("\n");
    const state = await readState(root);
    expect(state).toMatchObject({ round: 1, state: "blocked", lastStop: { reason: result.reason } });
    expect(state.inProgress).toBeUndefined();
    expect(await progressHeadings(root)).toEqual([`## Round 1 — ${result.reason}`]);
    expect((await verifyAudit(root)).ok).toBe(true);
  });
});
