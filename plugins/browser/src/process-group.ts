import { readdir, readFile } from "node:fs/promises";

/**
 * Kills what is left of a process group (Chromium's zygotes, renderers and
 * GPU process outlive the main process for a moment) and waits until none of
 * it is alive, so a disposed plugin leaves nothing running.
 */
export async function endProcessGroup(pgid: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      process.kill(-pgid, "SIGKILL");
    } catch {
      // ESRCH: no process is left in the group.
    }
    const left = await groupMembers(pgid);
    if (left.length === 0 || Date.now() > deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Live (not zombie) processes whose process group is `pgid`, read from /proc; elsewhere, whether the leader answers. */
export async function groupMembers(pgid: number): Promise<number[]> {
  let names: string[];
  try {
    names = await readdir("/proc");
  } catch {
    try {
      process.kill(-pgid, 0);
      return [pgid];
    } catch {
      return [];
    }
  }
  const found: number[] = [];
  await Promise.all(
    names
      .filter((n) => /^\d+$/.test(n))
      .map(async (n) => {
        const stat = await readFile(`/proc/${n}/stat`, "utf8").catch(() => "");
        // Fields after the command name, which is in parentheses and may hold spaces: state ppid pgrp …
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        if (fields[0] !== "Z" && fields[0] !== "X" && Number(fields[2]) === pgid) found.push(Number(n));
      }),
  );
  return found;
}
