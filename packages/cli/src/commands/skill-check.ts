import { existsSync, statSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { type Diagnostic, formatDiagnostic, UserError } from "@worksite/core";
import { openSession } from "@worksite/runtime";
import { loadSkill } from "@worksite/skills";
import { defineCommand } from "../command.js";
import type { ParsedArgv } from "../argv.js";
import { findWorksite } from "../find-worksite.js";
import { type CommandIO, styler } from "../io.js";
import { plural } from "@worksite/core";
import { shown } from "./skill-common.js";

interface CheckResult {
  path: string;
  ok: boolean;
  name?: string;
  steps?: number;
  message?: string;
  diagnostics: Diagnostic[];
}

/** A skill folder, a SKILL.md, or a folder of skill folders (such as skills/). */
async function skillPaths(path: string): Promise<string[]> {
  if (!existsSync(path))
    throw new UserError(`${path} does not exist`, { hint: "give a skill folder, its SKILL.md, or a folder of skills" });
  if (statSync(path).isFile() || existsSync(join(path, "SKILL.md"))) return [path];
  const entries = await readdir(path, { withFileTypes: true });
  const found = entries
    .filter((e) => e.isDirectory() && existsSync(join(path, e.name, "SKILL.md")))
    .map((e) => join(path, e.name));
  if (found.length === 0)
    throw new UserError(`no SKILL.md in ${path} or its folders`, {
      hint: "a skill is a folder holding SKILL.md; create one with: worksite skill new NAME",
    });
  return found.sort();
}

export default defineCommand({
  name: "skill check",
  usage:
    "skill check [PATH…] [-w DIR] [--json]\n\nWithout PATH it checks the worksite's skills/ (the one --worksite names, else the one you are in).",
  summary: "check SKILL.md files against the Agent Skills format and worksite's sections (exit 1 on any error)",
  async run(args, io) {
    const given =
      args.positionals.length > 0 ? args.positionals.map((p) => resolve(io.cwd, p)) : [defaultSkillsDir(args, io)];
    const tools = await knownTools(args, io);
    const results: CheckResult[] = [];
    for (const p of given) {
      for (const path of await skillPaths(p)) {
        const where = shown(io, basename(path) === "SKILL.md" ? path : join(path, "SKILL.md"));
        try {
          const skill = await loadSkill(path, { relativeTo: io.cwd, ...(tools ? { knownTools: tools } : {}) });
          results.push({
            path: where,
            ok: true,
            name: skill.name,
            steps: skill.sections.steps?.length ?? 0,
            diagnostics: skill.diagnostics,
          });
        } catch (error) {
          if (!UserError.isUserError(error)) throw error;
          results.push({ path: where, ok: false, message: error.message, diagnostics: error.diagnostics });
        }
      }
    }
    const failed = results.filter((r) => !r.ok).length;
    if (args.options.json) {
      io.stdout(`${JSON.stringify({ ok: failed === 0, results }, null, 2)}\n`);
      return failed ? 1 : 0;
    }
    const paint = styler(io.isTTY);
    for (const r of results) {
      for (const d of r.diagnostics) (d.severity === "error" ? io.stderr : io.stdout)(`${formatDiagnostic(d)}\n`);
      if (r.ok)
        io.stdout(
          `${paint("green", "ok")} ${r.name} ${paint("dim", `${r.path}${r.steps ? ` · ${plural(r.steps, "step")}` : ""}`)}\n`,
        );
      else io.stderr(`${paint("red", "error:")} ${r.message}\n`);
    }
    if (results.length > 1) io.stdout(`${results.length - failed} of ${plural(results.length, "skill")} ok\n`);
    return failed ? 1 : 0;
  },
});

/**
 * The tool ids a run of this worksite would have (THREAD.md's plugins when they are
 * installed), so a step's `file.wrte` gets a did-you-mean. Outside a worksite there
 * is no list, and only the plugin.tool shape is checked.
 */
async function knownTools(args: ParsedArgv, io: CommandIO): Promise<string[] | undefined> {
  let root: string;
  try {
    root = findWorksite(args, io);
  } catch (error) {
    if (UserError.isUserError(error)) return undefined;
    throw error;
  }
  const open = (threadPlugins: boolean) => openSession({ root, actor: "person:skill-check", threadPlugins });
  const session = await open(true)
    .catch(() => open(false))
    .catch(() => undefined);
  if (!session) return undefined;
  try {
    return session.gate.tools().map((t) => t.id);
  } finally {
    await session.dispose();
  }
}

/** The skills/ of the worksite --worksite names, else of the worksite around the cwd, else ./skills. */
function defaultSkillsDir(args: ParsedArgv, io: CommandIO): string {
  if (typeof args.options.worksite === "string") return join(findWorksite(args, io), "skills");
  try {
    return join(findWorksite(args, io), "skills");
  } catch (error) {
    if (UserError.isUserError(error)) return resolve(io.cwd, "skills");
    throw error;
  }
}
