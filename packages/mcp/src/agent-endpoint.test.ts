import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { type AuditEntry, openAuditLog, sealKey, stopSandboxRuntime } from "@worksite/core";
import { runThread } from "@worksite/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentToolEndpoint } from "./agent-endpoint.js";
import { tempDir } from "@worksite/test-support";

/*
 * The command agent runs under the same OS sandbox as commands, and reaches
 * worksite's tools only through the runner's loopback gate endpoint. The agent
 * here is a fake agent (a small sh script using curl): a real agent CLI needs
 * a model API this machine cannot reach; the sandbox, the endpoint, the gate
 * and the audit log are all real.
 */

const ENV_KEYS = ["XDG_CONFIG_HOME", "XDG_STATE_HOME", "WORKSITE_STATE_DIR", "WORKSITE_APPROVAL_KEY_FILE"] as const;
const saved = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
let base: string;
let counting: { server: Server; port: number; hits: () => number };

beforeAll(async () => {
  base = await tempDir("worksite-agentbox-");
  // The person's folders live in temp: the seal key is made where worksite keeps it, under the config folder.
  process.env.XDG_CONFIG_HOME = join(base, "config");
  process.env.XDG_STATE_HOME = join(base, "state");
  delete process.env.WORKSITE_STATE_DIR;
  delete process.env.WORKSITE_APPROVAL_KEY_FILE;
  await sealKey({ create: true });
  let hits = 0;
  const server = createServer((_req, res) => {
    hits++;
    res.end("reached the counting server\n");
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  counting = { server, port: (server.address() as { port: number }).port, hits: () => hits };
});

afterAll(async () => {
  for (const k of ENV_KEYS)
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  counting.server.close();
  await stopSandboxRuntime();
  await rm(base, { recursive: true, force: true });
});

async function site(agentScript: string, files: Record<string, string> = {}): Promise<string> {
  const root = join(base, `site-${randomBytes(4).toString("hex")}`);
  await mkdir(join(root, "src"), { recursive: true });
  await writeFile(
    join(root, "THREAD.md"),
    `---\nstage: write\nagent: { kind: command, command: [sh, agent.sh] }\n---\n# Thread\n`,
  );
  await writeFile(
    join(root, "GOAL.md"),
    "---\nverify:\n  - artifact: src/from-agent.txt\n---\n# Goal\nWrite src/from-agent.txt through the gate.\n",
  );
  await writeFile(join(root, "PERMISSIONS.md"), "# Permissions\n\n## Allow\n- `file.read`\n- `file.write(src/**)`\n");
  await writeFile(join(root, "agent.sh"), agentScript);
  for (const [name, text] of Object.entries(files)) await writeFile(join(root, name), text);
  return root;
}

const auditOf = (root: string): Promise<AuditEntry[]> => openAuditLog(join(root, ".worksite", "audit.jsonl")).entries();

/** An MCP client in sh (curl): initialize, then `call <id> <tool> <arguments>`. */
const MCP_CLIENT = `post() { curl -sS -m 20 -X POST "$WORKSITE_MCP_URL" -H "Authorization: Bearer $WORKSITE_MCP_TOKEN" -H 'content-type: application/json' -H 'accept: application/json, text/event-stream' -H 'mcp-protocol-version: 2025-06-18' "$@"; }
sid=$(post -D - -o /dev/null -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"fake-agent","version":"1"}}}' | tr -d '\\r' | sed -n 's/^[Mm]cp-[Ss]ession-[Ii]d: //p')
post -H "mcp-session-id: $sid" -d '{"jsonrpc":"2.0","method":"notifications/initialized"}' > /dev/null
# call <json-rpc id> <tool> <arguments>: ids differ, as calls may run at once
call() { post -H "mcp-session-id: $sid" -d "{\\"jsonrpc\\":\\"2.0\\",\\"id\\":$1,\\"method\\":\\"tools/call\\",\\"params\\":{\\"name\\":\\"$2\\",\\"arguments\\":$3}}"; }
`;

describe("the command agent runs in the sandbox and reaches the tools through the gate endpoint", () => {
  it("a fake agent cannot write THREAD.md or .worksite, read the seal key, or reach a local server no rule allows; its tool call through the endpoint is decided by PERMISSIONS.md and audited", async () => {
    const keyFile = join(process.env.XDG_CONFIG_HOME!, "worksite", "approval.key");
    expect(existsSync(keyFile)).toBe(true);
    const root = await site(`${MCP_CLIENT}
: > attempts.txt
echo pwned >> THREAD.md 2>/dev/null && echo "wrote THREAD.md" >> attempts.txt
echo pwned >> .worksite/audit.jsonl 2>/dev/null && echo "wrote the audit log" >> attempts.txt
echo pwned > .worksite/planted 2>/dev/null && echo "wrote into .worksite" >> attempts.txt
cat '${keyFile}' >> attempts.txt 2>/dev/null && echo "read the seal key" >> attempts.txt
curl -sSf -m 10 http://127.0.0.1:${counting.port}/ >/dev/null 2>&1 && echo "reached the counting server" >> attempts.txt
curl -sSf -m 10 --noproxy '*' http://127.0.0.1:${counting.port}/ >/dev/null 2>&1 && echo "reached the counting server directly" >> attempts.txt
call 2 file_write '{"path":"src/from-agent.txt","content":"written through the gate"}' > mcp-allowed.txt
call 3 file_write '{"path":"PERMISSIONS.md","content":"# Permissions\\n## Allow\\n- \`*\`\\n"}' > mcp-refused.txt
echo agent finished
`);
    const before = await readFile(join(root, "THREAD.md"), "utf8");
    const result = await runThread({ root, rounds: 1, toolEndpoint: agentToolEndpoint });

    expect(await readFile(join(root, "attempts.txt"), "utf8")).toBe("");
    expect(await readFile(join(root, "THREAD.md"), "utf8")).toBe(before);
    expect(existsSync(join(root, ".worksite", "planted"))).toBe(false);
    expect(counting.hits()).toBe(0);
    expect(await readFile(join(root, "src", "from-agent.txt"), "utf8")).toBe("written through the gate");
    expect(await readFile(join(root, "mcp-refused.txt"), "utf8")).toMatch(/isError|refused|forbidden/);
    expect(await readFile(join(root, "PERMISSIONS.md"), "utf8")).not.toContain("- `*`");
    expect(result.state).toBe("done");

    const audit = await auditOf(root);
    const writes = audit.filter((e) => e.tool === "file.write" && e.target === "src/from-agent.txt");
    expect(writes[0]).toMatchObject({ actor: "mcp:fake-agent", tier: "allow", decidedBy: "rule PERMISSIONS.md:5" });
    expect(writes.some((e) => e.outcome === "ok")).toBe(true);
    expect(audit.some((e) => e.tool === "file.write" && e.target === "PERMISSIONS.md" && e.outcome !== "ok")).toBe(
      true,
    );
    // Its connection to the endpoint is audited as the runner's built-in allow; the counting server's is refused.
    expect(
      audit.some((e) => e.tool === "net.connect" && e.outcome === "ok" && String(e.target).startsWith("127.0.0.1:")),
    ).toBe(true);
    expect(audit.some((e) => e.tool === "net.connect" && e.target === "127.0.0.1" && e.outcome === "blocked")).toBe(
      true,
    );
    expect(await openAuditLog(join(root, ".worksite", "audit.jsonl")).verify()).toMatchObject({ ok: true });
  });

  it("a fake agent reaches a host THREAD.md `agent: hosts` names, audited", async () => {
    const root = await site(`curl -sS -m 10 http://127.0.0.1:${counting.port}/ > reached.txt 2>&1\n`);
    await writeFile(
      join(root, "THREAD.md"),
      `---\nstage: write\nagent: { kind: command, command: [sh, agent.sh], hosts: [127.0.0.1] }\n---\n# Thread\n`,
    );
    const before = counting.hits();
    await runThread({ root, rounds: 1, toolEndpoint: agentToolEndpoint });
    expect(await readFile(join(root, "reached.txt"), "utf8")).toContain("reached the counting server");
    expect(counting.hits()).toBe(before + 1);
    expect((await auditOf(root)).find((e) => e.tool === "net.connect" && e.target === "127.0.0.1")).toMatchObject({
      outcome: "ok",
      message: expect.stringContaining("agent: hosts"),
    });
  });

  it("a fake agent cannot reach a host THREAD.md `agent: hosts` names when PERMISSIONS.md forbids it: the forbid wins", async () => {
    const root = await site(`curl -sS -m 10 http://127.0.0.1:${counting.port}/ > reached.txt 2>&1\n`);
    await writeFile(
      join(root, "THREAD.md"),
      `---\nstage: write\nagent: { kind: command, command: [sh, agent.sh], hosts: [127.0.0.1] }\n---\n# Thread\n`,
    );
    await writeFile(
      join(root, "PERMISSIONS.md"),
      "# Permissions\n\n## Allow\n- `file.read`\n- `file.write(src/**)`\n\n## Forbidden\n- `net.connect 127.0.0.1`\n",
    );
    const before = counting.hits();
    await runThread({ root, rounds: 1, toolEndpoint: agentToolEndpoint });
    expect(await readFile(join(root, "reached.txt"), "utf8")).not.toContain("reached the counting server");
    expect(counting.hits()).toBe(before);
    const connects = (await auditOf(root)).filter((e) => e.tool === "net.connect" && e.target === "127.0.0.1");
    expect(connects.length).toBeGreaterThan(0);
    expect(connects.every((e) => e.outcome !== "ok")).toBe(true);
  });

  it("a fake agent's second tool call reaches the endpoint while its first, a command, is still running", async () => {
    // The command waits for the file the second call writes: refused, the second call never lands and the command times out.
    const root = await site(
      `${MCP_CLIENT}
call 2 shell_run '{"command":"sh wait-for.sh","timeout":30000}' > mcp-command.txt &
until [ -f src/command-started ]; do sleep 0.05; done
call 3 file_write '{"path":"src/second.txt","content":"second call"}' > mcp-second.txt
wait
`,
      {
        "wait-for.sh":
          "touch src/command-started\ni=0\nwhile [ ! -f src/second.txt ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done\n[ -f src/second.txt ] && echo saw the second call\n",
      },
    );
    await writeFile(
      join(root, "PERMISSIONS.md"),
      "# Permissions\n\n## Allow\n- `file.read`\n- `file.write(src/**)`\n- `shell.run sh`\n",
    );
    await runThread({ root, rounds: 1, toolEndpoint: agentToolEndpoint });
    expect(await readFile(join(root, "src", "second.txt"), "utf8")).toBe("second call");
    expect(await readFile(join(root, "mcp-command.txt"), "utf8")).toContain("saw the second call");
  });

  it("a stop ends the fake agent and the children it started", async () => {
    const mark = String(600000 + Math.floor(Math.random() * 300000));
    const root = await site(`sleep ${mark} &\nsetsid sleep ${mark} &\necho started > started.txt\nwait\n`);
    const controller = new AbortController();
    const running = runThread({ root, rounds: 1, signal: controller.signal, toolEndpoint: agentToolEndpoint });
    await until(
      () => existsSync(join(root, "started.txt")) && sleeps(mark).length === 2,
      "the fake agent and its two sleeps to start",
    );
    controller.abort();
    await running;
    await until(() => sleeps(mark).length === 0, "every sleep the fake agent started to be gone");
  });
});

/** Processes running `sleep <mark>`, found by argument (inside the sandbox they have namespace pids of their own). */
function sleeps(mark: string): number[] {
  return readdirSync("/proc")
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        const argv = readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0");
        const stat = readFileSync(`/proc/${p}/stat`, "utf8");
        return argv[0]?.endsWith("sleep") && argv[1] === mark && !/\) [ZX] /.test(stat);
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
