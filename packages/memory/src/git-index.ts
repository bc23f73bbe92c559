import fs from "node:fs";
import { join } from "node:path";

/*
 * `.git/index` as git's stat cache (issue 13 item 2): for each path the blob
 * id git last hashed, with the file's mtime, size and inode at that moment.
 * A file whose stat still matches needs no reading and hashing; one that
 * changed (mtime, ctime, size or inode), or was written in the same second
 * as the index itself ("racy git"), is hashed. Versions 2 and 3 are read; anything else (version 4's
 * compressed paths, a damaged file) gives no cache, and every file is hashed.
 * https://git-scm.com/docs/index-format
 */
export interface IndexEntry {
  ctimeSec: number;
  ctimeNsec: number;
  mtimeSec: number;
  mtimeNsec: number;
  ino: number;
  size: number;
  oid: string;
  /** A regular file (not a link or a submodule) whose changes git status reports: not marked assume-unchanged or skip-worktree. */
  watched: boolean;
}

export interface GitIndex {
  entries: Map<string, IndexEntry>;
  /** The index file's own mtime in ms: a file modified at or after it may have changed unseen. */
  mtimeMs: number;
}

export function readGitIndex(gitdir: string): GitIndex | undefined {
  let buf: Buffer;
  let mtimeMs: number;
  try {
    const path = join(gitdir, "index");
    mtimeMs = fs.statSync(path).mtimeMs;
    buf = fs.readFileSync(path);
  } catch {
    return undefined;
  }
  const entries = new Map<string, IndexEntry>();
  const whole = walkIndex(buf, (at, path, watched) =>
    entries.set(path, {
      ctimeSec: buf.readUInt32BE(at),
      ctimeNsec: buf.readUInt32BE(at + 4),
      mtimeSec: buf.readUInt32BE(at + 8),
      mtimeNsec: buf.readUInt32BE(at + 12),
      ino: buf.readUInt32BE(at + 20),
      size: buf.readUInt32BE(at + 36),
      oid: buf.toString("hex", at + 40, at + 60),
      watched,
    }),
  );
  return whole ? { entries, mtimeMs } : undefined;
}

/**
 * Calls `visit` with each stage-0 entry of an index file's bytes (versions 2 and 3): where the entry starts, its path,
 * and whether git watches it (IndexEntry.watched). False when the bytes are no such index or end too soon.
 */
function walkIndex(buf: Buffer, visit: (at: number, path: string, watched: boolean) => void): boolean {
  if (buf.length < 12 || buf.toString("latin1", 0, 4) !== "DIRC") return false;
  const version = buf.readUInt32BE(4);
  if (version !== 2 && version !== 3) return false;
  const count = buf.readUInt32BE(8);
  let at = 12;
  for (let i = 0; i < count; i++) {
    if (at + 62 > buf.length) return false;
    const flags = buf.readUInt16BE(at + 60);
    const extended = version === 3 && (flags & 0x4000) !== 0;
    const pathStart = at + 62 + (extended ? 2 : 0);
    // The flags hold the path's length when it is under 0xFFF; a search only for longer ones (indexOf per entry is slow).
    const nameLength = flags & 0xfff;
    const nul = nameLength < 0xfff ? pathStart + nameLength : buf.indexOf(0, pathStart);
    if (nul < 0 || nul >= buf.length || buf[nul] !== 0) return false;
    // Only stage 0: a path in conflict has no single blob id for its working copy.
    if (((flags >> 12) & 3) === 0) {
      const watched =
        (buf.readUInt32BE(at + 24) & 0o170000) === 0o100000 &&
        (flags & 0x8000) === 0 &&
        !(extended && (buf.readUInt16BE(at + 62) & 0x6000) !== 0);
      visit(at, buf.toString("utf8", pathStart, nul), watched);
    }
    // Entries are padded with 1–8 NULs to a multiple of 8 bytes from their start.
    at += Math.ceil((nul - at + 1) / 8) * 8;
  }
  return true;
}

/** The blob id the index knows for a file with this stat, or undefined when it must be hashed. */
export function cachedOid(index: GitIndex | undefined, path: string, stat: fs.BigIntStats): string | undefined {
  const e = index?.entries.get(path);
  if (!e) return undefined;
  // Sizes and inodes are stored in 32 bits.
  if (BigInt(e.size) !== stat.size % 2n ** 32n || BigInt(e.ino) !== stat.ino % 2n ** 32n) return undefined;
  if (e.mtimeSec !== Number(stat.mtimeNs / 1_000_000_000n)) return undefined;
  // Nanoseconds when both sides kept them; some writers and file systems store 0.
  if (e.mtimeNsec !== 0 && e.mtimeNsec !== Number(stat.mtimeNs % 1_000_000_000n)) return undefined;
  // The change time too, as git does (core.trustctime): utimes can put an mtime back, but any write or
  // utimes sets ctime to now, so same-size content with its old mtime restored is still hashed.
  if (e.ctimeSec !== Number(stat.ctimeNs / 1_000_000_000n)) return undefined;
  if (e.ctimeNsec !== 0 && e.ctimeNsec !== Number(stat.ctimeNs % 1_000_000_000n)) return undefined;
  // Racy git: a file changed in the same tick as the index was written may differ with the same stat.
  const slack = e.mtimeNsec === 0 ? 1000 : 0;
  if (Number(stat.mtimeNs / 1_000_000n) >= index!.mtimeMs - slack) return undefined;
  return e.oid;
}

/**
 * Only what the git CLI's status leaves to the index: each stage-0 path's blob id, or null when git
 * does not watch the file (see IndexEntry.watched). No stat fields and no object per entry: at
 * 10,000 entries those were a tenth of an unchanged run start, most of it in the garbage collector.
 */
export function readIndexOids(gitdir: string): Map<string, string | null> | undefined {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(join(gitdir, "index"));
  } catch {
    return undefined;
  }
  const out = new Map<string, string | null>();
  const whole = walkIndex(buf, (at, path, watched) =>
    out.set(path, watched ? buf.toString("hex", at + 40, at + 60) : null),
  );
  return whole ? out : undefined;
}
