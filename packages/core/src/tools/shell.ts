import { spawn } from "node:child_process";
import { stat } from "node:fs/promises";
import { z } from "zod";
import { definePlugin, defineTool } from "../plugin/define.js";
import { WorksiteError } from "../errors.js";
import { parseCommandLine, unquoted } from "./command-line.js";
import { confine } from "./confine.js";
import { SEAL_KEY_ENV } from "../gate/person-seal.js";

const DEFAULT_TIMEOUT_MS = 120_000;
const KEEP_BYTES = 512 * 1024; // head and tail each; the middle of a huge log is rarely what matters
const SHOW_CHARS = 8_000;
const KILL_GRACE_MS = 2_000;

const input = z.object({
  command: z.string().min(1).describe("the command line; a simple command runs without a shell"),
  cwd: z.string().optional().describe("folder inside the worksite to run in (default: the worksite root)"),
  timeout: z.number().int().positive().max(3_600_000).optional().describe("milliseconds before the command is killed (default 120000)"),
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
    if (/\.worksite/i.test(unquoted(i.command))) throw new WorksiteError("refused", "refused: commands may not touch `.worksite/` (the runtime's approvals and audit log)");
    const cwd = (await confine(ctx.worksite, i.cwd ?? ".")).absolute;
    if (!(await stat(cwd)).isDirectory()) throw new WorksiteError("user", `cwd ${i.cwd} is not a folder`);
    const parsed = parseCommandLine(i.command);
    const [file, args] = parsed.shell ? ["/bin/sh", ["-c", i.command]] : [parsed.argv[0]!, parsed.argv.slice(1)];
    if (!file) throw new WorksiteError("user", "empty command");
    const started = performance.now();
    const result = await runProcess(file, args, { cwd, signal: ctx.signal, timeoutMs: i.timeout ?? DEFAULT_TIMEOUT_MS });
    const durationMs = Math.round(performance.now() - started);
    const output = ctx.redact(result.output);
    const testLike = /\b(test|tests|vitest|jest|pytest|mocha|tap)\b/.test(i.command);
    const firstWord = parsed.shell ? "sh" : (parsed.argv[0] ?? "cmd").split("/").pop()!;
    const artifact = await ctx.artifacts.write({
      name: `shell-${firstWord}.log`,
      kind: testLike ? "test-result" : "log",
      data: `$ ${ctx.redact(i.command)}\n${output}\n[exit ${result.exitCode ?? result.signal}${result.timedOut ? ", timed out" : ""}, ${durationMs} ms]\n`,
      meta: { command: ctx.redact(i.command), exitCode: result.exitCode, signal: result.signal, timedOut: result.timedOut, durationMs },
    });
    if (ctx.signal.aborted) throw new WorksiteError("tool-failed", `stopped: ${i.command} was killed`);
    const status = result.timedOut
      ? `timed out after ${i.timeout ?? DEFAULT_TIMEOUT_MS} ms and was killed`
      : result.exitCode !== null ? `exit code ${result.exitCode}` : `killed by ${result.signal}`;
    const shown = output.length > SHOW_CHARS ? `[… ${output.length - SHOW_CHARS} earlier characters in ${artifact.path}]\n${output.slice(-SHOW_CHARS)}` : output;
    return {
      content: `$ ${ctx.redact(i.command)}\n${status} (${durationMs} ms); full output: ${artifact.path}\n${ctx.untrusted(shown, `output of ${ctx.redact(i.command)}`)}`,
      data: { exitCode: result.exitCode, signal: result.signal, timedOut: result.timedOut, durationMs, output: artifact.path, shell: parsed.shell },
      artifacts: [artifact],
    };
  },
  async draft(i) {
    return { summary: `would run: ${i.command}${i.cwd ? ` (in ${i.cwd})` : ""}`, body: i.command, kind: "log" };
  },
});

interface ProcessResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  output: string;
}

/** Run in its own process group so a stop or timeout kills the children too (a test runner's workers, a server). */
export function runProcess(file: string, args: string[], options: { cwd: string; signal: AbortSignal; timeoutMs: number }): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    // The key that seals a person's approvals is not the agent's business.
    const { [SEAL_KEY_ENV]: _key, ...env } = process.env;
    const child = spawn(file, args, { cwd: options.cwd, detached: true, stdio: ["ignore", "pipe", "pipe"], env });
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
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);

    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    const killGroup = (sig: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, sig);
      } catch {
        // already gone
      }
    };
    const stop = () => {
      killGroup("SIGTERM");
      killTimer ??= setTimeout(() => killGroup("SIGKILL"), KILL_GRACE_MS);
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
      exit = { code, signal };
      // Background children can hold the pipes open forever; give them a moment, then end the group.
      leftovers = setTimeout(() => {
        killGroup("SIGKILL");
      }, 500);
    });
    child.on("error", (error) => {
      cleanup();
      const code = (error as NodeJS.ErrnoException).code;
      reject(new WorksiteError("tool-failed", code === "ENOENT" ? `command not found: ${file}` : `could not start ${file}: ${error.message}`, { cause: error }));
    });
    child.on("close", (code, signal) => {
      cleanup();
      const text = Buffer.concat(head).toString("utf8") + (dropped ? `\n[… ${dropped} bytes of output left out …]\n` : "") + Buffer.concat(tail).toString("utf8");
      resolve({ exitCode: exit?.code ?? code, signal: exit?.signal ?? signal, timedOut, output: text });
    });
    function cleanup() {
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      if (leftovers) clearTimeout(leftovers);
      options.signal.removeEventListener("abort", stop);
    }
  });
}

export const shellPlugin = definePlugin({ name: "shell", tools: { run: shellRun } });
