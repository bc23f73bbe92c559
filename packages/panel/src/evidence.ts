import { posix } from "node:path";
import { type ArtifactRef, readArtifactIndex, readEvidenceFile } from "@worksite/core";

/*
 * Evidence the panel serves: only files under artifacts/ (and PROGRESS.md, read elsewhere), named by a
 * path inside the worksite, read with core's readEvidenceFile (no symlink, no hard link, no `..`).
 * Nothing else of the worksite, and nothing outside it, is reachable through the panel.
 */

/** A served path, normalised; undefined when it is not a path under artifacts/. */
export function evidencePath(given: string | undefined): string | undefined {
  if (!given || given.includes("\0") || given.includes("\\")) return undefined;
  if (given.startsWith("/") || given.split("/").some((p) => p === "..")) return undefined;
  const normal = posix.normalize(given);
  if (!normal.startsWith("artifacts/") || normal.split("/").some((p) => p === ".." || p === "")) return undefined;
  return normal;
}

/** A relative link found in an artifact (an image in a report), resolved against the artifact's folder. */
export function resolveRelative(from: string, link: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(link) || link.startsWith("//") || link.startsWith("/")) return undefined;
  const clean = link.split(/[?#]/)[0] ?? "";
  return evidencePath(posix.normalize(posix.join(posix.dirname(from), clean)));
}

const IMAGE_TYPES: Record<string, string> = {
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  // An SVG is shown only as an <img> (where scripts never run) and served under a sandboxing CSP.
  ".svg": "image/svg+xml",
};

export function imageType(path: string): string | undefined {
  return IMAGE_TYPES[posix.extname(path).toLowerCase()];
}

/** What the raw route answers with: an image type, or plain text for everything else (HTML included). */
export function rawType(path: string): string {
  return imageType(path) ?? "text/plain; charset=utf-8";
}

export async function readEvidence(root: string, path: string) {
  return readEvidenceFile(root, path);
}

/** The index, or an empty one with the reason it could not be read. */
export async function artifactIndex(root: string): Promise<{ artifacts: ArtifactRef[]; problem?: string }> {
  try {
    return { artifacts: (await readArtifactIndex(root)).artifacts };
  } catch (error) {
    return { artifacts: [], problem: (error as Error).message };
  }
}

/** Links in agent-made markdown at `from` (a file of the worksite): evidence opens in the panel, images come raw, the rest is dropped. */
export function evidenceLinks(i: number, from: string): (link: string, as: "link" | "image") => string | undefined {
  return (link, as) => {
    // The standing state links each decision to its audit entry (`.worksite/audit.jsonl#L12`): the panel's audit page.
    if (as === "link" && /^\.worksite\/audit\.jsonl(#L\d+)?$/.test(link)) return `/t/${i}/audit`;
    const path = from.includes("/")
      ? resolveRelative(from, link)
      : evidencePath(posix.normalize(link.split(/[?#]/)[0] ?? ""));
    if (!path) return undefined;
    return as === "image"
      ? `/t/${i}/raw?path=${encodeURIComponent(path)}`
      : `/t/${i}/artifact?path=${encodeURIComponent(path)}`;
  };
}
