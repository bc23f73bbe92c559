import { existsSync, type FSWatcher, type StatWatcher, unwatchFile, watch, watchFile } from "node:fs";

/** Several writes in a row (a temp file, then its rename) are one change to a person watching. */
const SETTLE_MS = 100;
/** Only where the OS cannot watch (fs.watch throws: some network and container file systems). */
const POLL_MS = 1000;

/**
 * Calls `onChange` after something changes in any of `paths` (folders watched without recursion; a missing one is
 * skipped). fs.watch wakes only on a change, so an idle watcher costs nothing; where it is not available the
 * folders' modification times are polled instead. Returns the function that stops watching.
 */
export function watchChanges(paths: readonly string[], onChange: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  const changed = () => {
    clearTimeout(timer);
    timer = setTimeout(onChange, SETTLE_MS);
  };
  const watchers: FSWatcher[] = [];
  const polled: string[] = [];
  for (const dir of paths) {
    if (!existsSync(dir)) continue;
    try {
      const w = watch(dir, { persistent: true }, changed);
      // A folder removed while watched (a rotated log's folder) must not crash the watch.
      w.on("error", () => undefined);
      watchers.push(w);
    } catch {
      watchFile(dir, { interval: POLL_MS, persistent: true }, changed) satisfies StatWatcher;
      polled.push(dir);
    }
  }
  return () => {
    clearTimeout(timer);
    for (const w of watchers) w.close();
    for (const p of polled) unwatchFile(p);
  };
}
