import { open, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { watchChanges } from "./watch-changes.js";

export interface FollowOptions {
  /** Bytes of the file already shown: following starts after them. */
  from: number;
  /** Each complete new line, in order (without its newline). */
  onLine: (text: string) => void;
  /** The file was replaced or cut shorter (rotated): following goes on from the start of the new one. */
  onReplaced?: () => void;
}

/**
 * `tail -F` for one file: waits on fs.watch of the file's folder (a rename or a replacement is seen there too)
 * and reads what was appended since the last look. A half-written last line waits for its newline. Returns
 * the function that stops following.
 */
export function followFile(path: string, options: FollowOptions): () => void {
  let offset = options.from;
  let inode: number | undefined;
  let rest = "";
  let reading: Promise<void> = Promise.resolve();
  let stopped = false;

  const readNew = async () => {
    const info = await stat(path).catch(() => undefined);
    if (!info) return; // gone for now (between a rotation's rename and the new file): the next change brings it
    if ((inode !== undefined && info.ino !== inode) || info.size < offset) {
      offset = 0;
      rest = "";
      options.onReplaced?.();
    }
    inode = info.ino;
    if (info.size === offset) return;
    const handle = await open(path, "r");
    try {
      const buffer = Buffer.alloc(info.size - offset);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
      offset += bytesRead;
      rest += buffer.subarray(0, bytesRead).toString("utf8");
    } finally {
      await handle.close();
    }
    let at: number;
    while (!stopped && (at = rest.indexOf("\n")) >= 0) {
      options.onLine(rest.slice(0, at));
      rest = rest.slice(at + 1);
    }
  };
  const look = () => {
    reading = reading.then(readNew).catch(() => undefined);
  };
  // The first look also learns the file's identity, so a replacement after it is noticed.
  look();
  const stopWatching = watchChanges([dirname(path), path], look);
  return () => {
    stopped = true;
    stopWatching();
  };
}
