import { existsSync, type FSWatcher, unwatchFile, watch, watchFile } from "node:fs";

/** Several writes in a row (a temp file, then its rename) are one change to a person watching. */
const SETTLE_MS = 100;
/** Only where the OS cannot watch (fs.watch throws: some network and container file systems). */
const POLL_MS = 1000;

/**
 * Calls `onChange` after something changes in any of `paths` (folders watched without recursion). fs.watch
 * wakes only on a change, so an idle watcher costs nothing; where it is not available a path's modification
 * time is polled instead. A path that does not exist yet (the inbox before the first message) is picked up
 * at the next change, and one that goes away (a rotated log) is watched again once it is back. Returns the
 * function that stops watching.
 */
export function watchChanges(paths: readonly string[], onChange: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const watchers = new Map<string, FSWatcher>();
  const polled = new Set<string>();

  const changed = () => {
    if (stopped) return;
    watchNew();
    clearTimeout(timer);
    timer = setTimeout(onChange, SETTLE_MS);
  };
  const watchNew = () => {
    for (const path of paths) {
      if (watchers.has(path) || polled.has(path) || !existsSync(path)) continue;
      try {
        const w = watch(path, { persistent: true }, changed);
        w.on("error", () => {
          w.close();
          watchers.delete(path);
        });
        watchers.set(path, w);
      } catch {
        watchFile(path, { interval: POLL_MS, persistent: true }, changed);
        polled.add(path);
      }
    }
  };
  watchNew();
  return () => {
    stopped = true;
    clearTimeout(timer);
    for (const w of watchers.values()) w.close();
    for (const p of polled) unwatchFile(p);
  };
}
