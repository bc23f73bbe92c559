import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { loadedSandboxManager, sandboxManager } from "./sandbox-manager.js";
import { WorksiteError } from "../errors.js";
import { CONTROL_FOLDERS } from "../boundary/control-paths.js";
import { sandboxAvailability, unavailableMessage, which } from "./availability.js";
import { registerCommand, unregisterCommand, type HostClaim, type HostDecider } from "./connections.js";
import { gitDirsUnder, insideRepository } from "./git-dirs.js";
import { GIT_CONTROL, type SandboxPolicy } from "./policy.js";
import { startSandboxRuntime } from "./runtime.js";

export interface SandboxedCommand {
  /** Program and arguments; a shell command line is `["/bin/sh", "-c", line]`. */
  argv: string[];
  cwd: string;
  policy: SandboxPolicy;
  /** Decides each connection the command makes (the gate's `check`, which audits); none means no network. */
  decideHost?: HostDecider;
  /** Connections this command's `decideHost` answers for alone, even while other commands run (the command agent's own). */
  claims?: HostClaim;
  env: NodeJS.ProcessEnv;
  stdin?: "ignore" | "pipe";
}

export interface StartedCommand {
  child: ChildProcess;
  /** Connections the sandbox refused, one line each with the reason. */
  refused: string[];
  /** How the command was contained, for its report. */
  containment: "sandbox" | "pid-namespace" | "none";
  /** Call once the command has closed: releases what the sandbox set up for it. */
  finished(): void;
}

const denyAll: HostDecider = async () => ({
  allow: false,
  reason: "this command was started without a network decider",
});

/**
 * The one way worksite starts a command an agent influenced. Under the
 * worksite's sandbox policy, inside bubblewrap / sandbox-exec with its own PID
 * namespace (so a time limit ends everything it started, detached or not);
 * refused, never run bare, when no sandbox is available, unless a person wrote
 * `sandbox: off`.
 */
export async function startSandboxed(command: SandboxedCommand): Promise<StartedCommand> {
  const { policy } = command;
  if (policy.off) return startUnsandboxed(command);
  const available = sandboxAvailability(command.env);
  if (!available.ok) throw new WorksiteError("refused", `refused: ${unavailableMessage(available)}`);
  await startSandboxRuntime(available.tools);

  // Runtime-owned folders exist before the sandbox mounts them read-only (an absent path would get a placeholder).
  await Promise.all(
    CONTROL_FOLDERS.map((f) => mkdir(join(policy.root, f), { recursive: true }).catch(() => undefined)),
  );
  const repository = join(policy.root, ".git");
  const readOnly = [...policy.readOnly, ...(await gitDirsUnder(policy.root, available.tools.rg))]
    .filter((path) => keepDeny(path, policy.root))
    .flatMap((path) =>
      policy.repositoryWritable && path === repository && isFolder(repository)
        ? GIT_CONTROL.map((part) => join(repository, part))
        : [path],
    );

  const id = randomBytes(16).toString("base64url");
  const entry = registerCommand(id, command.decideHost ?? denyAll, command.claims);
  let wrapped: { argv: string[]; env: NodeJS.ProcessEnv };
  try {
    // Local addresses go through the connection filter too: inside the network namespace they could reach nothing else.
    const line = `unset NO_PROXY no_proxy; exec ${waitingForAll(command.argv).map(shellQuote).join(" ")}`;
    wrapped = await (await sandboxManager()).wrapWithSandboxArgv(
      line,
      "bash",
      {
        filesystem: {
          denyRead: [...policy.unreadable],
          allowWrite: [...policy.write],
          denyWrite: [...new Set(readOnly)],
        },
      },
      undefined,
      command.cwd,
      { commandId: id },
    );
  } catch (error) {
    unregisterCommand(id);
    loadedSandboxManager()?.cleanupAfterCommand();
    throw new WorksiteError(
      "tool-failed",
      `the sandbox could not be set up for this command: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  const [file, ...args] = withParentDeath(wrapped.argv, command.env);
  const child = spawn(file!, args, {
    cwd: command.cwd,
    env: { ...command.env, ...wrapped.env },
    detached: true,
    stdio: [command.stdin ?? "ignore", "pipe", "pipe"],
  });
  let done = false;
  return {
    child,
    refused: entry.refused,
    containment: "sandbox",
    finished() {
      if (done) return;
      done = true;
      unregisterCommand(id);
      loadedSandboxManager()?.cleanupAfterCommand();
    },
  };
}

/**
 * `sandbox: off`: no file or network rules, but still a PID namespace where
 * bubblewrap exists, so a time limit or a stop still ends detached children.
 */
function startUnsandboxed(command: SandboxedCommand): StartedCommand {
  const bwrap = process.platform === "linux" ? which("bwrap", command.env.PATH ?? "") : undefined;
  const [file, ...args] = bwrap
    ? withParentDeath(
        [
          bwrap,
          "--dev-bind",
          "/",
          "/",
          "--unshare-pid",
          "--die-with-parent",
          "--proc",
          "/proc",
          "--",
          ...waitingForAll(command.argv),
        ],
        command.env,
      )
    : command.argv;
  const child = spawn(file!, args, {
    cwd: command.cwd,
    env: command.env,
    detached: true,
    stdio: [command.stdin ?? "ignore", "pipe", "pipe"],
  });
  return { child, refused: [], containment: bwrap ? "pid-namespace" : "none", finished() {} };
}

/**
 * Which read-only paths to hand the sandbox. An absent path gets a placeholder
 * that stops its creation; that is wanted for the worksite's files, but an
 * empty `.git` at a root inside a larger repository would hide that repository
 * from `git log`, and an absent `.gitmodules` or memory `.git` is nothing to guard.
 */
function keepDeny(path: string, root: string): boolean {
  if (existsSync(path)) return true;
  if (path === join(root, ".git")) return !insideRepository(dirname(root));
  if (path === join(root, ".gitmodules")) return false;
  if (path.endsWith(`${"/"}.git`) || path.endsWith("\\.git")) return false;
  return true;
}

/**
 * bubblewrap's --die-with-parent ties the namespace to the outer bubblewrap,
 * not the outer one to worksite: a worksite killed with SIGKILL would leave the
 * command running. `setpriv --pdeathsig` (util-linux) closes that link.
 */
function withParentDeath(argv: string[], env: NodeJS.ProcessEnv): string[] {
  const setpriv = process.platform === "linux" ? which("setpriv", env.PATH ?? "") : undefined;
  return setpriv ? [setpriv, "--pdeathsig", "KILL", "--", ...argv] : argv;
}

/**
 * Runs the command, then waits while anything it started inside the PID
 * namespace, detached (`setsid … &`) or not, still holds its output: a
 * command is done when its output is, as when background children held the
 * output pipe. Its exit code is the command's. What is left after that (a
 * daemon writing elsewhere) ends with the namespace, and a time limit ends the
 * namespace, and so all of it. Processes started before it (the sandbox's
 * network bridges) have lower pids; its own `sleep`s are its children. Pids
 * are read from /proc, whose namespace may not be the shell's own (the seccomp
 * helper nests one), so `$$` is not used; `-ef` compares the pipes without a
 * process per check.
 */
const WAIT_FOR_ALL = `"$@"; rc=$?
read -r me _ < /proc/self/stat
while :; do
  busy=
  for p in /proc/[0-9]*; do
    n=\${p#/proc/}
    [ "$n" -gt "$me" ] || continue
    read -r s < "$p/stat" 2>/dev/null || continue
    read -r st pp _ <<< "\${s##*) }"
    [ "$pp" = "$me" ] && continue
    case $st in Z|X) continue ;; esac
    for f in "$p"/fd/*; do
      if [ "$f" -ef "/proc/$me/fd/1" ] || [ "$f" -ef "/proc/$me/fd/2" ]; then busy=1; break; fi
    done
    [ -n "$busy" ] && break
  done
  [ -z "$busy" ] && exit $rc
  sleep 0.05
done`;

function waitingForAll(argv: string[]): string[] {
  return ["bash", "-c", WAIT_FOR_ALL, "worksite-command", ...argv];
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** POSIX single-quoting: the argv the gate decided reaches the program unchanged. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
