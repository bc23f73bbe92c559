import { existsSync } from "node:fs";
import { stat } from "node:fs/promises";
import { resolve as resolvePath } from "node:path";
import { z } from "zod";
import { definePlugin, defineTool } from "../plugin/define.js";
import { WorksiteError } from "../errors.js";
import { parseCommandLine, unquoted } from "./command-line.js";
import { confine } from "./confine.js";
import { SEAL_KEY_ENV } from "../gate/person-seal.js";
import { hostDeciderFrom, type HostDecider } from "../sandbox/connections.js";
import { sandboxPolicy, type SandboxPolicy } from "../sandbox/policy.js";
import { startSandboxed } from "../sandbox/spawn.js";
import { descendants, running } from "../sandbox/process-tree.js";
import { which } from "../sandbox/availability.js";

const DEFAULT_TIMEOUT_MS = 120_000;
const KEEP_BYTES = 512 * 1024; // head and tail each; the middle of a huge log is rarely what matters
const SHOW_CHARS = 8_000;
const KILL_GRACE_MS = 2_000;

const input = z.object({
  command: z.string().min(1).describe("the command line; a simple command runs without a shell"),
  cwd: z.string().optional().describe("folder inside the worksite to run in (default: the worksite root)"),
  timeout: z
    .number()
    .int()
    .positive()
    .max(3_600_000)
    .optional()
    .describe("milliseconds before the command is killed (default 120000)"),
});

function quoteArg(text: string): string {
  return /^[\w./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

export const shellRun = defineTool({
  description: "Run a command line in the worksite; output is captured as an artifact and the exit code returned",
  effect: "external",
  targetKind: "command",
  input,
  // With a cwd, the rules see where the command runs: relative redirections are decided from there.
  target: (i) => (i.cwd && i.cwd !== "." ? `cd ${quoteArg(i.cwd)} && ${i.command}` : i.command),
  async run(i, ctx) {
    // The policy already decided; this is the tool's own refusal (defence in depth).
    if (/\.worksite/i.test(unquoted(i.command)))
      throw new WorksiteError(
        "refused",
        "refused: commands may not touch `.worksite/` (the runtime's approvals and audit log)",
      );
    const cwd = (await confine(ctx.worksite, i.cwd ?? ".")).absolute;
    if (!(await stat(cwd)).isDirectory()) throw new WorksiteError("user", `cwd ${i.cwd} is not a folder`);
    const parsed = parseCommandLine(i.command);
    const [file, args] = parsed.shell ? ["/bin/sh", ["-c", i.command]] : [parsed.argv[0]!, parsed.argv.slice(1)];
    if (!file) throw new WorksiteError("user", "empty command");
    const started = performance.now();
    // A context made without a gate (a test, a host of its own) gets the strict default sandbox, never none.
    const sandbox = ctx.sandbox ?? sandboxPolicy({ root: ctx.worksite });
    const result = await runProcess([file, ...args], {
      cwd,
      signal: ctx.signal,
      timeoutMs: i.timeout ?? DEFAULT_TIMEOUT_MS,
      sandbox,
      decideHost: hostDeciderFrom(ctx.check),
    });
    const durationMs = Math.round(performance.now() - started);
    const refusedNet = result.refused.length
      ? `\n[network refused by the sandbox:\n${result.refused.map((r) => `  ${r}`).join("\n")}]`
      : "";
    const output = ctx.redact(result.output + refusedNet);
    const testLike = /\b(test|tests|vitest|jest|pytest|mocha|tap)\b/.test(i.command);
    const firstWord = parsed.shell ? "sh" : (parsed.argv[0] ?? "cmd").split("/").pop()!;
    const artifact = await ctx.artifacts.write({
      name: `shell-${firstWord}.log`,
      kind: testLike ? "test-result" : "log",
      data: `$ ${ctx.redact(i.command)}\n${output}\n[${result.timedOut ? "timed out" : `exit ${result.exitCode ?? result.signal}`}, ${durationMs} ms, ${result.containment === "sandbox" ? "sandboxed" : result.containment === "pid-namespace" ? "not sandboxed (sandbox: off)" : "not sandboxed (sandbox: off, no PID namespace)"}]\n`,
      meta: {
        command: ctx.redact(i.command),
        exitCode: result.exitCode,
        signal: result.signal,
        timedOut: result.timedOut,
        durationMs,
        containment: result.containment,
      },
    });
    if (ctx.signal.aborted) throw new WorksiteError("tool-failed", `stopped: ${i.command} was killed`);
    const status = result.timedOut
      ? `timed out after ${i.timeout ?? DEFAULT_TIMEOUT_MS} ms and was killed`
      : result.exitCode !== null
        ? `exit code ${result.exitCode}`
        : `killed by ${result.signal}`;
    const shown =
      output.length > SHOW_CHARS
        ? `[… ${output.length - SHOW_CHARS} earlier characters in ${artifact.path}]\n${output.slice(-SHOW_CHARS)}`
        : output;
    return {
      content: `$ ${ctx.redact(i.command)}\n${status} (${durationMs} ms); full output: ${artifact.path}\n${ctx.untrusted(shown, `output of ${ctx.redact(i.command)}`)}`,
      data: {
        exitCode: result.exitCode,
        signal: result.signal,
        timedOut: result.timedOut,
        durationMs,
        output: artifact.path,
        shell: parsed.shell,
        containment: result.containment,
      },
      artifacts: [artifact],
    };
  },
  async draft(i) {
    return { summary: `would run: ${i.command}${i.cwd ? ` (in ${i.cwd})` : ""}`, body: i.command, kind: "log" };
  },
});

interface ProcessResult {
  /** null when the command timed out or was stopped: a killed command never reads as "exit 0". */
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  output: string;
  /** Connections the sandbox refused, with the reason (the rule to add). */
  refused: string[];
  containment: "sandbox" | "pid-namespace" | "none";
}

export interface RunProcessOptions {
  cwd: string;
  signal: AbortSignal;
  timeoutMs: number;
  sandbox: SandboxPolicy;
  /** Decides each connection (the gate's check); without one the command has no network. */
  decideHost?: HostDecider;
}

/**
 * Runs `argv` in the worksite's sandbox, in its own PID namespace: a stop or a
 * timeout ends everything the command started, detached (`setsid … &`) or not,
 * because the namespace ends with it.
 */
export async function runProcess(argv: string[], options: RunProcessOptions): Promise<ProcessResult> {
  // The key that seals a person's approvals is not the agent's business.
  const { [SEAL_KEY_ENV]: _key, ...env } = process.env;
  const file = argv[0] ?? "";
  // Inside the sandbox a missing program would be the shell's exit 127; say it plainly before starting anything.
  if (file.includes("/") ? !existsSync(resolvePath(options.cwd, file)) : !which(file, env.PATH ?? ""))
    throw new WorksiteError("tool-failed", `command not found: ${file}`);
  const started = await startSandboxed({
    argv,
    cwd: options.cwd,
    policy: options.sandbox,
    env,
    ...(options.decideHost ? { decideHost: options.decideHost } : {}),
  });
  const { child } = started;
  return new Promise((resolve, reject) => {
    const head: Buffer[] = [];
    const tail: Buffer[] = [];
    let headBytes = 0;
    let tailBytes = 0;
    let dropped = 0;
    const collect = (chunk: Buffer) => {
      if (headBytes < KEEP_BYTES) {
        head.push(chunk);
        headBytes += chunk.length;
        return;
      }
      tail.push(chunk);
      tailBytes += chunk.length;
      while (tailBytes - tail[0]!.length > KEEP_BYTES) {
        dropped += tail[0]!.length;
        tailBytes -= tail.shift()!.length;
      }
    };
    child.stdout!.on("data", collect);
    child.stderr!.on("data", collect);

    let timedOut = false;
    let stopped = false;
    let killTimer: NodeJS.Timeout | undefined;
    // The group holds the sandbox's outer process; its PID namespace (and all in it) ends when that does.
    const killGroup = (sig: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, sig);
      } catch {
        // already gone
      }
    };
    let killed: number[] = [];
    let exited = false;
    // The sandbox's inner process (its PID namespace's first) is in a session of its own, and if the outer one dies
    // first it may outlive it (a stop during start-up): kill it by pid first, which ends the namespace, then the outer group.
    const stop = () => {
      if (stopped) return;
      stopped = true;
      const give = Date.now() + KILL_GRACE_MS;
      const sweep = () => {
        const tree = child.pid ? descendants(child.pid) : [];
        // Only bubblewrap (Linux) has an inner process to wait for; sandbox-exec runs the command itself.
        if (
          tree.length === 0 &&
          !exited &&
          started.containment !== "none" &&
          process.platform === "linux" &&
          Date.now() < give
        ) {
          setTimeout(sweep, 10);
          return;
        }
        killed = [...(child.pid ? [child.pid] : []), ...tree];
        for (const pid of tree) {
          try {
            process.kill(pid, "SIGKILL");
          } catch {
            // already gone
          }
        }
        killGroup("SIGTERM");
        killTimer ??= setTimeout(() => killGroup("SIGKILL"), KILL_GRACE_MS);
      };
      sweep();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, options.timeoutMs);
    if (options.signal.aborted) stop();
    options.signal.addEventListener("abort", stop, { once: true });

    let exit: { code: number | null; signal: string | null } | undefined;
    let leftovers: NodeJS.Timeout | undefined;
    child.on("exit", (code, signal) => {
      exited = true;
      exit = { code, signal };
      // Background children can hold the pipes open forever; give them a moment, then end the group.
      leftovers = setTimeout(() => {
        killGroup("SIGKILL");
      }, 500);
    });
    child.on("error", (error) => {
      cleanup();
      const code = (error as NodeJS.ErrnoException).code;
      reject(
        new WorksiteError(
          "tool-failed",
          code === "ENOENT" ? `command not found: ${file}` : `could not start ${file}: ${error.message}`,
          { cause: error },
        ),
      );
    });
    child.on("close", async (code, signal) => {
      // A stopped command is reported once what it ran is gone, not while the kernel is still tearing it down.
      const deadline = Date.now() + KILL_GRACE_MS;
      while (killed.some(running) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      cleanup();
      let text =
        Buffer.concat(head).toString("utf8") +
        (dropped ? `\n[… ${dropped} bytes of output left out …]\n` : "") +
        Buffer.concat(tail).toString("utf8");
      const exitCode = stopped ? null : (exit?.code ?? code);
      if (stopped && !text.endsWith("\n") && text) text += "\n";
      resolve({
        exitCode,
        signal: stopped ? (exit?.signal ?? signal ?? "SIGTERM") : (exit?.signal ?? signal),
        timedOut,
        output: text,
        refused: [...started.refused],
        containment: started.containment,
      });
    });
    function cleanup() {
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      if (leftovers) clearTimeout(leftovers);
      options.signal.removeEventListener("abort", stop);
      started.finished();
    }
  });
}

export const shellPlugin = definePlugin({ name: "shell", tools: { run: shellRun } });
