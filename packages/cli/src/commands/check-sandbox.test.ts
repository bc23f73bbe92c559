import { readFile, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { main } from "../main.js";
import { captureIO, tempWorksite } from "../test-support/cli-harness.js";
import { tempDir } from "@worksite/test-support";

async function initialised(): Promise<string> {
  const root = await tempWorksite({}, "worksite-check-sandbox-");
  expect(await main(["init"], captureIO(root))).toBe(0);
  return root;
}

const savedPath = process.env.PATH;
afterEach(() => {
  process.env.PATH = savedPath;
});

describe("worksite check shows the sandbox under commands", () => {
  it("in force: what commands may write, what stays read-only, what they cannot read, which hosts they can reach", async () => {
    const root = await initialised();
    await writeFile(
      join(root, "PERMISSIONS.md"),
      `${await readFile(join(root, "PERMISSIONS.md"), "utf8")}\n## Allow\n- \`net.connect registry.example.com\`\n`,
    );
    const io = captureIO(root);
    expect(await main(["check"], io)).toBe(0);
    expect(io.out).toMatch(/Sandbox {2}in force under every command/);
    expect(io.out).toContain("may write    the work tree");
    expect(io.out).toMatch(
      /read-only {4}THREAD\.md, GOAL\.md, PERMISSIONS\.md, PROGRESS\.md, \.worksite, artifacts, \.git/,
    );
    expect(io.out).toMatch(/unreadable {3}\S*worksite.*credential folders \(~\/\.ssh, ~\/\.aws/);
    expect(io.out).toMatch(
      /network {6}only registry\.example\.com \(PERMISSIONS\.md:\d+\); each connection decided and audited/,
    );
    const json = captureIO(root);
    expect(await main(["check", "--json"], json)).toBe(0);
    expect(JSON.parse(json.out).sandbox).toMatchObject({ state: "on", write: [root] });
  });

  it("says that an external command agent runs inside the sandbox, and shows the hosts THREAD.md lets it reach", async () => {
    const root = await initialised();
    const thread = await readFile(join(root, "THREAD.md"), "utf8");
    await writeFile(
      join(root, "THREAD.md"),
      thread.replace(/^agent: script.*$/m, "agent: { kind: command, command: [codex, exec], hosts: [api.openai.com] }"),
    );
    const io = captureIO(root);
    expect(await main(["check"], io)).toBe(0);
    expect(io.out).toMatch(
      /agent {8}the `command` agent \(codex exec\) runs inside it too; it reaches worksite's tools only through the run's gate endpoint/,
    );
    expect(io.out).toMatch(/agent hosts {2}api\.openai\.com \(THREAD\.md `agent: hosts`\); each connection audited/);
    expect(io.out).not.toContain("outside the sandbox");
  });

  it("says loudly when a person turned it off", async () => {
    const root = await initialised();
    const thread = await readFile(join(root, "THREAD.md"), "utf8");
    await writeFile(join(root, "THREAD.md"), thread.replace(/^---\n/, "---\nsandbox: off\n"));
    const io = captureIO(root);
    expect(await main(["check"], io)).toBe(0);
    expect(io.out).toMatch(/Sandbox {2}OFF — THREAD\.md:2 says `sandbox: off`: commands run with your full rights/);
  });

  it("says loudly when no sandbox is available, and how to install one", async () => {
    const root = await initialised();
    const bin = await tempDir("worksite-nobwrap-");
    await symlink(process.execPath, join(bin, "node"));
    process.env.PATH = bin;
    const io = captureIO(root);
    expect(await main(["check"], io)).toBe(0);
    expect(io.out).toMatch(
      /Sandbox {2}UNAVAILABLE — no OS sandbox available \(missing: bwrap \(bubblewrap\), socat, rg \(ripgrep\)\); commands are refused .*apt-get install -y bubblewrap socat ripgrep/,
    );
  });

  it("reports a bad `sandbox:` setting with its line and what is expected", async () => {
    const root = await initialised();
    const thread = await readFile(join(root, "THREAD.md"), "utf8");
    await writeFile(join(root, "THREAD.md"), thread.replace(/^---\n/, "---\nsandbox: { writes: [/tmp] }\n"));
    const io = captureIO(root);
    expect(await main(["check"], io)).toBe(1);
    expect(io.err).toMatch(/THREAD\.md:2:\d+: error: .*sandbox/);
    expect(io.err).not.toMatch(/\n\s+at /);
  });
});
