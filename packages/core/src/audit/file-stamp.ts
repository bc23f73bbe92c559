import fs from "node:fs";

/*
 * What the writer knows of a file it holds, to see another hand's change before it chains a line onto it
 * (writer.ts, `untouched`): a cut, an edit or a replacement changes one of these.
 */
export interface FileStamp {
  ino: number;
  size: number;
  mtimeMs: number;
}

/** The stamp of the file at `path` now, or undefined when there is none. */
export function stat(path: string): FileStamp | undefined {
  const s = fs.statSync(path, { throwIfNoEntry: false });
  return s && stampOf(s);
}

export function stampOf(s: fs.Stats): FileStamp {
  return { ino: s.ino, size: s.size, mtimeMs: s.mtimeMs };
}

export function same(a: FileStamp | undefined, b: FileStamp | undefined): boolean {
  return a === b || (!!a && !!b && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs);
}
