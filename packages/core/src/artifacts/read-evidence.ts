import { constants } from "node:fs";
import { lstat, open, readlink, realpath } from "node:fs/promises";
import { join, sep } from "node:path";

export type EvidenceRead =
  | { ok: true; data: Buffer }
  | {
      ok: false;
      problem: "missing" | "symlink" | "hard-linked" | "not-a-file" | "outside" | "unreadable";
      reason: string;
    };

/**
 * Reads a file of the worksite (an artifact, PROGRESS.md) as evidence a person or a client
 * trusts, only if it is the worksite's own regular file (issue 21 item 7):
 *
 * - no symlink anywhere between the root and the file (a planted `PROGRESS.md -> ~/.ssh/id_rsa`
 *   or `artifacts/round-1 -> /`), checked before and, through the open handle, after opening;
 * - not multiply linked: a hard link shares the inode of a file elsewhere (the seal key, another
 *   user's file on the same disk) and no symlink check sees it. The artifact store creates each
 *   file itself, and the runtime rewrites its files by rename, so theirs have one link.
 *
 * `relative` is a path inside `root` with `/` separators and no `..`.
 */
export async function readEvidenceFile(root: string, relative: string): Promise<EvidenceRead> {
  const parts = relative.split("/");
  if (!relative || relative.startsWith("/") || parts.some((p) => p === "" || p === "." || p === ".."))
    return refused("outside", `${relative} is not a path inside the worksite`);
  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch {
    return refused("missing", `the worksite ${root} is not there`);
  }
  const chain = await checkChain(realRoot, parts, relative);
  if (chain) return chain;

  const absolute = join(realRoot, relative);
  let handle;
  try {
    // O_NOFOLLOW: a link swapped in after the check above is refused, not followed.
    handle = await open(absolute, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return refused("missing", `${relative} does not exist`);
    if (code === "ELOOP") return refused("symlink", `${relative} is a symbolic link`);
    return refused("unreadable", `${relative} cannot be read (${code ?? "unknown error"})`);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return refused("not-a-file", `${relative} is not a regular file`);
    if (info.nlink > 1)
      return refused(
        "hard-linked",
        `${relative} has ${info.nlink} hard links, so it may be a file from outside the worksite`,
      );
    // What was opened is what was checked: a parent folder swapped for a symlink in between shows here.
    const opened = await openedPath(handle.fd);
    if (opened !== undefined && opened !== absolute)
      return refused("symlink", `${relative} was reached through a symbolic link`);
    if (opened === undefined && (await checkChain(realRoot, parts, relative)))
      return refused("symlink", `${relative} was reached through a symbolic link`);
    return { ok: true, data: await handle.readFile() };
  } catch (error) {
    return refused(
      "unreadable",
      `${relative} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
  } finally {
    await handle.close();
  }
}

/** Every folder from the root down to the file must be a real folder, not a link to one. */
async function checkChain(
  realRoot: string,
  parts: readonly string[],
  relative: string,
): Promise<EvidenceRead | undefined> {
  let at = realRoot;
  for (let i = 0; i < parts.length; i++) {
    at = `${at}${sep}${parts[i]}`;
    let info;
    try {
      info = await lstat(at);
    } catch {
      return refused("missing", `${relative} does not exist`);
    }
    if (info.isSymbolicLink())
      return refused(
        "symlink",
        `${i === parts.length - 1 ? relative : parts.slice(0, i + 1).join("/")} is a symbolic link`,
      );
    if (i < parts.length - 1 && !info.isDirectory()) return refused("missing", `${relative} does not exist`);
  }
  return undefined;
}

/** Where an open file really is, where the system says (Linux); undefined elsewhere. */
async function openedPath(fd: number): Promise<string | undefined> {
  if (process.platform !== "linux") return undefined;
  return readlink(`/proc/self/fd/${fd}`).catch(() => undefined);
}

function refused(problem: Exclude<EvidenceRead, { ok: true }>["problem"], reason: string): EvidenceRead {
  return { ok: false, problem, reason };
}
