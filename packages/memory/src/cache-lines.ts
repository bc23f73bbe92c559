import type { MemoryEntry } from "./entry-format.js";
import type { FileSummary } from "./file-summary.js";
import type { IndexRow } from "./index-file.js";

/*
 * The parse cache's lines (parse-cache.ts): `oid<TAB>path<TAB>` and what follows, read from a sealed
 * file as a string (heads) or left as bytes (a shard), and the summaries they store.
 */
export interface Line {
  oid: string;
  /** The whole line as read or written, to write it back unchanged. */
  readonly text: string;
  /** What follows the path: the MEMORY.md fields (heads) or the summary (shards). */
  rest(): string;
  summary?: FileSummary;
  row?: IndexRow | null;
}

export class TextLine implements Line {
  summary?: FileSummary;
  row?: IndexRow | null;
  constructor(
    readonly oid: string,
    readonly text: string,
    private readonly at: number,
  ) {}
  rest(): string {
    return this.text.slice(this.at);
  }
}

/*
 * A shard's line kept as where it lies in the file's bytes: a run start decodes only each summary's
 * JSON, never the ~4 MB of bodies at 10,000 entries, and the bytes sit outside V8's heap, which
 * the garbage collector then need not copy (it was a fifth of an unchanged run start).
 */
export class BytesLine implements Line {
  summary?: FileSummary;
  row?: IndexRow | null;
  constructor(
    readonly oid: string,
    readonly bytes: Buffer,
    private readonly start: number,
    readonly at: number,
    readonly end: number,
  ) {}
  get text(): string {
    return this.bytes.toString("utf8", this.start, this.end);
  }
  rest(): string {
    return this.bytes.toString("utf8", this.at, this.end);
  }
}

/** The lines the cache looks up by path: a Map for heads, ShardLines for a shard. */
export interface Lines {
  readonly size: number;
  get(file: string): Line | undefined;
  [Symbol.iterator](): Iterator<[string, Line]>;
}

/*
 * A shard's lines by path, each only an offset into the shard's bytes until asked for: an unchanged
 * run start looks each path up once and wants its summary, so no line object and no blob id string
 * outlives the lookup (10,000 of each were garbage the collector had to copy).
 */
export class ShardLines implements Lines {
  private readonly starts = new Map<string, number>();
  private readonly made = new Map<string, Line>();
  constructor(private readonly bytes: Buffer) {}
  add(file: string, start: number): void {
    this.starts.set(file, start);
  }
  get size(): number {
    return this.starts.size;
  }
  /** The summary for exactly these bytes, decoded now (not kept here: the caller keeps it). */
  summary(file: string, oid: string): FileSummary | undefined {
    const made = this.made.get(file);
    if (made) return made.oid === oid ? (made.summary ??= decode(file, oid, made.rest())) : undefined;
    const start = this.starts.get(file);
    if (start === undefined || this.bytes.toString("latin1", start, start + 40) !== oid) return undefined;
    const { at, end } = this.place(file, start);
    return decodeBytes(file, oid, this.bytes, at, end);
  }
  get(file: string): Line | undefined {
    let line = this.made.get(file);
    if (line) return line;
    const start = this.starts.get(file);
    if (start === undefined) return undefined;
    const { at, end } = this.place(file, start);
    line = new BytesLine(this.bytes.toString("latin1", start, start + 40), this.bytes, start, at, end);
    this.made.set(file, line);
    return line;
  }
  *[Symbol.iterator](): Iterator<[string, Line]> {
    for (const file of this.starts.keys()) yield [file, this.get(file)!];
  }
  private place(file: string, start: number): { at: number; end: number } {
    const at = start + 41 + Buffer.byteLength(file) + 1;
    const end = this.bytes.indexOf(0x0a, at);
    return { at, end: end < 0 ? this.bytes.length : end };
  }
}

/*
 * A line starts `oid<TAB>path<TAB>`: sliced, not parsed, as 10,000 JSON.parse calls were a tenth of a
 * run start. A path holding a tab or a line break is never cached (its file is read each time).
 */
export function splitLine(text: string): [oid: string, file: string, at: number] {
  const tab = text.indexOf("\t", 41);
  if (text[40] !== "\t" || tab < 0) throw new Error("not a cache line");
  return [text.slice(0, 40), text.slice(41, tab), tab + 1];
}

export function cacheable(file: string): boolean {
  return !/[\t\n\r]/.test(file);
}

/** An entry's id and topic, as parseEntry gives them, from its path. */
export function idAndTopic(file: string): { id: string; topic: string } {
  const slash = file.indexOf("/");
  return { id: file.endsWith(".md") ? file.slice(0, -3) : file, topic: slash < 0 ? "" : file.slice(0, slash) };
}

/**
 * A summary as stored: without what its path gives (the entry's id, file and topic), without empty
 * lists, and with the entry's body after a tab, as a JSON string parsed only when it is read: the
 * audit and the run start never need the bodies of 10,000 entries, and parsing them was half the cost.
 */
interface Stored {
  b: number;
  m?: MemoryEntry["meta"];
  p?: FileSummary["problems"];
  c?: FileSummary["content"];
  l: [number, number, number, number];
}

export function encode(s: FileSummary): string {
  const { expires, updated, status, body } = s.lines;
  const stored: Stored = {
    b: s.bytes,
    ...(s.entry ? { m: s.entry.meta } : {}),
    ...(s.problems.length ? { p: s.problems } : {}),
    ...(s.content.length ? { c: s.content } : {}),
    l: [expires, updated, status, body],
  };
  return s.entry ? `${JSON.stringify(stored)}\t${JSON.stringify(s.entry.body)}` : JSON.stringify(stored);
}

export function decode(file: string, oid: string, raw: string): FileSummary {
  const tab = raw.indexOf("\t");
  return fromStored(file, oid, tab < 0 ? raw : raw.slice(0, tab), () => (tab < 0 ? '""' : raw.slice(tab + 1)));
}

/** decode() from a line's bytes: only the summary's JSON becomes a string now, the body when it is read. */
export function decodeBytes(file: string, oid: string, bytes: Buffer, at: number, end: number): FileSummary {
  let tab = bytes.indexOf(0x09, at);
  if (tab > end) tab = -1;
  return fromStored(file, oid, bytes.toString("utf8", at, tab < 0 ? end : tab), () =>
    tab < 0 ? '""' : bytes.toString("utf8", tab + 1, end),
  );
}

/** Most summaries have no problems and no findings: one frozen empty list for all (two fewer objects each). */
const NONE = Object.freeze([]) as unknown as never[];

function fromStored(file: string, oid: string, summary: string, bodyJson: () => string): FileSummary {
  const s = JSON.parse(summary) as Stored;
  const [expires, updated, status, body] = s.l;
  const out: FileSummary = {
    file,
    oid,
    bytes: s.b,
    problems: s.p ?? NONE,
    content: s.c ?? NONE,
    lines: { expires, updated, status, body },
  };
  if (s.m) {
    const { id, topic } = idAndTopic(file);
    out.entry = lazyBody({ id, file, topic, meta: s.m }, bodyJson);
  }
  return out;
}

/** An entry whose body is parsed from its stored JSON the first time it is read (an own, enumerable property to anyone reading it). */
function lazyBody(entry: Omit<MemoryEntry, "body">, stored: () => string): MemoryEntry {
  let body: string | undefined;
  // An accessor in a literal, not Object.defineProperty: 10,000 of those were a tenth of the decoding.
  return {
    id: entry.id,
    file: entry.file,
    topic: entry.topic,
    meta: entry.meta,
    get body(): string {
      body ??= JSON.parse(stored()) as string;
      return body;
    },
    set body(value: string) {
      body = value;
    },
  };
}
