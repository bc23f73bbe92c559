import { readFile } from "node:fs/promises";
import { writeFileAtomic } from "@worksite/core/atomic-file";
import { progressPath } from "../paths.js";

const PROGRESS_HEADER = "# Progress\n\nOne section per round, written by worksite.\n\n";
/** `## Standing` or `## 现状`, up to the first round's section (or the end). */
const SECTION = /^## (Standing|现状)\n[\s\S]*?(?=^## Round \d+ — |(?![\s\S]))/m;

/** PROGRESS.md with its standing section replaced (or put above the round log), rewritten atomically. */
export async function writeStandingSection(root: string, section: string): Promise<void> {
  let current: string;
  try {
    current = await readFile(progressPath(root), "utf8");
  } catch {
    current = PROGRESS_HEADER;
  }
  const body = `${section.replace(/\n*$/, "\n")}\n`;
  let next: string;
  if (SECTION.test(current)) next = current.replace(SECTION, body);
  else {
    const firstRound = /^## Round \d+ — /m.exec(current);
    next = firstRound
      ? `${current.slice(0, firstRound.index)}${body}${current.slice(firstRound.index)}`
      : `${current.replace(/\n*$/, "\n\n")}${body}`;
  }
  await writeFileAtomic(progressPath(root), next);
}

/** The standing section as PROGRESS.md holds it (the state after the last round), if any. */
export async function readStandingSection(root: string): Promise<string | undefined> {
  try {
    return SECTION.exec(await readFile(progressPath(root), "utf8"))?.[0].trimEnd();
  } catch {
    return undefined;
  }
}
