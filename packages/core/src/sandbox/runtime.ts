import { ChildProcess } from "node:child_process";
import { sandboxManager } from "./sandbox-manager.js";
import type { SandboxTools } from "./availability.js";
import { decideConnection } from "./connections.js";

let started: Promise<void> | undefined;
/** The socat bridges the library started (Linux): a run's end sweeps the processes it started, and they may go with it. */
let bridges: ChildProcess[] = [];

/**
 * Starts the sandbox runtime's connection proxies once per process (a CLI per
 * command costs ~0.9 s; see TOOLCHAIN.md). Each command then brings its own
 * file-system rules; the network starts closed and every host goes to the
 * gate through `decideConnection`.
 */
export async function startSandboxRuntime(tools: SandboxTools): Promise<void> {
  // A bridge that died (ended with the run that started it) is started again, with the proxies, rather than failing every command after.
  if (started && bridges.some((b) => b.exitCode !== null || b.signalCode !== null)) await stopSandboxRuntime();
  const before = new Set(activeHandles());
  started ??= sandboxManager()
    .then((manager) =>
      manager.initialize(
        {
          network: { allowedDomains: [], deniedDomains: [] },
          filesystem: { denyRead: [], allowWrite: [], denyWrite: [] },
          ripgrep: { command: tools.rg },
          ...(tools.platform === "linux"
            ? { bwrapPath: tools.sandbox, ...(tools.socat ? { socatPath: tools.socat } : {}) }
            : {}),
        },
        decideConnection,
      ),
    )
    .then(
      () => {
        // The library unrefs its proxy server but not the socat bridge it starts on Linux, which would keep a finished
        // `worksite run` from exiting. The library ends the bridge on exit itself; a running command keeps us alive anyway.
        bridges = activeHandles().filter(
          (handle): handle is ChildProcess =>
            !before.has(handle) && handle instanceof ChildProcess && /(^|\/)socat$/.test(handle.spawnfile),
        );
        for (const bridge of bridges) bridge.unref();
      },
      (error: unknown) => {
        started = undefined;
        throw error;
      },
    );
  return started;
}

function activeHandles(): unknown[] {
  const get = (process as unknown as { _getActiveHandles?: () => unknown[] })._getActiveHandles;
  return typeof get === "function" ? get.call(process) : [];
}

/** Stops the proxies (tests, and a process that wants to exit with nothing left listening). */
export async function stopSandboxRuntime(): Promise<void> {
  if (!started) return;
  await started.catch(() => undefined);
  started = undefined;
  bridges = [];
  await (await sandboxManager()).reset();
}
