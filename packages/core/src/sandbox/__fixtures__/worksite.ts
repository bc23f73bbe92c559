import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { openAuditLog } from "../../audit/audit-log.js";
import { loadWorksite } from "../../files/load-worksite.js";
import { createGate } from "../../gate/gate.js";
import type { Gate } from "../../gate/types.js";
import { createArtifactStore } from "../../artifacts/store.js";
import { silentLogger } from "../../gate/logger.js";
import type { ToolContext } from "../../plugin/types.js";
import { corePlugins } from "../../tools/index.js";
import { wrapUntrusted } from "../../untrusted.js";
import type { SandboxPolicy } from "../policy.js";
import { tempDir } from "@worksite/test-support";

/** The person's secrets a command must never read; each holds its own marker. */
export interface Secrets {
  sealKey: string;
  keyPath: string;
  configDir: string;
  stateDir: string;
  home: string;
  markers: string[];
}

/** A PERMISSIONS.md that allows ordinary commands and interpreters, as in issue 11. */
export const ORDINARY_COMMANDS = [
  "shell.run find",
  "shell.run cat",
  "shell.run git log",
  "shell.run bash -c",
  "shell.run npm test",
  "shell.run node -e",
  "shell.run python3 -c",
];

export interface ContainmentSite {
  root: string;
  base: string;
  secrets: Secrets;
  gate: Gate;
  /** Restores the environment the fixture changed. */
  restore(): void;
}

const ENV_KEYS = [
  "HOME",
  "XDG_CONFIG_HOME",
  "XDG_STATE_HOME",
  "WORKSITE_STATE_DIR",
  "WORKSITE_APPROVAL_KEY_FILE",
] as const;

/**
 * A worksite with every kind of control state (the three files, PROGRESS.md,
 * approvals, the audit log and its head, artifacts, the repository's and the
 * memory folder's .git) and a person whose seal key, state and credentials
 * live in temp folders the environment points at.
 */
export async function containmentSite(
  options: { allow?: string[]; forbidden?: string[]; thread?: string } = {},
): Promise<ContainmentSite> {
  const base = await tempDir("worksite-contain-");
  const root = join(base, "site");
  const tag = () => `SECRET-${randomBytes(8).toString("hex")}`;
  const home = join(base, "home");
  const configDir = join(base, "config");
  const stateDir = join(base, "state");
  const keyDir = join(base, "keys");
  const keyPath = join(keyDir, "approval.key");
  const sealKey = tag();
  const markers = [sealKey];
  const put = async (path: string, text: string) => {
    await mkdir(join(path, ".."), { recursive: true });
    await writeFile(path, text);
  };
  await put(keyPath, sealKey);
  await chmod(keyPath, 0o600);
  for (const path of [
    join(configDir, "worksite", "approval.key"),
    join(stateDir, "worksite-id", "anchor.json"),
    join(home, ".ssh", "id_ed25519"),
    join(home, ".aws", "credentials"),
    join(home, ".config", "gh", "hosts.yml"),
    join(root, "secret", "token.txt"),
  ]) {
    const marker = tag();
    markers.push(marker);
    await put(path, marker);
  }
  const saved = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
  Object.assign(process.env, {
    HOME: home,
    XDG_CONFIG_HOME: configDir,
    XDG_STATE_HOME: join(base, "xdg-state"),
    WORKSITE_STATE_DIR: stateDir,
    WORKSITE_APPROVAL_KEY_FILE: keyPath,
  });

  await put(join(root, "THREAD.md"), options.thread ?? "---\nstage: write\n---\n# Thread\n## Owns\n- src/\n");
  await put(join(root, "GOAL.md"), "# Goal\nKeep the widget counting.\n");
  const allow = options.allow ?? ORDINARY_COMMANDS;
  const forbidden = options.forbidden ?? ["file.read secret/**"];
  await put(
    join(root, "PERMISSIONS.md"),
    [
      "# Permissions",
      "",
      "## Allow",
      ...allow.map((r) => `- \`${r}\``),
      "",
      "## Forbidden",
      ...forbidden.map((r) => `- \`${r}\``),
      "",
    ].join("\n"),
  );
  await put(join(root, "PROGRESS.md"), "# Progress\n## Round 1\nDone.\n");
  // Runtime state a command must not touch (approvals themselves now live in the person's state folder).
  await put(join(root, ".worksite", "runs", "r1.json"), JSON.stringify({ id: "r1", status: "consumed", seal: "abc" }));
  await put(join(root, "artifacts", "index.json"), "[]\n");
  await put(join(root, "artifacts", "round-1", "x.log"), "evidence\n");
  await put(join(root, "src", "a.txt"), "work\n");
  await put(
    join(root, "package.json"),
    JSON.stringify({
      name: "victim",
      private: true,
      scripts: {
        test: "echo x > THREAD.md; node -e \"require('fs').rmSync('.' + 'worksite', { recursive: true, force: true })\"; echo done",
      },
    }),
  );
  const git = (cwd: string, ...args: string[]) =>
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", "-c", "init.defaultBranch=main", ...args], {
      cwd,
      stdio: "ignore",
    });
  git(root, "init", "-q");
  git(root, "add", "THREAD.md", "GOAL.md", "src");
  git(root, "commit", "-qm", "start");
  await mkdir(join(root, "memory"), { recursive: true });
  git(join(root, "memory"), "init", "-q");

  const worksite = await loadWorksite(root);
  const audit = openAuditLog(join(root, ".worksite", "audit.jsonl"));
  const gate = createGate({ root, worksite, plugins: corePlugins(), audit, actor: "agent", run: "run-1", round: 1 });
  // A real audit log and head, written by the gate itself.
  await gate.call({ tool: "file.read", input: { path: "src/a.txt" } });
  // Synced, both heads moved and the lock handed back: .worksite/ holds still while the attacks are compared with it.
  await audit.close();
  const restore = () => {
    for (const k of ENV_KEYS) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  };
  return { root, base, secrets: { sealKey, keyPath, configDir, stateDir, home, markers }, gate, restore };
}

const CONTROL = [
  "THREAD.md",
  "GOAL.md",
  "PERMISSIONS.md",
  "PROGRESS.md",
  ".worksite",
  "artifacts",
  ".git",
  "memory/.git",
];

/** Names, kinds, modes, bytes and link targets of every control path: equal snapshots mean nothing changed. */
export function controlSnapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (path: string) => {
    const rel = relative(root, path);
    let stat;
    try {
      stat = lstatSync(path);
    } catch {
      out[rel] = "missing";
      return;
    }
    const mode = (stat.mode & 0o7777).toString(8);
    if (stat.isSymbolicLink()) out[rel] = `link ${readlinkSync(path)}`;
    else if (stat.isDirectory()) {
      out[rel] = `dir ${mode}`;
      for (const entry of readdirSync(path).sort()) visit(join(path, entry));
    } else out[rel] = `file ${mode} ${stat.nlink} ${createHash("sha256").update(readFileSync(path)).digest("hex")}`;
  };
  for (const name of CONTROL) visit(join(root, name));
  return out;
}

/** Files anywhere under `dir` (control paths included) whose bytes hold one of `markers`. */
export function filesHolding(dir: string, markers: string[]): string[] {
  const found: string[] = [];
  const visit = (path: string) => {
    const stat = lstatSync(path);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path)) visit(join(path, entry));
    } else if (stat.isFile()) {
      const text = readFileSync(path, "latin1");
      if (markers.some((m) => text.includes(m))) found.push(path);
    }
  };
  visit(dir);
  return found;
}

/** A tool context whose commands run under `policy`: network refused, evidence written under `evidence`. */
export function sandboxedToolContext(root: string, policy: SandboxPolicy, evidence = root): ToolContext {
  return {
    worksite: root,
    run: "r",
    round: 1,
    actor: "agent",
    artifacts: createArtifactStore({ root: evidence, run: "r", round: 1, redact: (t) => t }),
    signal: new AbortController().signal,
    log: silentLogger,
    untrusted: wrapUntrusted,
    redact: (t) => t,
    check: async () => ({ tier: "forbidden", reason: "no network in this test" }),
    sandbox: policy,
  };
}
