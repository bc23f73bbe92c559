import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { UserError } from "@worksite/core";
import { prepareSkillAdd, type SkillInstallPlan } from "@worksite/skills";
import { defineCommand } from "../command.js";
import { findWorksite } from "../find-worksite.js";
import type { CommandIO } from "../io.js";
import { shown } from "./skill-common.js";

export default defineCommand({
  name: "skill add",
  usage:
    "skill add FOLDER | GIT-URL[#REF:FOLDER] | TARBALL | PACKAGE [--yes] [--force] [--json]\n\n" +
    "FOLDER is a skill folder (SKILL.md, no package.json needed). GIT-URL is git+…, https://….git, ssh://…,\n" +
    "git@host:owner/repo, file://…, or a local repository path, with #REF:FOLDER naming the branch, tag or\n" +
    "commit and the skill's folder in it (#:FOLDER for the default branch); a browser URL\n" +
    "https://github.com/OWNER/REPO/tree/REF/FOLDER works too. TARBALL and PACKAGE are npm packages declaring a skill.",
  summary:
    "install a skill (a folder, a folder in a git repository, a .tgz, or a package npm can fetch) into the worksite's skills/; runs none of its scripts",
  options: {
    force: { type: "boolean", description: "replace a skill of the same name already in skills/" },
    yes: { type: "boolean", alias: "y", description: "install without asking (after showing what is installed)" },
  },
  async run(args, io) {
    const spec = args.positionals[0];
    if (!spec)
      throw new UserError("what should be added?", {
        hint: "worksite skill add ./my-skill (a folder holding SKILL.md), a git URL, a .tgz, or a package name",
      });
    const worksite = findWorksite(args, io);
    const extra = io.env.WORKSITE_SKILLS_PATH?.split(process.platform === "win32" ? ";" : ":").filter(Boolean);
    const prepared = await prepareSkillAdd(spec, {
      worksite,
      cwd: io.cwd,
      force: args.options.force === true,
      env: io.env,
      packageRoots: [dirname(fileURLToPath(import.meta.url))],
      ...(extra?.length ? { firstPartyDirs: extra } : {}),
    });
    const { plan } = prepared;
    // Installing puts a third party's text in front of the model: a person sees what it is and says yes (issue 20).
    if (!args.options.json) io.stdout(describePlan(plan, io));
    if (!args.options.yes) {
      if (!io.confirm) {
        await prepared.dispose();
        throw new UserError("skill add asks before installing, and there is no terminal to ask on", {
          hint: `read what it installs above, then run again with --yes: worksite skill add ${spec} --yes`,
        });
      }
      if (!(await io.confirm(`Install ${plan.name} into ${shown(io, plan.target)}?`))) {
        await prepared.dispose();
        io.stdout("nothing installed\n");
        return 1;
      }
    }
    const { skill, replaced } = await prepared.install();
    const version = skill.package ? `${skill.package.name}@${skill.package.version}` : "";
    if (args.options.json)
      io.stdout(
        `${JSON.stringify({
          name: skill.name,
          path: shown(io, skill.dir),
          package: skill.package ? { name: skill.package.name, version: skill.package.version } : undefined,
          replaced,
          files: plan.files,
          scripts: plan.scripts,
          allowedTools: plan.allowedTools,
          shadows: plan.shadows.map((s) => ({ ...s, dir: shown(io, s.dir) })),
        })}\n`,
      );
    else
      io.stdout(
        `${replaced ? "replaced" : "added"} ${skill.name}${version ? ` ${version}` : ""} in ${shown(io, skill.dir)}\n`,
      );
    return 0;
  },
});

function describePlan(plan: SkillInstallPlan, io: CommandIO): string {
  const lines = [
    `${plan.packageName ? `${plan.packageName}@${plan.version}` : plan.spec} (${plan.kind}) → ${shown(io, plan.target)}${plan.replaces ? " (replaces the skill there)" : ""}`,
    `  ${plan.name}: ${plan.description.replace(/\s+/g, " ")}`,
  ];
  lines.push(`  files (${plan.files.length}):`);
  for (const f of plan.files) lines.push(`    ${f}`);
  const scripts = Object.entries(plan.scripts);
  lines.push(scripts.length ? "  scripts (NOT run, now or later, by worksite):" : "  scripts: none");
  for (const [k, v] of scripts) lines.push(`    ${k}: ${v}`);
  lines.push(`  allowed-tools: ${plan.allowedTools.length ? plan.allowedTools.join(" ") : "none declared"}`);
  for (const s of plan.shadows)
    lines.push(`  shadows: ${s.name} from ${s.package ?? shown(io, s.dir)} (${s.source}); this one is used instead`);
  for (const n of plan.notes) lines.push(`  note: ${n}`);
  return `${lines.join("\n")}\n`;
}
