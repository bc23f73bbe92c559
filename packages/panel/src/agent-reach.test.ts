import { filesHolding, filesUnder } from "@worksite/test-support";
import { join } from "node:path";
import { personConfigDir, personStateDir, stopSandboxRuntime } from "@worksite/core";
import { openSession, type Session } from "@worksite/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Panel, startPanel } from "./start.js";
import { panelWorksite } from "./testing/fixture.js";
import { request } from "./testing/http.js";

/*
 * The agent's tools can neither read the panel's token nor reach its actions (issue 17 item 3):
 * commands run in the OS sandbox, whose network goes through the gate's `net.connect`; PERMISSIONS.md
 * here allows curl and node but says nothing of 127.0.0.1, as a worksite does by default.
 */

let root: string;
let panel: Panel;
let session: Session;

beforeAll(async () => {
  root = await panelWorksite({
    permissions:
      "---\ndefault:\n  read: allow\n  write: confirm\n  external: confirm\n---\n# Permissions\n\n## Allow\n- `file.read`\n- `shell.run curl`\n- `shell.run node -e`\n- `shell.run cat`\n",
  });
  panel = await startPanel({ worksites: [root] });
  session = await openSession({ root, actor: "agent", threadPlugins: false });
});
afterAll(async () => {
  await session?.dispose();
  await panel?.close();
  await stopSandboxRuntime();
});

const run = async (command: string) => {
  const outcome = await session.gate.call({ tool: "shell.run", input: { command, timeout: 30_000 } });
  return outcome.status === "ok"
    ? outcome.result.content
    : `${outcome.status}: ${"message" in outcome ? outcome.message : ""}`;
};

describe("the agent cannot reach the panel", () => {
  it("a sandboxed command with the login link itself cannot reach the panel: the link still works afterwards", async () => {
    const link = panel.newLoginUrl();
    const outputs = [
      await run(`curl -sS -m 10 -i '${link}'`),
      await run(`curl -sS -m 10 --noproxy '*' '${link}'`),
      await run(
        `node -e "fetch('${link}').then((r) => console.log('status', r.status), (e) => console.log('failed', e.cause && e.cause.code))"`,
      ),
    ];
    for (const out of outputs) {
      expect(out).toMatch(/network refused by the sandbox|Couldn't connect|failed E[A-Z]+/);
      expect(out).not.toMatch(/set-cookie: worksite_panel/i);
      expect(out).not.toContain("status 303");
    }
    // Had any request arrived, the one-time link would be spent.
    const url = new URL(link);
    const login = await request(panel.port, { path: `${url.pathname}${url.search}`, headers: { host: url.host } });
    expect(login.status).toBe(303);
  });

  it("the login token is written nowhere an agent could read: not in the worksite, not in the person's folders", async () => {
    const link = panel.newLoginUrl();
    const token = new URL(link).searchParams.get("token")!;
    const dirs = [root, personStateDir(), personConfigDir()];
    expect((await filesUnder(dirs)).length).toBeGreaterThan(3);
    expect(await filesHolding(dirs, token)).toEqual([]);
  });

  it("the note a running panel leaves for `worksite run` is in the person's state folder, which commands cannot read", async () => {
    const notes = await filesUnder([join(personStateDir(), "panels")]);
    expect(notes.length).toBe(1);
    const out = await run(`cat ${notes[0]}`);
    expect(out).not.toContain(panel.origin);
  });
});
