import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * Written by `skill add` into the skill's own folder: the skill came from a
 * package, so its text is a third party's, and the round context shows it to
 * the model inside the untrusted envelope (issue 20 item 4).
 */
export const INSTALL_RECORD = ".worksite-install.json";

export interface InstallRecord {
  /** "" for a plain skill folder, which has no package. */
  package: string;
  version: string;
  kind: string;
  installed: string;
  /** What the person gave, for a skill that came without a package. */
  from?: string;
}

/** Whether `skill add` put this skill there. The file's presence decides, not its content: overwriting it with garbage does not make a package's text the thread's own. */
export function wasInstalled(dir: string): boolean {
  return existsSync(join(dir, INSTALL_RECORD));
}

export async function readInstallRecord(dir: string): Promise<InstallRecord | undefined> {
  try {
    const json = JSON.parse(await readFile(join(dir, INSTALL_RECORD), "utf8")) as Partial<InstallRecord>;
    return typeof json.package === "string" ? (json as InstallRecord) : undefined;
  } catch {
    return undefined;
  }
}
