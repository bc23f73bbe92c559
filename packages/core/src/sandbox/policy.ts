import { homedir } from "node:os";
import { isAbsolute, join, resolve, sep } from "node:path";
import { CONTROL_FOLDERS, RUNTIME_FILES, WORKSITE_FILES } from "../boundary/control-paths.js";
import { personControlFolders } from "../boundary/person-folders.js";
import type { PermissionsFile, ThreadFile } from "../files/types.js";
import { globMatches } from "../policy/glob.js";
import { kernelResolve } from "../policy/match-path.js";
import type { Rule } from "../policy/types.js";
import type { SandboxSetting } from "./settings.js";

/**
 * What the OS sandbox under every command of one worksite allows: plain data,
 * built once per gate and shown by `worksite check`. Paths are absolute.
 */
export interface SandboxPolicy {
  /** A person wrote `sandbox: off`: commands run bare (still in their own PID namespace where bwrap exists). */
  off: boolean;
  root: string;
  /** Folders commands may write: the work tree, and what THREAD.md `sandbox: write` adds. */
  write: string[];
  /** Paths inside them that stay read-only: the worksite's control paths. `.git` folders are added per command. */
  readOnly: string[];
  /** Paths (and globs) commands cannot read: the person's folders, credential folders, what PERMISSIONS.md forbids `file.read`. */
  unreadable: string[];
  /** `net.connect` allow rules, as written, for people to read; the gate decides each connection. */
  hostRules: string[];
  /**
   * Set for a call a person approved: the repository's `.git` takes new
   * objects, refs and index (`git tag`, `git commit`), while its config,
   * hooks and submodules stay read-only, since git runs what they say.
   */
  repositoryWritable?: boolean;
}

/** The parts of a repository that decide what git runs. */
export const GIT_CONTROL = ["config", "hooks", "modules", "info"] as const;

/** Folders that hold credentials in a home folder: commands never read them. */
export const CREDENTIAL_PATHS = [
  ".ssh",
  ".aws",
  ".gnupg",
  ".azure",
  ".kube",
  ".docker",
  ".netrc",
  ".git-credentials",
  ".pypirc",
  ".npmrc",
  ".vault-token",
  ".password-store",
  ".terraform.d",
  ".cargo/credentials",
  ".cargo/credentials.toml",
  ".config/gcloud",
  ".config/gh",
  ".config/hub",
  ".local/share/keyrings",
] as const;

export interface SandboxPolicyInput {
  root: string;
  permissions?: Pick<PermissionsFile, "rules">;
  thread?: Pick<ThreadFile, "sandbox" | "memory"> & Partial<Pick<ThreadFile, "file">>;
  env?: NodeJS.ProcessEnv;
}

export function sandboxPolicy(input: SandboxPolicyInput): SandboxPolicy {
  const root = resolve(input.root);
  const env = input.env ?? process.env;
  const setting: SandboxSetting = input.thread?.sandbox ?? { off: false, write: [], hosts: [] };
  const home = env.HOME ?? homedir();
  // The person's folders as written and as the kernel reaches them: with a symlinked home, the same folder has two paths.
  const person = unique(personControlFolders(env).flatMap((f) => [f, kernelResolve(resolve(f))]));
  const unreadable = [
    ...person,
    ...CREDENTIAL_PATHS.map((p) => join(home, p)),
    ...forbiddenReads(input.permissions?.rules ?? [], root),
  ];
  // A widening never reaches the person's own folders: that is where approvals are sealed.
  const extra = setting.write
    .map((p) => absolute(p, root, home))
    .filter((p) => ![p, kernelResolve(p)].some((w) => person.some((f) => within(w, f) || within(f, w))));
  const memory = input.thread?.memory?.path ?? "memory";
  const readOnly = [
    ...[...WORKSITE_FILES, ...RUNTIME_FILES, ...CONTROL_FOLDERS].map((name) => join(root, name)),
    join(root, ".git"),
    join(root, ".gitmodules"),
    join(absolute(memory, root, home), ".git"),
    ...guardedWrites(input.permissions?.rules ?? [], root),
  ];
  return {
    off: setting.off,
    root,
    write: unique([root, ...extra]),
    readOnly: unique(readOnly),
    unreadable: unique(unreadable),
    hostRules: hostRules(
      withSandboxHosts(
        { rules: input.permissions?.rules ?? [] },
        {
          file: input.thread?.file ?? "THREAD.md",
          ...(input.thread?.sandbox ? { sandbox: input.thread.sandbox } : {}),
        },
      ).rules,
    ),
  };
}

/** The rules that allow `net.connect`, and THREAD.md's `sandbox: hosts` (already made rules by `withSandboxHosts`). */
function hostRules(rules: readonly Rule[]): string[] {
  return rules
    .filter((r) => r.tier === "allow" && globMatches(r.tool, "net.connect"))
    .map((r) => `${r.specifier ?? "*"} (${r.source.file.split(/[\\/]/).pop()}:${r.source.line})`);
}

/** Path patterns PERMISSIONS.md forbids `file.read` on, made absolute. A rule without a path forbids every read: the work tree stays readable to commands, and the gate still refuses `file.read`. */
function forbiddenReads(rules: readonly Rule[], root: string): string[] {
  return rules
    .filter((r) => r.tier === "forbidden" && r.specifier !== undefined && globMatches(r.tool, "file.read"))
    .map((r) => join(root, r.specifier!.replace(/^\.\//, "").replace(/^\/+/, "")))
    .filter((p) => within(p, root) && p !== root);
}

/**
 * Exact paths PERMISSIONS.md gives `file.write` a tier short of allow (draft, confirm, forbidden): the
 * gate drafts or asks for `file.write`, so a command must not write them either (a companion file such as
 * runbook.md, whose changes a person accepts). Globs stay the gate's alone: a mount needs a path.
 */
function guardedWrites(rules: readonly Rule[], root: string): string[] {
  return rules
    .filter(
      (r) =>
        (r.tier === "draft" || r.tier === "confirm" || r.tier === "forbidden") &&
        r.specifier !== undefined &&
        !/[*?[\]{}]/.test(r.specifier) &&
        r.tool === "file.write",
    )
    .map((r) => join(root, r.specifier!.replace(/^\.\//, "").replace(/^\/+/, "")))
    .filter((p) => within(p, root) && p !== root);
}

/**
 * THREAD.md `sandbox: hosts` as allow rules for `net.connect`, so the gate
 * decides and audits those connections like any other, naming THREAD.md as
 * the rule's source. A stricter PERMISSIONS.md rule still wins.
 */
export function withSandboxHosts<P extends Pick<PermissionsFile, "rules">>(
  permissions: P,
  thread: Pick<ThreadFile, "sandbox" | "file"> | undefined,
): P {
  if (!thread?.sandbox || thread.sandbox.off || thread.sandbox.hosts.length === 0) return permissions;
  const { hosts } = thread.sandbox;
  const file = thread.file;
  const line = thread.sandbox?.line ?? 1;
  const rules: Rule[] = hosts.map((host) => ({
    tier: "allow",
    tool: "net.connect",
    specifier: host,
    text: `net.connect ${host}`,
    source: { file, line, column: 1 },
    examples: { match: [], notMatch: [] },
    note: "THREAD.md `sandbox: hosts`",
  }));
  return { ...permissions, rules: [...permissions.rules, ...rules] };
}

function absolute(path: string, root: string, home: string): string {
  const expanded = path === "~" ? home : path.startsWith("~/") ? join(home, path.slice(2)) : path;
  return isAbsolute(expanded) ? resolve(expanded) : resolve(root, expanded);
}

export function within(path: string, folder: string): boolean {
  return path === folder || path.startsWith(folder.endsWith(sep) ? folder : folder + sep);
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}
