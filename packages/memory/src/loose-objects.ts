import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { deflateSync, inflateSync } from "node:zlib";
import type { TreeEntry } from "isomorphic-git";

/*
 * The objects a commit adds, written as git's loose objects
 * (https://git-scm.com/docs/gitformat-loose): zlib of "<type> <size>\0<content>"
 * at objects/<2 hex>/<38 hex>. isomorphic-git compresses each object through a
 * web CompressionStream, which cost a memory commit ~80 ms for its two dozen
 * objects (issue 13 item 2); this is one deflateSync and one file each. Reading
 * (loose or packed) stays with isomorphic-git. Every commit, with or without the
 * git CLI, is written here, so the two ways make the same objects by construction.
 */

export type ObjectType = "blob" | "tree" | "commit";

/** Where a repository's objects live: a linked worktree's git folder names its common folder in `commondir`. */
export function objectsDir(gitdir: string): string {
  try {
    const common = fs.readFileSync(join(gitdir, "commondir"), "utf8").trim();
    return join(isAbsolute(common) ? common : resolve(gitdir, common), "objects");
  } catch {
    return join(gitdir, "objects");
  }
}

export function objectId(type: ObjectType, content: Buffer): string {
  return createHash("sha1").update(`${type} ${content.length}\0`).update(content).digest("hex");
}

/**
 * The object's id now, its file written in the background: `pending` collects the writes, which
 * the libuv pool runs side by side (~1 ms each here, one after another, for a commit's two dozen
 * objects). The caller awaits them all before any ref names the objects.
 */
export function queueLooseObject(objects: string, type: ObjectType, content: Buffer, pending: Promise<void>[]): string {
  const oid = objectId(type, content);
  const dir = join(objects, oid.slice(0, 2));
  const path = join(dir, oid.slice(2));
  if (fs.existsSync(path)) return oid;
  const bytes = deflateSync(Buffer.concat([Buffer.from(`${type} ${content.length}\0`), content]));
  pending.push(
    (async () => {
      await fs.promises.mkdir(dir, { recursive: true });
      // Written aside and renamed, as git does: a reader never sees half an object.
      const tmp = join(dir, `tmp_obj_${process.pid}_${randomBytes(4).toString("hex")}`);
      await fs.promises.writeFile(tmp, bytes, { mode: 0o444 });
      await fs.promises.rename(tmp, path);
    })(),
  );
  return oid;
}

/**
 * A tree object's content: entries in git's order (names compared as bytes, a
 * folder as if its name ended in "/"), modes without a leading zero.
 */
export function treeContent(entries: readonly TreeEntry[]): Buffer {
  const keyed = entries.map((e) => ({
    e,
    key: Buffer.from(e.type === "tree" ? `${e.path}/` : e.path, "utf8"),
  }));
  keyed.sort((a, b) => Buffer.compare(a.key, b.key));
  const parts: Buffer[] = [];
  for (const { e } of keyed)
    parts.push(Buffer.from(`${e.mode.replace(/^0/, "")} ${e.path}\0`, "utf8"), Buffer.from(e.oid, "hex"));
  return Buffer.concat(parts);
}

export interface CommitFields {
  tree: string;
  parents: readonly string[];
  author: { name: string; email: string; timestamp: number };
  committer: { name: string; email: string; timestamp: number };
  message: string;
}

/** A commit object's content, as isomorphic-git rendered it (UTC times, the message's newlines normalised). */
export function commitContent(c: CommitFields): Buffer {
  const who = (p: CommitFields["author"]) => `${p.name} <${p.email}> ${p.timestamp} +0000`;
  const message = `${c.message.replace(/\r/g, "").replace(/^\n+/, "").replace(/\n+$/, "")}\n`;
  return Buffer.from(
    `tree ${c.tree}\n${c.parents.map((p) => `parent ${p}\n`).join("")}author ${who(c.author)}\ncommitter ${who(c.committer)}\n\n${message}`,
    "utf8",
  );
}

/** A loose object's type and content, or undefined when it is not stored loose (packed objects are isomorphic-git's to read). */
export function readLooseObject(objects: string, oid: string): { type: string; content: Buffer } | undefined {
  let raw: Buffer;
  try {
    raw = inflateSync(fs.readFileSync(join(objects, oid.slice(0, 2), oid.slice(2))));
  } catch {
    return undefined;
  }
  const nul = raw.indexOf(0);
  const [type, size] = raw.toString("latin1", 0, nul).split(" ");
  const content = raw.subarray(nul + 1);
  if (!type || Number(size) !== content.length) return undefined;
  return { type, content };
}

/** A tree object's entries, with modes as isomorphic-git gives them (six digits). */
export function parseTree(content: Buffer): TreeEntry[] {
  const out: TreeEntry[] = [];
  let at = 0;
  while (at < content.length) {
    const space = content.indexOf(0x20, at);
    const nul = content.indexOf(0, space);
    const mode = content.toString("latin1", at, space).padStart(6, "0");
    out.push({
      mode,
      path: content.toString("utf8", space + 1, nul),
      oid: content.toString("hex", nul + 1, nul + 21),
      type: mode === "040000" ? "tree" : mode === "160000" ? "commit" : "blob",
    });
    at = nul + 21;
  }
  return out;
}
