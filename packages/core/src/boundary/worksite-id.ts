import { createHash, randomBytes } from "node:crypto";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join, resolve } from "node:path";
import { personStateDir } from "./person-folders.js";

/*
 * A worksite's id names its folder in the person's state folder
 * (`<state>/worksites/<id>/`: pending approvals, grants, used approvals, the
 * audit log's anchor). It is random, written once to `.worksite/id` by the
 * runtime (never by an agent tool: `.worksite/` is under the floor and mounted
 * read-only under commands), so a worksite that is moved keeps its state.
 * A second record, `<state>/paths/<hash of the real path>`, remembers which id
 * a folder had: a worksite whose `.worksite/` was deleted is still found, and
 * its audit anchor still says how long the log was.
 */

export const WORKSITE_ID_FILE = ".worksite/id";
const ID = /^ws_[0-9a-f]{16}$/;

export function isWorksiteId(value: string): boolean {
  return ID.test(value);
}

/** The id in `.worksite/id`, else the one this folder had (path record), else undefined; with `create`, one is made and written. */
export function worksiteId(
  root: string,
  options: { create: boolean },
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  return findWorksiteId(root, options, env)?.id;
}

/** The id and where it was found: `.worksite/id`, or only the path record (the worksite's own id file is gone). */
export function findWorksiteId(
  root: string,
  options: { create: boolean },
  env: NodeJS.ProcessEnv = process.env,
): { id: string; from: "file" | "path" } | undefined {
  const local = readId(join(root, WORKSITE_ID_FILE));
  // Reading with the id file present needs nothing else: the common case stays one small read.
  if (local && !options.create) return { id: local, from: "file" };
  const remembered = readId(pathRecord(root, env));
  if (!options.create) return remembered ? { id: remembered, from: "path" } : undefined;
  let id = local ?? remembered ?? `ws_${randomBytes(8).toString("hex")}`;
  if (!local) id = writeOnce(join(root, WORKSITE_ID_FILE), id);
  if (remembered !== id) {
    mkdirSync(join(personStateDir(env), "paths"), { recursive: true, mode: 0o700 });
    // Temp file + rename: a reader sees the old id or the new one; the last writer wins.
    const record = pathRecord(root, env);
    const temp = `${record}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    writeFileSync(temp, `${id}\n`, { mode: 0o600 });
    renameSync(temp, record);
  }
  return { id, from: "file" };
}

/**
 * For a worksite being made (`worksite init`, `worksite demo`): one with no id file and no audit log gets an id
 * of its own, even at a path that once held another worksite. Through the path record it would inherit the old
 * one's id, whose audit anchor names entries this empty log never had, and its first append would be refused as
 * a cut log. A worksite that has an id file or a log keeps what it has.
 */
export function newWorksiteId(root: string, env: NodeJS.ProcessEnv = process.env): string {
  if (!readId(join(root, WORKSITE_ID_FILE)) && !existsSync(join(root, ".worksite", "audit.jsonl"))) {
    writeOnce(join(root, WORKSITE_ID_FILE), `ws_${randomBytes(8).toString("hex")}`);
    // This process may have found the old worksite's state folder for this path already (`worksite demo` runs here).
    created.delete(`${personStateDir(env)}\0${resolve(root)}`);
  }
  return findWorksiteId(root, { create: true }, env)!.id;
}

/** `<state>/worksites/<id>`, created (0700) with `create`; undefined when the worksite has no id yet and `create` is false. */
export function worksiteStateDir(
  root: string,
  options: { create: boolean },
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  return findWorksiteState(root, options, env)?.dir;
}

/** The state folder and how the worksite's id was found. */
export function findWorksiteState(
  root: string,
  options: { create: boolean },
  env: NodeJS.ProcessEnv = process.env,
): { dir: string; from: "file" | "path" } | undefined {
  // Every audit append asks with `create`; once this process made (or found) the folder, the answer stands.
  const key = `${personStateDir(env)}\0${resolve(root)}`;
  const made = created.get(key);
  if (options.create && made && existsSync(made)) return { dir: made, from: "file" };
  const found = findWorksiteId(root, options, env);
  if (!found) return undefined;
  const dir = join(personStateDir(env), "worksites", found.id);
  if (options.create) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    created.set(key, dir);
  }
  return { dir, from: found.from };
}

const created = new Map<string, string>();

function pathRecord(root: string, env: NodeJS.ProcessEnv): string {
  let real: string;
  try {
    real = realpathSync(root);
  } catch {
    real = resolve(root);
  }
  return join(personStateDir(env), "paths", createHash("sha256").update(real).digest("hex").slice(0, 32));
}

function readId(path: string): string | undefined {
  try {
    const text = readFileSync(path, "utf8").trim();
    return ID.test(text) ? text : undefined;
  } catch {
    return undefined;
  }
}

/** Create the file with O_EXCL; if another process made it first, its id wins. */
function writeOnce(path: string, id: string): string {
  mkdirSync(resolve(path, ".."), { recursive: true });
  try {
    const fd = openSync(path, "wx", 0o644);
    try {
      writeSync(fd, `${id}\n`);
    } finally {
      closeSync(fd);
    }
    return id;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return readId(path) ?? id;
  }
}
