import { basename, dirname, join } from "node:path";
import { findWorksiteState } from "../boundary/worksite-id.js";

/*
 * The second tail anchor (issue 11 item 4): a copy of `<log>.head` kept in the
 * person's state folder, per worksite id, where no agent tool and no command
 * can write. Deleting the log and its head, cutting the log and rewriting the
 * head from an earlier entry, or removing `.worksite/` altogether is then
 * still seen by `audit verify`. Only a worksite's own log,
 * `<root>/.worksite/audit.jsonl`, has one; other logs (tests, tools) keep the
 * local head alone.
 */

export interface AnchorPlace {
  /** `<state>/worksites/<id>/audit.jsonl.head`. */
  path: string;
  /** How the worksite id was found: its `.worksite/id`, or only the state folder's record of this path. */
  idFrom: "file" | "path";
}

/** The anchor of the worksite whose log this is; with `create`, the worksite gets an id if it has none. */
export function anchorPlace(logPath: string, options: { create: boolean }): AnchorPlace | undefined {
  if (basename(logPath) !== "audit.jsonl" || basename(dirname(logPath)) !== ".worksite") return undefined;
  const root = dirname(dirname(logPath));
  const found = findWorksiteState(root, options);
  return found ? { path: join(found.dir, "audit.jsonl.head"), idFrom: found.from } : undefined;
}
