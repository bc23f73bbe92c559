import type { SandboxManager } from "@anthropic-ai/sandbox-runtime";

type Manager = typeof SandboxManager;
let loaded: Manager | undefined;

/**
 * The sandbox runtime, loaded when the first command needs it: it is ~45 modules and a TLS library, and a
 * process that runs no command (`worksite mcp` serving a browser, `status`) should not pay for it (issue 13).
 */
export async function sandboxManager(): Promise<Manager> {
  loaded ??= (await import("@anthropic-ai/sandbox-runtime")).SandboxManager;
  return loaded;
}

/** The runtime if a command already loaded it (a command's clean-up comes after its start loaded it). */
export function loadedSandboxManager(): Manager | undefined {
  return loaded;
}
