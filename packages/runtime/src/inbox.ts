import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "@worksite/core/atomic-file";

/** steer: reaches the running round at its next safe point. queue: becomes the next round's instruction. */
export type InboxKind = "steer" | "queue";

export interface InboxMessage {
  id: string;
  kind: InboxKind;
  text: string;
  by: string;
  created: string;
}

export function inboxDir(root: string): string {
  return join(root, ".worksite", "inbox");
}

let lastSent = 0;

export async function sendMessage(root: string, kind: InboxKind, text: string, by: string): Promise<InboxMessage> {
  // Messages are taken in `created` order: two sent within the same millisecond still keep the order they were sent in.
  lastSent = Math.max(Date.now(), lastSent + 1);
  const created = new Date(lastSent).toISOString();
  const id = `${kind}-${created.replace(/[-:.TZ]/g, "")}-${randomBytes(2).toString("hex")}`;
  const message: InboxMessage = { id, kind, text, by, created };
  await writeFileAtomic(join(inboxDir(root), `${id}.json`), `${JSON.stringify(message, null, 2)}\n`);
  return message;
}

/** Messages not yet taken, oldest first. */
export async function pendingMessages(root: string, kind?: InboxKind): Promise<InboxMessage[]> {
  let names: string[];
  try {
    names = await readdir(inboxDir(root));
  } catch {
    return [];
  }
  const messages: InboxMessage[] = [];
  for (const name of names.filter((n) => n.endsWith(".json")).sort()) {
    try {
      const m = JSON.parse(await readFile(join(inboxDir(root), name), "utf8")) as InboxMessage;
      if (!kind || m.kind === kind) messages.push(m);
    } catch {
      // a message being written right now; it is picked up next time
    }
  }
  return messages.sort((a, b) => a.created.localeCompare(b.created) || a.id.localeCompare(b.id));
}

/** Moves the message to inbox/taken/ so it is taken once, even by two readers. */
export async function takeMessage(root: string, message: InboxMessage): Promise<boolean> {
  await mkdir(join(inboxDir(root), "taken"), { recursive: true });
  try {
    await rename(join(inboxDir(root), `${message.id}.json`), join(inboxDir(root), "taken", `${message.id}.json`));
    return true;
  } catch {
    return false;
  }
}

/**
 * Puts a taken message back into the inbox (a round that took it was interrupted before it finished).
 * Messages are taken in `created` order, so it is first in line again.
 */
export async function returnMessage(root: string, message: InboxMessage): Promise<boolean> {
  try {
    await rename(join(inboxDir(root), "taken", `${message.id}.json`), join(inboxDir(root), `${message.id}.json`));
    return true;
  } catch {
    return false;
  }
}

/** A message this or an earlier round took, by id; undefined when it is not in inbox/taken/. */
export async function takenMessage(root: string, id: string): Promise<InboxMessage | undefined> {
  try {
    return JSON.parse(await readFile(join(inboxDir(root), "taken", `${id}.json`), "utf8")) as InboxMessage;
  } catch {
    return undefined;
  }
}
