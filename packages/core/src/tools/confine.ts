import { lstat, realpath } from "node:fs/promises";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { WorksiteError } from "../errors.js";
import { isControlPath } from "../boundary/control-paths.js";
import { fold, whyControl } from "../boundary/floor.js";

export interface Confined {
  /** Absolute path on disk, symlinks resolved as far as the path exists. */
  absolute: string;
  /** Relative to the worksite root, forward slashes; "." for the root. */
  relative: string;
}

/**
 * Resolve `wanted` inside the worksite, or refuse. This is the tools' own
 * check, independent of the policy (defence in depth): `..`, absolute paths
 * elsewhere, symlinks pointing out, and the runtime's `.worksite/` state
 * (approvals, audit log) are all refused.
 */
export async function confine(root: string, wanted: string): Promise<Confined> {
  if (wanted.includes("\0")) throw refused(wanted, "it contains a NUL byte");
  const realRoot = await realpath(root);
  const lexical = resolve(root, wanted);
  checkInside(root, lexical, wanted);
  // Follow symlinks for the part that exists; the rest cannot be a link yet.
  let existing = lexical;
  const rest: string[] = [];
  for (;;) {
    try {
      await lstat(existing);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      const parent = resolve(existing, "..");
      if (parent === existing) break;
      rest.unshift(existing.slice(parent.length).replace(/^[/\\]/, ""));
      existing = parent;
    }
  }
  let real: string;
  try {
    real = await realpath(existing);
  } catch (error) {
    // A dangling symlink: where it points cannot be checked, so it is not followed.
    if ((error as NodeJS.ErrnoException).code === "ENOENT")
      throw refused(wanted, "it is a symlink to something that does not exist");
    throw error;
  }
  const absolute = rest.length ? join(real, ...rest) : real;
  return { absolute, relative: checkInside(realRoot, absolute, wanted) };
}

/**
 * `confine`, for a path a tool is about to write: the floor's control paths
 * (the three worksite files, PROGRESS.md, artifacts/, any .git) are refused
 * here too, by what the path says and by where it really lands, so a tool
 * holds the floor even under a policy that forgot it.
 */
export async function confineWrite(root: string, wanted: string): Promise<Confined> {
  const confined = await confine(root, wanted);
  const lexical = relative(resolve(root), resolve(root, wanted)).split(sep).join("/");
  for (const rel of [lexical, confined.relative]) {
    const folded = fold(rel);
    if (isControlPath(folded)) throw refused(wanted, whyControl(folded));
  }
  return confined;
}

function checkInside(root: string, absolute: string, wanted: string): string {
  const rel = relative(root, absolute);
  if (rel === "") return ".";
  if (rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel))
    throw refused(wanted, "it is outside the worksite");
  const parts = rel.split(sep);
  // Case-insensitive: on macOS and Windows `.WORKSITE` is the same folder.
  if (parts.some((p) => p.toLowerCase() === ".worksite"))
    throw refused(
      wanted,
      "`.worksite/` holds the runtime's own state (approvals, audit log); only a person's channel changes it",
    );
  return parts.join("/");
}

function refused(wanted: string, why: string): WorksiteError {
  return new WorksiteError("refused", `refused path "${wanted}": ${why}`);
}
