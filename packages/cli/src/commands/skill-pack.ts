import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { plural, UserError } from "@worksite/core";
import { packSkill } from "@worksite/skills";
import { defineCommand } from "../command.js";
import { findWorksite } from "../find-worksite.js";
import { discoverFor, shown } from "./skill-common.js";

export default defineCommand({
  name: "skill pack",
  usage: "skill pack NAME-OR-PATH [--out DIR] [--json]",
  summary:
    "pack a skill folder (all of it, minus .npmignore) into an npm tarball with npm pack; warns when a file SKILL.md links to is left out",
  options: { out: { type: "string", description: "folder for the tarball (default: the current folder)" } },
  async run(args, io) {
    const target = args.positionals[0];
    if (!target) throw new UserError("which skill?", { hint: "worksite skill pack NAME" });
    let dir = resolve(io.cwd, target);
    if (!existsSync(join(dir, "SKILL.md"))) {
      const found = await discoverFor(findWorksite(args, io), io);
      const skill = found.skills.find((s) => s.name === target);
      if (!skill)
        throw new UserError(`no skill named ${target}`, {
          hint: "see worksite skill list, or give the skill's folder",
        });
      dir = skill.dir;
    }
    const out = typeof args.options.out === "string" ? resolve(io.cwd, args.options.out) : io.cwd;
    const packed = await packSkill(dir, { destination: out, env: io.env });
    if (args.options.json) {
      io.stdout(`${JSON.stringify({ ...packed, tarball: shown(io, packed.tarball) })}\n`);
      return 0;
    }
    io.stdout(
      `packed ${packed.packageName}@${packed.version} → ${shown(io, packed.tarball)} (${plural(packed.files.length, "file")})\n` +
        (packed.generatedPackageJson
          ? "  the folder has no package.json: the package got one (name and version above); the folder is unchanged\n"
          : "") +
        `  install elsewhere with: worksite skill add ${shown(io, packed.tarball)}\n`,
    );
    // A file SKILL.md points the agent at but the package lacks would fail the agent at the worst time (issue 12).
    for (const f of packed.leftOut)
      io.stderr(
        `warning: SKILL.md links to ${f}, which is not in the package\n  hint: remove it from .npmignore, or add it to package.json "files" (or drop that list to pack the whole folder)\n`,
      );
    return 0;
  },
});
