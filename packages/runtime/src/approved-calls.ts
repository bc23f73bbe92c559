import { hashCall, isSealed, listApprovals, sealKey } from "@worksite/core";
import type { AgentTools, CallRecord } from "./agents/types.js";
import { callRecord } from "./agents/types.js";

/**
 * Calls a person approved since the last round run first in the next one,
 * exactly as requested: the gate recomputes the call's hash and consumes the
 * approval. A call whose input was redacted on disk cannot be replayed
 * faithfully, so it is left for the agent to make again.
 */
export async function runApprovedCalls(
  root: string,
  tools: AgentTools,
  signal: AbortSignal,
  options: { verifyCommands?: string[] } = {},
): Promise<CallRecord[]> {
  const verifyCommands = new Set(options.verifyCommands ?? []);
  const key = await sealKey({ create: false });
  // Only what a person sealed: a record that appeared some other way is left for a person to see.
  const approved = (await listApprovals(root, { status: "approved" })).filter(
    (a) => !a.expired && !a.requestedBy.startsWith("person:") && isSealed(key, a),
  );
  const calls: CallRecord[] = [];
  for (const approval of approved) {
    if (signal.aborted) break;
    // The tool's own target function is not needed here: the gate recomputes the hash from the live call.
    if (hashCall(approval.tool, approval.input, approval.target) !== approval.callHash) continue;
    // An approved verify command is the verification's to use, later in this same round: run here, it would be
    // consumed before verification asks again, and the verification could never pass.
    if (isVerifyCommand(approval.tool, approval.input, verifyCommands)) continue;
    const outcome = await tools.call(approval.tool, approval.input, signal);
    calls.push({
      ...callRecord(approval.tool, outcome),
      message: `approved by ${approval.approvedBy ?? "a person"}: ${callRecord(approval.tool, outcome).message}`,
    });
  }
  return calls;
}

function isVerifyCommand(tool: string, input: unknown, commands: Set<string>): boolean {
  if (tool !== "shell.run" || !input || typeof input !== "object") return false;
  // Exactly the call verification makes ({ command }); anything more is a different call, which only runs here.
  const { command, ...rest } = input as { command?: unknown };
  return typeof command === "string" && commands.has(command) && Object.keys(rest).length === 0;
}
