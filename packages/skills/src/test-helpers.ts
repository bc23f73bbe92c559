import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { tempDir as sharedTempDir } from "@worksite/test-support";

/** A fresh temp folder (the workspace's one helper), removed after the test. */
export function tempDir(prefix = "skills-test-"): Promise<string> {
  return sharedTempDir(prefix);
}

/** Writes files given as { "relative/path": "text" } under root. */
export async function writeTree(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
}

export function skillMd(front: string, body = "\n# Body\n\nDo the thing.\n"): string {
  return `---\n${front.trim()}\n---\n${body}`;
}
