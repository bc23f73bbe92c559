import { spawn } from "node:child_process";
import type { AuditLog } from "@worksite/core";
import type { WakeRecord } from "./records.js";

const NOTIFY_TIMEOUT_MS = 30_000;

/**
 * THREAD.md `notify:` runs on results that need a person. It is the person's own command (like a git
 * hook), run as them outside the agent's sandbox; the result comes in environment variables, never
 * spliced into the command line, so a summary cannot inject shell.
 */
export async function notifyPerson(root: string, command: string, record: WakeRecord, audit: AuditLog): Promise<void> {
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn("sh", ["-c", command], {
      cwd: root,
      stdio: "ignore",
      env: {
        ...process.env,
        WORKSITE_ROOT: root,
        WORKSITE_WAKE_ID: record.id,
        WORKSITE_WAKE_OUTCOME: record.outcome,
        WORKSITE_WAKE_SUMMARY: record.summary,
        ...(record.incident ? { WORKSITE_WAKE_INCIDENT: record.incident } : {}),
      },
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), NOTIFY_TIMEOUT_MS);
    child.once("error", () => resolve(null));
    child.once("close", (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  await audit.append({
    type: "wake",
    actor: "automation",
    outcome: code === 0 ? "ok" : "error",
    message: `notify: ran for wake ${record.id} (${record.outcome})${code === 0 ? "" : `, exit ${code}`}`,
  });
}
