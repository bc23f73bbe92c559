import { formatDiagnostic } from "@worksite/core";
import { defineCommand } from "../command.js";
import { findWorksite } from "../find-worksite.js";
import { styler } from "../io.js";
import { discoverFor, shown, skillSummary } from "./skill-common.js";

export default defineCommand({
  name: "skill list",
  usage: "skill list [--json]",
  summary: "list the skills this worksite can use, nearest first, and what each one shadows",
  async run(args, io) {
    const worksite = findWorksite(args, io);
    const found = await discoverFor(worksite, io);
    if (args.options.json) {
      io.stdout(
        `${JSON.stringify(
          {
            skills: found.skills.map((s) => skillSummary(s, io)),
            shadowed: found.shadowed.map(({ skill, by }) => ({
              ...skillSummary(skill, io),
              by: { source: by.source, path: shown(io, by.dir) },
            })),
            problems: found.problems.map((p) => ({
              path: shown(io, p.path),
              message: p.error.message,
              diagnostics: p.error.diagnostics,
            })),
          },
          null,
          2,
        )}\n`,
      );
      return 0;
    }
    const paint = styler(io.isTTY);
    if (found.skills.length === 0)
      io.stdout(
        "no skills yet — create one with: worksite skill new NAME, or install one with: worksite skill add PACKAGE\n",
      );
    const width = found.skills.reduce((w, s) => Math.max(w, s.name.length), 0);
    for (const s of found.skills) {
      const origin = s.package ? `${s.package.name}@${s.package.version}` : shown(io, s.dir);
      const line = s.description.replace(/\s+/g, " ");
      io.stdout(
        `${paint("bold", s.name.padEnd(width))}  ${paint("dim", `${s.source.padEnd(11)} ${origin}`)}\n  ${line.length > 100 ? `${line.slice(0, 99)}…` : line}\n`,
      );
    }
    for (const { skill, by } of found.shadowed) {
      const origin = skill.package ? `${skill.package.name}@${skill.package.version}` : shown(io, skill.dir);
      io.stdout(
        `${paint("yellow", "shadowed:")} ${skill.name} from ${skill.source} ${origin} — ${by.source} ${shown(io, by.dir)} is used instead\n`,
      );
    }
    for (const p of found.problems) {
      for (const d of p.error.diagnostics) io.stderr(`${formatDiagnostic(d)}\n`);
      io.stderr(
        `${paint("red", "not loaded:")} ${shown(io, p.path)} — run: worksite skill check ${shown(io, p.path)}\n`,
      );
    }
    return 0;
  },
});
