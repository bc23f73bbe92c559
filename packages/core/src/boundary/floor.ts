import { lstatSync, realpathSync } from "node:fs";
import { posix } from "node:path";
import type { Effect } from "../plugin/types.js";
import { kernelResolve, type ResolvedPath } from "../policy/match-path.js";
import type { Decision } from "../policy/types.js";
import { CONTROL_FOLDERS, isControlPath, RUNTIME_FILES, WORKSITE_FILES } from "./control-paths.js";
import { personControlFolders } from "./person-folders.js";

/*
 * The floor: what no PERMISSIONS.md rule, stage or approval can open to an
 * agent tool (issue 11 item 2, issue 20 item 1, issue 21 item 7). It is
 * applied where every path target is decided (policy/decide-query.ts), so the
 * gate, `worksite permissions explain`, and a shell redirection decided as a
 * file.write all meet the same refusal. A forbidden decision is never queued
 * for approval, never turned into a draft, and the stage clamp only raises.
 *
 *   - writes (any effect but `read`) to the control paths of control-paths.ts;
 *   - any access, reads included, to `.worksite/` and to the person's config
 *     and state folders (seal key, approvals, audit anchors).
 */

/** The floor's decision for a path target, or undefined when the floor has nothing to say. */
export function floorDecision(
  path: ResolvedPath,
  effect: Effect,
  subject: string,
  env: NodeJS.ProcessEnv = process.env,
): Decision | undefined {
  const person = personFolderOf([path.lexical, path.real], env);
  if (person)
    return floor(
      `${subject}: ${person} is the person's own worksite folder (the seal key, approvals, audit anchors); agent tools never read or write it, whatever PERMISSIONS.md says`,
    );
  for (const rel of [path.relLexical, path.relReal]) {
    if (rel === undefined) continue;
    const folded = fold(rel);
    if (/^\.worksite(\/|$)/i.test(folded))
      return floor(
        `${subject}: .worksite/ holds the runtime's own state (the audit log, checkpoints, drafts); agent tools never read or write it, whatever PERMISSIONS.md says`,
      );
    if (effect !== "read" && isControlPath(folded)) return floor(`${subject}: ${whyControl(folded)}`);
  }
  return undefined;
}

/** Width and case tricks fold to the name the file system may store (`ＴＨＲＥＡＤ.md`, a zero-width joiner). */
export function fold(rel: string): string {
  return rel.normalize("NFKC").replace(/\p{Cf}/gu, "");
}

function floor(reason: string): Decision {
  return { tier: "forbidden", by: "floor", reason };
}

/** What a control path (isControlPath) is, and how a person changes it by hand. */
export function whyControl(rel: string): string {
  const parts = rel.split("/").filter((p) => p !== "" && p !== ".");
  const first = parts[0]!.toLowerCase();
  const file = WORKSITE_FILES.find((f) => f.toLowerCase() === first);
  if (parts.length === 1 && file)
    return `${file} is the person's contract with the agent; agent tools never write it, whatever PERMISSIONS.md, the stage or an approval says. A person edits it by hand, in an editor; the next round reads it`;
  if (parts.length === 1 && RUNTIME_FILES.some((f) => f.toLowerCase() === first))
    return `${parts[0]} is the runtime's own report of each round; only worksite writes it (a person may edit it by hand)`;
  if (first === CONTROL_FOLDERS[1])
    return `artifacts/ is the evidence of each round: tools add artifacts only through their artifact store, never by writing or overwriting files there (a person may move or delete them by hand)`;
  return `a .git folder or .gitmodules is git's control data (hooks and core.fsmonitor run commands); agent tools never write it. A person runs git by hand`;
}

/** The person's folder holding one of `paths`, compared through realpath so a symlinked home still matches. */
function personFolderOf(paths: string[], env: NodeJS.ProcessEnv): string | undefined {
  const under = (base: string) => paths.some((p) => p === base || p.startsWith(`${base}/`));
  for (const folder of personControlFolders(env)) {
    const lexical = lexicalOf(folder);
    if (under(lexical)) return folder;
    const real = realFolderOf(folder);
    if (real !== undefined ? real !== lexical && under(real) : missingFolderHolds(lexical, paths, under)) return folder;
  }
  return undefined;
}

/*
 * A folder not made yet (no approval given, so no seal key) still has a real path: its existing ancestors'
 * symlinks followed, the rest as written. With a symlinked home, `<real home>/.config/worksite/approval.key`
 * is the key's path as much as `~/.config/worksite/approval.key` is; an agent must not make it first.
 * Resolving that costs a look per component, so it is done only for a target that could be in it: one
 * whose path has the folder's own name as a component (the part not made yet is joined as written).
 */
function missingFolderHolds(lexical: string, paths: string[], under: (base: string) => boolean): boolean {
  const name = `/${posix.basename(lexical)}`;
  if (!paths.some((p) => p.endsWith(name) || p.includes(`${name}/`))) return false;
  return under(kernelResolve(lexical));
}

const lexicalFolders = new Map<string, string>();

/** An absolute folder's normal form, kept; a relative one depends on the working folder and is resolved each time. */
function lexicalOf(folder: string): string {
  if (!folder.startsWith("/")) return posix.resolve(folder);
  let lexical = lexicalFolders.get(folder);
  if (lexical === undefined) {
    lexical = posix.resolve(folder);
    if (lexicalFolders.size > 64) lexicalFolders.clear();
    lexicalFolders.set(folder, lexical);
  }
  return lexical;
}

/** Real paths of the person's folders, once found: the policy asks on every path call (issue 13 item 1). */
const realFolders = new Map<string, string>();

/** The folder's real path, or undefined while it is not there (nor a symlink to somewhere not there yet). */
function realFolderOf(path: string): string | undefined {
  const known = realFolders.get(path);
  if (known !== undefined) return known;
  // One look, without an exception (a stack trace cost 10 µs on every path call, issue 13 item 1): the usual
  // case on a new machine is a folder not made yet.
  const here = lstatSync(path, { throwIfNoEntry: false });
  if (!here) return undefined;
  try {
    const real = realpathSync(path);
    if (realFolders.size > 64) realFolders.clear();
    realFolders.set(path, real);
    return real;
  } catch {
    // A symlink to a folder not made yet: where it leads, looked up again next time.
    return kernelResolve(posix.resolve(path));
  }
}
