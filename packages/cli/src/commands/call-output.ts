import type { GateOutcome } from "@worksite/core";
import type { CommandIO } from "../io.js";
import { styler } from "../io.js";

/** Exit codes of `worksite call` and `worksite approve <draft>`. */
export const CALL_EXIT = { ok: 0, drafted: 0, refused: 1, error: 1, aborted: 1, "pending-approval": 3 } as const;

/** Print a gate outcome for a person (or as JSON) and return the exit code. */
export function printOutcome(outcome: GateOutcome, io: CommandIO, json: boolean): number {
  if (json) {
    io.stdout(`${JSON.stringify(outcome, null, 2)}\n`);
    return CALL_EXIT[outcome.status];
  }
  const paint = styler(io.isTTY);
  switch (outcome.status) {
    case "ok": {
      io.stdout(outcome.result.content.endsWith("\n") ? outcome.result.content : `${outcome.result.content}\n`);
      const artifacts = outcome.result.artifacts ?? [];
      if (artifacts.length) io.stderr(paint("dim", `artifacts: ${artifacts.map((a) => a.path).join(", ")}\n`));
      const exit = (outcome.result.data as { exitCode?: unknown } | undefined)?.exitCode;
      if (typeof exit === "number" && exit !== 0) io.stderr(paint("yellow", `${outcome.tool}: the command exited with ${exit}\n`));
      break;
    }
    case "drafted":
      io.stdout(`${paint("cyan", "drafted:")} ${outcome.message}\n`);
      break;
    case "pending-approval":
      io.stderr(`${paint("yellow", "pending:")} ${outcome.message}\n`);
      break;
    case "refused":
      io.stderr(`${paint("red", "refused:")} ${outcome.message}\n`);
      break;
    case "aborted":
      io.stderr(`${paint("red", "stopped:")} ${outcome.message}\n`);
      break;
    case "error":
      io.stderr(`${paint("red", "error:")} ${outcome.message}\n`);
      break;
  }
  return CALL_EXIT[outcome.status];
}
