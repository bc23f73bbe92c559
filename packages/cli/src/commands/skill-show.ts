import { existsSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { didYouMean, formatDiagnostic, UserError } from "@worksite/core";
import { INSTALL_RECORD, listAllSkillFiles, loadSkill, type Skill } from "@worksite/skills";
import { defineCommand } from "../command.js";
import { findWorksite } from "../find-worksite.js";
import { type CommandIO, styler } from "../io.js";
import { discoverFor, shown, skillSummary } from "./skill-common.js";

export default defineCommand({
  name: "skill show",
  usage: "skill show NAME-OR-PATH [--json]",
  summary: "show one skill: where it comes from, its triggers, steps, failure modes and files",
  async run(args, io) {
    const name = args.positionals[0];
    if (!name)
      throw new UserError("which skill?", { hint: "worksite skill show NAME-OR-PATH (see worksite skill list)" });
    // A path to a skill folder (or its SKILL.md) is shown as it is, inside a worksite or not.
    const path = resolve(io.cwd, name);
    const byPath = existsSync(basename(path) === "SKILL.md" ? path : join(path, "SKILL.md"));
    const found = byPath ? undefined : await discoverFor(findWorksite(args, io), io);
    const skill = byPath ? await loadSkill(path, { relativeTo: io.cwd }) : found!.skills.find((s) => s.name === name);
    if (!skill || !found) {
      if (skill) return show(skill, [], args.options.json === true, io);
      const guess = didYouMean(
        name,
        found!.skills.map((s) => s.name),
      );
      throw new UserError(`no skill named ${name}`, {
        hint: guess ? `did you mean ${guess}?` : "see worksite skill list",
      });
    }
    const shadows = found.shadowed
      .filter((s) => s.by === skill)
      .map((s) => ({ source: s.skill.source, path: shown(io, s.skill.dir) }));
    return show(skill, shadows, args.options.json === true, io);
  },
});

async function show(skill: Skill, shadows: { source: string; path: string }[], json: boolean, io: CommandIO) {
  const { sections, frontmatter } = skill;
  // Every file the skill holds: SKILL.md links to FORMS.md, reference/, examples/ as often as to scripts/.
  const files = await listAllSkillFiles(skill.dir);
  if (json) {
    io.stdout(
      `${JSON.stringify(
        {
          ...skillSummary(skill, io),
          file: shown(io, skill.file),
          license: frontmatter.license,
          compatibility: frontmatter.compatibility,
          allowedTools: frontmatter.allowedTools,
          metadata: frontmatter.metadata,
          extra: frontmatter.extra,
          variables: sections.variables,
          steps: sections.steps ?? [],
          failureModes: sections.failureModes.map(({ symptom, action }) => ({ symptom, action })),
          doneWhen: sections.doneWhen,
          files: files.filter((f) => f !== INSTALL_RECORD),
          shadows,
          diagnostics: skill.diagnostics,
        },
        null,
        2,
      )}\n`,
    );
    return 0;
  }
  const paint = styler(io.isTTY);
  const out: string[] = [];
  out.push(
    `${paint("bold", skill.name)}  ${paint("dim", `${skill.source} · ${shown(io, skill.file)}${skill.package ? ` · ${skill.package.name}@${skill.package.version}` : ""}`)}`,
  );
  out.push(skill.description, "");
  if (frontmatter.compatibility) out.push(`compatibility: ${frontmatter.compatibility}`);
  if (frontmatter.allowedTools) out.push(`allowed tools: ${frontmatter.allowedTools.join(" ")}`);
  const t = sections.triggers;
  if (t.keywords.length + t.files.length + t.events.length > 0) {
    out.push(paint("bold", "When to use"));
    if (t.keywords.length) out.push(`  keywords: ${t.keywords.join(", ")}`);
    if (t.files.length) out.push(`  files: ${t.files.join(", ")}`);
    if (t.events.length) out.push(`  events: ${t.events.join(", ")}`);
  }
  if (sections.steps) {
    out.push(
      paint(
        "bold",
        `Steps${sections.variables.length ? ` (needs ${sections.variables.map((v) => `{{${v}}}`).join(", ")})` : ""}`,
      ),
    );
    for (const [i, s] of sections.steps.entries()) {
      out.push(`  ${i + 1}. ${s.tool} ${JSON.stringify(s.input)}${s.id ? paint("dim", `  [${s.id}]`) : ""}`);
    }
  } else out.push(paint("dim", "no Steps: a model agent follows the body; the script agent cannot run it"));
  if (sections.failureModes.length) {
    out.push(paint("bold", "Failure modes"));
    for (const f of sections.failureModes) out.push(`  - ${f.symptom}${f.action ? ` → ${f.action}` : ""}`);
  }
  if (sections.doneWhen.length) {
    out.push(paint("bold", "Done when"));
    for (const d of sections.doneWhen) out.push(`  - ${d}`);
  }
  const listed = files.filter((f) => f !== INSTALL_RECORD);
  if (listed.length) out.push(paint("bold", `Files (${listed.length})`));
  for (const f of listed) out.push(`  ${f}`);
  for (const s of shadows) out.push(`${paint("yellow", "shadows:")} ${s.source} ${s.path}`);
  io.stdout(`${out.join("\n")}\n`);
  for (const d of skill.diagnostics) io.stderr(`${formatDiagnostic(d)}\n`);
  return 0;
}
