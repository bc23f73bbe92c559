import type { AuditLog } from "@worksite/core";
import { type InboxMessage, pendingMessages, returnMessage, takeMessage, takenMessage } from "./inbox.js";

/*
 * What a person sent for the thread (a queued instruction, steering) is taken by the round that acts on it and
 * put back when that round does not finish, so the round's redo gets the same instructions in the same order.
 * Each move is an audit entry.
 */

interface Where {
  root: string;
  audit: AuditLog;
  run: string;
  round: number;
}

const label = (m: InboxMessage) => (m.kind === "queue" ? "queued instruction" : "steering");

/** A round's inbox at its start: the next queued instruction, and all steering sent while no round ran. */
export async function takeRoundInbox({ root, audit, run, round }: Where): Promise<{
  queued?: InboxMessage;
  steering: string[];
  taken: InboxMessage[];
}> {
  const taken: InboxMessage[] = [];
  const next = (await pendingMessages(root, "queue"))[0];
  const queued = next && (await takeMessage(root, next)) ? next : undefined;
  if (queued) {
    taken.push(queued);
    await audit.append({
      type: "inbox",
      run,
      round,
      actor: queued.by,
      message: `queued instruction taken: ${queued.text}`,
      data: { id: queued.id },
    });
  }
  const steering: string[] = [];
  for (const message of await pendingMessages(root, "steer")) {
    if (!(await takeMessage(root, message))) continue;
    taken.push(message);
    steering.push(message.text);
    await audit.append({
      type: "inbox",
      run,
      round,
      actor: message.by,
      message: `steering taken: ${message.text}`,
      data: { id: message.id },
    });
  }
  return { ...(queued ? { queued } : {}), steering, taken };
}

/** A round stopped before it finished: what it took is first in line again (messages are taken in the order sent). */
export async function putBackInterrupted(where: Where, taken: readonly InboxMessage[]): Promise<void> {
  for (const message of taken) {
    if (!(await returnMessage(where.root, message))) continue;
    await where.audit.append({
      type: "inbox",
      run: where.run,
      round: where.round,
      actor: "runtime",
      message: `${label(message)} put back (round ${where.round} was interrupted): ${message.text}`,
      data: { id: message.id },
    });
  }
}

/** A killed process could not put back what its round took; the redo does (a no-op after Ctrl-C, which already did). */
export async function putBackForRedo(where: Where, takenIds: readonly string[]): Promise<void> {
  for (const id of takenIds) {
    const message = await takenMessage(where.root, id);
    if (!message || !(await returnMessage(where.root, message))) continue;
    await where.audit.append({
      type: "inbox",
      run: where.run,
      round: where.round,
      actor: "runtime",
      message: `${label(message)} put back for the redo of round ${where.round}: ${message.text}`,
      data: { id },
    });
  }
}
