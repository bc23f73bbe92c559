import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import fs from "node:fs";
import { dirname, join } from "node:path";
import { personStateDir, SIZE_LIMITS, sealKey } from "@worksite/core";
import type { MemoryEntry } from "./entry-format.js";
import type { FileSummary } from "./file-summary.js";
import type { IndexRow } from "./index-file.js";
import type { MemoryStore } from "./store.js";

/*
 * The run-start audit's parse cache (issue 13 item 2): each entry file's summary
 * (file-summary.ts) kept by path and blob id, so an unchanged memory costs a stat
 * walk against `.git/index` and one read of this file, not a read, parse and
 * secret scan of every entry.
 *
 * Where: `<gitdir>/worksite/memory-parse-cache`. Nothing under `.git/` is ever
 * committed or pushed, so the cache cannot travel to another machine, and the
 * sandbox's floor already keeps every command the agent runs from writing any
 * `.git` folder. The worksite's `.worksite/` would do for the second but not for
 * a memory repository of its own that several worksites share.
 *
 * Trust: a summary is used only for the exact bytes it was made from (its blob
 * id, taken from the index's stat cache or by hashing), so a changed file always
 * misses. The file is sealed with an HMAC whose key sits in the person's state
 * folder, which commands never read: a cache edited by hand, or by anything that
 * got past the floor, to call an entry clean fails its seal and is thrown away
 * whole. The secret scanner also looks for the person's seal key by value, so
 * summaries made while that key was known (or not, or another) are not reused
 * under a different one.
 */
const VERSION = 4;
const KEY_FILE = "memory-cache.key";

/*
 * The file: the HMAC line, a header line (version and basis), then one line per
 * entry file, `["path","oid",name,description,status]<TAB>{summary}`. The head
 * alone is what MEMORY.md needs, so a commit parses 10,000 small heads, not
 * 10,000 summaries; lines that still hold are written back as read, so it
 * serialises only the summaries that changed (JSON never holds a raw tab or newline).
 */
interface Line {
  oid: string;
  /** The entry's MEMORY.md line fields, or null when the file is not a valid entry. */
  row: IndexRow | null;
  /** The head and the summary as written; the summary is parsed when first asked for. */
  head: string;
  raw: string;
  summary?: FileSummary;
}

/** What the cache is told to keep: each present file by blob id, with its summary when it was made afresh. */
export interface Keep {
  file: string;
  oid: string;
  fresh?: FileSummary;
}

export interface ParseCache {
  get(file: string, oid: string): FileSummary | undefined;
  /** The MEMORY.md fields for these exact bytes: null when they are no valid entry, undefined when unknown. */
  row(file: string, oid: string): IndexRow | null | undefined;
  /** Write back when summaries were added or files went away; keeps exactly `files`. */
  save(files: readonly Keep[]): Promise<void>;
}

export function cachePath(store: MemoryStore): string {
  return join(
    store.gitdir,
    "worksite",
    store.prefix ? `memory-parse-cache-${slug(store.prefix)}` : "memory-parse-cache",
  );
}

/** Opens the cache; with no usable key (a read-only state folder) nothing is cached and everything is parsed. */
export async function openParseCache(store: MemoryStore): Promise<ParseCache> {
  const key = macKey();
  const header = JSON.stringify({ v: VERSION, basis: await cacheBasis() });
  const path = cachePath(store);
  const lines = key ? readCache(path, key, header) : new Map<string, Line>();
  let stale = false;
  const hit = (file: string, oid: string) => {
    const line = lines.get(file);
    if (line?.oid === oid) return line;
    stale = true;
    return undefined;
  };
  return {
    get(file, oid) {
      const line = hit(file, oid);
      if (!line) return undefined;
      try {
        line.summary ??= decode(file, oid, line.raw);
        return line.summary;
      } catch {
        stale = true;
        return undefined;
      }
    },
    row(file, oid) {
      return hit(file, oid)?.row;
    },
    async save(files) {
      if (!key) return;
      if (!stale && files.length === lines.size && !files.some((f) => f.fresh)) return;
      const body: string[] = [];
      for (const f of files) {
        const line = lines.get(f.file);
        if (!f.fresh && line?.oid === f.oid) body.push(`${line.head}\t${line.raw}`);
        else if (f.fresh) body.push(`${headOf(f.fresh)}\t${encode(f.fresh)}`);
      }
      const text = Buffer.from([header, ...body].join("\n"), "utf8");
      try {
        fs.mkdirSync(dirname(path), { recursive: true });
        const tmp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}`;
        fs.writeFileSync(tmp, Buffer.concat([Buffer.from(`${mac(key, text)}\n`), text]), { mode: 0o600 });
        fs.renameSync(tmp, path);
      } catch {
        // A cache that cannot be written costs speed next time, never correctness.
      }
    },
  };
}

function headOf(s: FileSummary): string {
  const m = s.entry?.meta;
  return JSON.stringify(m ? [s.file, s.oid, m.name, m.description, m.status] : [s.file, s.oid]);
}

/** The MEMORY.md fields of an entry. */
export function rowOf(entry: MemoryEntry): IndexRow {
  const { name, description, status } = entry.meta;
  return { id: entry.id, file: entry.file, topic: entry.topic, meta: { name, description, status } };
}

function readCache(path: string, key: Buffer, header: string): Map<string, Line> {
  const out = new Map<string, Line>();
  let raw: Buffer;
  try {
    raw = fs.readFileSync(path);
  } catch {
    return out;
  }
  // The seal is checked on the bytes (hashing a string would encode all of it again).
  if (raw.length < 65 || raw[64] !== 0x0a) return out;
  const got = Buffer.from(raw.toString("latin1", 0, 64), "hex");
  if (got.length !== 32 || !timingSafeEqual(got, Buffer.from(mac(key, raw.subarray(65)), "hex"))) return out;
  const text = raw.toString("utf8", 65);
  const lines = text.split("\n");
  if (lines[0] !== header) return out;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const tab = line.indexOf("\t");
    try {
      const head = line.slice(0, tab);
      const [file, oid, name, description, status] = JSON.parse(head) as [string, string, string?, string?, string?];
      const parts = file.split("/");
      const row =
        name === undefined
          ? null
          : {
              id: file.replace(/\.md$/, ""),
              file,
              topic: parts.length > 1 ? parts[0]! : "",
              meta: { name, description: description ?? "", status: status as IndexRow["meta"]["status"] },
            };
      out.set(file, { oid, row, head, raw: line.slice(tab + 1) });
    } catch {
      return new Map();
    }
  }
  return out;
}

/** A summary as stored: without what its path gives (the entry's id, file and topic) and without empty lists. */
interface Stored {
  b: number;
  m?: MemoryEntry["meta"];
  body?: string;
  p?: FileSummary["problems"];
  c?: FileSummary["content"];
  l: [number, number, number, number];
}

function encode(s: FileSummary): string {
  const { expires, updated, status, body } = s.lines;
  const stored: Stored = {
    b: s.bytes,
    ...(s.entry ? { m: s.entry.meta, body: s.entry.body } : {}),
    ...(s.problems.length ? { p: s.problems } : {}),
    ...(s.content.length ? { c: s.content } : {}),
    l: [expires, updated, status, body],
  };
  return JSON.stringify(stored);
}

function decode(file: string, oid: string, raw: string): FileSummary {
  const s = JSON.parse(raw) as Stored;
  const [expires, updated, status, body] = s.l;
  const parts = file.split("/");
  return {
    file,
    oid,
    bytes: s.b,
    ...(s.m
      ? {
          entry: {
            id: file.replace(/\.md$/, ""),
            file,
            topic: parts.length > 1 ? parts[0]! : "",
            meta: s.m,
            body: s.body ?? "",
          },
        }
      : {}),
    problems: s.p ?? [],
    content: s.c ?? [],
    lines: { expires, updated, status, body },
  };
}

function mac(key: Buffer, text: Buffer): string {
  return createHmac("sha256", key).update(text).digest("hex");
}

/** The person's cache key (0600 in the 0700 state folder), made on first use; undefined when it cannot be. */
function macKey(): Buffer | undefined {
  const dir = personStateDir();
  const path = join(dir, KEY_FILE);
  try {
    return Buffer.from(fs.readFileSync(path, "utf8").trim(), "hex");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") return undefined;
  }
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(path, `${randomBytes(32).toString("hex")}\n`, { flag: "wx", mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") return undefined;
  }
  try {
    const key = Buffer.from(fs.readFileSync(path, "utf8").trim(), "hex");
    return key.length === 32 ? key : undefined;
  } catch {
    return undefined;
  }
}

/** Reading the seal key also makes the scanner look for it, so every scan under one basis looks for the same value. */
async function cacheBasis(): Promise<string> {
  const seal = await sealKey({ create: false }).catch(() => undefined);
  const sealId = seal?.length ? createHash("sha256").update(seal).digest("hex").slice(0, 16) : "none";
  return `limit=${SIZE_LIMITS.memoryEntry};seal=${sealId}`;
}

function slug(prefix: string): string {
  return createHash("sha256").update(prefix).digest("hex").slice(0, 12);
}
