import { existsSync } from "node:fs";
import { appendFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { newWorksiteId, WORKSITE_FILES } from "@worksite/core";
import { defineCommand } from "../command.js";
import { styler } from "../io.js";
import { suggestCommand } from "../suggest.js";
import { COMPANIONS, parseCompanions, scaffoldCompanions } from "./init-companions.js";

/** From src/commands (vitest) and dist/commands (built) alike, templates/ is two folders up. */
const TEMPLATES = new URL("../../templates/", import.meta.url);
const FOLDERS = ["artifacts", "memory", "skills", ".worksite"] as const;
const GITIGNORE = ["# worksite runtime state: audit log, approvals, inbox, runs, lock", ".worksite/"];

export default defineCommand({
  name: "init",
  usage: "init [DIR] [--force] [--with runbook,inventory,env-map,backup,security]",
  summary:
    "create a worksite: THREAD.md, GOAL.md and PERMISSIONS.md with commented examples, artifacts/, memory/, skills/ and .worksite/",
  options: {
    force: { type: "boolean", description: "overwrite THREAD.md, GOAL.md and PERMISSIONS.md if they exist" },
    with: {
      type: "string",
      description: `companion files to scaffold, linked from "read first" (agent edits are drafts): ${Object.keys(COMPANIONS).join(", ")}`,
    },
  },
  async run(args, io) {
    const paint = styler(io.isTTY);
    const given = args.positionals[0] ?? (typeof args.options.worksite === "string" ? args.options.worksite : ".");
    const root = resolve(io.cwd, given);
    const force = args.options.force === true;
    const companions = parseCompanions(args.options.with);
    await mkdir(root, { recursive: true });

    const created: string[] = [];
    const overwritten: string[] = [];
    const kept: string[] = [];
    for (const name of WORKSITE_FILES) {
      const target = join(root, name);
      const exists = existsSync(target);
      if (exists && !force) {
        kept.push(name);
        continue;
      }
      await writeFile(target, await readFile(new URL(name, TEMPLATES), "utf8"));
      (exists ? overwritten : created).push(name);
    }
    for (const folder of FOLDERS) {
      const dir = join(root, folder);
      if (existsSync(dir)) continue;
      await mkdir(dir, { recursive: true });
      // Empty folders vanish from git; the memory and skills folders are meant to be committed.
      if (folder !== ".worksite") await writeFile(join(dir, ".gitkeep"), "");
      created.push(`${folder}/`);
    }
    // Its own id, even where another worksite once was (its audit anchor would make this empty log look cut).
    newWorksiteId(root);
    created.push(...(await scaffoldCompanions(root, companions, TEMPLATES)));
    const gitignore = await addGitignoreLines(join(root, ".gitignore"));
    if (gitignore) created.push(".gitignore lines");

    const shown = relative(io.cwd, root) || ".";
    if (args.options.json) {
      io.stdout(`${JSON.stringify({ root, created, overwritten, kept }, null, 2)}\n`);
      return 0;
    }
    io.stdout(`${paint("bold", "worksite")} in ${shown}\n`);
    for (const c of created) io.stdout(`  ${paint("green", "created")}      ${c}\n`);
    for (const o of overwritten) io.stdout(`  ${paint("yellow", "overwritten")}  ${o}\n`);
    for (const k of kept)
      io.stdout(`  ${paint("dim", "kept")}         ${k} ${paint("dim", "(it exists; --force overwrites it)")}\n`);
    const next = suggestCommand(io, root, "check");
    io.stdout(`\nNext: edit the three files, then run ${paint("cyan", next)}\n`);
    return 0;
  },
});

/** Appends the runtime-state lines unless .gitignore already ignores .worksite/. */
async function addGitignoreLines(path: string): Promise<boolean> {
  const current = existsSync(path) ? await readFile(path, "utf8") : "";
  if (current.split(/\r?\n/).some((l) => /^\/?\.worksite\/?$/.test(l.trim()))) return false;
  const lead = current === "" || current.endsWith("\n") ? "" : "\n";
  await appendFile(path, `${lead}${current === "" ? "" : "\n"}${GITIGNORE.join("\n")}\n`);
  return true;
}
