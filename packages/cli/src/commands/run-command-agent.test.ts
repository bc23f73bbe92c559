import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openAuditLog } from "@worksite/core";
import { describe, expect, it } from "vitest";
import { tempWorksite } from "../test-support/cli-harness.js";

const repo = fileURLToPath(new URL("../../../../", import.meta.url));
// The real `worksite` binary, built by the suite's global setup.
const bin = join(repo, "packages/cli/dist/bin.js");

/** A fake agent (sh and curl): it finds the gate endpoint in the MCP config file worksite generated for it, and writes a file through it. */
const FAKE_AGENT = `cfg="$WORKSITE_MCP_CONFIG"
url=$(sed -n 's/.*"url": "\\(.*\\)".*/\\1/p' "$cfg")
auth=$(sed -n 's/.*"Authorization": "\\(.*\\)".*/\\1/p' "$cfg")
post() { curl -sS -m 20 -X POST "$url" -H "Authorization: $auth" -H 'content-type: application/json' -H 'accept: application/json, text/event-stream' -H 'mcp-protocol-version: 2025-06-18' "$@"; }
sid=$(post -D - -o /dev/null -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"fake-agent","version":"1"}}}' | tr -d '\\r' | sed -n 's/^[Mm]cp-[Ss]ession-[Ii]d: //p')
post -H "mcp-session-id: $sid" -d '{"jsonrpc":"2.0","method":"notifications/initialized"}' > /dev/null
post -H "mcp-session-id: $sid" -d '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"file_write","arguments":{"path":"src/done.txt","content":"done through the gate"}}}'
`;

describe("worksite run with a command agent", () => {
  it("a fake agent in the sandbox reaches the tools through the endpoint worksite run serves (its MCP config file), and the run finishes", async () => {
    const root = await tempWorksite(
      {
        "THREAD.md": "---\nstage: write\nagent: { kind: command, command: [sh, agent.sh] }\n---\n# Thread\n",
        "GOAL.md": "---\nverify:\n  - artifact: src/done.txt\n---\n# Goal\nWrite src/done.txt.\n",
        "PERMISSIONS.md": "# Permissions\n\n## Allow\n- `file.read`\n- `file.write(src/**)`\n",
        "agent.sh": FAKE_AGENT,
        "src/": "",
      },
      "worksite-run-agent-",
    );
    const child = spawn(process.execPath, [bin, "run", "--rounds", "1", "-w", root], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.stdout.resume();
    const code = await new Promise<number | null>((r) => child.once("close", r));
    expect(code, err).toBe(0);
    expect(await readFile(join(root, "src", "done.txt"), "utf8")).toBe("done through the gate");
    const entries = await openAuditLog(join(root, ".worksite", "audit.jsonl")).entries();
    expect(entries.find((e) => e.tool === "file.write" && e.target === "src/done.txt")).toMatchObject({
      actor: "mcp:fake-agent",
      tier: "allow",
    });
  });
});
