import { existsSync, readdirSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  LAUNCHD_LABEL,
  launchdPlist,
  roundRunner,
  startQueueWorker,
  startScheduler,
  systemdUnit,
  type WakeRecord,
} from "@worksite/automations";
import { UserError } from "@worksite/core";
import { agentToolEndpoint } from "@worksite/mcp";
import { defineCommand } from "../command.js";
import { findWorksite } from "../find-worksite.js";
import type { CommandIO } from "../io.js";
import { styler } from "../io.js";
import { holdStop, type StopSignal, stopExitCode } from "../stop-signals.js";
import { parseDuration } from "../session-for-cli.js";

export default defineCommand({
  name: "wake",
  usage: `wake [-w DIR]… [--all DIR] [--queue redis://HOST:PORT] [--json]
wake --install [--platform linux|macos] [--write]

Wakes each thread on its THREAD.md \`wake:\` schedule and runs one round of the
ordinary run loop per wake, under the thread's lock. A wake that comes while a
round runs is skipped; a done, paused or waiting thread is not woken; wakes a
sleeping machine missed become one catch-up. Each wake leaves a result in
\`worksite inbox\`. Ctrl-C or SIGTERM stops: the running round is interrupted
and redone at the next wake.

With --queue, the schedules live in Redis (BullMQ) and any number of
\`worksite wake --queue …\` workers, on any machines that see the same
worksite folders, share them: each wake runs once.`,
  summary: "wake threads on their THREAD.md schedules (one round per wake); --install prints a user service",
  options: {
    worksite: {
      type: "string",
      alias: "w",
      multiple: true,
      description: "a worksite to wake (repeat for several; default: the nearest one)",
    },
    all: { type: "string", description: "every worksite in this folder (each subfolder with a THREAD.md)" },
    queue: { type: "string", description: "share schedules through Redis: redis://HOST:PORT" },
    "queue-lock": {
      type: "string",
      description: "with --queue: how soon a killed worker's wake is retried elsewhere (default 30s)",
    },
    install: { type: "boolean", description: "print a systemd user unit (Linux) or launchd agent (macOS)" },
    platform: { type: "string", description: "with --install: linux or macos (default: this machine's)" },
    write: { type: "boolean", description: "with --install: also write the file where the service manager reads it" },
  },
  async run(args, io) {
    const roots = worksites(args.options, io);
    if (args.options.install) return install(args.options, roots, io);
    const json = args.options.json === true;
    const paint = styler(io.isTTY);
    const name = (root: string) => (roots.length > 1 ? `${root}: ` : "");
    const onWake = (root: string, r: WakeRecord) =>
      io.stdout(
        json
          ? `${JSON.stringify({ root, ...r })}\n`
          : `${paint("dim", new Date().toISOString())} ${name(root)}${paint("bold", r.outcome)} — ${r.summary}${r.missed ? ` (catch-up for ${r.missed} missed wakes)` : ""}\n`,
      );
    const onStop = (root: string, why: string) =>
      io.stdout(json ? `${JSON.stringify({ root, stopped: why })}\n` : `${name(root)}no more wakes: ${why}\n`);
    const onError = (root: string | undefined, error: unknown) =>
      io.stderr(
        `${root ? name(root) : ""}wake: ${(error instanceof Error ? error.message : String(error)).split("\n")[0]}\n`,
      );
    const runRound = roundRunner({ env: io.env, toolEndpoint: agentToolEndpoint });

    let stoppedBy: StopSignal | undefined;
    let wakeUp!: () => void;
    const stopped = new Promise<void>((r) => (wakeUp = r));
    const release = holdStop((signal) => {
      stoppedBy ??= signal;
      wakeUp();
    });
    try {
      const queue = typeof args.options.queue === "string" ? args.options.queue : undefined;
      const lockMs =
        typeof args.options["queue-lock"] === "string"
          ? parseDuration(args.options["queue-lock"], "--queue-lock")
          : undefined;
      const daemon = queue
        ? await startQueueWorker({
            url: queue,
            roots,
            runRound,
            ...(lockMs ? { lockMs } : {}),
            onWake,
            onStop,
            onError: (e) => onError(undefined, e),
          })
        : await startScheduler({ roots, runRound, onWake, onStop, onError, env: io.env });
      if (!json)
        io.stdout(
          `${paint("bold", "worksite wake")}: ${roots.length} thread${roots.length === 1 ? "" : "s"}${queue ? ` through ${queue}` : ""}; Ctrl-C stops\n`,
        );
      await stopped;
      // The running round is told to stop: its tool call is aborted, the round marked interrupted and redone next wake.
      await daemon.stop({ interrupt: true });
      return stopExitCode(stoppedBy ?? "SIGINT");
    } finally {
      release();
    }
  },
});

function worksites(options: Record<string, unknown>, io: CommandIO): string[] {
  const given = Array.isArray(options.worksite) ? (options.worksite as string[]) : [];
  const roots = given.map((dir) => findWorksite({ positionals: [], options: { worksite: dir } }, io));
  if (typeof options.all === "string") {
    const folder = resolve(io.cwd, options.all);
    if (!existsSync(folder)) throw new UserError(`--all ${options.all}: no such folder`);
    for (const entry of readdirSync(folder, { withFileTypes: true }))
      if (entry.isDirectory() && existsSync(join(folder, entry.name, "THREAD.md")))
        roots.push(join(folder, entry.name));
    if (!roots.length) throw new UserError(`--all ${options.all}: no subfolder holds a THREAD.md`);
  }
  return roots.length ? roots : [findWorksite({ positionals: [], options: {} }, io)];
}

async function install(options: Record<string, unknown>, roots: string[], io: CommandIO): Promise<number> {
  const platform =
    options.platform === undefined ? (process.platform === "darwin" ? "macos" : "linux") : String(options.platform);
  if (platform !== "linux" && platform !== "macos")
    throw new UserError(`--platform ${platform}: expected linux or macos`);
  // The built binary, from src/commands or dist/commands alike (both sit two folders below the package).
  const bin = fileURLToPath(new URL("../../dist/bin.js", import.meta.url));
  const argv = [process.execPath, bin, "wake", ...roots.flatMap((r) => ["--worksite", r])];
  if (typeof options.queue === "string") argv.push("--queue", options.queue);
  const spec = { argv, env: { PATH: io.env.PATH ?? "/usr/local/bin:/usr/bin:/bin" }, workingDirectory: roots[0]! };
  const text = platform === "linux" ? systemdUnit(spec) : launchdPlist(spec);
  const home = io.env.HOME ?? homedir();
  const path =
    platform === "linux"
      ? join(io.env.XDG_CONFIG_HOME ?? join(home, ".config"), "systemd", "user", "worksite-wake.service")
      : join(home, "Library", "LaunchAgents", `${LAUNCHD_LABEL}.plist`);
  const start =
    platform === "linux"
      ? "systemctl --user daemon-reload && systemctl --user enable --now worksite-wake.service"
      : `launchctl load -w ${path}`;
  if (!options.write) {
    io.stdout(text);
    io.stderr(`# save it as ${path}, then: ${start}   (or run this again with --write)\n`);
    return 0;
  }
  await mkdir(join(path, ".."), { recursive: true });
  await writeFile(path, text);
  io.stdout(`wrote ${path}\nstart it with: ${start}\n`);
  return 0;
}
