import fs from "node:fs";
import { join } from "node:path";
import {
  cacheable,
  decode,
  encode,
  idAndTopic,
  type Line,
  type Lines,
  ShardLines,
  splitLine,
  TextLine,
} from "./cache-lines.js";
import { cacheBasis, macKey, readSealed, readSealedBytes, slug, writeSealed, writeSealedAsync } from "./cache-seal.js";
import type { MemoryEntry } from "./entry-format.js";
import type { FileSummary } from "./file-summary.js";
import type { IndexRow } from "./index-file.js";
import type { MemoryStore } from "./store.js";

/*
 * The run-start audit's parse cache (issue 13 item 2): each entry file's summary
 * (file-summary.ts) kept by path and blob id, so an unchanged memory costs a stat
 * walk against `.git/index` and one read of these files, not a read, parse and
 * secret scan of every entry.
 *
 * Where: `<gitdir>/worksite/memory-cache/`. Nothing under `.git/` is ever
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
 * (that file of the cache, whole). The secret scanner also looks for the person's seal key by value, so
 * summaries made while that key was known (or not, or another) are not reused
 * under a different one.
 */
const VERSION = 7;
/** Summaries are spread over this many files by a hash of the path, so a commit rewrites only the few it touched. */
const SHARDS = 64;

/*
 * The folder holds `heads` and `s00`…`s3f`, each sealed on its own: the HMAC
 * line, a header line (version, basis and which file it is), then one line per
 * entry file, `oid<TAB>path<TAB>…`. In `heads` the rest is `[name,description,status]`
 * (`[]` for a file that is no valid entry): all that MEMORY.md needs, so a commit
 * reads ~1 MB at 10,000 entries, not the 8 MB of summaries. In a shard it is the
 * summary of a path that hashes to it; the run-start audit reads them all, a
 * commit only those of the files it changed. Lines that still hold are written
 * back as read (JSON never holds a raw tab or newline). Every line is keyed by
 * path and blob id, so a file that is stale, missing or from an older state is
 * only a miss: the seal is what keeps out lines no one here made.
 */
/** What the cache is told to keep: each present file by blob id, with its summary when it was made afresh. */
export interface Keep {
  file: string;
  oid: string;
  fresh?: FileSummary;
}

/**
 * What `heads` was written for: the commit whose entry files it lists exactly (paths and blob
 * ids), and the blob id of MEMORY.md rendered from its rows. A commit on top of that commit that
 * changes no row of MEMORY.md needs neither `.git/index` nor the other 10,000 rows (memory commit).
 */
export interface Stamp {
  commit: string;
  index: string;
}

export interface ParseCache {
  get(file: string, oid: string): FileSummary | undefined;
  /** The MEMORY.md fields for these exact bytes: null when they are no valid entry, undefined when unknown. */
  row(file: string, oid: string): IndexRow | null | undefined;
  /**
   * Writes back what changed; `files` is every entry file present now (what is not there is dropped).
   * `stamp`: asked for only when `heads` is written; what it was written for, when that is known.
   */
  save(files: readonly Keep[], stamp?: () => Promise<Stamp | undefined>): Promise<void>;
  /**
   * Reads and checks now what get() (`shards`) or row() (`heads`) will look up, so a caller can do it
   * while a git process it started runs on the other core.
   */
  preload(what: "heads" | "shards"): void;
  /** True when save() of `count` files, none fresh, each found by get(), would write nothing. */
  unchanged(count: number): boolean;
  /** The stamp `heads` was written with, if any. */
  stamp(): Stamp | undefined;
  /** The heads line's MEMORY.md fields for a file, as stored (`[]` for no valid entry), whatever its blob id. */
  headFields(file: string): { oid: string; fields: string } | undefined;
  /**
   * After a commit that kept every MEMORY.md row: `heads` with these files' lines replaced (null:
   * deleted) and stamped, and their summaries in their shards. Nothing else is read or walked.
   */
  saveCommitted(changed: ReadonlyMap<string, FileSummary | null>, stamp: Stamp): Promise<void>;
}

/** The MEMORY.md fields a summary stores in `heads` (the part after the path), to compare rows as text. */
export function headFields(s: FileSummary): string {
  const m = s.entry?.meta;
  return JSON.stringify(m ? [m.name, m.description, m.status] : []);
}

export function cacheDir(store: MemoryStore): string {
  return join(store.gitdir, "worksite", store.prefix ? `memory-cache-${slug(store.prefix)}` : "memory-cache");
}

/** The cache's files as they are on disk now (tests attack them). */
export function cacheFiles(store: MemoryStore): string[] {
  try {
    return fs
      .readdirSync(cacheDir(store))
      .filter((f) => f === "heads" || /^s[0-9a-f]{2}$/.test(f))
      .map((f) => join(cacheDir(store), f));
  } catch {
    return [];
  }
}

/** Opens the cache; with no usable key (a read-only state folder) nothing is cached and everything is parsed. */
export async function openParseCache(store: MemoryStore): Promise<ParseCache> {
  const key = macKey();
  const basis = await cacheBasis();
  const dir = cacheDir(store);
  const header = (name: string, stamp?: Stamp) =>
    JSON.stringify({ v: VERSION, basis, file: name, ...(stamp ? { stamp } : {}) });
  let headsStamp: Stamp | undefined;
  // The header names the version, basis and file; heads' may add its stamp.
  const accept = (name: string) => (line: string) => {
    if (line === header(name)) return true;
    if (name !== "heads") return false;
    try {
      const { stamp, ...rest } = JSON.parse(line) as { stamp?: Stamp };
      if (JSON.stringify(rest) !== header(name) || typeof stamp?.commit !== "string" || typeof stamp.index !== "string")
        return false;
      headsStamp = { commit: stamp.commit, index: stamp.index };
      return true;
    } catch {
      return false;
    }
  };
  // Every cache file's lines start `oid<TAB>path<TAB>`: keyed by path, the rest read when asked for.
  const load = (name: string): Lines => {
    const out = new Map<string, Line>();
    if (!key) return out;
    try {
      if (name === "heads")
        for (const text of loadHeadsText().split("\n")) {
          if (!text) continue;
          const [oid, file, at] = splitLine(text);
          out.set(file, new TextLine(oid, text, at));
        }
      else {
        const sealed = readSealedBytes(join(dir, name), key, accept(name));
        if (!sealed) return out;
        const { bytes } = sealed;
        const lines = new ShardLines(bytes);
        for (let start = sealed.from; start < bytes.length; ) {
          let end = bytes.indexOf(0x0a, start);
          if (end < 0) end = bytes.length;
          if (end > start) {
            const tab = bytes.indexOf(0x09, start + 41);
            if (bytes[start + 40] !== 0x09 || tab < 0 || tab > end) throw new Error("not a cache line");
            lines.add(bytes.toString("utf8", start + 41, tab), start);
          }
          start = end + 1;
        }
        return lines;
      }
    } catch {
      if (name === "heads") headsStamp = undefined;
      return new Map<string, Line>();
    }
    return out;
  };
  /*
   * heads' lines as one string, checked: a commit that keeps MEMORY.md needs only the edited files'
   * lines of it (found by `<TAB>path<TAB>`, which only a line's path field can hold: JSON escapes tabs)
   * and writes the rest back as it was, so the 10,000 lines are split and keyed only when rows are asked for.
   */
  let headsText: string | undefined;
  const loadHeadsText = () => {
    headsText ??= key ? readSealed(join(dir, "heads"), key, accept("heads")).join("\n") : "";
    return headsText;
  };
  /** The heads line of a file: where it starts and ends in headsText, and where its path ends. */
  const findHead = (file: string): { start: number; end: number; fields: number } | undefined => {
    const text = loadHeadsText();
    const at = text.indexOf(`\t${file}\t`);
    if (at < 40 || (at > 40 && text[at - 41] !== "\n")) return undefined;
    const end = text.indexOf("\n", at);
    return { start: at - 40, end: end < 0 ? text.length : end, fields: at + file.length + 2 };
  };
  let heads: Lines | undefined;
  const loadHeads = () => {
    heads ??= load("heads");
    return heads;
  };
  const shards = new Map<string, Lines>();
  /** get() calls answered from a shard: when they are all the files saved and all the lines loaded, save has nothing to do. */
  let shardHits = 0;

  // Hashed each time it is asked: a map of 10,000 remembered names cost the collector more than the hash.
  const shardFor = shardOf;
  const loadShard = (name: string) => {
    let shard = shards.get(name);
    if (!shard) {
      shard = load(name);
      shards.set(name, shard);
    }
    return shard;
  };
  // Every file found in its shard, and the shards hold no other line: nothing to write (a
  // run start of an unchanged memory; save's loops cost ~10 ms at 10,000 entries).
  const unchanged = (count: number) => {
    if (!key) return true;
    if (heads || shards.size !== SHARDS || shardHits !== count) return false;
    let lines = 0;
    for (const shard of shards.values()) lines += shard.size;
    return lines === count;
  };
  return {
    preload(what) {
      if (what === "heads") loadHeadsText();
      else for (let i = 0; i < SHARDS; i++) loadShard(shardName(i));
    },
    get(file, oid) {
      const shard = loadShard(shardFor(file));
      try {
        const found =
          shard instanceof ShardLines
            ? shard.summary(file, oid)
            : (() => {
                const line = shard.get(file);
                if (line?.oid !== oid) return undefined;
                line.summary ??= decode(file, oid, line.rest());
                return line.summary;
              })();
        if (found) shardHits++;
        return found;
      } catch {
        return undefined;
      }
    },
    row(file, oid) {
      const line = loadHeads().get(file);
      if (line?.oid !== oid) return undefined;
      if (line.row === undefined) {
        try {
          line.row = rowFromHead(file, line.rest());
        } catch {
          return undefined;
        }
      }
      return line.row;
    },
    stamp() {
      loadHeadsText();
      return headsStamp;
    },
    headFields(file) {
      const c = cacheable(file) ? findHead(file) : undefined;
      const text = loadHeadsText();
      return c && { oid: text.slice(c.start, c.start + 40), fields: text.slice(c.fields, c.end) };
    },
    async saveCommitted(changed, stamp) {
      if (!key) return;
      // heads as it was, the changed files' lines cut out (in text order) and their new lines added.
      const text = loadHeadsText();
      const cuts = [...changed.keys()]
        .map((file) => findHead(file))
        .filter((c) => c !== undefined)
        .sort((a, b) => a.start - b.start);
      const lines: string[] = [];
      let from = 0;
      for (const c of cuts) {
        if (c.start > from) lines.push(text.slice(from, c.start - 1));
        from = c.end + 1;
      }
      if (from < text.length) lines.push(text.slice(from));
      const shardLines = new Map<string, Map<string, string | null>>();
      for (const [file, s] of changed) {
        if (!cacheable(file)) continue;
        if (s) lines.push(`${s.oid}\t${file}\t${headFields(s)}`);
        const name = shardFor(file);
        let m = shardLines.get(name);
        if (!m) shardLines.set(name, (m = new Map()));
        m.set(file, s ? `${s.oid}\t${file}\t${encode(s)}` : null);
      }
      const writes: [string, string[], Stamp?][] = [["heads", lines, stamp]];
      for (const [name, replace] of shardLines) {
        const kept: string[] = [];
        for (const [file, line] of loadShard(name)) if (!replace.has(file)) kept.push(line.text);
        for (const line of replace.values()) if (line !== null) kept.push(line);
        writes.push([name, kept]);
      }
      try {
        fs.mkdirSync(dir, { recursive: true });
        // Side by side in the libuv pool: each file costs ~1 ms of the disk's time here.
        await Promise.all(
          writes.map(([name, text, st]) =>
            writeSealedAsync(join(dir, name), key, [header(name, st), ...text].join("\n")),
          ),
        );
      } catch {
        // A cache that cannot be written costs speed next time, never correctness.
      }
    },
    unchanged,
    async save(files, stamp) {
      if (!key) return;
      if (!files.some((f) => f.fresh) && unchanged(files.length)) return;
      const fresh = files.some((f) => f.fresh);
      const writes: [string, string[], Stamp?][] = [];
      if (heads || fresh) {
        const old = loadHeads();
        let changed = old.size !== files.length;
        const lines: string[] = [];
        for (const f of files) {
          const was = old.get(f.file);
          let text: string | undefined;
          if (!f.fresh && was?.oid === f.oid) text = was.text;
          else {
            // A file the heads do not know yet may have its summary from a shard (read by this audit).
            const shard = shards.get(shardFor(f.file));
            const known =
              f.fresh ?? (shard instanceof ShardLines ? shard.summary(f.file, f.oid) : shard?.get(f.file)?.summary);
            text = known?.oid === f.oid ? headOf(known) : undefined;
          }
          if (text === undefined) {
            changed = true;
            continue;
          }
          if (text !== was?.text) changed = true;
          lines.push(text);
        }
        if (changed) writes.push(["heads", lines, await stamp?.()]);
      }
      const byShard = new Map<string, Keep[]>();
      for (const f of files) {
        const name = shardFor(f.file);
        const list = byShard.get(name);
        if (list) list.push(f);
        else byShard.set(name, [f]);
      }
      const remove: string[] = [];
      for (const path of cacheFiles(store)) {
        const name = path.slice(dir.length + 1);
        if (name !== "heads" && !byShard.has(name)) remove.push(path);
      }
      for (const [name, list] of byShard) {
        if (!shards.has(name) && !list.some((f) => f.fresh)) continue;
        const old = loadShard(name);
        let changed = old.size !== list.length;
        const lines: string[] = [];
        for (const f of list) {
          const was = old.get(f.file);
          if (f.fresh) {
            if (cacheable(f.file)) lines.push(`${f.oid}\t${f.file}\t${encode(f.fresh)}`);
            changed = true;
          } else if (was?.oid === f.oid) lines.push(was.text);
          else changed = true;
        }
        if (changed) writes.push([name, lines]);
      }
      try {
        fs.mkdirSync(dir, { recursive: true });
        for (const [name, lines, st] of writes)
          writeSealed(join(dir, name), key, [header(name, st), ...lines].join("\n"));
        for (const path of remove) fs.rmSync(path, { force: true });
        // The single-file cache of version 4, which this folder replaces.
        if (writes.length)
          fs.rmSync(dir.replace(/memory-cache(-[0-9a-f]+)?$/, "memory-parse-cache$1"), { force: true });
      } catch {
        // A cache that cannot be written costs speed next time, never correctness.
      }
    },
  };
}

/** The heads line of a summary: its MEMORY.md fields, `[]` when it is no valid entry. */
function headOf(s: FileSummary): string | undefined {
  if (!cacheable(s.file)) return undefined;
  const m = s.entry?.meta;
  return `${s.oid}\t${s.file}\t${JSON.stringify(m ? [m.name, m.description, m.status] : [])}`;
}

function rowFromHead(file: string, fields: string): IndexRow | null {
  // MEMORY.md sorts and filters all 10,000 rows by id and status but shows only the first ~200: the
  // status is read off the line's end, name and description parsed only for a row it shows. A JSON
  // string's quotes inside it are escaped, so `,"word"]` at the end can only be the third field.
  const status = /,"([a-z]+)"\]$/.exec(fields)?.[1];
  if (status === undefined) return fullRow(file, fields);
  const { id, topic } = idAndTopic(file);
  let parsed: [string, string] | undefined;
  const parse = () => {
    parsed ??= JSON.parse(fields) as [string, string];
    return parsed;
  };
  return {
    id,
    file,
    topic,
    meta: {
      get name() {
        return parse()[0];
      },
      get description() {
        return parse()[1] ?? "";
      },
      status: status as IndexRow["meta"]["status"],
    },
  };
}

function fullRow(file: string, fields: string): IndexRow | null {
  const [name, description, status] = JSON.parse(fields) as [string?, string?, string?];
  if (name === undefined) return null;
  const { id, topic } = idAndTopic(file);
  return {
    id,
    file,
    topic,
    meta: { name, description: description ?? "", status: status as IndexRow["meta"]["status"] },
  };
}

/** The MEMORY.md fields of an entry. */
export function rowOf(entry: MemoryEntry): IndexRow {
  const { name, description, status } = entry.meta;
  return { id: entry.id, file: entry.file, topic: entry.topic, meta: { name, description, status } };
}

/** A cheap, stable hash of the path (FNV-1a): which shard holds its summary. Not a defence: the seal is. */
function shardOf(file: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < file.length; i++) h = Math.imul(h ^ file.charCodeAt(i), 0x01000193);
  return shardName((h >>> 0) % SHARDS);
}

function shardName(n: number): string {
  return `s${n.toString(16).padStart(2, "0")}`;
}
