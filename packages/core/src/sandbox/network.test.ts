import { createServer, type Server } from "node:http";
import { networkInterfaces } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFile } from "node:fs/promises";
import { containmentSite, type ContainmentSite } from "./__fixtures__/worksite.js";
import { stopSandboxRuntime } from "./runtime.js";

const readAuditFile = async (path: string): Promise<Record<string, unknown>[]> =>
  (await readFile(path, "utf8"))
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

/** A local HTTP server that counts the requests reaching it. */
async function countingServer(host: string): Promise<{ server: Server; url: string; hits: () => number }> {
  let hits = 0;
  const server = createServer((_req, res) => {
    hits++;
    res.end("hello from the server\n");
  });
  await new Promise<void>((done) => server.listen(0, host, done));
  const { port } = server.address() as { port: number };
  return { server, url: `http://${host}:${port}/`, hits: () => hits };
}

// A second address of this machine, so "not allowed" does not depend on how loopback aliases are matched.
const other = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && i.family === "IPv4" && !i.internal)?.address;

let site: ContainmentSite;
let allowed: Awaited<ReturnType<typeof countingServer>>;
let refused: Awaited<ReturnType<typeof countingServer>>;
beforeAll(async () => {
  if (!other) throw new Error("this test needs an IPv4 address besides loopback");
  site = await containmentSite({
    allow: ["shell.run curl", "shell.run node -e", "shell.run python3 -c", "net.connect 127.0.0.1"],
  });
  allowed = await countingServer("127.0.0.1");
  refused = await countingServer(other);
});
afterAll(async () => {
  site.restore();
  allowed.server.close();
  refused.server.close();
  await stopSandboxRuntime();
});

const run = async (command: string) => {
  const outcome = await site.gate.call({ tool: "shell.run", input: { command, timeout: 30_000 } });
  if (outcome.status !== "ok") throw new Error(`${command}: ${outcome.status} ${outcome.message}`);
  return outcome.result.content;
};

describe("network under the sandbox: each connection decided by the gate and audited", () => {
  it("reaches a host a `net.connect` rule allows, and the connection is in the audit log", async () => {
    const output = await run(`curl -sS ${allowed.url}`);
    expect(output).toContain("hello from the server");
    expect(allowed.hits()).toBe(1);
    const entries = await readAuditFile(join(site.root, ".worksite", "audit.jsonl"));
    expect(
      entries.filter((e) => e.tool === "net.connect" && e.target === "127.0.0.1" && e.outcome === "ok").length,
    ).toBeGreaterThanOrEqual(1);
  });

  it("sends not one request to a host no rule allows; the refusal names the rule to add and is audited", async () => {
    const host = new URL(refused.url).hostname;
    const attempts = [
      `curl -sS -m 10 ${refused.url}`,
      `curl -sS -m 10 --noproxy '*' ${refused.url}`,
      `python3 -c "import urllib.request; print(urllib.request.urlopen('${refused.url}', timeout=10).read())"`,
      `node -e "fetch('${refused.url}').then((r) => r.text()).then(console.log, (e) => console.log('failed', e.cause && e.cause.code))"`,
    ];
    const outputs: string[] = [];
    for (const command of attempts) outputs.push(await run(command));
    expect(refused.hits()).toBe(0);
    // A command cannot wait for a person: confirm means refused, and the report says which rule would allow it.
    expect(outputs[0]).toContain(`add \`net.connect ${host}\` under Allow in PERMISSIONS.md`);
    const entries = await readAuditFile(join(site.root, ".worksite", "audit.jsonl"));
    expect(
      entries.some(
        (e) => e.tool === "net.connect" && e.target === host && e.outcome === "blocked" && e.tier === "confirm",
      ),
    ).toBe(true);
  });

  it("reaches a host THREAD.md `sandbox: hosts` adds, audited as decided by that line", async () => {
    const host = new URL(refused.url).hostname;
    const widened = await containmentSite({
      allow: ["shell.run curl"],
      thread: `---\nstage: write\nsandbox: { hosts: [${host}] }\n---\n# Thread\n`,
    });
    try {
      const before = refused.hits();
      const outcome = await widened.gate.call({
        tool: "shell.run",
        input: { command: `curl -sS ${refused.url}`, timeout: 30_000 },
      });
      expect(outcome.status === "ok" ? outcome.result.content : outcome.message).toContain("hello from the server");
      expect(refused.hits()).toBe(before + 1);
      const entries = await readAuditFile(join(widened.root, ".worksite", "audit.jsonl"));
      expect(entries.find((e) => e.tool === "net.connect" && e.target === host)).toMatchObject({
        outcome: "ok",
        decidedBy: "rule THREAD.md:3",
      });
    } finally {
      widened.restore();
    }
  });

  it("does not let a direct connection around the proxy reach even an allowed host", async () => {
    const before = allowed.hits();
    await run(`curl -sS -m 5 --noproxy '*' ${allowed.url}`);
    await run(
      `node -e "fetch('${allowed.url}').then((r) => r.text()).then(console.log, (e) => console.log('failed', e.cause && e.cause.code))"`,
    );
    expect(allowed.hits()).toBe(before);
  });
});
