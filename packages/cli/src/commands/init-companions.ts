import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { UserError } from "@worksite/core";

/** Companion files a long-running thread keeps beside THREAD.md: its operating boundaries, in plain text. */
export const COMPANIONS = {
  runbook: "how the work is operated, step by step, and what to do when a step fails",
  inventory: "the repositories, services and accounts this thread works with, and their owners",
  "env-map": "which environment is which, and what this thread may touch in each",
  backup: "how to undo this thread's work, including what `worksite rollback` does not cover",
  security: "what this thread must never see or do, and why",
} as const;

export type Companion = keyof typeof COMPANIONS;

/** `--with runbook,inventory` → the names, or a clear error naming the ones that are not companions. */
export function parseCompanions(value: unknown): Companion[] {
  if (value === undefined || value === false) return [];
  const names = String(value)
    .split(",")
    .map((n) => n.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(n in COMPANIONS));
  if (unknown.length)
    throw new UserError(`--with: ${unknown.join(", ")} ${unknown.length === 1 ? "is" : "are"} not a companion file`, {
      hint: `choose from ${Object.keys(COMPANIONS).join(", ")}, e.g. --with runbook,security`,
    });
  return [...new Set(names)] as Companion[];
}

/**
 * Writes each companion file (never over an existing one), links it from THREAD.md's "read first",
 * and makes agent writes to it drafts in PERMISSIONS.md: a person accepts changes to the operating boundaries.
 */
export async function scaffoldCompanions(root: string, names: Companion[], templates: URL): Promise<string[]> {
  const created: string[] = [];
  for (const name of names) {
    const file = `${name}.md`;
    if (existsSync(join(root, file))) continue;
    await writeFile(join(root, file), await readFile(new URL(`companions/${file}`, templates), "utf8"));
    created.push(file);
  }
  if (!names.length) return created;
  await addToSection(
    join(root, "THREAD.md"),
    /^##\s*(Read first|先读)\s*$/im,
    names.map((n) => `- [${n}.md](${n}.md): ${COMPANIONS[n]}`),
    "## Read first",
  );
  await addToSection(
    join(root, "PERMISSIONS.md"),
    /^##\s*(Draft|草稿)\s*$/im,
    names.map((n) => `- \`file.write(${n}.md)\``),
    "## Draft",
  );
  return created;
}

/** Adds the lines at the end of a markdown section (creating the section at the end if it is missing), skipping lines already there. */
async function addToSection(path: string, heading: RegExp, lines: string[], newHeading: string): Promise<void> {
  const text = await readFile(path, "utf8");
  const fresh = lines.filter((l) => !text.includes(l));
  if (!fresh.length) return;
  const match = heading.exec(text);
  if (!match) {
    await writeFile(path, `${text.replace(/\n*$/, "\n\n")}${newHeading}\n${fresh.join("\n")}\n`);
    return;
  }
  const after = match.index + match[0].length;
  const rest = text.slice(after);
  const next = /^#{1,2}\s/m.exec(rest.slice(1));
  const end = next ? after + 1 + next.index : text.length;
  const section = text.slice(after, end).replace(/\n*$/, "\n");
  await writeFile(
    path,
    `${text.slice(0, after)}${section}${fresh.join("\n")}\n${end < text.length ? "\n" : ""}${text.slice(end)}`,
  );
}
