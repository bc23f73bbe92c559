import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/** The programs the sandbox needs on this platform, found on PATH. */
export interface SandboxTools {
  platform: "linux" | "macos";
  /** bubblewrap (Linux) or sandbox-exec (macOS). */
  sandbox: string;
  /** socat bridges the network namespace to the connection filter (Linux). */
  socat?: string;
  /** ripgrep finds what to mask before each command. */
  rg: string;
}

export type SandboxAvailability = { ok: true; tools: SandboxTools } | { ok: false; missing: string[]; hint: string };

const LINUX_HINT =
  "install them: `sudo apt-get install -y bubblewrap socat ripgrep` (Debian/Ubuntu; `dnf install bubblewrap socat ripgrep` on Fedora), or run `bash scripts/bootstrap.sh`";
const MAC_HINT = "install ripgrep: `brew install ripgrep` (sandbox-exec comes with macOS)";

/**
 * Whether commands can be sandboxed here. Looks on the PATH it is given (the
 * process's by default), so a PATH without bubblewrap really means no sandbox:
 * commands are then refused, never run bare.
 */
export function sandboxAvailability(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): SandboxAvailability {
  const find = (name: string) => which(name, env.PATH ?? "");
  if (platform === "linux") {
    const [sandbox, socat, rg] = [find("bwrap"), find("socat"), find("rg")];
    if (sandbox && socat && rg) return { ok: true, tools: { platform: "linux", sandbox, socat, rg } };
    const missing = [!sandbox && "bwrap (bubblewrap)", !socat && "socat", !rg && "rg (ripgrep)"].filter(
      (m): m is string => typeof m === "string",
    );
    return { ok: false, missing, hint: LINUX_HINT };
  }
  if (platform === "darwin") {
    const [sandbox, rg] = [find("sandbox-exec") ?? "/usr/bin/sandbox-exec", find("rg")];
    if (rg && executable(sandbox)) return { ok: true, tools: { platform: "macos", sandbox, rg } };
    return { ok: false, missing: [!rg ? "rg (ripgrep)" : "sandbox-exec"], hint: MAC_HINT };
  }
  return {
    ok: false,
    missing: [`an OS sandbox for ${platform}`],
    hint: "worksite sandboxes commands on Linux (bubblewrap) and macOS (sandbox-exec); on other systems a person may write `sandbox: off` in THREAD.md",
  };
}

/** One sentence for a refused command and for `worksite check`. */
export function unavailableMessage(a: Extract<SandboxAvailability, { ok: false }>): string {
  return `no OS sandbox available (missing: ${a.missing.join(", ")}); commands are refused rather than run without one — ${a.hint}. A person may instead write \`sandbox: off\` in THREAD.md.`;
}

export function which(name: string, path: string): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (executable(candidate)) return candidate;
  }
  return undefined;
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
